package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// A run's folder holds output.txt (what tools/train printed), log.jsonl (its
// epochs) and, once it has ended, one marker written whole: done (it finished) or
// failed (its exit status and last lines). A marker's first line is the run's
// command; a second, "variant lr=5e-4", names the values of the sweep's vary lines.
// A folder without a marker is a run that was cut off; it is run again from the
// start.

// runOptions are the flags of sweep run.
type runOptions struct {
	out         string // the sweep's folder
	jobs        int    // runs at once
	retryFailed bool
	train       string // the tools/train binary
	progress    io.Writer
}

// tally counts the runs of a sweep by state.
type tally struct {
	done, failed, running, left int
}

// runSweep runs every run of s that has no marker yet, jobs at once, and returns the
// tally at the end. Cancelling ctx kills the runs under way; their folders keep no
// marker, so the next call runs them again.
func runSweep(ctx context.Context, s *sweep, o runOptions) (tally, error) {
	t, indexes := pending(s, o.out, o.retryFailed)
	todo := make([]run, len(indexes))
	for k, i := range indexes {
		todo[k] = s.runs[i]
	}
	if len(todo) == 0 {
		return t, nil
	}
	var (
		mu      sync.Mutex
		started = time.Now()
		ran     int
		wg      sync.WaitGroup
		next    = make(chan run)
	)
	report := func() {
		eta := ""
		if ran > 0 {
			per := time.Since(started) / time.Duration(ran) * time.Duration(o.jobs)
			eta = fmt.Sprintf(", about %s left", (per * time.Duration(t.left+t.running) / time.Duration(o.jobs)).Round(time.Second))
		}
		fmt.Fprintf(o.progress, "sweep: %d done, %d running, %d failed, %d to start%s\n", t.done, t.running, t.failed, t.left, eta)
	}
	threads := max(1, runtime.NumCPU()/o.jobs)
	for range o.jobs {
		wg.Go(func() {
			for r := range next {
				mu.Lock()
				t.left--
				t.running++
				mu.Unlock()
				err := runOne(ctx, r, o, threads)
				mu.Lock()
				t.running--
				switch {
				case ctx.Err() != nil:
				case err != nil:
					t.failed++
				default:
					t.done++
				}
				ran++
				report()
				mu.Unlock()
			}
		})
	}
	for _, r := range todo {
		select {
		case next <- r:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(next)
	wg.Wait()
	return t, ctx.Err()
}

// pending tallies the runs of s in out by their markers and lists the indexes of
// those to run: no marker, or failed when retryFailed. Their count is t.left.
func pending(s *sweep, out string, retryFailed bool) (t tally, todo []int) {
	for i, r := range s.runs {
		dir := filepath.Join(out, "runs", r.name)
		switch {
		case exists(filepath.Join(dir, "done")):
			t.done++
		case exists(filepath.Join(dir, "failed")) && !retryFailed:
			t.failed++
		default:
			todo = append(todo, i)
		}
	}
	t.left = len(todo)
	return t, todo
}

// runOne runs r in its folder, emptied first, and writes its marker.
func runOne(ctx context.Context, r run, o runOptions, threads int) error {
	dir := filepath.Join(o.out, "runs", r.name)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(dir, "output.txt"))
	if err != nil {
		return err
	}
	defer out.Close()
	args := append([]string(nil), r.args...)
	if !hasFlag(args, "threads") {
		args = append(args, fmt.Sprintf("--threads=%d", threads))
	}
	args = append(args, "--log="+filepath.Join(dir, "log.jsonl"))
	cmd := exec.CommandContext(ctx, o.train, args...)
	cmd.Stdout, cmd.Stderr = out, out
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err() // cut off: no marker, run again next time
	}
	marker, text := "done", "tools/train "+strings.Join(args, " ")+"\n"
	if r.variant != "" {
		text += "variant " + r.variant + "\n" // the report's groups
	}
	if runErr != nil {
		marker = "failed"
		tail, _ := os.ReadFile(filepath.Join(dir, "output.txt"))
		text = fmt.Sprintf("%s: %v\n%s", text, runErr, lastLines(string(tail), 5))
	}
	if err := writeWhole(filepath.Join(dir, marker), text); err != nil {
		return err
	}
	if runErr != nil {
		return fmt.Errorf("%s: %w", r.name, runErr)
	}
	return nil
}

// writeWhole writes a file under a temporary name, then renames it: it is there
// whole or not at all.
func writeWhole(path, text string) error {
	tmp := path + ".part"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--"+name || strings.HasPrefix(a, "--"+name+"=") {
			return true
		}
	}
	return false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
