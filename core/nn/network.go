// Package nn holds the networks of the reference and the six rules that train them:
// topology strings, fully-connected and convolutional blocks, activations, losses,
// initialisation, and the per-layer learning signals of BP, FA, DFA, sDFA, DRTP and
// shallow learning. Each rule is an explicit computation over the forward pass's
// record, not a general autograd: DFA, sDFA and DRTP never run a backward pass
// through the layers above a hidden layer.
package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/tensor"
)

// Config describes a network and the rule that trains it. Its zero value is not
// useful; start from DefaultConfig, which holds the reference's defaults.
type Config struct {
	Topology      string // e.g. FC_500_FC_10 or CONV_32_5_1_2_FC_1000_FC_10
	InputSide     int    // side of the square input (28 for MNIST)
	InputChannels int    // input channels (1 for MNIST)
	Labels        int    // output units: classes or regression targets
	Mode          Mode
	ConvAct       Activation // conv blocks: tanh, sigmoid or relu
	HiddenAct     Activation // hidden FC blocks: tanh, sigmoid or relu
	OutputAct     Activation // output block: sigmoid, tanh or none
	Loss          Loss
	Dropout       float64 // drop probability on every FC block's input, in [0, 1)
	FCZeroInit    bool    // FC weights (not biases) start at zero
	FreezeConv    bool    // conv weights and biases never learn
	Seed          uint64  // one seed, one run: weights, feedback matrices, dropout
}

// DefaultConfig returns the reference command line's defaults for MNIST.
func DefaultConfig() Config {
	return Config{
		Topology: "CONV_32_5_1_2_FC_1000_FC_10", InputSide: 28, InputChannels: 1, Labels: 10,
		Mode: DRTP, ConvAct: Tanh, HiddenAct: Tanh, OutputAct: Sigmoid, Loss: BCE,
	}
}

// Random streams, one per use, so that rules which agree on their forward weights
// start from the same ones whatever feedback matrices they draw.
const (
	streamWeights  = 0x77656967687473 // "weights"
	streamFeedback = 0x666565646261   // "feedba"
	streamDropout  = 0x64726f706f7574 // "dropout"
)

// Network is a feed-forward network of CONV and FC blocks with the rule that trains
// it. It keeps the record of its last forward pass, so it is not safe for concurrent
// use.
type Network[F tensor.Float] struct {
	cfg     Config
	specs   []BlockSpec
	layers  []*layer[F]
	params  []*Param[F]
	dropRNG *rand.Rand

	rows   int // samples held by the buffers after the last forward pass
	train  bool
	y      []F // output after the output activation (rows × labels)
	delta  []F // dL/da of the output layer
	err    []F // e = y − t as DFA sees it
	target data.Batch[F]

	trueGrads trueGradients[F] // TrueGradients' buffers, allocated on first use
	record    *StepRecord      // what Gradients measures, if set
}

// New builds a network from a Config, drawing its initial weights and its feedback
// matrices from cfg.Seed.
func New[F tensor.Float](cfg Config) (*Network[F], error) {
	n, err := plan[F](cfg)
	if err != nil {
		return nil, err
	}
	n.initParams()
	return n, nil
}

// Check returns the first problem New would report, without allocating the network.
func (cfg Config) Check() error {
	_, err := plan[float32](cfg)
	return err
}

