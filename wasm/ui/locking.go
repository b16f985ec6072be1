package ui

import (
	"math"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// Update locking, from one step's measured parts: when each layer's forward pass
// ends, and when its update could start under each rule, so how long it waits with
// its activations held. The step starts with the first layer's forward pass (the
// batch gathered); times are in milliseconds.

// locking is the timeline of one step of the run's network.
type locking struct {
	forwardEnd []float64 // F_k: when layer k's forward pass ends
	errorAt    float64   // E: when the output's error is known, F_L + the loss
	backward   []float64 // each layer's signal, δ and gradients, as measured
	step       float64   // the whole step, as the run timed it
	// wait[mode][k] is how long layer k waits after its forward pass before its
	// update can start under mode; NaN for a layer that does not learn under it.
	wait map[nn.Mode][]float64
}

// lockingOf computes the timeline from t; learns[k] says whether layer k learns at
// all (a frozen conv layer does not).
//
//	BP, FA:      start_k = E + Σ_{j>k} backward_j  (the δ of every layer above first)
//	DFA, sDFA:   start_k = E                       (the output's error)
//	DRTP:        start_k = F_k                     (its own forward pass: t* is known)
//	shallow:     no update of a hidden layer
//	output:      start_L = E under every rule
func lockingOf(t protocol.StepTiming, learns []bool) locking {
	n := len(t.Forward)
	l := locking{forwardEnd: make([]float64, n), backward: t.Backward, step: t.Step, wait: map[nn.Mode][]float64{}}
	at := 0.0
	for k, f := range t.Forward {
		at += f
		l.forwardEnd[k] = at // F_k = Σ_{j≤k} forward_j
	}
	if n == 0 {
		return l
	}
	l.errorAt = l.forwardEnd[n-1] + t.Output
	for _, mode := range nn.Modes() {
		w := make([]float64, n)
		above := 0.0 // Σ_{j>k} backward_j
		for k := n - 1; k >= 0; k-- {
			start := l.errorAt
			switch {
			case k == n-1:
			case !learns[k] || mode == nn.Shallow:
				start = math.NaN()
			case mode == nn.BP || mode == nn.FA:
				start = l.errorAt + above
			case mode == nn.DRTP:
				start = l.forwardEnd[k]
			}
			w[k] = start - l.forwardEnd[k]
			above += t.Backward[k]
		}
		l.wait[mode] = w
	}
	return l
}
