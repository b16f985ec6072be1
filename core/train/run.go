package train

import (
	"math"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/tensor"
)

// Run is a session as the command line and the page drive it: batch after batch, with
// the figures a run reports when they are due. It times the steps, gathers the
// running figures of the batches into points, evaluates on the schedule, and hands
// every figure to its hooks; the printer of the command line and the page's engine
// only present them. Nothing it measures changes the run: the same seed gives the
// same losses whatever the schedule or the clock.
type Run[F tensor.Float] struct {
	Session  *Session[F]
	Schedule Schedule
	Hooks    Hooks

	TrainTime time.Duration // spent in training steps, in all

	now       func() time.Time
	nextPoint time.Duration // TrainTime of the next point
	nextEval  time.Duration // TrainTime of the next quick evaluation
	quick     *data.Set     // the quick subset at its planned size
	perSample float64       // seconds per evaluated sample, from the last evaluation
	alignDue  bool
	alignCost time.Duration // the aligned steps' time beyond a plain step's, in all
	plainStep time.Duration // a plain step's time, a running mean
	point     tally         // since the last point
	epoch     tally         // since the epoch began
	epochTime time.Duration
}

// Schedule says when a run measures what it reports. Its zero value reports once an
// epoch: a point, and the test set's evaluation.
type Schedule struct {
	// PointEvery is the training time between points, each the running figures of the
	// batches since the last one; 0: one point at the end of each epoch.
	PointEvery time.Duration
	// Align says which steps measure their alignment with the true gradient.
	Align Aligning
	// AlignShare bounds, with AlignAfterPoint, the training time the alignment takes
	// (an aligned step's time beyond a plain step's, as measured): the step after a
	// point measures it only while that stays within AlignShare of the training time,
	// else a later step does. 0: no bound.
	AlignShare float64
	// Quick is the subset of the test set evaluated during an epoch, nil for none, on
	// the plan of PlanQuick (nil: the whole subset after every step).
	Quick     *data.Set
	PlanQuick Planner
	// EvalTrain evaluates the training set too at each epoch's end.
	EvalTrain bool
	// EvalBatch is the chunk of samples an evaluation runs at once (the figures do not
	// depend on it); 0 means 250.
	EvalBatch int
}

// Aligning says which training steps measure the alignment (a backward pass more).
type Aligning int

// The steps that measure the alignment.
const (
	AlignNever      Aligning = iota
	AlignEveryStep           // every step (the command line's --alignment)
	AlignAfterPoint          // the step after each point (the page, four times a second)
)

// Planner plans a run's quick evaluations: from the training time so far and what
// an evaluated sample costs, in seconds (at first an estimate from a training step),
// it returns the training time until the next evaluation and its size in samples,
// out of most. The page's engine plans them within a share of its time.
type Planner func(trained time.Duration, perSample float64, most int) (gap time.Duration, n int)

// everyStep is the plan without a Planner: the whole quick subset after every step.
func everyStep(_ time.Duration, _ float64, most int) (time.Duration, int) { return 0, most }

// Hooks receive the figures of a run as they come; any may be nil.
type Hooks struct {
	Step  func(res StepResult, took time.Duration)
	Point func(Point)
	Eval  func(Eval)
	Epoch func(Epoch)
}

// Point is the running figures of the training batches since the last point, measured
// on each batch before its update (with dropout, as trained).
type Point struct {
	Samples  int     // training samples seen in all, at the point
	Batches  int     // batches the point covers
	Loss     float64 // per sample, as the evaluations report it
	Accuracy float64 // percent of the samples classified right
	// Angles are each hidden layer's mean angle in degrees with the true gradient over
	// the aligned steps the point covers, NaN for a layer without any; nil when no step
	// was aligned.
	Angles []float64
}

// Eval is an evaluation of the run's network, in evaluation mode.
type Eval struct {
	Seen       int  // training samples seen when evaluated
	Full       bool // the whole set, not the quick subset
	Train      bool // the training set, not the test set
	Took       time.Duration
	Evaluation // its Samples are those of the evaluated set
}