// plan checks cfg and lays out the network's blocks, without their parameters.
func plan[F tensor.Float](cfg Config) (*Network[F], error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	specs, err := ParseTopology(cfg.Topology)
	if err != nil {
		return nil, err
	}
	n := &Network[F]{cfg: cfg, specs: specs,
		dropRNG: rand.New(rand.NewPCG(cfg.Seed, streamDropout))}
	c, h, w := cfg.InputChannels, cfg.InputSide, cfg.InputSide
	for i, spec := range specs {
		l := &layer[F]{index: i, spec: spec, output: i == len(specs)-1}
		switch spec.Kind {
		case ConvBlock:
			cs := tensor.NewConvShape(c, h, w, spec.Kernel, spec.Stride, spec.Padding)
			if cs.OutH < 2 || cs.OutW < 2 {
				return nil, fmt.Errorf("topology %q: %s at position %d turns its %dx%d input into %dx%d, too small to pool 2x2",
					cfg.Topology, spec, i+1, h, w, max(cs.OutH, 0), max(cs.OutW, 0))
			}
			l.conv, l.act = cs, cfg.ConvAct
			l.in, l.units = c*h*w, spec.Channels*cs.OutH*cs.OutW
			c, h, w = spec.Channels, cs.OutH/2, cs.OutW/2
			l.out = c * h * w
		case FCBlock:
			l.in, l.units, l.out = c*h*w, spec.Units, spec.Units
			l.act = cfg.HiddenAct
			if l.output {
				l.act = cfg.OutputAct
			}
			c, h, w = spec.Units, 1, 1
		}
		if l.units > maxUnits {
			return nil, fmt.Errorf("topology %q: %s at position %d has %d outputs per sample, more than the limit of %d",
				cfg.Topology, spec, i+1, l.units, maxUnits)
		}
		n.layers = append(n.layers, l)
	}
	if last := specs[len(specs)-1]; last.Units != cfg.Labels {
		return nil, fmt.Errorf("topology %q ends with %s but the data has %d labels", cfg.Topology, last, cfg.Labels)
	}
	if size := n.paramCount(); size > maxParams {
		return nil, fmt.Errorf("topology %q needs %.3g parameters, more than the limit of %d", cfg.Topology, size, maxParams)
	}
	return n, nil
}

// maxUnits bounds the values of one sample at any point of the network (a CONV
// block's output before pooling: 32 channels of 28×28 are 25088).
const maxUnits = 1 << 24

// maxParams bounds the parameters of one network (weights and feedback matrices):
// 2³⁰ float32 values are 4 GiB, more than a browser tab can hold.
const maxParams = 1 << 28

func (cfg Config) validate() error {
	var errs []error
	if cfg.InputSide < 1 || cfg.InputChannels < 1 {
		errs = append(errs, fmt.Errorf("input of %d channel(s) of %dx%d: sizes must be at least 1", cfg.InputChannels, cfg.InputSide, cfg.InputSide))
	} else if float64(cfg.InputChannels)*float64(cfg.InputSide)*float64(cfg.InputSide) > maxUnits {
		errs = append(errs, fmt.Errorf("input of %d channel(s) of %dx%d: more than %d values per sample", cfg.InputChannels, cfg.InputSide, cfg.InputSide, maxUnits))
	}
	if cfg.Labels < 1 {
		errs = append(errs, fmt.Errorf("labels %d: must be at least 1", cfg.Labels))
	}
	if cfg.Mode < 0 || int(cfg.Mode) >= len(modeNames) {
		errs = append(errs, fmt.Errorf("unknown train mode %d", int(cfg.Mode)))
	}
	for _, a := range []struct {
		role string
		act  Activation
	}{{"conv", cfg.ConvAct}, {"hidden", cfg.HiddenAct}} {
		if a.act != Tanh && a.act != Sigmoid && a.act != ReLU {
			errs = append(errs, fmt.Errorf("%s activation %s: want tanh, sigmoid or relu", a.role, a.act))
		}
	}
	if cfg.OutputAct != Sigmoid && cfg.OutputAct != Tanh && cfg.OutputAct != None {
		errs = append(errs, fmt.Errorf("output activation %s: want sigmoid, tanh or none", cfg.OutputAct))
	}
	if cfg.Loss < 0 || int(cfg.Loss) >= len(lossNames) {
		errs = append(errs, fmt.Errorf("unknown loss %d", int(cfg.Loss)))
	}
	if cfg.Loss == BCE && cfg.OutputAct != Sigmoid {
		errs = append(errs, fmt.Errorf("loss BCE needs outputs in [0, 1], so the sigmoid output activation, not %s", cfg.OutputAct))
	}
	if !(cfg.Dropout >= 0 && cfg.Dropout < 1) {
		errs = append(errs, fmt.Errorf("dropout %v: must be in [0, 1)", cfg.Dropout))
	}
	return errors.Join(errs...)
}

