package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/netfile"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/core/tensor"
	"github.com/nofeedback/lwf/core/train"
	"github.com/nofeedback/lwf/tools/internal/mnist"
)

// experiment is a prepared run: its data, where it reports, and how far it got.
type experiment struct {
	c           *command
	out         io.Writer
	term        bool // out is a terminal: draw a progress bar
	train, test *data.Set
	validation  *data.Set // --validation: held out of the training set, or nil
	shape       settings.Shape
	log         *epochLog
	steps       *csv.Writer // --step-log
	stepsFile   *os.File
	trial       int
	epoch       int
	batch       int
	errors      []float64 // final test error of each finished trial, in percent
	held        []float64 // final validation error of each finished trial, in percent
}

// prepare loads the data and opens the log; every problem here is the user's input
// or data that could not be had. What it fetches and where MNIST is are said on
// stderr.
func prepare(ctx context.Context, c *command, out, stderr io.Writer) (*experiment, error) {
	s := c.settings
	shape, err := settings.ShapeOf(s.Dataset)
	if err != nil {
		return nil, err
	}
	exp := &experiment{c: c, out: out, shape: shape, term: isTerminal(out)}
	exp.train, exp.test, err = loadData(ctx, s.Dataset, c.data, s.Seed, stderr)
	if err != nil {
		return nil, err
	}
	if c.hold > 0 {
		all := exp.train.Len()
		if exp.train, exp.validation, err = exp.train.HoldOut(c.hold); err != nil {
			return nil, fmt.Errorf("--validation %d: %s has %d training samples: hold out fewer", c.hold, s.Dataset, all)
		}
	}
	if c.subset > 0 {
		exp.train = exp.train.Subset(c.subset)
	}
	if c.load != "" {
		net, err := loadNetwork[float32](c.load)
		if err != nil {
			return nil, err
		}
		c.settings = c.settings.WithNetwork(net.Config())
		if want := s.Config(shape, 0); net.Config().InputSide != want.InputSide || net.Config().InputChannels != want.InputChannels || net.Config().Labels != want.Labels {
			return nil, fmt.Errorf("--load %s: the network takes %d channel(s) of %dx%d with %d labels, but %s has %d of %dx%d with %d",
				c.load, net.Config().InputChannels, net.Config().InputSide, net.Config().InputSide, net.Config().Labels,
				s.Dataset, want.InputChannels, want.InputSide, want.InputSide, want.Labels)
		}
		s = c.settings
	}
	if err := s.Check(shape); err != nil {
		return nil, err
	}
	if c.log != "" {
		hidden := 0 // the log's alignment columns
		if c.alignment {
			blocks, err := nn.ParseTopology(s.Topology)
			if err != nil {
				return nil, err
			}
			hidden = len(blocks) - 1
		}
		if exp.log, err = openLog(c.log, hidden, exp.validation != nil); err != nil {
			return nil, err
		}
	}
	if c.stepLog != "" {
		if exp.stepsFile, err = os.Create(c.stepLog); err != nil {
			return nil, fmt.Errorf("--step-log: %w", err)
		}
		exp.steps = csv.NewWriter(exp.stepsFile)
		exp.steps.Write([]string{"trial", "epoch", "batch", "loss"})
	}
	return exp, nil
}

// loadData reads the data set: from dir, or MNIST from this machine's cache of it,
// filled on first use (tools/internal/mnist).
func loadData(ctx context.Context, dataset, dir string, seed uint64, stderr io.Writer) (trainSet, testSet *data.Set, err error) {
	switch dataset {
	case settings.MNIST:
		if dir == "" {
			if dir, err = mnist.Dir(ctx, func(s string) { fmt.Fprintln(stderr, s) }); err != nil {
				return nil, nil, err
			}
			fmt.Fprintf(stderr, "MNIST: %s\n", dir)
		}
		return data.LoadIDXDir(dir)
	case settings.CIFAR10, settings.CIFAR10aug:
		if dir == "" {
			return nil, nil, fmt.Errorf("--dataset %s needs --data FOLDER holding data_batch_1.bin ... data_batch_5.bin and test_batch.bin", dataset)
		}
		return data.LoadCIFARDir(dir, dataset == settings.CIFAR10aug)
	case settings.Regression:
		trainSet, testSet = data.RegressionSets(seed)
	case settings.Classification:
		trainSet, testSet = data.ClassificationSets(seed)
	}
	if dir != "" {
		return nil, nil, fmt.Errorf("--data is for MNIST-like and CIFAR-10 files; %s is generated", dataset)
	}
	return trainSet, testSet, nil
}

