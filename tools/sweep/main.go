// Command sweep runs the runs a sweep file lists (rules × topologies × the values of
// its vary lines × trials, each one tools/train run with its log) and resumes where a
// killed sweep stopped:
//
//	go run ./tools/sweep run FILE --out DIR [--jobs N] [--data FOLDER] [--retry-failed]
//	go run ./tools/sweep submit FILE --out DIR [--wait] [--partition P] [--time T] [--cpus N]
//	go run ./tools/sweep report DIR
//	go run ./tools/sweep select FILE... --out DIR --next BASE [--keep K] > NEXT
//
// run runs them on this machine, N at once; submit makes them one Slurm array job, a
// task per run, into DIR on a file system the nodes share. Each run lives in
// DIR/runs/NAME; a run that ended leaves a marker (done or failed), written whole, so
// a sweep started again runs only what is missing. A failed run is reported with its
// message and not run again unless --retry-failed says so. The report prints a
// Markdown table of the finished runs beside the paper's numbers and draws each
// topology's curves into DIR. select ranks each rule and topology's variants of a
// finished selection sweep (runs with --validation) by their validation error, and
// writes the next stage's sweep file: BASE's lines, then the K best variants of each.
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
	"strings"
	"syscall"
	"time"
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

const usage = `usage: sweep run FILE --out DIR [--jobs N] [--data FOLDER] [--topology T] [--retry-failed]
       sweep submit FILE --out DIR [--wait] [--data FOLDER] [--topology T] [--partition P] [--time T] [--cpus N] [--sbatch "FLAGS"] [--retry-failed]
       sweep report DIR...
       sweep select FILE... --out DIR --next BASE [--keep K] [--topology T]`

func command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], stderr)
	case "submit":
		return submitCommand(ctx, args[1:], stderr)
	case "report":
		if len(args) < 2 {
			fmt.Fprintln(stderr, "usage: sweep report DIR...")
			return exitUsage
		}
		if err := report(args[1:], stdout); err != nil {
			fmt.Fprintf(stderr, "sweep report: %v\n", err)
			return exitUsage
		}
		return exitOK
	case "select":
		return selectCommand(args[1:], stdout, stderr)
	case "task": // an array task of submit's job.sh
		if len(args) != 3 {
			fmt.Fprintln(stderr, "usage: sweep task DIR INDEX (Slurm runs it; see submit)")
			return exitUsage
		}
		if err := task(ctx, args[1], args[2]); err != nil {
			fmt.Fprintf(stderr, "sweep task: %v\n", err)
			if errors.Is(err, context.Canceled) {
				return exitStopped
			}
			return exitFailed
		}
		return exitOK
	}
	fmt.Fprintf(stderr, "sweep: unknown command %q\n%s\n", args[0], usage)
	return exitUsage
}

// sweepArgs parses FILE and the flags of fs from args, then reads the sweep file; it
// prints what is wrong and returns nil when something is.
func sweepArgs(name string, fs *flag.FlagSet, out *string, args []string, stderr io.Writer) (*sweep, string) {
	fs.SetOutput(stderr)
	data := fs.String("data", "", "the data set's folder, given to every run as its --data (CIFAR-10 needs it)")
	only := fs.String("topology", "", "only the runs of this `TOPOLOGY` (a row of the table), such as FC_500_FC_10")
	file, rest := "", args
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return nil, ""
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	switch {
	case file == "":
		fmt.Fprintf(stderr, "sweep %s: name the sweep file, such as sweeps/smoke.sweep\n", name)
		return nil, ""
	case *out == "":
		fmt.Fprintf(stderr, "sweep %s: --out DIR: where the runs go\n", name)
		return nil, ""
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return nil, ""
	}
	defer f.Close()
	s, err := parseSweep(f, file)
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return nil, ""
	}
	if *only != "" {
		if s.runs = onTopology(s.runs, *only); len(s.runs) == 0 {
			fmt.Fprintf(stderr, "sweep %s: --topology %s: %s has no runs on it\n", name, *only, file)
			return nil, ""
		}
	}
	if *data != "" {
		abs, err := filepath.Abs(*data)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			fmt.Fprintf(stderr, "sweep %s: --data: %v\n", name, err)
			return nil, ""
		}
		for i := range s.runs {
			s.runs[i].args = append(s.runs[i].args, "--data="+abs)
		}
	}
	for _, r := range s.runs {
		if strings.HasPrefix(r.dataset, "CIFAR10") && !hasFlag(r.args, "data") {
			fmt.Fprintf(stderr, "sweep: %s:%d: %s needs its files: give sweep %s --data FOLDER, the folder of data_batch_1.bin ... test_batch.bin\n", file, r.line, r.dataset, name)
			return nil, ""
		}
	}
	return s, file
}

