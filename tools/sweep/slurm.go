package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A sweep on Slurm is one array job: task i runs run i of DIR/slurm/runs.json with
// the sweep's own binary (`sweep task DIR i`), which writes the same folder and
// marker as `sweep run`. DIR must be on a file system the nodes share. The job's
// name comes from DIR, so a second submit sees a job of the same sweep still in the
// queue and refuses rather than run a run twice.

// submitOptions are the flags of sweep submit.
type submitOptions struct {
	out         string        // the sweep's folder, shared with the nodes
	wait        bool          // return when the job has ended
	retryFailed bool          // submit the failed runs again too
	partition   string        // sbatch --partition
	timeLimit   string        // sbatch --time, per run
	cpus        int           // sbatch --cpus-per-task, and each run's --threads
	extra       []string      // more sbatch flags
	poll        time.Duration // how often --wait looks at the markers
	progress    io.Writer
}

// taskRun is one entry of runs.json.
type taskRun struct {
	Name    string   `json:"name"`
	Args    []string `json:"args"`
	Variant string   `json:"variant,omitempty"`
}

// submit builds the binaries into DIR/.bin, writes the runs and the batch script,
// and submits the runs that have no marker as one array job.
func submit(ctx context.Context, s *sweep, file string, o submitOptions) (tally, error) {
	out, err := filepath.Abs(o.out)
	if err != nil {
		return tally{}, err
	}
	for _, command := range []string{"sbatch", "squeue"} {
		if _, err := exec.LookPath(command); err != nil {
			return tally{}, fmt.Errorf("%s not found: submit needs Slurm's commands (run it where sbatch works, such as the cluster's login node)", command)
		}
	}
	name := jobName(out)
	if active, err := queued(ctx, name); err != nil {
		return tally{}, err
	} else if active != "" {
		return tally{}, fmt.Errorf("job %s of this sweep (%s) is still in Slurm's queue: let it end, or scancel %s, then submit again", active, name, active)
	}
	t, todo := pending(s, out, o.retryFailed)
	if len(todo) == 0 {
		return t, nil
	}
	slurmDir := filepath.Join(out, "slurm")
	if err := os.MkdirAll(slurmDir, 0o755); err != nil {
		return t, err
	}
	bin := filepath.Join(out, ".bin")
	for _, tool := range []string{"train", "sweep"} {
		if b, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, tool), "./tools/"+tool).CombinedOutput(); err != nil {
			return t, fmt.Errorf("building tools/%s (submit from the repository): %v\n%s", tool, err, b)
		}
	}
	runs := make([]taskRun, len(s.runs))
	for i, r := range s.runs {
		runs[i] = taskRun{r.name, r.args, r.variant}
	}
	js, err := json.MarshalIndent(runs, "", "  ")
	if err != nil {
		return t, err
	}
	if err := writeWhole(filepath.Join(slurmDir, "runs.json"), string(js)+"\n"); err != nil {
		return t, err
	}
	script := fmt.Sprintf("#!/bin/sh\n# %s as a Slurm array job, written by tools/sweep submit: task i runs run i of runs.json.\nexec %s task %s \"$SLURM_ARRAY_TASK_ID\"\n",
		file, shellQuote(filepath.Join(bin, "sweep")), shellQuote(out))
	scriptPath := filepath.Join(slurmDir, "job.sh")
	if err := writeWhole(scriptPath, script); err != nil {
		return t, err
	}
	args := []string{"--parsable", "--job-name=" + name, "--array=" + arraySpec(todo),
		"--output=" + filepath.Join(slurmDir, "%A_%a.out"), fmt.Sprintf("--cpus-per-task=%d", o.cpus)}
	if o.partition != "" {
		args = append(args, "--partition="+o.partition)
	}
	if o.timeLimit != "" {
		args = append(args, "--time="+o.timeLimit)
	}
	args = append(append(args, o.extra...), scriptPath)
	if o.wait {
		args = append([]string{"--wait"}, args...)
	}
	cmd := exec.CommandContext(ctx, "sbatch", args...)
	cmd.Dir = out
	id := &jobID{queued: make(chan struct{})}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = id, &stderr
	if err := cmd.Start(); err != nil {
		return t, fmt.Errorf("sbatch: %w", err)
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	if !o.wait {
		if err := <-ended; err != nil {
			return t, fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(stderr.String()))
		}
		fmt.Fprintf(o.progress, "sweep: submitted job %s: %d runs (squeue --name=%s); `sweep report %s` once they have ended; submit again to run what is missing\n",
			id.String(), len(todo), name, o.out)
		return t, nil
	}
	queuedAt, started := id.queued, time.Now()
	last, lastAt := tally{left: -1}, time.Time{}
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	for {
		select {
		case <-queuedAt:
			fmt.Fprintf(o.progress, "sweep: submitted job %s: %d runs (squeue --name=%s)\n", id, len(todo), name)
			queuedAt = nil
		case err := <-ended:
			now, _ := pending(s, out, o.retryFailed)
			switch {
			case ctx.Err() != nil:
				return now, fmt.Errorf("stopped waiting; job %s goes on in Slurm's queue: %w", id, ctx.Err())
			case id.String() == "": // never queued
				return now, fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(stderr.String()))
			}
			return now, nil // runs without a marker were cut off: the caller says so
		case <-tick.C:
			now, _ := pending(s, out, o.retryFailed)
			now.running = running(ctx, name)
			if now == last && time.Since(lastAt) < time.Minute {
				continue // a line when a run starts or ends, else once a minute
			}
			line := fmt.Sprintf("sweep: job %s: %d done, %d running, %d failed, %d to start", id, now.done, now.running, now.failed, max(0, now.left-now.running))
			if ended := now.done + now.failed - t.done - t.failed; ended > 0 && now.left > 0 {
				left := time.Since(started) / time.Duration(ended) * time.Duration(now.left)
				line += fmt.Sprintf(", about %s left", left.Round(time.Second))
			}
			fmt.Fprintln(o.progress, line)
			last, lastAt = now, time.Now()
		}
	}
}