func (e *experiment) close() {
	if e.log != nil {
		e.log.close()
	}
	if e.steps != nil {
		e.steps.Flush()
		e.stepsFile.Close()
	}
}

func (e *experiment) progressText() string {
	return fmt.Sprintf("trial %d, epoch %d, batch %d", e.trial+1, e.epoch+1, e.batch)
}

func runTrials[F tensor.Float](ctx context.Context, e *experiment) error {
	s := e.c.settings
	var last *train.Session[F] // the network --save writes, even after an error or Ctrl-C
	if e.c.save != "" {
		defer func() {
			if last != nil {
				e.saveNetwork(last.Net(), last.Samples)
			}
		}()
	}
	for e.trial = 0; e.trial < s.Trials; e.trial++ {
		opts, err := train.OptionsFrom(s, e.shape, e.trial)
		if err != nil {
			return err
		}
		var sess *train.Session[F]
		if e.c.load != "" {
			net, err := loadNetwork[F](e.c.load)
			if err != nil {
				return err
			}
			sess, err = train.NewSessionFrom(net, opts, e.train, e.test)
			if err != nil {
				return err
			}
		} else if sess, err = train.NewSession[F](opts, e.train, e.test); err != nil {
			return err
		}
		sess.Align = e.c.alignment
		last = sess
		if s.Trials > 1 {
			fmt.Fprintf(e.out, "\n=== Trial %d/%d (seed %d)\n", e.trial+1, s.Trials, opts.Net.Seed)
		}
		if e.trial == 0 {
			var zero F
			fmt.Fprintf(e.out, "%s", sess.Net())
			held := ""
			if e.validation != nil {
				held = fmt.Sprintf(", %d validation (the training file's last, never trained on)", e.validation.Len())
			}
			fmt.Fprintf(e.out, "Data %s: %d training%s and %d test samples. Optimizer %s, lr %g, batch size %d, %T.\n",
				s.Dataset, e.train.Len(), held, e.test.Len(), s.Optimizer, s.LR, s.BatchSize, zero)
			fmt.Fprintf(e.out, "Kernels %s (this machine runs %s), %d thread(s).\n",
				tensor.Kernels(), strings.Join(tensor.KernelSets(), ", "), tensor.Threads())
		}
		if e.c.evaluate {
			return evaluateOnce(e, sess)
		}
		fmt.Fprintf(e.out, "\n=== Starting model training with %d epochs:\n", s.Epochs)
		if err := runEpochs(ctx, e, sess); err != nil {
			return err
		}
	}
	if len(e.errors) > 1 {
		mean, std := stats.MeanStd(e.errors)
		fmt.Fprintf(e.out, "\n=== Test error over %d trials: %.2f ± %.2f%%\n", len(e.errors), mean, std)
		if len(e.held) > 0 {
			mean, std := stats.MeanStd(e.held)
			fmt.Fprintf(e.out, "=== Validation error over %d trials: %.2f ± %.2f%%\n", len(e.held), mean, std)
		}
	}
	return nil
}

// runEpochs prints the run of sess as the reference does: a progress bar while an
// epoch trains, then its summary (train.Run measures every figure).
func runEpochs[F tensor.Float](ctx context.Context, e *experiment, sess *train.Session[F]) error {
	s := e.c.settings
	align := train.AlignNever
	if e.c.alignment {
		align = train.AlignEveryStep
	}
	e.epoch, e.batch = 0, 0
	var start, lastDraw time.Time // start: of the epoch's training
	var logErr error
	run := train.NewRun(sess, train.Schedule{Align: align, EvalTrain: e.c.trainEval, EvalBatch: s.TestBatchSize}, train.Hooks{
		Step: func(res train.StepResult, _ time.Duration) {
			e.batch++
			if e.steps != nil {
				e.steps.Write([]string{strconv.Itoa(e.trial + 1), strconv.Itoa(e.epoch + 1), strconv.Itoa(e.batch),
					strconv.FormatFloat(res.Loss, 'g', -1, 64)})
			}
			if e.term && time.Since(lastDraw) > 100*time.Millisecond {
				e.drawProgress(min(e.batch*s.BatchSize, e.train.Len()), time.Since(start))
				lastDraw = time.Now()
			}
		},
		Epoch: func(ep train.Epoch) {
			var held *train.Evaluation
			if e.validation != nil {
				ev, err := train.Evaluate(sess.Net(), e.validation, s.TestBatchSize)
				if err != nil && logErr == nil {
					logErr = fmt.Errorf("epoch %d: validation: %w", ep.Epoch, err)
				}
				held = &ev
			}
			if err := e.printEpoch(ep, held, sess.Net().FeedbackAngles()); err != nil && logErr == nil {
				logErr = err
			}
			if sess.Done() {
				e.errors = append(e.errors, 100-ep.Test.Accuracy)
				if held != nil {
					e.held = append(e.held, 100-held.Accuracy)
				}
			}
			e.epoch, e.batch = ep.Epoch, 0
			start = time.Now()
		},
	}, nil)
	start = time.Now()
	for !sess.Done() && logErr == nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := run.Advance(false); err != nil {
			return fmt.Errorf("epoch %d, batch %d: %w", e.epoch+1, e.batch+1, err)
		}
	}
	return logErr
}