func runCommand(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep run", flag.ContinueOnError)
	out := fs.String("out", "", "the sweep's folder: its runs, their logs and markers")
	jobs := fs.Int("jobs", runtime.NumCPU(), "runs at once (default: this machine's cores)")
	retry := fs.Bool("retry-failed", false, "run again the runs that failed")
	s, file := sweepArgs("run", fs, out, args, stderr)
	if s == nil {
		return exitUsage
	}
	if *jobs < 1 {
		fmt.Fprintf(stderr, "sweep run: --jobs %d: must be at least 1\n", *jobs)
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
	}
	return ended(t, len(s.runs), stderr)
}

// onTopology returns the runs of runs on topology top, in a slice of their own.
func onTopology(runs []run, top string) []run {
	var out []run
	for _, r := range runs {
		if r.topology == top {
			out = append(out, r)
		}
	}
	return out
}

// ended says how a sweep ended, and returns the exit code that says it.
func ended(t tally, runs int, stderr io.Writer) int {
	switch {
	case t.failed > 0:
		fmt.Fprintf(stderr, "sweep: %d of %d runs failed (their folders' failed files say why; --retry-failed runs them again)\n", t.failed, runs)
		return exitFailed
	case t.left > 0:
		fmt.Fprintf(stderr, "sweep: %d of %d runs ended without a marker: Slurm cut them off (a time limit, a lost node or scancel; slurm/*.out say which); submit again to run them\n", t.left, runs)
		return exitFailed
	}
	fmt.Fprintf(stderr, "sweep: all %d runs done\n", runs)
	return exitOK
}

func submitCommand(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep submit", flag.ContinueOnError)
	var o submitOptions
	fs.StringVar(&o.out, "out", "", "the sweep's folder, on a file system the nodes share")
	fs.BoolVar(&o.wait, "wait", false, "return when every task has ended, with the sweep's tally")
	fs.BoolVar(&o.retryFailed, "retry-failed", false, "submit again the runs that failed")
	fs.StringVar(&o.partition, "partition", "", "sbatch --partition (default: the cluster's)")
	fs.StringVar(&o.timeLimit, "time", "", "sbatch --time: each run's time limit, such as 2:00:00 (default: the partition's)")
	fs.IntVar(&o.cpus, "cpus", 1, "cores per run: sbatch --cpus-per-task and tools/train --threads")
	sbatchFlags := fs.String("sbatch", "", "more sbatch flags, such as \"--account=X --mem=2G\"")
	fs.DurationVar(&o.poll, "poll", 10*time.Second, "with --wait: how often to look at the runs' markers")
	s, file := sweepArgs("submit", fs, &o.out, args, stderr)
	if s == nil {
		return exitUsage
	}
	switch {
	case o.cpus < 1:
		fmt.Fprintf(stderr, "sweep submit: --cpus %d: must be at least 1\n", o.cpus)
		return exitUsage
	case o.poll <= 0:
		fmt.Fprintf(stderr, "sweep submit: --poll %s: must be more than 0\n", o.poll)
		return exitUsage
	}
	o.extra, o.progress = strings.Fields(*sbatchFlags), stderr
	t, err := submit(ctx, s, file, o)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "sweep submit: %v\n", err)
		return exitFailed
	case !o.wait && t.left > 0:
		return exitOK // submitted: submit said so
	}
	return ended(t, len(s.runs), stderr)
}
