package train

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
)

// tickClock advances by tick at every reading: a step, or an evaluation of any size,
// costs one tick.
func tickClock(tick time.Duration) func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(tick); return t }
}

// runOptions is a small DRTP run over 400 synthetic samples, 8 batches an epoch.
func runOptions() (Options, *data.Set, *data.Set) {
	opts := synthOptions("FC_16_FC_10", nn.DRTP)
	opts.BatchSize = 50
	return opts, data.Classification(1, 400), data.Classification(2, 2000)
}

func TestRunPlansEachEvaluationFromTheLastOnesCost(t *testing.T) {
	// A step of 50 samples, and every evaluation whatever its size, costs one tick
	// (10 ms), so an evaluation's cost per sample doubles when its size halves. The
	// plan evaluates what 5 ms cost, at least 10 samples: the sizes fall to 10. The
	// first, not measured yet, is sized from a step's cost: a sample's forward pass is
	// a third of its step, 67 µs, of which 5 ms fit 75.
	opts, trainSet, testSet := runOptions()
	opts.Epochs = 0
	sess, err := NewSession[float32](opts, trainSet, testSet)
	require.NoError(t, err)
	var evals []Eval
	plan := func(_ time.Duration, perSample float64, most int) (time.Duration, int) {
		if perSample == 0 {
			return time.Millisecond, most
		}
		return time.Millisecond, min(max(int(0.005/perSample+1e-9), 10), most)
	}
	run := NewRun(sess, Schedule{Quick: testSet, PlanQuick: plan}, Hooks{Eval: func(e Eval) { evals = append(evals, e) }},
		tickClock(10*time.Millisecond))
	for range 200 {
		_, err := run.Advance(true)
		require.NoError(t, err)
	}
	var sizes []int
	for _, e := range evals {
		if !e.Full {
			sizes = append(sizes, e.Samples)
		}
	}
	require.Greater(t, len(sizes), 4)
	assert.Equal(t, []int{75, 37, 18, 10, 10}, sizes[:5], "the first from a step's cost, each next from the last one's")
	assert.GreaterOrEqual(t, slices.Min(sizes), 10, "never under the fewest: %v", sizes)
}

func TestRunReportsPointsEvaluationsAndEpochs(t *testing.T) {
	opts, trainSet, testSet := runOptions()
	sess, err := NewSession[float32](opts, trainSet, testSet)
	require.NoError(t, err)
	var steps []StepResult
	var points []Point
	var epochs []Epoch
	var evals []Eval
	run := NewRun(sess, Schedule{Align: AlignEveryStep, EvalTrain: true}, Hooks{
		Step:  func(res StepResult, _ time.Duration) { steps = append(steps, res) },
		Point: func(p Point) { points = append(points, p) },
		Eval:  func(e Eval) { evals = append(evals, e) },
		Epoch: func(e Epoch) { epochs = append(epochs, e) },
	}, tickClock(time.Millisecond))
	for !sess.Done() {
		_, err := run.Advance(true)
		require.NoError(t, err)
	}
	require.Len(t, steps, 16)
	require.Len(t, epochs, 2)
	require.Len(t, points, 2, "the zero schedule: one point an epoch")
	require.Len(t, evals, 4, "the test set, then the training set, after each epoch")
	assert.False(t, evals[0].Train)
	assert.True(t, evals[1].Train)

	// The epoch's point is its batches' mean loss per sample: BCE is a mean over the
	// 10 outputs too.
	var loss, angle float64
	correct := 0
	for _, s := range steps[:8] {
		loss += s.Loss * float64(s.N)
		correct += s.Correct
		require.Len(t, s.Angles, 1)
		angle += s.Angles[0].Degrees
	}
	first := epochs[0]
	assert.Equal(t, 1, first.Epoch)
	assert.Equal(t, 8*time.Millisecond, first.Took, "one tick per step, evaluations apart")
	assert.Equal(t, points[0], first.Trained)
	assert.Equal(t, 400, first.Trained.Samples)
	assert.Equal(t, 8, first.Trained.Batches)
	assert.InDelta(t, 10*loss/400, first.Trained.Loss, 1e-12)
	assert.InDelta(t, 100*float64(correct)/400, first.Trained.Accuracy, 1e-12)
	require.Len(t, first.Trained.Angles, 1)
	assert.InDelta(t, angle/8, first.Trained.Angles[0], 1e-9, "the mean over the epoch's aligned steps")
	require.NotNil(t, first.Test)
	require.NotNil(t, first.Train)
	assert.Equal(t, 2000, first.Test.Samples)
	assert.Equal(t, 400, first.Train.Samples)
	assert.Equal(t, 800, epochs[1].Trained.Samples)
}

