package engine

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// fakeClock advances by tick at every reading.
func fakeClock(tick time.Duration) func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(tick); return t }
}

func synthSettings(mode nn.Mode) settings.Settings {
	s := settings.Default()
	s.Dataset, s.Topology, s.Mode, s.LR, s.Epochs, s.BatchSize = settings.Classification, "FC_32_FC_10", mode, 1e-3, 2, 50
	return s
}

func newEngine(t *testing.T, s settings.Settings, n int) (*Engine, protocol.Model, [][]byte) {
	t.Helper()
	trainSet, testSet := data.Classification(1, n), data.Classification(2, 300)
	e, m, bufs, err := New(s, Data{Train: trainSet, Test: testSet}, fakeClock(10*time.Millisecond))
	require.NoError(t, err)
	return e, m, bufs
}

func TestModelDescribesTheRule(t *testing.T) {
	tests := []struct {
		mode     nn.Mode
		topology string
		pictures []string
	}{
		{nn.BP, "FC_32_FC_10", nil},
		{nn.DRTP, "FC_32_FC_10", []string{"B1", "targets"}},
		{nn.DFA, "FC_32_FC_16_FC_10", []string{"B1", "B2"}},
		{nn.FA, "FC_32_FC_16_FC_10", []string{"B2", "B3"}},
		{nn.DRTP, "CONV_4_3_1_1_FC_10", []string{"B1", "targets"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+"/"+tt.topology, func(t *testing.T) {
			s := synthSettings(tt.mode)
			s.Topology = tt.topology
			e, m, bufs := newEngine(t, s, 200)
			var names []string
			for _, img := range m.Feedback {
				names = append(names, img.Name)
				require.Less(t, img.Buffer, len(bufs))
				assert.Len(t, bufs[img.Buffer], 4*img.W*img.H, img.Name)
				assert.NotEmpty(t, img.Caption)
			}
			assert.Equal(t, tt.pictures, names)
			assert.Equal(t, tt.mode, m.Mode)
			js, err := json.Marshal(m)
			require.NoError(t, err)
			assert.Contains(t, string(js), `"Mode":"`+tt.mode.String()+`"`, "the rule travels by name")
			assert.Len(t, m.Layers, len(e.sess.Net().Describe()))
			assert.Equal(t, 4, m.BatchesPerEpoch)
			assert.Nil(t, m.Digits, "synthetic sets have no digits to show")
		})
	}
}

func TestRunTrainsEvaluatesAndSnapshots(t *testing.T) {
	e, _, _ := newEngine(t, synthSettings(nn.DRTP), 400)
	snap, bufs := e.Snapshot(false)
	assert.Equal(t, protocol.Paused, snap.State)
	assert.Empty(t, snap.TestPoints, "nothing delays the first step")
	require.NotNil(t, snap.Weights, "the first snapshot draws the weights")
	assert.Len(t, bufs[0], 4*snap.Weights.W*snap.Weights.H)
	assert.Equal(t, 32, snap.Weights.Tiles, "one tile per unit")

	require.NoError(t, e.StepOnce())
	snap, _ = e.Snapshot(false)
	assert.Equal(t, 1, snap.Step)
	assert.Equal(t, protocol.Paused, snap.State, "a single step does not start training")
	require.Len(t, snap.TestPoints, 1, "evaluated right after the first step")
	assert.Equal(t, 50, snap.TestPoints[0].Samples)

	e.Play()
	require.NoError(t, e.Run(time.Second))
	snap, _ = e.Snapshot(false)
	assert.Equal(t, protocol.Done, snap.State, "two epochs of 8 batches fit in a second of fake time")
	assert.Equal(t, 16, snap.Step)
	assert.Equal(t, 3, snap.Epoch)
	assert.NotEmpty(t, snap.TrainPoints)
	var full int
	for _, p := range snap.TestPoints {
		if p.Full {
			full++
		}
	}
	assert.Equal(t, 2, full, "the whole test set after each epoch")
	assert.True(t, snap.TestFull)
	assert.Greater(t, snap.SamplesPerSecond, 0.0)

	_, err := json.Marshal(snap)
	assert.NoError(t, err)
}

func TestEvaluationKeepsPace(t *testing.T) {
	// A step takes 10 ms of fake time for 50 samples, 5000 samples/s, and evaluation is
	// cheap: test points come every 250 ms of training (1250 samples) in the first 15 s,
	// then every 750 ms (3750 samples), the shortest intervals, and never more than 8 s
	// (40000 samples) apart.
	s := synthSettings(nn.DRTP)
	s.Epochs = 100
	e, _, _ := newEngine(t, s, 5000)
	e.Play()
	require.NoError(t, e.Run(time.Second)) // the first batch alone
	require.NoError(t, e.Run(40*time.Second))
	snap, _ := e.Snapshot(false)
	require.Greater(t, len(snap.TestPoints), 5)
	require.Greater(t, len(snap.AlignPoints), 10, "alignment measured along the way")
	for _, p := range snap.AlignPoints {
		require.Len(t, p.Layers, 1)
		assert.True(t, p.Layers[0] > 0 && p.Layers[0] < 180, "DRTP's angle: %v", p.Layers[0])
		assert.Nil(t, p.Feedback)
	}
	early := 0
	for i := 1; i < len(snap.TestPoints); i++ {
		gap := snap.TestPoints[i].Samples - snap.TestPoints[i-1].Samples
		if gap < 3750 {
			early++
		}
		if !snap.TestPoints[i].Full {
			shortest := 3750
			if snap.TestPoints[i-1].Samples < 15*5000 {
				shortest = 1250
			}
			assert.GreaterOrEqual(t, gap, shortest, "point %d", i)
		}
		assert.LessOrEqual(t, gap, 40000, "point %d", i)
	}
	assert.Greater(t, early, 20, "points come more often in the first seconds")
}

func TestDivergenceStopsTheRun(t *testing.T) {
	s := synthSettings(nn.BP)
	s.HiddenAct, s.OutputAct, s.Loss, s.LR, s.Optimizer, s.Epochs = nn.ReLU, nn.None, nn.MSE, 100, 0, 100
	e, _, _ := newEngine(t, s, 2000)
	e.Play()
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = e.Run(100 * time.Millisecond)
	}
	require.Error(t, err)
	assert.Equal(t, protocol.Failed, e.State())
	assert.Regexp(t, `training diverged at step \d+: the loss of batch \d+ \(epoch \d+\) is (NaN|\+Inf)\. Likely cause: the learning rate \(100\) is too high for SGD with relu hidden units, none output and the MSE loss`, err.Error())
	snap, _ := e.Snapshot(true)
	assert.Equal(t, protocol.Failed, snap.State)
	_, jerr := json.Marshal(snap)
	assert.NoError(t, jerr, "no NaN reaches JSON")
	require.NoError(t, e.StepOnce(), "a failed run does not step")
	assert.Equal(t, snap.Step, e.sess.Steps)
}

