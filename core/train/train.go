// Package train is the training loop that the command line, the browser's worker and
// the tests share: one step on a batch, evaluation of a set, and the figures a run
// reports.
package train

import (
	"fmt"

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

// Step trains on one batch: the rule's gradients, then one optimiser step. It returns
// the batch's loss before the update.
func (t *Trainer[F]) Step(b data.Batch[F]) (float64, error) {
	loss, err := t.Net.Gradients(b)
	if err != nil {
		return 0, fmt.Errorf("train step %d: %w", t.Opt.Steps()+1, err)
	}
	t.Opt.Step()
	return loss, nil
}
