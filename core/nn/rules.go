package nn

import (
	"fmt"
	"math"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/tensor"
)

// The six rules differ only in the learning signal s_k that reaches each hidden
// layer's post-activation output h_k (one function each: bp, fa, dfa, sdfa, drtp,
// and none for shallow). From there every rule goes the same way (backward):
//
//	δ_k = s_k ⊙ f'(a_k),  dW_k = x_{k−1}ᵀ·δ_k,  db_k = Σ_batch δ_k
//
// and the output layer always learns from its exact loss gradient δ_L = dL/da_L.
//
//	BP:      s_k = δ_{k+1}·W_{k+1}ᵀ      carried down through every layer above
//	FA:      s_k = δ_{k+1}·B_{k+1}ᵀ      the same, through fixed random matrices
//	DFA:     s_k = e·B_k                 e = y − t, straight from the output
//	sDFA:    s_k = sign(e)·B_k
//	DRTP:    s_k = t·B_k                 the target alone: row c of B_k for class c
//	shallow: s_k = 0                     hidden layers keep their initial weights
//
// Here a sample is a row and W_k is [in, out] (x_k = x_{k−1}·W_k). The page writes the
// same rules as the paper does, a sample a column and W_k [out, in] as in PyTorch:
//
//	BP:   δ_k = (W_{k+1}ᵀ δ_{k+1}) ⊙ f'(a_k)    FA:   δ_k = (B_{k+1}ᵀ δ_{k+1}) ⊙ f'(a_k)
//	DFA:  δ_k = (B_kᵀ e) ⊙ f'(a_k)               sDFA: δ_k = (B_kᵀ sign(e)) ⊙ f'(a_k)
//	DRTP: δ_k = (B_kᵀ t) ⊙ f'(a_k)               (B_k of DFA, sDFA, DRTP: [labels, units])
//
// DFA, sDFA and DRTP signals are used as they are: not scaled by the batch size or the
// loss. DRTP needs neither the output nor the layers above: its hidden updates could
// be made before the forward pass even reaches the output.

// layerGrad is where one layer's weight and bias gradients go; nil for a layer that
// learns nothing.
type layerGrad[F tensor.Float] struct{ w, b []F }

// Gradients runs a training-mode forward pass on b, then fills the Grad of every
// learning parameter under the network's rule. It returns the batch's loss, reduced
// by mean as the reference reports it.
func (n *Network[F]) Gradients(b data.Batch[F]) (float64, error) {
	if err := n.Check(b); err != nil {
		return 0, err
	}
	if b.T == nil {
		return 0, fmt.Errorf("batch of %d samples has no targets", b.N)
	}
	grads := make([]layerGrad[F], len(n.layers))
	for i, l := range n.layers {
		grads[i] = layerGrad[F]{l.weight.Grad, l.bias.Grad}
	}
	sw := startWatch(n.record)
	y := n.forwardTimed(b.X, b.N, true, &sw)
	n.target = b
	k := n.cfg.Labels
	loss := LossSum(n.cfg.Loss, y, b.T, b.Labels, b.N, k) / meanDivisor(n.cfg.Loss, b.N, k)
	n.delta = grow(n.delta, b.N*k)
	outputDelta(n.cfg.Loss, n.cfg.OutputAct, n.delta, y, b.T, b.Labels, b.N, k)
	if n.record != nil {
		n.record.Output = sw.lap()
	}
	n.backward(n.cfg.Mode, grads, &sw)
	return loss, nil
}

// HiddenGradient pairs, for one hidden layer, the weight gradient its rule produced
// with the true one (backpropagation) on the same batch and the same dropout masks.
type HiddenGradient[F tensor.Float] struct {
	Weight *Param[F] // the layer's weight
	Rule   []F       // the rule's gradient: Weight.Grad
	BP     []F       // the true gradient, in the same layout
}

// TrueGradients computes, from the record of the last Gradients call, the true
// gradient of every hidden layer that learns, beside the rule's own (for BP the two
// are equal). It draws no random numbers, so calling it does not change the run.
// The slice and the true gradients are the network's own, allocated on the first
// call and valid until the next.
func (n *Network[F]) TrueGradients() ([]HiddenGradient[F], error) {
	if n.target.N == 0 || !n.train || n.rows != n.target.N {
		return nil, fmt.Errorf("no training batch recorded: call Gradients first")
	}
	t := &n.trueGrads
	if t.grads == nil {
		t.allocate(n.layers)
	}
	n.backward(BP, t.grads, nil)
	return t.hidden, nil
}