// paramCount counts every value New will allocate for parameters, in float64 so
// that absurd sizes cannot overflow.
func (n *Network[F]) paramCount() float64 {
	total := 0.0
	for _, l := range n.layers {
		w := float64(l.in) * float64(l.units)
		if l.spec.Kind == ConvBlock {
			w = float64(l.spec.Channels) * float64(l.conv.ColRows())
		}
		total += w + float64(l.biasSize())
		if n.cfg.Mode == FA {
			total += w
		}
		if n.cfg.Mode.usesHookFeedback() && !l.output {
			total += float64(n.cfg.Labels) * float64(l.units)
		}
	}
	return total
}

// TensorSpec is one parameter a network holds: its name and PyTorch shape, its
// layer (counting blocks from 0) and its role there.
type TensorSpec struct {
	Name  string
	Shape []int
	Layer int
	Role  Role
}

// Size returns the number of elements.
func (t TensorSpec) Size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Tensors lists the parameters New would build for cfg, in its order, without
// allocating them: what a saved network's file must hold.
func (cfg Config) Tensors() ([]TensorSpec, error) {
	n, err := plan[float32](cfg)
	if err != nil {
		return nil, err
	}
	var out []TensorSpec
	n.declare(func(l *layer[float32], role Role, name string, shape []int) {
		out = append(out, TensorSpec{Name: name, Shape: shape, Layer: l.index, Role: role})
	})
	return out, nil
}

// Role is what a parameter is to its layer.
type Role int

// The roles, in the order a layer declares them.
const (
	RoleFeedback   Role = iota // FA's fixed B_k, the shape of W_k: carries the error down in place of W_k
	RoleWeight                 // W_k
	RoleBias                   // b_k
	RoleProjection             // DFA's, sDFA's and DRTP's fixed B_k, [labels, units]: from the output (or the target) straight to layer k
)

// Fixed reports whether a parameter of this role is a feedback matrix: drawn once,
// never learnt.
func (r Role) Fixed() bool { return r == RoleFeedback || r == RoleProjection }

// declare names every parameter of the network, in the reference's order, with its
// PyTorch shape.
func (n *Network[F]) declare(visit func(l *layer[F], role Role, name string, shape []int)) {
	for i, l := range n.layers {
		kind := "fc"
		wshape := []int{l.units, l.in}
		if l.spec.Kind == ConvBlock {
			kind = "conv"
			wshape = []int{l.spec.Channels, l.conv.C, l.spec.Kernel, l.spec.Kernel}
		}
		if n.cfg.Mode == FA {
			visit(l, RoleFeedback, fmt.Sprintf("layers.%d.%s.feedback", i, kind), wshape)
		}
		visit(l, RoleWeight, fmt.Sprintf("layers.%d.%s.weight", i, kind), wshape)
		visit(l, RoleBias, fmt.Sprintf("layers.%d.%s.bias", i, kind), []int{l.biasSize()})
		if n.cfg.Mode.usesHookFeedback() && !l.output {
			shape := []int{n.cfg.Labels, l.units}
			if l.spec.Kind == ConvBlock {
				shape = []int{n.cfg.Labels, l.spec.Channels, l.conv.OutH, l.conv.OutW}
			}
			visit(l, RoleProjection, fmt.Sprintf("layers.%d.hook.feedback", i), shape)
		}
	}
}

