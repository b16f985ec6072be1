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
	name := jobName(out)
	if err := slurmReady(ctx, name); err != nil {
		return tally{}, err
	}
	t, todo := pending(s, out, o.retryFailed)
	if len(todo) == 0 {
		return t, nil
	}
	slurmDir := filepath.Join(out, "slurm")
	scriptPath, err := writeJob(ctx, s, file, out, slurmDir)
	if err != nil {
		return t, err
	}
	job, err := startSbatch(ctx, out, sbatchArgs(o, name, todo, slurmDir, scriptPath))
	if err != nil {
		return t, err
	}
	if !o.wait {
		if err := <-job.ended; err != nil {
			return t, job.failed(err)
		}
		fmt.Fprintf(o.progress, "sweep: submitted job %s: %d runs (squeue --name=%s); `sweep report %s` once they have ended; submit again to run what is missing\n",
			job.id.String(), len(todo), name, o.out)
		return t, nil
	}
	return waitJob(ctx, s, out, o, name, len(todo), t, job)
}

// slurmReady checks that Slurm's commands are here and that no job of the sweep
// called name is still in the queue.
func slurmReady(ctx context.Context, name string) error {
	for _, command := range []string{"sbatch", "squeue"} {
		if _, err := exec.LookPath(command); err != nil {
			return fmt.Errorf("%s not found: submit needs Slurm's commands (run it where sbatch works, such as the cluster's login node)", command)
		}
	}
	if active, err := queued(ctx, name); err != nil {
		return err
	} else if active != "" {
		return fmt.Errorf("job %s of this sweep (%s) is still in Slurm's queue: let it end, or scancel %s, then submit again", active, name, active)
	}
	return nil
}

// writeJob builds the binaries into out/.bin and writes the runs (runs.json) and
// the batch script (job.sh) into slurmDir; it returns the script's path.
func writeJob(ctx context.Context, s *sweep, file, out, slurmDir string) (string, error) {
	if err := os.MkdirAll(slurmDir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(out, ".bin")
	if err := buildTools(ctx, bin); err != nil {
		return "", err
	}
	if err := writeRuns(filepath.Join(slurmDir, "runs.json"), s.runs); err != nil {
		return "", err
	}
	scriptPath := filepath.Join(slurmDir, "job.sh")
	if err := writeWhole(scriptPath, jobScript(file, filepath.Join(bin, "sweep"), out)); err != nil {
		return "", err
	}
	return scriptPath, nil
}

// buildTools builds tools/train and tools/sweep into bin, from the repository.
func buildTools(ctx context.Context, bin string) error {
	for _, tool := range []string{"train", "sweep"} {
		if b, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, tool), "./tools/"+tool).CombinedOutput(); err != nil {
			return fmt.Errorf("building tools/%s (submit from the repository): %v\n%s", tool, err, b)
		}
	}
	return nil
}

// writeRuns writes the runs as runs.json, the array tasks' list, to path.
func writeRuns(path string, rs []run) error {
	runs := make([]taskRun, len(rs))
	for i, r := range rs {
		runs[i] = taskRun{r.name, r.args, r.variant}
	}
	js, err := json.MarshalIndent(runs, "", "  ")
	if err != nil {
		return err
	}
	return writeWhole(path, string(js)+"\n")
}

// jobScript is the batch script of the sweep file's job: each array task runs
// `sweep task` with the binary sweepBin on the sweep's folder out.
func jobScript(file, sweepBin, out string) string {
	return fmt.Sprintf("#!/bin/sh\n# %s as a Slurm array job, written by tools/sweep submit: task i runs run i of runs.json.\nexec %s task %s \"$SLURM_ARRAY_TASK_ID\"\n",
		file, shellQuote(sweepBin), shellQuote(out))
}

// sbatchArgs are the arguments of sbatch for the job called name: an array task
// per index of todo, the script last.
func sbatchArgs(o submitOptions, name string, todo []int, slurmDir, scriptPath string) []string {
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
	return args
}

// sbatchJob is a started sbatch: the job's id once sbatch has printed it, its
// standard error, and its exit (once) on ended.
type sbatchJob struct {
	id     *jobID
	stderr *bytes.Buffer
	ended  chan error
}

// startSbatch starts sbatch with args in the folder dir.
func startSbatch(ctx context.Context, dir string, args []string) (*sbatchJob, error) {
	cmd := exec.CommandContext(ctx, "sbatch", args...)
	cmd.Dir = dir
	job := &sbatchJob{id: &jobID{queued: make(chan struct{})}, stderr: &bytes.Buffer{}, ended: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = job.id, job.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("sbatch: %w", err)
	}
	go func() { job.ended <- cmd.Wait() }()
	return job, nil
}

// failed returns sbatch's failure err with what sbatch said.
func (j *sbatchJob) failed(err error) error {
	return fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(j.stderr.String()))
}

// waitJob waits for the job called name (sbatch --wait) to end, saying how its runs
// go every o.poll when that has changed (else once a minute), and returns the tally
// of the sweep at the end. before is the tally before the submit, submitted how
// many runs the job has.
func waitJob(ctx context.Context, s *sweep, out string, o submitOptions, name string, submitted int, before tally, job *sbatchJob) (tally, error) {
	queuedAt, started := job.id.queued, time.Now()
	last, lastAt := tally{left: -1}, time.Time{}
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	for {
		select {
		case <-queuedAt:
			fmt.Fprintf(o.progress, "sweep: submitted job %s: %d runs (squeue --name=%s)\n", job.id, submitted, name)
			queuedAt = nil
		case err := <-job.ended:
			now, _ := pending(s, out, o.retryFailed)
			switch {
			case ctx.Err() != nil:
				return now, fmt.Errorf("stopped waiting; job %s goes on in Slurm's queue: %w", job.id, ctx.Err())
			case job.id.String() == "": // never queued
				return now, job.failed(err)
			}
			return now, nil // runs without a marker were cut off: the caller says so
		case <-tick.C:
			now, _ := pending(s, out, o.retryFailed)
			now.running = running(ctx, name)
			if now == last && time.Since(lastAt) < time.Minute {
				continue // a line when a run starts or ends, else once a minute
			}
			fmt.Fprintln(o.progress, progressLine(job.id.String(), before, now, started))
			last, lastAt = now, time.Now()
		}
	}
}

// progressLine says how the runs of job id go: the tally now, and the time left at
// the pace of the runs that have ended since started, when before was the tally.
func progressLine(id string, before, now tally, started time.Time) string {
	line := fmt.Sprintf("sweep: job %s: %d done, %d running, %d failed, %d to start", id, now.done, now.running, now.failed, max(0, now.left-now.running))
	if ended := now.done + now.failed - before.done - before.failed; ended > 0 && now.left > 0 {
		left := time.Since(started) / time.Duration(ended) * time.Duration(now.left)
		line += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	return line
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