// Epoch is the end of an epoch.
type Epoch struct {
	Epoch   int           // from 1
	Took    time.Duration // in training steps, evaluations apart
	Trained Point         // the running figures over the whole epoch
	Test    *Evaluation   // the whole test set, nil without one
	Train   *Evaluation   // the whole training set, with Schedule.EvalTrain
}

// NewRun drives sess on schedule, timing it with now (time.Now if nil).
func NewRun[F tensor.Float](sess *Session[F], schedule Schedule, hooks Hooks, now func() time.Time) *Run[F] {
	if now == nil {
		now = time.Now
	}
	if schedule.EvalBatch < 1 {
		schedule.EvalBatch = 250
	}
	if schedule.PlanQuick == nil {
		schedule.PlanQuick = everyStep
	}
	hidden := sess.Net().Layers() - 1
	r := &Run[F]{Session: sess, Schedule: schedule, Hooks: hooks, now: now, quick: schedule.Quick,
		point: newTally(hidden), epoch: newTally(hidden)}
	return r
}

// Advance trains one batch, then reports what is due: a point, an epoch's end with its
// evaluations, or, when quick is set, a quick evaluation. Quick unset holds a due
// quick evaluation for a later step (the page shows its first batch at once).
func (r *Run[F]) Advance(quick bool) (StepResult, error) {
	s := r.Session
	s.Align = r.Schedule.Align == AlignEveryStep || (r.Schedule.Align == AlignAfterPoint && r.alignDue && r.alignFits())
	if s.Align {
		r.alignDue = false
	}
	t0 := r.now()
	res, err := s.Step()
	took := r.now().Sub(t0)
	r.TrainTime += took
	r.epochTime += took
	if err != nil {
		return res, err
	}
	r.measureAlignment(s.Align, took)
	if r.Hooks.Step != nil {
		r.Hooks.Step(res, took)
	}
	r.point.add(res)
	r.epoch.add(res)
	if r.Schedule.PointEvery > 0 && r.TrainTime >= r.nextPoint {
		r.flushPoint()
	}
	if res.EpochEnd {
		return res, r.endEpoch()
	}
	if quick && r.Schedule.Quick != nil && r.TrainTime >= r.nextEval {
		_, err = r.Evaluate(false)
	}
	return res, err
}

// alignFits reports whether measuring the alignment now keeps it within its share.
func (r *Run[F]) alignFits() bool {
	share := r.Schedule.AlignShare
	return share <= 0 || r.alignCost.Seconds() <= share*r.TrainTime.Seconds()
}

// measureAlignment keeps a plain step's time, and what aligned steps took beyond it.
func (r *Run[F]) measureAlignment(aligned bool, took time.Duration) {
	switch {
	case !aligned && r.plainStep == 0:
		r.plainStep = took
	case !aligned:
		r.plainStep += (took - r.plainStep) / 8 // plain ← plain + (took − plain)/8
	case r.plainStep > 0:
		r.alignCost += max(took-r.plainStep, 0)
	default: // no plain step yet to compare with: half of it, as a backward pass costs about a forward one
		r.alignCost += took / 2
	}
}

// flushPoint reports the point of the batches since the last one.
func (r *Run[F]) flushPoint() {
	if r.point.n == 0 {
		return
	}
	p := r.point.take(r.Session.Samples, r.Session.Opts.Net)
	r.nextPoint = r.TrainTime + r.Schedule.PointEvery
	r.alignDue = true
	if r.Hooks.Point != nil {
		r.Hooks.Point(p)
	}
}

