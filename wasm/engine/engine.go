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
	QuickTestSize   = 2000                   // test samples evaluated during an epoch, spread across the test set
	trainPointEvery = 250 * time.Millisecond // of training time
	minEvalEvery    = 750 * time.Millisecond
	earlyEvalEvery  = 250 * time.Millisecond // the shortest interval in the first seconds
	earlyEvalMost   = time.Second            // and the longest
	maxEvalEvery    = 8 * time.Second        // test accuracy is never older than this much training
	evalShare       = 0.1                    // at most this share of the time goes to evaluation...
	earlyEvalShare  = 0.3                    // ...but more in the first seconds, when the audience waits for it
	early           = 15 * time.Second
	weightsEvery    = 400 * time.Millisecond
	digitCount      = 32
	// FirstLosses is how many batch losses the snapshots carry from the start.
	FirstLosses = 100
	maxTiles    = 100 // tiles of the first layer's weights: 10×10 stay legible
)

// Engine is one run in the worker.
type Engine struct {
	Settings     settings.Settings
	sess         *train.Session[float32]
	trainSet     *data.Set
	testSet      *data.Set
	quick        *data.Set
	digits       *data.Set
	now          func() time.Time
	state        protocol.State
	failure      error
	trainTime    time.Duration // spent in training steps
	nextEval     time.Duration // trainTime of the next quick evaluation
	nextPoint    time.Duration // trainTime of the next train point
	lastWeights  time.Time
	runLoss      float64 // since the last train point
	runCorrect   int
	runN         int
	runBatches   int
	rate         rateMeter
	trainPoints  []protocol.Point // not yet sent
	testPoints   []protocol.Point
	alignPoints  []protocol.AlignPoint
	lastTrain    protocol.Point
	lastTest     protocol.Point
	hasTrain     bool
	hasTest      bool
	weightsDue   bool
	alignDue     bool      // the next step measures the alignment
	stepLosses   []float64 // of the first FirstLosses batches, not yet sent
	confusion    [][]int
	confusedAll  bool
	confusionDue bool
}

// New builds the run that s describes over the given data, and returns the model
// description with its pictures (buffers indexed by the Images).
func New(s settings.Settings, trainSet, testSet *data.Set, now func() time.Time) (*Engine, protocol.Model, [][]byte, error) {
	return NewFrom(nil, s, trainSet, testSet, now)
}

// NewFrom is New going on from a given network (a loaded one): s must carry the
// network's own settings (settings.WithNetwork). Its first evaluation covers the
// whole test set, so that the page shows where the network stands.
func NewFrom(net *nn.Network[float32], s settings.Settings, trainSet, testSet *data.Set, now func() time.Time) (*Engine, protocol.Model, [][]byte, error) {
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
		quick: testSet.Spread(QuickTestSize), digits: testSet.Subset(digitCount), weightsDue: true}
	model, bufs := e.describe()
	e.nextEval = 0 // the first evaluation comes right after the first step (the second under Run), not before it
	if net != nil {
		if err := e.evaluate(true); err != nil {
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
		if e.now().Sub(start) >= budget {
			break
		}
	}
	return nil
}

// StepOnce trains one batch, whatever the state (but a finished or failed run).
func (e *Engine) StepOnce() error {
	if e.state == protocol.Done || e.state == protocol.Failed {
		return nil
	}
	return e.step(true)
}

// step trains one batch, then adds a train point, and a test point (when due and
// evaluate is set), to the curves.
func (e *Engine) step(evaluate bool) error {
	// The step after each train point also measures the alignment (a backward pass
	// more, four times a second: it changes nothing in the run).
	e.sess.Align = e.alignDue && e.Settings.Mode != nn.Shallow
	e.alignDue = false
	t0 := e.now()
	res, err := e.sess.Step()
	dt := e.now().Sub(t0)
	if res.Angles != nil {
		e.addAlignPoint(res.Angles)
	}
	e.trainTime += dt
	e.rate.add(res.N, dt)
	if err != nil {
		return e.fail(err)
	}
	if e.sess.Steps <= FirstLosses {
		e.stepLosses = append(e.stepLosses, res.Loss)
	}
	e.runLoss += res.Loss * float64(res.N)
	e.runCorrect += res.Correct
	e.runN += res.N
	e.runBatches++
	if e.trainTime >= e.nextPoint {
		e.flushTrainPoint()
	}
	if res.EpochEnd {
		e.flushTrainPoint()
		if err := e.evaluate(true); err != nil {
			return e.fail(err)
		}
		if e.sess.Done() {
			e.state = protocol.Done
			e.weightsDue = true
		}
	} else if evaluate && e.trainTime >= e.nextEval {
		if err := e.evaluate(false); err != nil {
			return e.fail(err)
		}
	}
	return nil
}

func (e *Engine) fail(err error) error {
	e.state = protocol.Failed
	e.failure = err
	return err
}

