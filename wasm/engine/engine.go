// Package engine is the training worker without the browser: it runs a session in
// time slices, decides when to evaluate, and assembles the snapshots and pictures
// the page draws. The worker program only carries its messages; the tests drive it
// natively.
package engine

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/tensor"
	"github.com/nofeedback/lwf/core/train"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// Schedule of the figures.
const (
	pointEvery   = 250 * time.Millisecond // of training time
	weightsEvery = 400 * time.Millisecond
	digitCount   = 32
	// FirstLosses is how many batch losses the snapshots carry from the start.
	FirstLosses = 100
	maxTiles    = 100 // tiles of the first layer's weights: 10×10 stay legible
)

// schedule is the page's: a train point four times a second of training, the
// alignment on the step after each while it takes at most a twentieth of the time
// (on a conv net, whose aligned step runs a backward pass through the conv layers,
// that is every few seconds), and quick evaluations on a subset of the test set that
// take at most a tenth of the time, or three twentieths in the first 15 s when the
// audience waits for them (a first, slow evaluation, the code still warming up,
// must not space the next ones out): a fifth of the worker's time at most,
// whatever the network. Test accuracy is never older than 8 s of training where 200
// samples can be evaluated in that budget.
func schedule(quick *data.Set, mode nn.Mode) train.Schedule {
	align := train.AlignAfterPoint
	if mode == nn.Shallow {
		align = train.AlignNever // no hidden layer learns
	}
	return train.Schedule{
		PointEvery: pointEvery, Align: align, AlignShare: 0.05, Quick: quick, PlanQuick: planQuick,
	}
}

// Engine is one run in the worker: a train.Run, whose figures it keeps until the
// next snapshot carries them to the page.
type Engine struct {
	Settings     settings.Settings
	run          *train.Run[float32]
	sess         *train.Session[float32]
	trainSet     *data.Set
	testSet      *data.Set
	digits       *data.Set
	now          func() time.Time
	state        protocol.State
	failure      error
	waiting      bool // for data (Waiting)
	lastWeights  time.Time
	rate         rateMeter
	trainPoints  []protocol.Point // not yet sent
	testPoints   []protocol.Point
	alignPoints  []protocol.AlignPoint
	lastTrain    protocol.Point
	lastTest     protocol.Point
	lastTestN    int // samples the latest evaluation covered
	hasTrain     bool
	hasTest      bool
	weightsDue   bool
	stepLosses   []float64 // of the first FirstLosses batches, not yet sent
	confusion    [][]int
	confusedAll  bool
	confusionDue bool
	record       *nn.StepRecord // what each training step measures of itself
	steps        *stepMeter     // those records, for the snapshots
}

// Data is what a run trains and is evaluated on. Train and Test may still be arriving
// (data.Assembly): the run waits where it needs what has not. Quick is the subset of
// Test that evaluations during an epoch measure, nil for Test.Spread(QuickTestSize)
// (which needs Test whole).
type Data struct {
	Train, Test, Quick *data.Set
}

// New builds the run that s describes over the given data, and returns the model
// description with its pictures (buffers indexed by the Images).
func New(s settings.Settings, d Data, now func() time.Time) (*Engine, protocol.Model, [][]byte, error) {
	return NewFrom(nil, s, d, now)
}