// jobID takes sbatch --parsable's output, "jobid[;cluster]", and closes queued
// once the line has come.
type jobID struct {
	mu     sync.Mutex
	line   []byte
	queued chan struct{}
}

func (j *jobID) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	had := bytes.IndexByte(j.line, '\n') >= 0
	j.line = append(j.line, p...)
	if !had && bytes.IndexByte(j.line, '\n') >= 0 {
		close(j.queued)
	}
	return len(p), nil
}

// String returns the job's id, or "" before sbatch has printed it.
func (j *jobID) String() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	line, _, ok := bytes.Cut(j.line, []byte("\n"))
	if !ok {
		return ""
	}
	id, _, _ := bytes.Cut(line, []byte(";"))
	return strings.TrimSpace(string(id))
}

// task runs run index of DIR/slurm/runs.json: the body of an array task.
func task(ctx context.Context, dir, index string) error {
	i, err := strconv.Atoi(index)
	if err != nil {
		return fmt.Errorf("task %q: want the array task's index (is SLURM_ARRAY_TASK_ID set?)", index)
	}
	b, err := os.ReadFile(filepath.Join(dir, "slurm", "runs.json"))
	if err != nil {
		return err
	}
	var runs []taskRun
	if err := json.Unmarshal(b, &runs); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, "slurm", "runs.json"), err)
	}
	if i < 0 || i >= len(runs) {
		return fmt.Errorf("task %d: the sweep has runs 0 to %d", i, len(runs)-1)
	}
	threads := 1
	if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 {
		threads = n
	}
	r := run{name: runs[i].Name, args: runs[i].Args, variant: runs[i].Variant}
	return runOne(ctx, r, runOptions{out: dir, train: filepath.Join(dir, ".bin", "train")}, threads)
}

// jobName names the Slurm job of the sweep in out (an absolute path): its folder's
// name and a hash of its path, so that two sweeps never share one.
func jobName(out string) string {
	h := sha256.Sum256([]byte(out))
	return fmt.Sprintf("lwf-%s-%x", filepath.Base(out), h[:4])
}

// queued returns the id of a job called name still in Slurm's queue, or "".
func queued(ctx context.Context, name string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "squeue", "--noheader", "--name="+name, "--format=%A")
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("squeue: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0], nil
	}
	return "", nil
}

// running counts the tasks of the job called name that Slurm runs now (0 when
// squeue cannot say).
func running(ctx context.Context, name string) int {
	b, err := exec.CommandContext(ctx, "squeue", "--noheader", "--array", "--states=RUNNING", "--name="+name, "--format=%i").Output()
	if err != nil {
		return 0
	}
	return len(strings.Fields(string(b)))
}

// arraySpec writes ascending indexes as sbatch --array wants them: 0-3,7,9-10.
func arraySpec(indexes []int) string {
	var parts []string
	for i := 0; i < len(indexes); {
		j := i
		for j+1 < len(indexes) && indexes[j+1] == indexes[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(indexes[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", indexes[i], indexes[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
