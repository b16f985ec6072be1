// Package train is the training loop that the command line, the browser's worker and
// the tests share: one step on a batch, evaluation of a set, and the figures a run
// reports.
package train

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/tensor"
)

// Trainer is a network and the optimiser that updates it.
type Trainer[F tensor.Float] struct {
	Net *nn.Network[F]
	Opt *optim.Optimizer[F]
}

// New returns a trainer for net with an optimiser of the given kind and learning rate.
// Only the parameters that learn are handed to the optimiser.
func New[F tensor.Float](net *nn.Network[F], kind optim.Kind, lr float64) (*Trainer[F], error) {
	var slots []optim.Slot[F]
	for _, p := range net.Params() {
		if p.Learns() {
			slots = append(slots, optim.Slot[F]{Value: p.Value, Grad: p.Grad})
		}
	}
	opt, err := optim.New(kind, lr, slots)
	if err != nil {
		return nil, err
	}
	return &Trainer[F]{Net: net, Opt: opt}, nil
}

// TrainBatch trains on one batch, the one training step of every run: the rule's
// gradients, the alignment with the true gradient when align is set, then one
// optimiser step (timed into the network's nn.StepRecord, if it records). What it
// returns was measured on the batch before the update. A loss that is not finite is
// an error wrapping ErrDiverged, returned before any update: the parameters stay
// those of the last good step.
func (t *Trainer[F]) TrainBatch(b data.Batch[F], align bool) (StepResult, error) {
	loss, err := t.Net.Gradients(b)
	if err != nil {
		return StepResult{}, fmt.Errorf("train step %d: %w", t.Opt.Steps()+1, err)
	}
	res := StepResult{Loss: loss, N: b.N, Correct: correct(t.Net.Output(), b)}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return res, fmt.Errorf("%w at step %d", ErrDiverged, t.Opt.Steps()+1)
	}
	rec := t.Net.Recording() // the alignment's and the update's times go in it
	var t0 time.Duration
	if rec != nil {
		t0 = rec.Now()
	}
	if align {
		if res.Angles, err = t.Net.Alignment(); err != nil {
			return res, fmt.Errorf("train step %d: alignment: %w", t.Opt.Steps()+1, err)
		}
	}
	if rec != nil {
		t1 := rec.Now()
		rec.Align, t0 = t1-t0, t1
	}
	t.Opt.Step()
	if rec != nil {
		rec.Update = rec.Now() - t0
	}
	return res, nil
}

// StepResult is what one training step measured on its batch, before the update.
type StepResult struct {
	Loss     float64 // the batch's loss (mean, as the reference reports it)
	Correct  int     // samples whose output's argmax was their class
	N        int     // samples in the batch
	EpochEnd bool    // the batch ended an epoch (set by Session.Step)
	// Angles are the hidden layers' alignment with the true gradient, when asked for.
	Angles []nn.LayerAngle
}

// ErrDiverged reports a loss that is no longer a finite number.
var ErrDiverged = errors.New("training diverged")

// correct counts the samples of b whose output row y has its argmax at their class.
func correct[F tensor.Float](y []F, b data.Batch[F]) int {
	k := len(b.T) / b.N
	n := 0
	for r := 0; r < b.N; r++ {
		want := tensor.Argmax(b.T[r*k : (r+1)*k])
		if b.Labels != nil {
			want = b.Labels[r]
		}
		if tensor.Argmax(y[r*k:(r+1)*k]) == want {
			n++
		}
	}
	return n
}
