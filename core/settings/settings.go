// Package settings is the one list of a run's options, with the reference command
// line's names, choices and defaults. The native trainer registers them as flags and
// the page reads and writes them as URL parameters, so a link and a command line say
// the same thing.
package settings

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
)

// The data sets of the reference.
const (
	MNIST          = "MNIST"
	CIFAR10        = "CIFAR10"
	CIFAR10aug     = "CIFAR10aug"
	Regression     = "regression_synth"
	Classification = "classification_synth"
)

// Datasets lists the data sets by name.
var Datasets = []string{MNIST, CIFAR10, CIFAR10aug, Regression, Classification}

// Settings are a run's options.
type Settings struct {
	Dataset       string
	Mode          nn.Mode
	Optimizer     optim.Kind
	Loss          nn.Loss
	FreezeConv    bool
	FCZeroInit    bool
	Dropout       float64
	Trials        int
	Epochs        int
	BatchSize     int
	TestBatchSize int
	LR            float64
	Topology      string
	ConvAct       nn.Activation
	HiddenAct     nn.Activation
	OutputAct     nn.Activation
	Seed          uint64
}

// Default returns the reference command line's defaults (seed 0).
func Default() Settings {
	return Settings{
		Dataset: MNIST, Mode: nn.DRTP, Optimizer: optim.NAG, Loss: nn.BCE,
		Trials: 1, Epochs: 100, BatchSize: 100, TestBatchSize: 1000, LR: 1e-4,
		Topology: "CONV_32_5_1_2_FC_1000_FC_10",
		ConvAct:  nn.Tanh, HiddenAct: nn.Tanh, OutputAct: nn.Sigmoid,
	}
}

// Field is one option: its name (a flag and a URL parameter), what it means, and how
// to read and write it.
type Field struct {
	Name    string
	Usage   string
	Choices []string // nil for free values
	Bool    bool     // a switch: --name alone means true
	get     func(*Settings) string
	set     func(*Settings, string) error
}

// Fields returns every option in the reference's order.
func Fields() []Field { return fields }

var fields = []Field{
	choice("dataset", "data set", Datasets,
		func(s *Settings) *string { return &s.Dataset }),
	{Name: "train-mode", Usage: "training algorithm", Choices: names(nn.Modes()),
		get: func(s *Settings) string { return s.Mode.String() },
		set: func(s *Settings, v string) (err error) { s.Mode, err = nn.ParseMode(v); return }},
	{Name: "optimizer", Usage: "optimizer", Choices: names(optim.Kinds()),
		get: func(s *Settings) string { return s.Optimizer.String() },
		set: func(s *Settings, v string) (err error) { s.Optimizer, err = optim.ParseKind(v); return }},
	{Name: "loss", Usage: "loss function", Choices: []string{"MSE", "BCE", "CE"},
		get: func(s *Settings) string { return s.Loss.String() },
		set: func(s *Settings, v string) (err error) { s.Loss, err = nn.ParseLoss(v); return }},
	flag("freeze-conv-layers", "keep the conv layers at their random initialisation", func(s *Settings) *bool { return &s.FreezeConv }),
	flag("fc-zero-init", "initialise the FC weights to zero", func(s *Settings) *bool { return &s.FCZeroInit }),
	{Name: "dropout", Usage: "dropout probability on each FC block's input, in [0, 1)",
		get: func(s *Settings) string { return formatFloat(s.Dropout) },
		set: func(s *Settings, v string) error {
			p, err := parseFloat(v)
			if err == nil && !(p >= 0 && p < 1) {
				err = fmt.Errorf("%v is not in [0, 1)", v)
			}
			s.Dropout = p
			return err
		}},
	count("trials", "number of runs, each with its own seed", func(s *Settings) *int { return &s.Trials }),
	count("epochs", "number of epochs", func(s *Settings) *int { return &s.Epochs }),
	count("batch-size", "training batch size", func(s *Settings) *int { return &s.BatchSize }),
	count("test-batch-size", "evaluation batch size", func(s *Settings) *int { return &s.TestBatchSize }),
	{Name: "lr", Usage: "learning rate",
		get: func(s *Settings) string { return formatFloat(s.LR) },
		set: func(s *Settings, v string) error {
			lr, err := parseFloat(v)
			if err == nil {
				err = optim.CheckLearningRate(lr)
			}
			s.LR = lr
			return err
		}},
	{Name: "topology", Usage: "network topology, e.g. FC_500_FC_10 or CONV_32_5_1_2_FC_1000_FC_10",
		get: func(s *Settings) string { return s.Topology },
		set: func(s *Settings, v string) error {
			specs, err := nn.ParseTopology(v)
			if err != nil {
				return err
			}
			s.Topology = nn.FormatTopology(specs)
			return nil
		}},
	activation("conv-act", "activation of the conv layers", nn.ParseHiddenActivation, []nn.Activation{nn.Tanh, nn.Sigmoid, nn.ReLU},
		func(s *Settings) *nn.Activation { return &s.ConvAct }),
	activation("hidden-act", "activation of the hidden FC layers", nn.ParseHiddenActivation, []nn.Activation{nn.Tanh, nn.Sigmoid, nn.ReLU},
		func(s *Settings) *nn.Activation { return &s.HiddenAct }),
	activation("output-act", "activation of the output layer", nn.ParseOutputActivation, []nn.Activation{nn.Sigmoid, nn.Tanh, nn.None},
		func(s *Settings) *nn.Activation { return &s.OutputAct }),
	{Name: "seed", Usage: "random seed: weights, feedback matrices, dropout and data order",
		get: func(s *Settings) string { return strconv.FormatUint(s.Seed, 10) },
		set: func(s *Settings, v string) (err error) {
			s.Seed, err = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				err = fmt.Errorf("%q is not a whole number from 0 to %d", v, uint64(math.MaxUint64))
			}
			return
		}},
}