// trueGradients holds what TrueGradients writes, so that an aligned step allocates
// no gradient buffers: per layer, room for the true weight and bias gradients of the
// hidden layers that learn (nil for the output layer and those that learn nothing),
// and the list TrueGradients returns.
type trueGradients[F tensor.Float] struct {
	grads  []layerGrad[F]
	hidden []HiddenGradient[F]
}

func (t *trueGradients[F]) allocate(layers []*layer[F]) {
	t.grads = make([]layerGrad[F], len(layers))
	for i, l := range layers[:len(layers)-1] {
		if l.weight.Grad == nil {
			continue
		}
		t.grads[i] = layerGrad[F]{make([]F, len(l.weight.Value)), make([]F, len(l.bias.Value))}
		t.hidden = append(t.hidden, HiddenGradient[F]{Weight: l.weight, Rule: l.weight.Grad, BP: t.grads[i].w})
	}
}

// backward turns the recorded forward pass and output delta into gradients under
// mode, writing them into grads (layers with nil slices learn nothing). The output
// layer learns from δ_L; each hidden layer k, from the top down, from its rule's
// signal s_k (signal):
//
//	δ_k = s_k ⊙ f'(a_k),  dW_k = x_{k−1}ᵀ·δ_k,  db_k = Σ_batch δ_k
//
// With a record in sw, each layer's time and the RMS of its signal go into it.
func (n *Network[F]) backward(mode Mode, grads []layerGrad[F], sw *stopwatch) {
	var rec *StepRecord
	if sw != nil {
		rec = sw.rec
	}
	rows, last := n.rows, len(n.layers)-1
	above := n.delta[:rows*n.cfg.Labels] // δ_{k+1}, from δ_L down
	if g := grads[last]; g.w != nil {
		n.layers[last].gradients(above, rows, g.w, g.b)
		if rec != nil {
			rec.SignalRMS[last], rec.Backward[last] = rms(above), sw.lap()
		}
	}
	for k := last - 1; k >= 0; k-- {
		l, g := n.layers[k], grads[k]
		if g.w == nil {
			break // frozen conv: so is every block below it
		}
		s := n.signal(mode, k, above)
		if s == nil {
			clear(g.w)
			clear(g.b)
			if rec != nil {
				rec.Backward[k] = sw.lap()
			}
			continue // shallow: no gradient
		}
		if rec != nil {
			rec.SignalRMS[k] = rms(s[:rows*l.units])
		}
		above = l.deltaFromSignal(s, rows)
		l.gradients(above, rows, g.w, g.b)
		if rec != nil {
			rec.Backward[k] = sw.lap()
		}
	}
}

// signal returns hidden layer k's learning signal s_k under mode, at its
// post-activation output h_k; above is δ_{k+1}. Each rule is one function below,
// its formula in this file's rows and, after "paper:", in the paper's columns.
func (n *Network[F]) signal(mode Mode, k int, above []F) []F {
	switch mode {
	case BP:
		return n.bp(k, above)
	case FA:
		return n.fa(k, above)
	case DFA:
		return n.dfa(k)
	case SDFA:
		return n.sdfa(k)
	case DRTP:
		return n.drtp(k)
	}
	return nil // shallow
}

// bp: s_k = δ_{k+1}·W_{k+1}ᵀ, through the dropout and pooling of the layers.
// Paper: δ_k = (W_{k+1}ᵀ δ_{k+1}) ⊙ f'(a_k).
func (n *Network[F]) bp(k int, above []F) []F {
	return n.layers[k].unpool(n.layers[k+1].backInput(above, n.rows, false), n.rows)
}

// fa: s_k = δ_{k+1}·B_{k+1}ᵀ, BP's path through a fixed random B_{k+1} instead of W_{k+1}.
// Paper: δ_k = (B_{k+1}ᵀ δ_{k+1}) ⊙ f'(a_k).
func (n *Network[F]) fa(k int, above []F) []F {
	return n.layers[k].unpool(n.layers[k+1].backInput(above, n.rows, true), n.rows)
}

