package nn

import (
	"math"
	"time"

	"github.com/nofeedback/lwf/core/tensor"
)

// StepRecord is what a training step measures of itself when the network is given
// one (Network.Record): how long each part of the step took, on the clock Now, and
// the size of each layer's learning signal. Gradients writes the parts from the first layer's
// forward pass to the last hidden layer's gradients, each starting where the last
// ended; train.Session times the batch's gathering before them, and train.Trainer
// the alignment and the optimiser's step after, so that the parts add up to the step.
//
// This is what update locking costs on the machine: a layer's update can start
// when its δ is known, which under BP and FA is after the output error and the δ of
// every layer above, under DFA and sDFA after the output error, and under DRTP as
// soon as its own forward pass is done.
type StepRecord struct {
	Now func() time.Duration // a monotonic clock

	Batch    time.Duration   // the batch's gathering, before the step (train.Session times it)
	Forward  []time.Duration // per layer, first to last: its forward pass
	Output   time.Duration   // the loss and the output's δ_L
	Backward []time.Duration // per layer: its signal, δ_k and gradients (0 if it learns nothing)
	Align    time.Duration   // the alignment with the true gradient, on the steps that measure it
	Update   time.Duration   // the optimiser's step

	// SignalRMS is per layer the size of the learning signal it received, √(mean s²)
	// over the batch: for a hidden layer its rule's s_k at its output h_k, before
	// ⊙ f′(a_k) (W_{k+1}ᵀδ_{k+1}, B_{k+1}ᵀδ_{k+1}, B_kᵀe, B_kᵀ sign(e) or B_kᵀt*: under
	// DRTP it depends on the batch's classes alone), and δ_L for the output layer. 0
	// for a layer that learns nothing.
	SignalRMS []float64
}

// Record makes every training step (Gradients) fill rec, until Record(nil).
// TrueGradients records nothing. Recording changes no figure of the run.
func (n *Network[F]) Record(rec *StepRecord) {
	if rec != nil {
		rec.Forward = make([]time.Duration, len(n.layers))
		rec.Backward = make([]time.Duration, len(n.layers))
		rec.SignalRMS = make([]float64, len(n.layers))
	}
	n.record = rec
}

// Recording returns the record Record set, or nil.
func (n *Network[F]) Recording() *StepRecord { return n.record }

// stopwatch times consecutive parts of a step on a record's clock; its zero value,
// for no record, does nothing.
type stopwatch struct {
	rec  *StepRecord
	last time.Duration
}

func startWatch(rec *StepRecord) stopwatch {
	if rec == nil {
		return stopwatch{}
	}
	return stopwatch{rec, rec.Now()}
}

// lap returns the time since the last lap (or the start), 0 without a record.
func (s *stopwatch) lap() time.Duration {
	if s.rec == nil {
		return 0
	}
	now := s.rec.Now()
	d := now - s.last
	s.last = now
	return d
}

// rms is √(mean v²), 0 for no v.
func rms[F tensor.Float](v []F) float64 {
	if len(v) == 0 {
		return 0
	}
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x) // Σ δ²
	}
	return math.Sqrt(sum / float64(len(v)))
}