// NewFrom is New going on from a given network (a loaded one): s must carry the
// network's own settings (settings.WithNetwork). Its first evaluation covers the
// whole test set if it is in (else the quick subset), so that the page shows where
// the network stands.
func NewFrom(net *nn.Network[float32], s settings.Settings, d Data, now func() time.Time) (*Engine, protocol.Model, [][]byte, error) {
	trainSet, testSet, quick := d.Train, d.Test, d.Quick
	if quick == nil {
		quick = testSet.Spread(protocol.QuickTestSize)
	}
	shape := settings.Shape{Channels: trainSet.Channels, Side: trainSet.Side, Labels: trainSet.Labels}
	opts, err := train.OptionsFrom(s, shape, 0)
	if err != nil {
		return nil, protocol.Model{}, nil, err
	}
	if err := protocol.CheckMemory(opts); err != nil {
		return nil, protocol.Model{}, nil, err
	}
	var sess *train.Session[float32]
	if net != nil {
		sess, err = train.NewSessionFrom(net, opts, trainSet, testSet)
	} else {
		sess, err = train.NewSession[float32](opts, trainSet, testSet)
	}
	if err != nil {
		return nil, protocol.Model{}, nil, err
	}
	if now == nil {
		now = time.Now
	}
	e := &Engine{Settings: s, sess: sess, trainSet: trainSet, testSet: testSet, now: now, state: protocol.Paused,
		digits: quick.Subset(digitCount), weightsDue: true, steps: newStepMeter(sess.Net().Layers())}
	origin := time.Now() // (not now: the tests' clocks count their readings)
	e.record = &nn.StepRecord{Now: func() time.Duration { return time.Since(origin) }}
	sess.Net().Record(e.record)
	e.run = train.NewRun(sess, schedule(quick, s.Mode), train.Hooks{
		Step: e.onStep, Point: e.onPoint, Eval: e.onEval, Epoch: e.onEpoch}, now)
	model, bufs := e.describe()
	if net != nil {
		if _, err := e.run.Evaluate(testSet.Whole()); err != nil {
			return nil, model, nil, err
		}
	}
	return e, model, bufs, nil
}

// State returns paused, training, done or error.
func (e *Engine) State() protocol.State { return e.state }

// Err returns what stopped a failed run.
func (e *Engine) Err() error { return e.failure }

// Play sets the run training (unless it is over).
func (e *Engine) Play() {
	if e.state == protocol.Paused {
		e.state = protocol.Training
	}
}

// Pause stops training after the current slice.
func (e *Engine) Pause() {
	if e.state == protocol.Training {
		e.state = protocol.Paused
	}
}

// Run trains for about budget (at least one batch), evaluating when due. It returns
// at once unless the run is training.
func (e *Engine) Run(budget time.Duration) error {
	if e.state != protocol.Training {
		return nil
	}
	if e.waiting = !e.sess.Ready(); e.waiting {
		return nil // the data it needs is on its way (Waiting)
	}
	if e.sess.Steps == 0 {
		// The first batch alone, shown at once: the first evaluation waits for the
		// next slice and the weights' picture for a later snapshot, so that the
		// page's first step comes as early as it can.
		e.lastWeights = e.now()
		return e.step(false)
	}
	start := e.now()
	for e.state == protocol.Training {
		if err := e.step(true); err != nil {
			return err
		}
		if e.waiting = e.state == protocol.Training && !e.sess.Ready(); e.waiting || e.now().Sub(start) >= budget {
			break
		}
	}
	return nil
}

// Waiting reports whether the run, training, waits for data that has not arrived:
// the next batch's samples, or the test set that the epoch's end evaluates.
func (e *Engine) Waiting() bool { return e.waiting }

// StepOnce trains one batch, whatever the state (but a finished or failed run, or
// one whose next batch has not arrived).
func (e *Engine) StepOnce() error {
	if e.state == protocol.Done || e.state == protocol.Failed || !e.sess.Ready() {
		return nil
	}
	return e.step(true)
}

// step trains one batch; quick lets a due quick evaluation follow it.
func (e *Engine) step(quick bool) error {
	if _, err := e.run.Advance(quick); err != nil {
		e.state = protocol.Failed
		e.failure = err
		return err
	}
	return nil
}

func (e *Engine) onStep(res train.StepResult, took time.Duration) {
	e.rate.add(res.N, took)
	e.steps.add(e.record, took)
	if e.sess.Steps <= FirstLosses {
		e.stepLosses = append(e.stepLosses, res.Loss)
	}
}

func (e *Engine) onPoint(p train.Point) {
	tp := protocol.Point{Samples: p.Samples, Loss: p.Loss, Accuracy: p.Accuracy}
	e.trainPoints = append(e.trainPoints, tp)
	e.lastTrain, e.hasTrain = tp, true
	if p.Angles == nil {
		return
	}
	ap := protocol.AlignPoint{Samples: p.Samples, Layers: make([]float64, len(p.Angles))}
	for i, a := range p.Angles {
		ap.Layers[i] = a
		if math.IsNaN(a) {
			ap.Layers[i] = protocol.NoAngle
		}
	}
	for _, a := range e.sess.Net().FeedbackAngles() {
		ap.Feedback = append(ap.Feedback, a.Degrees)
	}
	e.alignPoints = append(e.alignPoints, ap)
}