func names[T fmt.Stringer](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = x.String()
	}
	return out
}

func choice(name, usage string, choices []string, ptr func(*Settings) *string) Field {
	return Field{Name: name, Usage: usage, Choices: choices,
		get: func(s *Settings) string { return *ptr(s) },
		set: func(s *Settings, v string) error {
			for _, c := range choices {
				if strings.EqualFold(v, c) {
					*ptr(s) = c
					return nil
				}
			}
			return fmt.Errorf("%q is not one of %s", v, strings.Join(choices, ", "))
		}}
}

func flag(name, usage string, ptr func(*Settings) *bool) Field {
	return Field{Name: name, Usage: usage, Bool: true,
		get: func(s *Settings) string { return strconv.FormatBool(*ptr(s)) },
		set: func(s *Settings, v string) error {
			switch strings.ToLower(v) {
			case "1", "true", "on", "yes":
				*ptr(s) = true
			case "0", "false", "off", "no":
				*ptr(s) = false
			default:
				return fmt.Errorf("%q is not true or false", v)
			}
			return nil
		}}
}

// maxCount bounds counts (epochs, batch sizes, trials) to keep a typo from asking
// for a run that cannot end.
const maxCount = 1_000_000

func count(name, usage string, ptr func(*Settings) *int) Field {
	return Field{Name: name, Usage: usage,
		get: func(s *Settings) string { return strconv.Itoa(*ptr(s)) },
		set: func(s *Settings, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > maxCount {
				return fmt.Errorf("%q is not a whole number from 1 to %d", v, maxCount)
			}
			*ptr(s) = n
			return nil
		}}
}

func activation(name, usage string, parse func(string) (nn.Activation, error), allowed []nn.Activation, ptr func(*Settings) *nn.Activation) Field {
	return Field{Name: name, Usage: usage, Choices: names(allowed),
		get: func(s *Settings) string { return ptr(s).String() },
		set: func(s *Settings, v string) (err error) { *ptr(s), err = parse(v); return }}
}