func TestBench(t *testing.T) {
	// A clock that moves 10 ms at each reading: a run of steps reads it twice.
	e, _, _, err := New(synthSettings(nn.DRTP), Data{Train: data.Classification(1, 200), Test: data.Classification(2, 300)}, fakeClock(10*time.Millisecond))
	require.NoError(t, err)
	runs, err := e.Bench(2, 5, 3) // 4 batches an epoch, 2 epochs: 17 steps, past the run's end
	require.NoError(t, err)
	require.Len(t, runs, 3)
	for _, r := range runs {
		assert.InDelta(t, 5*50/0.01, r, 1e-6, "5 steps of 50 samples in each 10 ms run, the warm-up left out")
	}
	assert.Equal(t, 0, e.Steps(), "the benchmark trains a copy, not the run")
	_, err = e.Bench(0, 0, 1)
	assert.ErrorContains(t, err, "want runs and steps of at least 1")
}

func TestBenchLeavesTheRunAsItWas(t *testing.T) {
	// A benchmark longer than the run (17 steps, the run's 2 epochs are 8) in the
	// middle of its first epoch: the run then goes on from where it was and ends
	// after its 2 epochs.
	e, _, _ := newEngine(t, synthSettings(nn.DRTP), 200)
	require.NoError(t, e.StepOnce())
	opts := e.sess.Opts
	weights := append([]float32(nil), e.Network().Param("layers.0.fc.weight").Value...)
	_, err := e.Bench(2, 5, 3)
	require.NoError(t, err)
	assert.Equal(t, opts, e.sess.Opts, "the run's options")
	assert.Equal(t, []int{0, 1, 1}, []int{e.sess.Epoch, e.sess.Batch, e.sess.Steps}, "where the run is")
	assert.True(t, slices.Equal(weights, e.Network().Param("layers.0.fc.weight").Value), "the run's weights")
	for i := 0; i < 100 && e.State() != protocol.Done; i++ {
		require.NoError(t, e.StepOnce())
	}
	assert.Equal(t, protocol.Done, e.State(), "the run ends")
	assert.Equal(t, []int{2, 8}, []int{e.sess.Epoch, e.sess.Steps}, "after its 2 epochs of 4 batches")
	assert.True(t, e.sess.Done())
}