// initParams creates every parameter and draws it: forward weights and biases
// uniform in ±1/√fan_in (PyTorch's default), feedback matrices uniform in
// ±√(6/fan_in).
func (n *Network[F]) initParams() {
	n.declare(func(l *layer[F], role Role, name string, shape []int) {
		p := newParam[F](name, shape...)
		p.Layer, p.Role = l.index, role
		p.transposed = l.spec.Kind == FCBlock && (role == RoleWeight || role == RoleFeedback)
		p.Frozen = !p.Role.Fixed() && l.spec.Kind == ConvBlock && n.cfg.FreezeConv
		switch role {
		case RoleFeedback:
			l.feedback = p
		case RoleWeight:
			l.weight = p
		case RoleBias:
			l.bias = p
		case RoleProjection:
			l.hook = p
		}
		n.params = append(n.params, p)
	})
	wrng := rand.New(rand.NewPCG(n.cfg.Seed, streamWeights))
	frng := rand.New(rand.NewPCG(n.cfg.Seed, streamFeedback))
	for _, l := range n.layers {
		fanIn := l.in
		if l.spec.Kind == ConvBlock {
			fanIn = l.conv.ColRows()
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		uniform(wrng, l.weight.Value, bound)
		uniform(wrng, l.bias.Value, bound)
		if n.cfg.FCZeroInit && l.spec.Kind == FCBlock {
			clear(l.weight.Value)
		}
		if l.feedback != nil {
			uniform(frng, l.feedback.Value, math.Sqrt(6/float64(fanIn)))
		}
		if l.hook != nil {
			uniform(frng, l.hook.Value, math.Sqrt(6/float64(l.units)))
		}
	}
	for _, p := range n.params {
		if !p.Role.Fixed() && !p.Frozen {
			p.Grad = make([]F, len(p.Value))
		}
	}
}

// uniform fills v with draws uniform in [−bound, bound).
func uniform[F tensor.Float](r *rand.Rand, v []F, bound float64) {
	for i := range v {
		v[i] = F((2*r.Float64() - 1) * bound)
	}
}

// Config returns the configuration the network was built from.
func (n *Network[F]) Config() Config { return n.cfg }

// Blocks returns the parsed topology.
func (n *Network[F]) Blocks() []BlockSpec { return append([]BlockSpec(nil), n.specs...) }

// Params returns every parameter, feedback matrices included, in the reference's
// order. The slice and the parameters are the network's own.
func (n *Network[F]) Params() []*Param[F] { return n.params }

// Param returns the parameter with the reference's name, or nil.
func (n *Network[F]) Param(name string) *Param[F] {
	for _, p := range n.params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// InputSize returns the number of values of one input sample.
func (n *Network[F]) InputSize() int { return n.layers[0].in }

// Outputs returns the number of output units.
func (n *Network[F]) Outputs() int { return n.cfg.Labels }

// Layers returns the number of blocks, the output block included.
func (n *Network[F]) Layers() int { return len(n.layers) }

// Check reports whether b fits the network: sizes of inputs, targets and labels.
func (n *Network[F]) Check(b data.Batch[F]) error {
	in, k := n.InputSize(), n.cfg.Labels
	switch {
	case b.N < 1:
		return fmt.Errorf("batch of %d samples: need at least 1", b.N)
	case len(b.X) != b.N*in:
		return fmt.Errorf("batch inputs: got %d values for %d samples, want %d each (%d channel(s) of %dx%d)",
			len(b.X), b.N, in, n.cfg.InputChannels, n.cfg.InputSide, n.cfg.InputSide)
	case b.T != nil && len(b.T) != b.N*k:
		return fmt.Errorf("batch targets: got %d values for %d samples, want %d each", len(b.T), b.N, k)
	case b.Labels != nil && len(b.Labels) != b.N:
		return fmt.Errorf("batch labels: got %d for %d samples", len(b.Labels), b.N)
	}
	for i, c := range b.Labels {
		if c < 0 || c >= k {
			return fmt.Errorf("batch label %d of sample %d is out of range [0, %d)", c, i, k)
		}
	}
	return nil
}

// Forward runs the network on n samples and returns its output after the output
// activation (n × labels). In training mode dropout is on. The slice is the
// network's own, valid until the next call.
func (n *Network[F]) Forward(x []F, rows int, train bool) ([]F, error) {
	if err := n.Check(data.Batch[F]{X: x, N: rows}); err != nil {
		return nil, err
	}
	return n.forward(x, rows, train), nil
}

// Output returns the output of the last forward pass (rows × labels, after the output
// activation), or nil before the first.
func (n *Network[F]) Output() []F {
	if n.y == nil {
		return nil
	}
	return n.y[:n.rows*n.cfg.Labels]
}

func (n *Network[F]) forward(x []F, rows int, train bool) []F {
	return n.forwardTimed(x, rows, train, nil)
}

// forwardTimed is forward, each layer's time written into sw's record if it has one.
func (n *Network[F]) forwardTimed(x []F, rows int, train bool, sw *stopwatch) []F {
	n.rows, n.train = rows, train
	in := x
	for i, l := range n.layers {
		l.ensure(rows)
		if l.spec.Kind == ConvBlock {
			in = l.forwardConv(in, rows)
		} else {
			in = l.forwardFC(in, rows, train, n.cfg.Dropout, n.dropRNG)
		}
		if sw != nil && sw.rec != nil {
			sw.rec.Forward[i] = sw.lap()
		}
	}
	n.y = in
	return in
}