func parseFloat(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return f, fmt.Errorf("%q is not a number", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f, fmt.Errorf("%q is not a finite number", v)
	}
	return f, nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Lookup returns the field with the given name.
func Lookup(name string) (Field, bool) {
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return fields[i], true
}

// Get returns the value of the named option as text.
func (s *Settings) Get(name string) string {
	f, ok := Lookup(name)
	if !ok {
		return ""
	}
	return f.get(s)
}

// Set parses the value of the named option. On error s keeps its old value for it.
func (s *Settings) Set(name, value string) error {
	f, ok := Lookup(name)
	if !ok {
		return fmt.Errorf("unknown option %q", name)
	}
	t := *s
	if err := f.set(&t, value); err != nil {
		return &Error{Name: name, Err: err}
	}
	*s = t
	return nil
}

// Error is a bad value for one option.
type Error struct {
	Name string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Name, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// FromValues reads URL parameters over the defaults. Names it does not know are
// returned in unknown; every bad value gives an *Error, all of them joined. Settings
// that are each valid but do not fit together are Check's concern.
func FromValues(v url.Values, base Settings) (s Settings, unknown []string, err error) {
	s = base
	var errs []error
	for _, f := range fields {
		vals, ok := v[f.Name]
		if !ok {
			continue
		}
		val := ""
		if len(vals) > 0 {
			val = vals[len(vals)-1]
		}
		if val == "" && f.Bool {
			val = "true"
		}
		if e := s.Set(f.Name, val); e != nil {
			errs = append(errs, e)
		}
	}
	for name := range v {
		if _, ok := Lookup(name); !ok {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	return s, unknown, errors.Join(errs...)
}

// Values writes the options that differ from base as URL parameters.
func (s Settings) Values(base Settings) url.Values {
	v := url.Values{}
	for _, f := range fields {
		if got := f.get(&s); got != f.get(&base) {
			v.Set(f.Name, got)
		}
	}
	return v
}

// Shape is what a data set tells the network: input channels and side, and labels.
type Shape struct{ Channels, Side, Labels int }

// ShapeOf returns the shape of a data set of the reference by name.
func ShapeOf(dataset string) (Shape, error) {
	switch dataset {
	case MNIST:
		return Shape{1, 28, 10}, nil
	case CIFAR10, CIFAR10aug:
		return Shape{3, 32, 10}, nil
	case Regression, Classification:
		return Shape{1, 16, 10}, nil
	}
	return Shape{}, fmt.Errorf("unknown data set %q", dataset)
}

// Config returns the network the settings describe for data of the given shape. The
// seed of trial t is Seed + t.
func (s Settings) Config(shape Shape, trial int) nn.Config {
	return nn.Config{
		Topology: s.Topology, InputSide: shape.Side, InputChannels: shape.Channels, Labels: shape.Labels,
		Mode: s.Mode, ConvAct: s.ConvAct, HiddenAct: s.HiddenAct, OutputAct: s.OutputAct, Loss: s.Loss,
		Dropout: s.Dropout, FCZeroInit: s.FCZeroInit, FreezeConv: s.FreezeConv, Seed: s.Seed + uint64(trial),
	}
}

// NetworkFields are the options a network's file fixes: a loaded network brings its
// own.
var NetworkFields = []string{"train-mode", "loss", "freeze-conv-layers", "fc-zero-init", "dropout",
	"topology", "conv-act", "hidden-act", "output-act", "seed"}

// WithNetwork returns s with the options that cfg, a network's configuration, fixes.
func (s Settings) WithNetwork(cfg nn.Config) Settings {
	s.Topology, s.Mode, s.Loss, s.Dropout = cfg.Topology, cfg.Mode, cfg.Loss, cfg.Dropout
	s.ConvAct, s.HiddenAct, s.OutputAct = cfg.ConvAct, cfg.HiddenAct, cfg.OutputAct
	s.FCZeroInit, s.FreezeConv, s.Seed = cfg.FCZeroInit, cfg.FreezeConv, cfg.Seed
	return s
}

// Check reports whether the settings fit together for data of the given shape: the
// network can be built (its last layer has one unit a label, BCE has a sigmoid
// output, convolutions do not vanish), and the learning rate and sizes are valid.
func (s Settings) Check(shape Shape) error {
	var errs []error
	if err := optim.CheckLearningRate(s.LR); err != nil {
		errs = append(errs, err)
	}
	if s.BatchSize < 1 || s.Epochs < 1 || s.Trials < 1 || s.TestBatchSize < 1 {
		errs = append(errs, fmt.Errorf("batch sizes, epochs and trials must be at least 1"))
	}
	if s.Dataset == Regression && s.Loss != nn.MSE {
		errs = append(errs, fmt.Errorf("loss %s needs classes, but %s has real-valued targets in [-1, 1]: use MSE", s.Loss, Regression))
	}
	if err := s.Config(shape, 0).Check(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