func TestConfusionAndPrediction(t *testing.T) {
	e, _, _ := newEngine(t, synthSettings(nn.DRTP), 400)
	require.NoError(t, e.StepOnce())
	snap, _ := e.Snapshot(false)
	require.Len(t, snap.Confusion, 10, "the evaluation after the first step")
	total := 0
	for _, row := range snap.Confusion {
		for _, n := range row {
			total += n
		}
	}
	assert.Equal(t, 300, total, "every sample of the quick subset (the test set here is smaller)")
	again, _ := e.Snapshot(false)
	assert.Nil(t, again.Confusion, "sent once")

	x := make([]float32, 256)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	pred, err := e.Predict(x)
	require.NoError(t, err)
	require.Len(t, pred.Confidence, 10)
	sum := 0.0
	for _, c := range pred.Confidence {
		sum += c
	}
	assert.InDelta(t, 1, sum, 1e-9)
	best := 0
	for i, c := range pred.Confidence {
		if c > pred.Confidence[best] {
			best = i
		}
	}
	assert.Equal(t, best, pred.Class)
	_, err = e.Predict(x[:10])
	assert.ErrorContains(t, err, "predict: batch inputs: got 10 values for 1 samples, want 256 each")
}

func TestHugeNetworksAreRefusedUpFront(t *testing.T) {
	s := synthSettings(nn.DRTP)
	s.Topology, s.Optimizer = "FC_20000_FC_10000_FC_10", optim.Adam
	_, _, _, err := New(s, Data{Train: data.Classification(1, 100), Test: data.Classification(2, 100)}, nil)
	require.Error(t, err)
	assert.Regexp(t, `topology FC_20000_FC_10000_FC_10 would need about \d+\.\d GB to train here \(its weights, their gradients, Adam's state and a batch of 50\), more than a browser tab can give \(1 GB\)`, err.Error())
}

func TestFirstBatchIsShownBeforeTheFirstEvaluation(t *testing.T) {
	e, _, _ := newEngine(t, synthSettings(nn.DRTP), 400)
	e.Play()
	require.NoError(t, e.Run(time.Second))
	snap, _ := e.Snapshot(false)
	assert.Equal(t, 1, snap.Step, "the first slice is one batch, whatever its budget")
	assert.Empty(t, snap.TestPoints, "its evaluation waits for the next slice")
	require.NoError(t, e.Run(10*time.Millisecond))
	snap, _ = e.Snapshot(false)
	require.NotEmpty(t, snap.TestPoints)
	assert.Equal(t, 100, snap.TestPoints[0].Samples, "evaluated after the second batch")
}

func TestARunWaitsForDataOnItsWay(t *testing.T) {
	// 2 parts of training images, the second still on its way; the test set whole.
	const n = data.PartSize + 500
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(i % 10)
	}
	a, err := data.NewAssembly("arriving", 16, labels)
	require.NoError(t, err)
	all := data.Images{N: n, Rows: 16, Cols: 16, Pixels: make([]uint8, n*256)}
	for i := range all.Pixels {
		all.Pixels[i] = uint8(i * 7)
	}
	part := all.Part
	require.NoError(t, a.Add(0, part(0)))
	s := synthSettings(nn.DRTP)
	e, _, _, err := New(s, Data{Train: a.Set(), Test: data.Classification(2, 300)}, fakeClock(10*time.Millisecond))
	require.NoError(t, err)
	e.Play()
	for range 200 {
		require.NoError(t, e.Run(time.Second))
	}
	snap, _ := e.Snapshot(false)
	assert.Equal(t, len(data.PartSamples(n, 0))/50, snap.Step, "the first part trained, no more")
	assert.True(t, snap.Waiting)
	assert.Equal(t, protocol.Training, snap.State, "still training: it goes on when the data comes")
	require.NoError(t, e.StepOnce(), "a step that cannot be made is no error")
	assert.Equal(t, len(data.PartSamples(n, 0))/50, e.Steps())

	require.NoError(t, a.Add(1, part(1)))
	require.NoError(t, e.Run(time.Second))
	snap, _ = e.Snapshot(false)
	assert.False(t, snap.Waiting)
	assert.Greater(t, snap.Step, len(data.PartSamples(n, 0))/50)
}
