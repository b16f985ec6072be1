// Command sweep runs the runs a sweep file lists (rules × topologies × settings ×
// trials, each one tools/train run with its log) and resumes where a killed sweep
// stopped:
//
//	go run ./tools/sweep run FILE --out DIR [--jobs N] [--retry-failed]
//	go run ./tools/sweep report DIR
//
// Each run lives in DIR/runs/NAME; a run that ended leaves a marker (done or failed),
// written whole, so a sweep started again runs only what is missing. A failed run is
// reported with its message and not run again unless --retry-failed says so. The
// report prints a Markdown table of the finished runs beside the paper's numbers and
// draws each topology's curves into DIR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
)

const (
	exitOK      = 0
	exitFailed  = 1 // some runs failed
	exitUsage   = 2
	exitStopped = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := command(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "report" {
		if err := report(args[1], stdout); err != nil {
			fmt.Fprintf(stderr, "sweep report: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: sweep run FILE --out DIR [--jobs N] [--retry-failed]\n       sweep report DIR\n(submit is not built yet)")
		return exitUsage
	}
	fs := flag.NewFlagSet("sweep run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the sweep's folder: its runs, their logs and markers")
	jobs := fs.Int("jobs", runtime.NumCPU(), "runs at once (default: this machine's cores)")
	retry := fs.Bool("retry-failed", false, "run again the runs that failed")
	file, rest := "", args[1:]
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return exitUsage
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	switch {
	case file == "":
		fmt.Fprintln(stderr, "sweep run: name the sweep file, such as sweeps/smoke.sweep")
		return exitUsage
	case *out == "":
		fmt.Fprintln(stderr, "sweep run: --out DIR: where the runs go")
		return exitUsage
	case *jobs < 1:
		fmt.Fprintf(stderr, "sweep run: --jobs %d: must be at least 1\n", *jobs)
		return exitUsage
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return exitUsage
	}
	s, err := parseSweep(f, file)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return exitUsage
	}
	train := filepath.Join(*out, ".bin", "train")
	if err := os.MkdirAll(filepath.Dir(train), 0o755); err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return exitUsage
	}
	if b, err := exec.Command("go", "build", "-o", train, "./tools/train").CombinedOutput(); err != nil {
		fmt.Fprintf(stderr, "sweep: building tools/train (run the sweep from the repository): %v\n%s", err, b)
		return exitUsage
	}
	fmt.Fprintf(stderr, "sweep: %s: %d runs into %s, %d at once\n", file, len(s.runs), *out, *jobs)
	t, err := runSweep(ctx, s, runOptions{out: *out, jobs: *jobs, retryFailed: *retry, train: train, progress: stderr})
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "sweep: stopped; %d runs done, the rest runs when the sweep is started again\n", t.done)
		return exitStopped
	case err != nil:
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return exitFailed
	case t.failed > 0:
		fmt.Fprintf(stderr, "sweep: %d of %d runs failed (their folders' failed files say why; --retry-failed runs them again)\n", t.failed, len(s.runs))
		return exitFailed
	}
	fmt.Fprintf(stderr, "sweep: all %d runs done\n", len(s.runs))
	return exitOK
}