func (e *Engine) onEval(ev train.Eval) {
	p := protocol.Point{Samples: ev.Seen, Loss: ev.Loss, Accuracy: ev.Accuracy, Full: ev.Full}
	e.testPoints = append(e.testPoints, p)
	if e.testSet.Classification() {
		e.confusion, e.confusedAll, e.confusionDue = ev.Confusion, ev.Full, true
	}
	e.lastTest, e.lastTestN, e.hasTest = p, ev.Samples, true
	e.weightsDue = true
}

func (e *Engine) onEpoch(train.Epoch) {
	if e.sess.Done() {
		e.state = protocol.Done
		e.weightsDue = true
	}
}

// Snapshot returns the run's state and what changed since the last snapshot; the
// first layer's weights are redrawn at most every 400 ms, or when forced.
func (e *Engine) Snapshot(forceWeights bool) (protocol.SnapshotEvent, [][]byte) {
	s := e.sess
	snap := protocol.SnapshotEvent{
		State: e.state, Waiting: e.waiting && e.state == protocol.Training, Epoch: s.Epoch + 1, Batch: s.Batch, Step: s.Steps, Samples: s.Samples,
		SamplesPerSecond: e.rate.perSecond(),
		HasTrain:         e.hasTrain, TrainLoss: e.lastTrain.Loss, TrainAccuracy: e.lastTrain.Accuracy,
		HasTest: e.hasTest, TestLoss: e.lastTest.Loss, TestAccuracy: e.lastTest.Accuracy, TestFull: e.lastTest.Full,
		TestEvaluated: e.lastTestN,
		TrainPoints:   e.trainPoints, TestPoints: e.testPoints, AlignPoints: e.alignPoints,
	}
	snap.StepLosses = e.stepLosses
	snap.Signals, snap.Timing = e.steps.signals(), e.steps.current()
	e.trainPoints, e.testPoints, e.alignPoints, e.stepLosses = nil, nil, nil, nil
	if e.confusionDue {
		snap.Confusion, snap.ConfusionFull, e.confusionDue = e.confusion, e.confusedAll, false
	}
	var bufs [][]byte
	if forceWeights || (e.weightsDue && e.now().Sub(e.lastWeights) >= weightsEvery) {
		pic := e.weightsPicture()
		pic.Buffer = 0
		snap.Weights = &pic.Image
		bufs = append(bufs, pic.Pix)
		snap.Predictions = e.predictions()
		e.lastWeights, e.weightsDue = e.now(), false
	}
	sanitise(&snap)
	return snap, bufs
}

// sanitise keeps NaN and ±Inf out of the snapshot: JSON cannot carry them. They
// become Overflow, which the page shows as ∞.
func sanitise(s *protocol.SnapshotEvent) {
	for _, v := range []*float64{&s.TrainLoss, &s.TrainAccuracy, &s.TestLoss, &s.TestAccuracy, &s.SamplesPerSecond} {
		*v = finite(*v)
	}
	for _, pts := range [][]protocol.Point{s.TrainPoints, s.TestPoints} {
		for i := range pts {
			pts[i].Loss, pts[i].Accuracy = finite(pts[i].Loss), finite(pts[i].Accuracy)
		}
	}
	for _, p := range s.AlignPoints {
		for i, v := range p.Feedback {
			p.Feedback[i] = finite(v)
		}
	}
	for i, v := range s.Signals {
		s.Signals[i] = finite(v)
	}
}

func (e *Engine) predictions() []int {
	if e.digits.Len() == 0 || !e.digits.Classification() {
		return nil
	}
	ev, err := evaluateOutputs(e.sess.Net(), e.digits)
	if err != nil {
		return nil
	}
	return ev
}

// evaluateOutputs returns the argmax of the network's output for every sample of set.
func evaluateOutputs(net *nn.Network[float32], set *data.Set) ([]int, error) {
	idx := make([]int, set.Len())
	for i := range idx {
		idx[i] = i
	}
	var b data.Batch[float32]
	if err := data.Fill(set, &b, idx, false, nil); err != nil {
		return nil, err
	}
	y, err := net.Forward(b.X, b.N, false)
	if err != nil {
		return nil, err
	}
	k := net.Outputs()
	out := make([]int, b.N)
	for r := range out {
		out[r] = tensor.Argmax(y[r*k : (r+1)*k])
	}
	return out, nil
}

