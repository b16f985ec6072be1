package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/tensor"
)

// Options are the settings of a run beyond the network itself.
type Options struct {
	Net       nn.Config
	Optimizer optim.Kind
	LR        float64
	BatchSize int
	Epochs    int  // 0: no limit
	Augment   bool // random horizontal flips, for sets that allow them (CIFAR10aug)
}

// DefaultOptions returns the reference command line's defaults.
func DefaultOptions() Options {
	return Options{Net: nn.DefaultConfig(), Optimizer: optim.NAG, LR: 1e-4, BatchSize: 100, Epochs: 100}
}

// OptionsFrom returns the options of trial t of s, for data of the given shape, after
// checking that the settings fit together.
func OptionsFrom(s settings.Settings, shape settings.Shape, trial int) (Options, error) {
	if err := s.Check(shape); err != nil {
		return Options{}, err
	}
	return Options{Net: s.Config(shape, trial), Optimizer: s.Optimizer, LR: s.LR,
		BatchSize: s.BatchSize, Epochs: s.Epochs, Augment: s.Dataset == settings.CIFAR10aug}, nil
}

// Check returns every problem of the options, or nil.
func (o Options) Check() error {
	var errs []error
	if o.BatchSize < 1 {
		errs = append(errs, fmt.Errorf("batch size %d: must be at least 1", o.BatchSize))
	}
	if o.Epochs < 0 {
		errs = append(errs, fmt.Errorf("epochs %d: must be at least 0", o.Epochs))
	}
	if err := optim.CheckLearningRate(o.LR); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// streamOrder seeds the data order apart from the network's own streams.
const streamOrder = 0x6f72646572 // "order"

// Session is one training run over a data set: the network, its optimiser, where the
// run is in its epochs, and the figures it has seen. The command line and the
// browser's worker both drive one, batch by batch.
type Session[F tensor.Float] struct {
	Trainer     *Trainer[F]
	Train, Test *data.Set
	Opts        Options

	// Align asks each step for the angle between every hidden layer's update and the
	// true gradient on its batch (a backward pass more; it changes nothing in the run).
	Align bool

	Epoch   int // epochs completed
	Batch   int // batches done in the current epoch
	Steps   int // batches done in all
	Samples int // training samples seen

	order  []int
	batch  data.Batch[F]
	augRNG *rand.Rand
}

// NewSession builds the network of opts and prepares a run over trainSet, whose
// shape must fit the network. testSet may be nil.
func NewSession[F tensor.Float](opts Options, trainSet, testSet *data.Set) (*Session[F], error) {
	if err := checkRun(opts, trainSet, testSet); err != nil {
		return nil, err
	}
	net, err := nn.New[F](opts.Net)
	if err != nil {
		return nil, err
	}
	return NewSessionFrom(net, opts, trainSet, testSet)
}

// NewSessionFrom prepares a run that goes on from net (a loaded network, say) with a
// fresh optimiser; opts.Net must be net's own configuration.
func NewSessionFrom[F tensor.Float](net *nn.Network[F], opts Options, trainSet, testSet *data.Set) (*Session[F], error) {
	if opts.Net != net.Config() {
		return nil, fmt.Errorf("the options describe network %s trained with %s, not the given one (%s with %s)",
			opts.Net.Topology, opts.Net.Mode, net.Config().Topology, net.Config().Mode)
	}
	if err := checkRun(opts, trainSet, testSet); err != nil {
		return nil, err
	}
	tr, err := New(net, opts.Optimizer, opts.LR)
	if err != nil {
		return nil, err
	}
	s := &Session[F]{Trainer: tr, Train: trainSet, Test: testSet, Opts: opts,
		augRNG: rand.New(rand.NewPCG(opts.Net.Seed, streamOrder+1))}
	s.order = data.Order(trainSet.Len(), opts.Net.Seed^streamOrder, 0)
	return s, nil
}

// MemoryBytes estimates what training with these options holds in memory, in bytes,
// beyond the data set: the parameters, their gradients, the optimiser's state, and
// the buffers of a batch (activations, learning signals, scratch), in float32.
func (o Options) MemoryBytes() (int64, error) {
	tensors, err := o.Net.Tensors()
	if err != nil {
		return 0, err
	}
	var params, learning float64
	for _, t := range tensors {
		params += float64(t.Size())
		if !t.Role.Fixed() {
			learning += float64(t.Size())
		}
	}
	slots := 1.0 // SGD and NAG: a momentum; Adam and RMSprop: two moments
	if o.Optimizer == optim.Adam || o.Optimizer == optim.RMSprop {
		slots = 2
	}
	costs, err := o.Net.Costs()
	if err != nil {
		return 0, err
	}
	// A batch holds, per layer, its input (twice with dropout), its outputs, δ, the
	// signal and the gradient of its input; the forward MACs bound the transposed
	// weights' scratch of the backward product.
	perSample := float64(costs[0].HeldValues) * 3
	scratch := float64(costs[0].ForwardMACs) / 10
	values := params + learning*(1+slots) + perSample*float64(max(o.BatchSize, 1)) + scratch
	return int64(values * 4), nil
}

// checkRun reports what keeps opts from running on the two sets: bad options, an
// empty training set, or data whose shape is not the network's.
func checkRun(opts Options, trainSet, testSet *data.Set) error {
	if err := opts.Check(); err != nil {
		return err
	}
	if trainSet == nil || trainSet.Len() == 0 {
		return fmt.Errorf("the training set is empty")
	}
	for _, s := range []*data.Set{trainSet, testSet} {
		if s == nil {
			continue
		}
		if s.Channels != opts.Net.InputChannels || s.Side != opts.Net.InputSide || s.Labels != opts.Net.Labels {
			return fmt.Errorf("data set %s has %d channel(s) of %dx%d and %d labels, the network expects %d of %dx%d and %d",
				s.Name, s.Channels, s.Side, s.Side, s.Labels, opts.Net.InputChannels, opts.Net.InputSide, opts.Net.InputSide, opts.Net.Labels)
		}
	}
	return nil
}

// Net returns the network being trained.
func (s *Session[F]) Net() *nn.Network[F] { return s.Trainer.Net }

// Done reports whether every epoch has run.
func (s *Session[F]) Done() bool { return s.Opts.Epochs > 0 && s.Epoch >= s.Opts.Epochs }

// BatchesPerEpoch returns the number of batches of an epoch (the last may be short).
func (s *Session[F]) BatchesPerEpoch() int {
	return (s.Train.Len() + s.Opts.BatchSize - 1) / s.Opts.BatchSize
}

// Ready reports whether the next step can run now: the samples of its batch have
// arrived and, when it ends an epoch, so has the whole test set, which the epoch's end
// evaluates. Sets read from files always are; sets still arriving over a network
// (data.Assembly) may not be, and the caller waits: the run stays the same.
func (s *Session[F]) Ready() bool {
	if s.Done() {
		return false
	}
	size := s.Opts.BatchSize
	from := s.Batch * size
	to := min(from+size, len(s.order))
	for _, i := range s.order[from:to] {
		if !s.Train.Has(i) {
			return false
		}
	}
	return to < len(s.order) || s.Test == nil || s.Test.Whole()
}

// Step trains on the next batch of the epoch's seeded order (Trainer.TrainBatch), measuring
// the alignment when Align is set. A loss that is not finite stops the run with an
// error wrapping ErrDiverged, which says where and why it likely happened.
func (s *Session[F]) Step() (StepResult, error) {
	if s.Done() {
		return StepResult{}, fmt.Errorf("the run is over: %d epochs done", s.Epoch)
	}
	size := s.Opts.BatchSize
	from := s.Batch * size
	idx := s.order[from:min(from+size, len(s.order))]
	rec := s.Net().Recording()
	var t0 time.Duration
	if rec != nil {
		t0 = rec.Now()
	}
	if err := data.Fill(s.Train, &s.batch, idx, s.Opts.Augment, s.augRNG); err != nil {
		return StepResult{}, err
	}
	if rec != nil {
		rec.Batch = rec.Now() - t0 // the batch's gathering, part of the step's record
	}
	res, err := s.Trainer.TrainBatch(s.batch, s.Align)
	if errors.Is(err, ErrDiverged) {
		n := s.Opts.Net
		return res, fmt.Errorf("%w: the loss of batch %d (epoch %d) is %v. Likely cause: the learning rate (%g) is too high for %s with %s hidden units, %s output and the %s loss; try a smaller one. The weights are those before that batch",
			err, s.Batch+1, s.Epoch+1, res.Loss, s.Opts.LR, s.Opts.Optimizer, n.HiddenAct, n.OutputAct, n.Loss)
	}
	if err != nil {
		return res, err
	}
	s.Steps++
	s.Batch++
	s.Samples += len(idx)
	if s.Batch*size >= len(s.order) {
		s.Epoch++
		s.Batch = 0
		s.order = data.Order(s.Train.Len(), s.Opts.Net.Seed^streamOrder, s.Epoch)
		res.EpochEnd = true
	}
	return res, nil
}

// Evaluation is what a pass over a set in evaluation mode (no dropout) measured.
type Evaluation struct {
	Samples  int
	Loss     float64 // the sum-reduced loss over the set divided by its samples
	Correct  int     // samples whose output's argmax is their class
	Accuracy float64 // Correct in percent of Samples
	// Confusion counts samples by class (row) and prediction (column).
	Confusion [][]int
}

// Evaluate runs the network over set in chunks of chunk samples (the result does not
// depend on it) and returns its figures.
func Evaluate[F tensor.Float](net *nn.Network[F], set *data.Set, chunk int) (Evaluation, error) {
	if chunk < 1 {
		return Evaluation{}, fmt.Errorf("evaluation batch size %d: must be at least 1", chunk)
	}
	k := net.Outputs()
	ev := Evaluation{Samples: set.Len(), Confusion: make([][]int, k)}
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int, k)
	}
	var b data.Batch[F]
	idx := make([]int, 0, chunk)
	var lossSum float64
	for from := 0; from < set.Len(); from += chunk {
		idx = idx[:0]
		for i := from; i < min(from+chunk, set.Len()); i++ {
			idx = append(idx, i)
		}
		if err := data.Fill(set, &b, idx, false, nil); err != nil {
			return ev, err
		}
		y, err := net.Forward(b.X, b.N, false)
		if err != nil {
			return ev, err
		}
		lossSum += nn.LossSum(net.Config().Loss, y, b.T, b.Labels, b.N, k)
		for r := 0; r < b.N; r++ {
			want := tensor.Argmax(b.T[r*k : (r+1)*k])
			if b.Labels != nil {
				want = b.Labels[r]
			}
			got := tensor.Argmax(y[r*k : (r+1)*k])
			ev.Confusion[want][got]++
			if got == want {
				ev.Correct++
			}
		}
	}
	if ev.Samples > 0 {
		ev.Loss = lossSum / float64(ev.Samples)
		ev.Accuracy = 100 * float64(ev.Correct) / float64(ev.Samples)
	}
	return ev, nil
}