func (e *Engine) flushTrainPoint() {
	if e.runN == 0 {
		return
	}
	p := protocol.Point{Samples: e.sess.Samples, Loss: e.runLoss / float64(e.runN),
		Accuracy: 100 * float64(e.runCorrect) / float64(e.runN)}
	if e.Settings.Loss == nn.CE {
		p.Loss = e.runLoss / float64(e.runN) // CE is already per sample
	} else {
		p.Loss *= float64(e.trainSet.Labels) // MSE and BCE: per sample, as the epoch figures are
	}
	e.trainPoints = append(e.trainPoints, p)
	e.lastTrain, e.hasTrain = p, true
	e.runLoss, e.runCorrect, e.runN, e.runBatches = 0, 0, 0, 0
	e.nextPoint = e.trainTime + trainPointEvery
	e.alignDue = true
}

func (e *Engine) addAlignPoint(angles []nn.LayerAngle) {
	hidden := len(e.sess.Net().Describe()) - 1
	p := protocol.AlignPoint{Samples: e.sess.Samples, Layers: make([]float64, hidden)}
	for i := range p.Layers {
		p.Layers[i] = -1
	}
	for _, a := range angles {
		if a.Layer < hidden && !math.IsNaN(a.Degrees) {
			p.Layers[a.Layer] = a.Degrees
		}
	}
	for _, a := range e.sess.Net().FeedbackAngles() {
		p.Feedback = append(p.Feedback, a.Degrees)
	}
	e.alignPoints = append(e.alignPoints, p)
}

// evaluate measures the quick test subset, or the whole test set, and schedules the
// next quick evaluation so that evaluation takes about a tenth of the time.
func (e *Engine) evaluate(full bool) error {
	set := e.quick
	if full {
		set = e.testSet
	}
	t0 := e.now()
	ev, err := train.Evaluate(e.sess.Net(), set, 250)
	if err != nil {
		return err
	}
	cost := e.now().Sub(t0)
	if full {
		cost = cost * time.Duration(e.quick.Len()) / time.Duration(max(1, set.Len()))
	}
	share, shortest, longest := evalShare, minEvalEvery, maxEvalEvery
	if e.trainTime < early {
		// The audience waits for these: a first, slow evaluation (the code still
		// warming up) must not space the next ones out.
		share, shortest, longest = earlyEvalShare, earlyEvalEvery, earlyEvalMost
	}
	gap := time.Duration(float64(cost) * (1 - share) / share)
	e.nextEval = e.trainTime + min(max(gap, shortest), longest)
	p := protocol.Point{Samples: e.sess.Samples, Loss: ev.Loss, Accuracy: ev.Accuracy, Full: full}
	e.testPoints = append(e.testPoints, p)
	if e.testSet.Classification() {
		e.confusion, e.confusedAll, e.confusionDue = ev.Confusion, full, true
	}
	e.lastTest, e.hasTest = p, true
	e.weightsDue = true
	return nil
}

// Snapshot returns the run's state and what changed since the last snapshot; the
// first layer's weights are redrawn at most every 400 ms, or when forced.
func (e *Engine) Snapshot(forceWeights bool) (protocol.SnapshotEvent, [][]byte) {
	s := e.sess
	snap := protocol.SnapshotEvent{
		State: e.state, Epoch: s.Epoch + 1, Batch: s.Batch, Step: s.Steps, Samples: s.Samples,
		SamplesPerSecond: e.rate.perSecond(),
		HasTrain:         e.hasTrain, TrainLoss: e.lastTrain.Loss, TrainAccuracy: e.lastTrain.Accuracy,
		HasTest: e.hasTest, TestLoss: e.lastTest.Loss, TestAccuracy: e.lastTest.Accuracy, TestFull: e.lastTest.Full,
		TrainPoints: e.trainPoints, TestPoints: e.testPoints, AlignPoints: e.alignPoints,
	}
	snap.StepLosses = e.stepLosses
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
		best := 0
		for j := 1; j < k; j++ {
			if y[r*k+j] > y[r*k+best] {
				best = j
			}
		}
		out[r] = best
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
// then repeats runs of steps, each reported in samples per second. Past the epoch's
// end it simply goes on into the next.
func (e *Engine) Bench(warmup, steps, repeats int) ([]float64, error) {
	if warmup < 0 || steps < 1 || repeats < 1 {
		return nil, fmt.Errorf("bench: %d warm-up steps, %d runs of %d steps: want runs and steps of at least 1", warmup, repeats, steps)
	}
	if e.sess.Opts.Epochs > 0 {
		e.sess.Opts.Epochs = 0 // no end: a benchmark may outlast a short run
	}
	runtime.GC() // what earlier runs left behind is not this one's to collect
	for range warmup {
		if _, err := e.sess.Step(); err != nil {
			return nil, err
		}
	}
	runs := make([]float64, repeats)
	for r := range runs {
		n := 0
		t0 := e.now()
		for range steps {
			res, err := e.sess.Step()
			if err != nil {
				return nil, err
			}
			n += res.N
		}
		runs[r] = float64(n) / e.now().Sub(t0).Seconds()
	}
	return runs, nil
}

// Median returns the median of v (0 if empty).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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