// printEpoch prints an epoch's summary and writes its line of the log. held is
// the evaluation of the validation set (nil without one); feedback are the angles
// between B and W under FA.
func (e *experiment) printEpoch(ep train.Epoch, held *train.Evaluation, feedback []nn.LayerAngle) error {
	if e.term {
		fmt.Fprint(e.out, "\r\033[K")
	}
	rate := float64(e.train.Len()) / ep.Took.Seconds() // an epoch trains on every sample once
	fmt.Fprintf(e.out, "\nSummary of epoch %d:\n", ep.Epoch)
	if ep.Train != nil {
		fmt.Fprintf(e.out, "\t[Training set] Loss: %6f, Accuracy: %6.2f%%\n", ep.Train.Loss, ep.Train.Accuracy)
	}
	if held != nil {
		fmt.Fprintf(e.out, "\t[Validation  ] Loss: %6f, Accuracy: %6.2f%%\n", held.Loss, held.Accuracy)
	}
	fmt.Fprintf(e.out, "\t[ Testing set] Loss: %6f, Accuracy: %6.2f%%\n", ep.Test.Loss, ep.Test.Accuracy)
	fmt.Fprintf(e.out, "\tTraining took %.2f s, %.0f samples/s\n", ep.Took.Seconds(), rate)
	alignment := ep.Trained.Angles
	if e.c.alignment {
		fmt.Fprintf(e.out, "\tAngle with the true gradient (degrees, mean over the epoch):%s\n", layerList(alignment))
		if feedback != nil {
			var sb strings.Builder
			for _, a := range feedback {
				fmt.Fprintf(&sb, " layer %d %.1f", a.Layer+1, a.Degrees)
			}
			fmt.Fprintf(e.out, "\tAngle between B and W (degrees):%s\n", sb.String())
		}
	}
	if e.log == nil {
		return nil
	}
	r := epochRecord{Trial: e.trial + 1, Epoch: ep.Epoch, TestLoss: ep.Test.Loss, TestAccuracy: ep.Test.Accuracy,
		Seconds: ep.Took.Seconds(), SamplesPerSecond: rate, Alignment: alignment}
	if ep.Train != nil {
		r.TrainLoss, r.TrainAccuracy = &ep.Train.Loss, &ep.Train.Accuracy
	}
	if held != nil {
		r.ValidationLoss, r.ValidationAccuracy = &held.Loss, &held.Accuracy
	}
	return e.log.write(r)
}

func (e *experiment) drawProgress(done int, elapsed time.Duration) {
	total := e.train.Len()
	const width = 30
	filled := width * done / total
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(e.out, "\r\033[KEpoch %d [%s] %3d%% %d/%d  %.0f samples/s", e.epoch+1, bar,
		100*done/total, done, total, float64(done)/elapsed.Seconds())
}

// loadNetwork reads a network saved by the page or by --save.
func loadNetwork[F tensor.Float](path string) (*nn.Network[F], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--load: %w", err)
	}
	defer f.Close()
	net, _, err := netfile.Read[F](bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("--load %s: %w", path, err)
	}
	return net, nil
}

// evaluateOnce prints the loaded network's figures on both sets.
func evaluateOnce[F tensor.Float](e *experiment, sess *train.Session[F]) error {
	for _, set := range []struct {
		name string
		data *data.Set
	}{{"Training", e.train}, {" Testing", e.test}} {
		ev, err := train.Evaluate(sess.Net(), set.data, e.c.settings.TestBatchSize)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "\t[%s set] Loss: %6f, Accuracy: %6.2f%%\n", set.name, ev.Loss, ev.Accuracy)
	}
	return nil
}