// rateMeter measures samples per second of training over the last couple of seconds.
type rateMeter struct {
	samples []int
	times   []time.Duration
}

func (r *rateMeter) add(n int, dt time.Duration) {
	r.samples = append(r.samples, n)
	r.times = append(r.times, dt)
	var total time.Duration
	for _, t := range r.times {
		total += t
	}
	for len(r.times) > 1 && total-r.times[0] >= 2*time.Second {
		total -= r.times[0]
		r.samples, r.times = r.samples[1:], r.times[1:]
	}
}

func (r *rateMeter) perSecond() float64 {
	var n int
	var t time.Duration
	for i := range r.times {
		n += r.samples[i]
		t += r.times[i]
	}
	if t <= 0 {
		return 0
	}
	return float64(n) / t.Seconds()
}

// finite replaces NaN and ±Inf by protocol.Overflow.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return protocol.Overflow
	}
	return v
}

// Steps returns the batches trained so far.
func (e *Engine) Steps() int { return e.sess.Steps }

// Bench times training steps apart from everything else the run does: warmup steps,
// then repeats runs of steps, each reported in samples per second. The steps train a
// copy of the run's network on a session of their own, with no end to its epochs (a
// benchmark may outlast a short run), so the run itself is left as it was: its
// options, its place in its epochs, its weights and its optimiser's state. The copy
// costs a second network's memory while the benchmark runs.
func (e *Engine) Bench(warmup, steps, repeats int) ([]float64, error) {
	if warmup < 0 || steps < 1 || repeats < 1 {
		return nil, fmt.Errorf("bench: %d warm-up steps, %d runs of %d steps: want runs and steps of at least 1", warmup, repeats, steps)
	}
	sess, err := e.benchSession()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	runtime.GC() // what earlier runs left behind is not this one's to collect
	for range warmup {
		if _, err := sess.Step(); err != nil {
			return nil, err
		}
	}
	runs := make([]float64, repeats)
	for r := range runs {
		n := 0
		t0 := e.now()
		for range steps {
			res, err := sess.Step()
			if err != nil {
				return nil, err
			}
			n += res.N
		}
		runs[r] = float64(n) / e.now().Sub(t0).Seconds()
	}
	return runs, nil
}

// benchSession returns a session over the run's data and with its options, but with
// no end, that trains a copy of the run's network: its weights and feedback matrices
// as they are now, a fresh optimiser, the first epoch's order.
func (e *Engine) benchSession() (*train.Session[float32], error) {
	opts := e.sess.Opts
	opts.Epochs = 0
	net, err := nn.New[float32](opts.Net)
	if err != nil {
		return nil, err
	}
	live := e.sess.Net().Params()
	for i, p := range net.Params() {
		copy(p.Value, live[i].Value)
	}
	return train.NewSessionFrom(net, opts, e.sess.Train, e.sess.Test)
}

// Predict returns the network's answer for one input: its class, and a confidence
// for each class (the softmax of the outputs when they have no activation, the
// outputs normalised to sum to 1 otherwise).
func (e *Engine) Predict(x []float32) (protocol.Prediction, error) {
	net := e.sess.Net()
	y, err := net.Forward(x, 1, false)
	if err != nil {
		return protocol.Prediction{}, fmt.Errorf("predict: %w", err)
	}
	conf := make([]float64, len(y))
	var sum float64
	if e.Settings.OutputAct == nn.None {
		top := float64(y[tensor.Argmax(y)])
		for i, v := range y {
			conf[i] = math.Exp(float64(v) - top)
			sum += conf[i]
		}
	} else {
		lo := float64(slices.Min(y))
		for i, v := range y {
			conf[i] = float64(v) - math.Min(lo, 0) // tanh outputs can be negative
			sum += conf[i]
		}
	}
	for i := range conf {
		if sum > 0 {
			conf[i] /= sum
		}
		conf[i] = finite(conf[i])
	}
	return protocol.Prediction{Class: tensor.Argmax(y), Confidence: conf}, nil
}

// Network returns the network being trained.
func (e *Engine) Network() *nn.Network[float32] { return e.sess.Net() }

// Samples returns the training samples seen so far.
func (e *Engine) Samples() int { return e.sess.Samples }