func TestRunPointsFollowTrainingTime(t *testing.T) {
	opts, trainSet, testSet := runOptions()
	opts.Net.Loss, opts.Net.OutputAct = nn.CE, nn.None
	sess, err := NewSession[float32](opts, trainSet, testSet)
	require.NoError(t, err)
	var points []Point
	var steps []StepResult
	run := NewRun(sess, Schedule{PointEvery: 30 * time.Millisecond, Align: AlignAfterPoint}, Hooks{
		Step:  func(res StepResult, _ time.Duration) { steps = append(steps, res) },
		Point: func(p Point) { points = append(points, p) },
	}, tickClock(10*time.Millisecond))
	for range 8 {
		_, err := run.Advance(true)
		require.NoError(t, err)
	}
	// A step is 10 ms: a point after the first step, then every third, and at the
	// epoch's end.
	var batches []int
	for _, p := range points {
		batches = append(batches, p.Batches)
	}
	assert.Equal(t, []int{1, 3, 3, 1}, batches)
	assert.Equal(t, steps[0].Loss, points[0].Loss, "CE is already per sample")
	assert.Nil(t, points[0].Angles, "the first step is not aligned")
	for i, s := range steps {
		aligned := i == 1 || i == 4 || i == 7 // the step after each point
		assert.Equal(t, aligned, s.Angles != nil, "step %d", i+1)
	}
	for _, p := range points[1:] {
		require.Len(t, p.Angles, 1)
		assert.False(t, math.IsNaN(p.Angles[0]))
	}
}

func TestWhatARunMeasuresChangesNothing(t *testing.T) {
	// The same seed, stepped plainly and under a busy schedule (every step aligned, a
	// quick evaluation after each), gives the same losses bit for bit.
	opts, trainSet, testSet := runOptions()
	opts.Net.Dropout = 0.2
	plain, err := NewSession[float32](opts, trainSet, testSet)
	require.NoError(t, err)
	busy, err := NewSession[float32](opts, trainSet, testSet)
	require.NoError(t, err)
	run := NewRun(busy, Schedule{PointEvery: time.Nanosecond, Align: AlignEveryStep, Quick: testSet.Spread(100),
		EvalTrain: true}, Hooks{}, tickClock(time.Millisecond))
	for !plain.Done() {
		a, err := plain.Step()
		require.NoError(t, err)
		b, err := run.Advance(true)
		require.NoError(t, err)
		require.Equal(t, math.Float64bits(a.Loss), math.Float64bits(b.Loss), "step %d", plain.Steps)
	}
}

func TestRunKeepsTheAlignmentWithinItsShare(t *testing.T) {
	// A point after every step; an aligned step costs three plain ones. Unbounded,
	// every step after the first is aligned; bounded, the alignment's extra time keeps
	// to its share, and is still measured now and then.
	tests := []struct {
		name      string
		share     float64
		wantShare float64 // of the training time spent aligning, about
	}{
		{"unbounded", 0, 0},
		{"a twentieth", 0.05, 0.05},
		{"a fifth", 0.2, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, trainSet, testSet := runOptions()
			opts.Epochs = 50
			sess, err := NewSession[float32](opts, trainSet, testSet)
			require.NoError(t, err)
			clock := time.Unix(0, 0)
			now := func() time.Time { // read before and after each step: the second reading is its cost
				tick := time.Millisecond
				if sess.Align {
					tick = 3 * time.Millisecond
				}
				clock = clock.Add(tick)
				return clock
			}
			aligned := 0
			run := NewRun(sess, Schedule{PointEvery: time.Nanosecond, Align: AlignAfterPoint, AlignShare: tt.share},
				Hooks{Step: func(res StepResult, _ time.Duration) {
					if res.Angles != nil {
						aligned++
					}
				}}, now)
			for range 400 {
				_, err := run.Advance(false)
				require.NoError(t, err)
			}
			extra := 2 * time.Millisecond * time.Duration(aligned)
			got := extra.Seconds() / run.TrainTime.Seconds()
			if tt.share == 0 {
				assert.Equal(t, 399, aligned, "every step after a point")
				return
			}
			assert.LessOrEqual(t, got, tt.share+0.01, "the share holds")
			assert.Greater(t, got, tt.wantShare*0.8, "and is used")
		})
	}
}