// saveNetwork writes the trained network to --save, saying so (or why not).
func (e *experiment) saveNetwork(net any, samples int) {
	err := func() error {
		f, err := os.Create(e.c.save)
		if err != nil {
			return err
		}
		meta := netfile.Meta{Created: time.Now().UTC().Format(time.RFC3339), Dataset: e.c.settings.Dataset,
			Samples: samples, Epochs: e.epoch, Settings: e.c.settings.Values(settings.Default()).Encode()}
		switch n := net.(type) {
		case *nn.Network[float32]:
			err = netfile.Write(f, n, meta)
		case *nn.Network[float64]:
			err = netfile.Write(f, n, meta)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}()
	if err != nil {
		fmt.Fprintf(e.out, "Could not save the network to %s: %v\n", e.c.save, err)
		return
	}
	fmt.Fprintf(e.out, "Saved the network to %s.\n", e.c.save)
}

func layerList(v []float64) string {
	var sb strings.Builder
	for i, a := range v {
		if math.IsNaN(a) {
			fmt.Fprintf(&sb, " layer %d –", i+1)
		} else {
			fmt.Fprintf(&sb, " layer %d %.1f", i+1, a)
		}
	}
	return sb.String()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// epochRecord is one line of the log.
type epochRecord struct {
	Trial int `json:"trial"`
	Epoch int `json:"epoch"`
	// TrainLoss and TrainAccuracy are the training set's, absent with --train-eval=false.
	TrainLoss     *float64 `json:"train_loss,omitempty"`
	TrainAccuracy *float64 `json:"train_accuracy,omitempty"`
	TestLoss      float64  `json:"test_loss"`
	TestAccuracy  float64  `json:"test_accuracy"`
	// ValidationLoss and ValidationAccuracy are the held-out samples' (--validation),
	// absent without them.
	ValidationLoss     *float64 `json:"validation_loss,omitempty"`
	ValidationAccuracy *float64 `json:"validation_accuracy,omitempty"`
	Seconds            float64  `json:"seconds"`
	SamplesPerSecond   float64  `json:"samples_per_second"`
	// Alignment is each hidden layer's mean angle with the true gradient (--alignment);
	// NaN (null in JSON, empty in CSV) where a layer has none, such as under shallow.
	Alignment angles `json:"alignment,omitempty"`
}

// angles are each hidden layer's angle in degrees; JSON has no NaN, so a layer
// without one is null there.
type angles []float64

// MarshalJSON writes the angles as a list, NaN as null.
func (a angles) MarshalJSON() ([]byte, error) {
	out := make([]*float64, len(a))
	for i := range a {
		if !math.IsNaN(a[i]) {
			out[i] = &a[i]
		}
	}
	return json.Marshal(out)
}

// epochLog writes epoch records as CSV or JSON lines, flushed after each one so that
// an interrupted run keeps every finished epoch.
type epochLog struct {
	f   *os.File
	csv *csv.Writer
}

// openLog creates the log; a CSV log's header has validation columns when its rows
// carry them, and names an alignment column for each of the hidden layers whose
// angles its rows carry (0 without --alignment).
func openLog(path string, hidden int, validation bool) (*epochLog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--log: %w", err)
	}
	l := &epochLog{f: f}
	if strings.HasSuffix(strings.ToLower(path), ".csv") {
		l.csv = csv.NewWriter(f)
		header := []string{"trial", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds", "samples_per_second"}
		if validation {
			header = append(header, "validation_loss", "validation_accuracy")
		}
		for k := 1; k <= hidden; k++ {
			header = append(header, fmt.Sprintf("alignment_layer%d", k))
		}
		l.csv.Write(header)
		l.csv.Flush()
	}
	return l, nil
}

func (l *epochLog) write(r epochRecord) error {
	if l.csv != nil {
		g := func(f float64) string {
			if math.IsNaN(f) {
				return ""
			}
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		gp := func(f *float64) string {
			if f == nil {
				return ""
			}
			return g(*f)
		}
		row := []string{strconv.Itoa(r.Trial), strconv.Itoa(r.Epoch), gp(r.TrainLoss), gp(r.TrainAccuracy),
			g(r.TestLoss), g(r.TestAccuracy), g(r.Seconds), g(r.SamplesPerSecond)}
		if r.ValidationAccuracy != nil {
			row = append(row, gp(r.ValidationLoss), gp(r.ValidationAccuracy))
		}
		for _, a := range r.Alignment {
			row = append(row, g(a))
		}
		l.csv.Write(row)
		l.csv.Flush()
		return l.csv.Error()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = l.f.Write(append(line, '\n'))
	return err
}

func (l *epochLog) close() { l.f.Close() }