// dfa: s_k = e·B_k, the output error e = y − t straight to layer k.
// Paper: δ_k = (B_kᵀ e) ⊙ f'(a_k).
func (n *Network[F]) dfa(k int) []F { return n.project(k, n.outputError(false)) }

// sdfa: s_k = sign(e)·B_k, only the error's sign.
// Paper: δ_k = (B_kᵀ sign(e)) ⊙ f'(a_k).
func (n *Network[F]) sdfa(k int) []F { return n.project(k, n.outputError(true)) }

// drtp: s_k = t·B_k, the target alone: for a one-hot t, row c of B_k for a sample of
// class c; real-valued targets are projected whole. It needs neither the output
// nor the layers above.
// Paper: δ_k = (B_kᵀ t) ⊙ f'(a_k).
func (n *Network[F]) drtp(k int) []F {
	if n.target.Labels == nil {
		return n.project(k, n.target.T)
	}
	l := n.layers[k]
	s, b := l.signalBuffer(n.rows), l.hook.Value
	for r, c := range n.target.Labels {
		copy(s[r*l.units:(r+1)*l.units], b[c*l.units:(c+1)*l.units])
	}
	return s
}

// project returns v·B_k for a signal v of one value per label and sample (B_k:
// [labels, units] of layer k).
func (n *Network[F]) project(k int, v []F) []F {
	l := n.layers[k]
	s := l.signalBuffer(n.rows)
	clear(s)
	tensor.MulAdd(s, v[:n.rows*n.cfg.Labels], l.hook.Value, n.rows, n.cfg.Labels, l.units)
	return s
}

// outputError returns e = y − t, or sign(e), with y = softmax(output) under CE with
// no output activation.
func (n *Network[F]) outputError(signed bool) []F {
	rows, k := n.rows, n.cfg.Labels
	n.err = grow(n.err, rows*k)
	e, y, t := n.err[:rows*k], n.y[:rows*k], n.target.T
	if n.cfg.Loss == CE && n.cfg.OutputAct == None {
		for r := 0; r < rows; r++ {
			softmaxRow(e[r*k:(r+1)*k], y[r*k:(r+1)*k])
		}
	} else {
		copy(e, y)
	}
	for i := range e {
		e[i] -= t[i] // e = y − t
		if signed {
			e[i] = sign(e[i])
		}
	}
	return e
}

func sign[F tensor.Float](x F) F {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x // 0 (or NaN) stays
}

// Angle returns the angle in degrees between two vectors (NaN when either is zero):
// 0 for the same direction, 90 for orthogonal ones.
func Angle[F tensor.Float](a, b []F) float64 {
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	c := dot / math.Sqrt(na*nb)
	return math.Acos(math.Max(-1, math.Min(1, c))) * 180 / math.Pi
}

// LayerAngle is how far one hidden layer's update is from the true gradient.
type LayerAngle struct {
	Layer   int     // block index, from 0
	Degrees float64 // angle between the rule's weight update and BP's; NaN if either is zero
}

// Alignment returns, for every hidden layer that learns, the angle between the
// rule's weight gradient and the true one, from the record of the last Gradients
// call (BP's own are 0 by definition). It draws no random numbers.
func (n *Network[F]) Alignment() ([]LayerAngle, error) {
	if n.cfg.Mode == BP {
		var out []LayerAngle
		for i, l := range n.layers[:len(n.layers)-1] {
			if l.weight.Grad != nil {
				out = append(out, LayerAngle{Layer: i})
			}
		}
		return out, nil
	}
	hg, err := n.TrueGradients()
	if err != nil {
		return nil, err
	}
	out := make([]LayerAngle, len(hg))
	for i, g := range hg {
		out[i] = LayerAngle{Layer: g.Weight.Layer, Degrees: Angle(g.Rule, g.BP)}
	}
	return out, nil
}

// FeedbackAngles returns, under FA, the angle between each fixed matrix B_k and the
// forward weights W_k it stands in for (the two align as FA learns); nil otherwise.
func (n *Network[F]) FeedbackAngles() []LayerAngle {
	var out []LayerAngle
	for i, l := range n.layers {
		if l.feedback != nil && i > 0 {
			out = append(out, LayerAngle{Layer: i, Degrees: Angle(l.weight.Value, l.feedback.Value)})
		}
	}
	return out
}