// endEpoch reports the epoch's last point, its evaluations and the epoch itself.
func (r *Run[F]) endEpoch() error {
	r.flushPoint()
	ep := Epoch{Epoch: r.Session.Epoch, Took: r.epochTime, Trained: r.epoch.take(r.Session.Samples, r.Session.Opts.Net)}
	r.epochTime = 0
	if r.Session.Test != nil {
		ev, err := r.Evaluate(true)
		if err != nil {
			return err
		}
		ep.Test = &ev
	}
	if r.Schedule.EvalTrain {
		ev, err := r.evaluate(r.Session.Train, true, true)
		if err != nil {
			return err
		}
		ep.Train = &ev
	}
	if r.Hooks.Epoch != nil {
		r.Hooks.Epoch(ep)
	}
	return nil
}

// Evaluate measures the quick subset at its planned size, or the whole test set, and
// plans the next quick evaluation from what this one cost.
func (r *Run[F]) Evaluate(full bool) (Evaluation, error) {
	if full || r.quick == nil {
		return r.evaluate(r.Session.Test, full, false)
	}
	if r.perSample == 0 && r.plainStep > 0 {
		// The first quick evaluation, whose cost is not measured yet, is sized from a
		// training step's: a sample's forward pass costs about a third of its step.
		q := r.Schedule.Quick
		if _, n := r.Schedule.PlanQuick(r.TrainTime, r.plainStep.Seconds()/float64(r.Session.Opts.BatchSize)/3, q.Len()); n != r.quick.Len() {
			r.quick = q.Spread(n)
		}
	}
	return r.evaluate(r.quick, full, false)
}

func (r *Run[F]) evaluate(set *data.Set, full, trainSet bool) (Evaluation, error) {
	t0 := r.now()
	ev, err := Evaluate(r.Session.Net(), set, r.Schedule.EvalBatch)
	if err != nil {
		return ev, err
	}
	took := r.now().Sub(t0)
	if ev.Samples > 0 {
		r.perSample = took.Seconds() / float64(ev.Samples)
	}
	if q := r.Schedule.Quick; q != nil {
		gap, n := r.Schedule.PlanQuick(r.TrainTime, r.perSample, q.Len())
		r.nextEval = r.TrainTime + gap
		if n != r.quick.Len() {
			r.quick = q.Spread(n)
		}
	}
	if r.Hooks.Eval != nil {
		r.Hooks.Eval(Eval{Seen: r.Session.Samples, Full: full, Train: trainSet, Took: took, Evaluation: ev})
	}
	return ev, nil
}

// tally sums the figures of steps until a point takes them.
type tally struct {
	loss       float64 // Σ batch loss × batch size
	correct, n int
	batches    int
	aligned    int
	angleSum   []float64 // per hidden layer
	angleCount []int
}

func newTally(hidden int) tally {
	return tally{angleSum: make([]float64, hidden), angleCount: make([]int, hidden)}
}

func (t *tally) add(res StepResult) {
	t.loss += res.Loss * float64(res.N)
	t.correct += res.Correct
	t.n += res.N
	t.batches++
	if res.Angles != nil {
		t.aligned++
	}
	for _, a := range res.Angles {
		if a.Layer < len(t.angleSum) && !math.IsNaN(a.Degrees) {
			t.angleSum[a.Layer] += a.Degrees
			t.angleCount[a.Layer]++
		}
	}
}

// take returns the tally as a point and starts it anew.
// samples is the run's count of training samples seen, cfg its network's settings.
func (t *tally) take(samples int, cfg nn.Config) Point {
	p := Point{Samples: samples, Batches: t.batches, Loss: t.loss / float64(max(t.n, 1)),
		Accuracy: 100 * float64(t.correct) / float64(max(t.n, 1))}
	if cfg.Loss != nn.CE {
		// A batch's MSE and BCE are means over its outputs too: × K is per sample.
		p.Loss *= float64(cfg.Labels)
	}
	if t.aligned > 0 {
		p.Angles = make([]float64, len(t.angleSum))
		for i := range p.Angles {
			p.Angles[i] = math.NaN()
			if t.angleCount[i] > 0 {
				p.Angles[i] = t.angleSum[i] / float64(t.angleCount[i])
			}
		}
	}
	*t = newTally(len(t.angleSum))
	return p
}
