package train

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/settings"
)

func synthOptions(topology string, mode nn.Mode) Options {
	s := settings.Default()
	s.Dataset, s.Topology, s.Mode, s.LR, s.Epochs, s.BatchSize = settings.Classification, topology, mode, 1e-3, 2, 64
	opts, err := OptionsFrom(s, settings.Shape{Channels: 1, Side: 16, Labels: 10}, 0)
	if err != nil {
		panic(err)
	}
	return opts
}

func TestSessionWalksEpochsInSeededOrder(t *testing.T) {
	trainSet := data.Classification(1, 300)
	sess, err := NewSession[float32](synthOptions("FC_16_FC_10", nn.DRTP), trainSet, nil)
	require.NoError(t, err)
	assert.Equal(t, 5, sess.BatchesPerEpoch())
	var ends []int
	for i := 1; !sess.Done(); i++ {
		res, err := sess.Step()
		require.NoError(t, err)
		if i%5 == 0 {
			assert.Equal(t, 300-4*64, res.N, "the last batch of an epoch is short")
		} else {
			assert.Equal(t, 64, res.N)
		}
		if res.EpochEnd {
			ends = append(ends, i)
		}
	}
	assert.Equal(t, []int{5, 10}, ends)
	assert.Equal(t, 600, sess.Samples)
	_, err = sess.Step()
	assert.ErrorContains(t, err, "the run is over: 2 epochs done")

	// The same seed gives the same run.
	again, err := NewSession[float32](synthOptions("FC_16_FC_10", nn.DRTP), trainSet, nil)
	require.NoError(t, err)
	for !again.Done() {
		_, err := again.Step()
		require.NoError(t, err)
	}
	for i, p := range sess.Net().Params() {
		assert.Equal(t, p.Value, again.Net().Params()[i].Value, p.Name)
	}
}

func TestSessionStopsOnDivergenceKeepingTheLastGoodWeights(t *testing.T) {
	// ReLU hidden units, no output activation, MSE and a learning rate of 100 explode.
	opts := synthOptions("FC_64_FC_10", nn.BP)
	opts.Net.HiddenAct, opts.Net.OutputAct, opts.Net.Loss = nn.ReLU, nn.None, nn.MSE
	opts.LR, opts.Optimizer, opts.Epochs = 100, optim.SGD, 50
	sess, err := NewSession[float32](opts, data.Classification(2, 640), nil)
	require.NoError(t, err)
	var before [][]float32
	for i := 0; i < 1000; i++ {
		before = before[:0]
		for _, p := range sess.Net().Params() {
			before = append(before, append([]float32(nil), p.Value...))
		}
		_, err = sess.Step()
		if err != nil {
			break
		}
	}
	require.ErrorIs(t, err, ErrDiverged)
	assert.Regexp(t, `training diverged at step \d+: the loss of batch \d+ \(epoch \d+\) is (NaN|\+Inf)\. Likely cause: the learning rate \(100\) is too high`, err.Error())
	for i, p := range sess.Net().Params() {
		assert.Equal(t, before[i], p.Value, "%s keeps its last good values", p.Name)
	}
}

func TestNewSessionRefusesMismatchedData(t *testing.T) {
	opts := synthOptions("FC_16_FC_10", nn.DRTP)
	_, err := NewSession[float32](opts, data.Regression(1, 10).Subset(0), nil)
	assert.ErrorContains(t, err, "the training set is empty")
	opts.Net.InputSide = 28
	_, err = NewSession[float32](opts, data.Classification(1, 10), nil)
	assert.ErrorContains(t, err, "has 1 channel(s) of 16x16 and 10 labels, the network expects 1 of 28x28 and 10")
	opts = synthOptions("FC_16_FC_10", nn.DRTP)
	opts.BatchSize = 0
	_, err = NewSession[float32](opts, data.Classification(1, 10), nil)
	assert.ErrorContains(t, err, "batch size 0: must be at least 1")
}

func TestEvaluate(t *testing.T) {
	set := data.Classification(3, 250)
	sess, err := NewSession[float64](synthOptions("FC_16_FC_10", nn.BP), set, set)
	require.NoError(t, err)
	whole, err := Evaluate(sess.Net(), set, 1000)
	require.NoError(t, err)
	chunked, err := Evaluate(sess.Net(), set, 7)
	require.NoError(t, err)
	assert.InDelta(t, whole.Loss, chunked.Loss, 1e-12, "the chunk size does not change the figures")
	assert.Equal(t, whole.Confusion, chunked.Confusion)

	total, diagonal := 0, 0
	for c, row := range whole.Confusion {
		for p, n := range row {
			total += n
			if c == p {
				diagonal += n
			}
		}
	}
	assert.Equal(t, 250, total)
	assert.Equal(t, whole.Correct, diagonal)
	assert.InDelta(t, 100*float64(diagonal)/250, whole.Accuracy, 1e-12)

	// The loss is the sum-reduced loss over the set divided by its samples.
	var b data.Batch[float64]
	idx := make([]int, 250)
	for i := range idx {
		idx[i] = i
	}
	require.NoError(t, data.Fill(set, &b, idx, false, nil))
	y, err := sess.Net().Forward(b.X, b.N, false)
	require.NoError(t, err)
	assert.InDelta(t, nn.LossSum(nn.BCE, y, b.T, b.Labels, b.N, 10)/250, whole.Loss, 1e-12)

	_, err = Evaluate(sess.Net(), set, 0)
	assert.ErrorContains(t, err, "evaluation batch size 0")
}

func TestAlignmentDoesNotChangeTheRun(t *testing.T) {
	set := data.Classification(4, 400)
	plain, err := NewSession[float32](synthOptions("FC_32_FC_16_FC_10", nn.DRTP), set, nil)
	require.NoError(t, err)
	aligned, err := NewSession[float32](synthOptions("FC_32_FC_16_FC_10", nn.DRTP), set, nil)
	require.NoError(t, err)
	aligned.Align = true
	for range 10 {
		a, err := plain.Step()
		require.NoError(t, err)
		b, err := aligned.Step()
		require.NoError(t, err)
		assert.Equal(t, a.Loss, b.Loss)
		assert.Nil(t, a.Angles)
		require.Len(t, b.Angles, 2)
		for _, an := range b.Angles {
			assert.True(t, an.Degrees > 0 && an.Degrees < 180, "layer %d: %v", an.Layer, an.Degrees)
		}
	}
}

func TestSessionFromAGivenNetwork(t *testing.T) {
	opts := synthOptions("FC_16_FC_10", nn.BP)
	net, err := nn.New[float32](opts.Net)
	require.NoError(t, err)
	net.Param("layers.1.fc.bias").Value[0] = 42
	sess, err := NewSessionFrom(net, opts, data.Classification(1, 100), nil)
	require.NoError(t, err)
	assert.Same(t, net, sess.Net())
	_, err = sess.Step()
	require.NoError(t, err)

	other := opts
	other.Net.Mode = nn.DRTP
	_, err = NewSessionFrom(net, other, data.Classification(1, 100), nil)
	assert.ErrorContains(t, err, "the options describe network FC_16_FC_10 trained with DRTP, not the given one (FC_16_FC_10 with BP)")
	_, err = NewSessionFrom(net, opts, data.Regression(1, 10).Subset(0), nil)
	assert.ErrorContains(t, err, "the training set is empty")
}

func TestMemoryEstimate(t *testing.T) {
	opts := synthOptions("FC_500_FC_10", nn.DRTP)
	opts.Net.InputSide, opts.BatchSize = 28, 100
	small, err := opts.MemoryBytes()
	require.NoError(t, err)
	// 784·500+500 + 500·10+10 weights, each with a gradient and a momentum, and the
	// 10×500 feedback matrix: 4.8 MB, plus a batch's buffers (2.2 MB).
	assert.InDelta(t, 7.0e6, float64(small), 0.5e6)
	opts.Optimizer = optim.Adam
	adam, err := opts.MemoryBytes()
	require.NoError(t, err)
	assert.InDelta(t, float64(small)+4*397510, float64(adam), 1, "a second moment per weight")
	opts.Net.Topology = "FC_10000_FC_10000_FC_10"
	huge, err := opts.MemoryBytes()
	require.NoError(t, err)
	assert.Greater(t, huge, int64(1.7e9), "108 M weights, with gradients and Adam's moments")
}

// arrivingMNISTLike returns an assembly of n 8×8 images with seeded pixels and labels,
// none arrived, and a function that adds part p.
func arrivingMNISTLike(t *testing.T, n int) (*data.Assembly, func(p int)) {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	labels := make([]uint8, n)
	pixels := make([]uint8, n*64)
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
	}
	for i := range pixels {
		if rng.IntN(5) == 0 {
			pixels[i] = uint8(rng.IntN(256))
		}
	}
	a, err := data.NewAssembly("arriving", 8, labels)
	require.NoError(t, err)
	all := data.Images{N: n, Rows: 8, Cols: 8, Pixels: pixels}
	return a, func(p int) { require.NoError(t, a.Add(p, all.Part(p))) }
}

func TestASessionWaitsForItsDataAndStaysTheSameRun(t *testing.T) {
	const n = 2*data.PartSize + 300
	opts := synthOptions("FC_16_FC_10", nn.DRTP)
	opts.Net.InputSide, opts.BatchSize, opts.Epochs = 8, 100, 2
	whole, addWhole := arrivingMNISTLike(t, n)
	for p := range data.Parts(n) {
		addWhole(p)
	}
	testWhole, addTestWhole := arrivingMNISTLike(t, 500)
	addTestWhole(0)
	arriving, add := arrivingMNISTLike(t, n)
	testArriving, addTest := arrivingMNISTLike(t, 500)

	ref, err := NewSession[float32](opts, whole.Set(), testWhole.Set())
	require.NoError(t, err)
	sess, err := NewSession[float32](opts, arriving.Set(), testArriving.Set())
	require.NoError(t, err)
	assert.False(t, sess.Ready(), "nothing has arrived")
	add(1)
	assert.False(t, sess.Ready(), "part 1 is of no use before part 0")
	add(0)
	steps := 0
	for sess.Ready() {
		a, err := ref.Step()
		require.NoError(t, err)
		b, err := sess.Step()
		require.NoError(t, err)
		require.Equal(t, a.Loss, b.Loss, "step %d", steps+1)
		steps++
	}
	assert.Equal(t, (len(data.PartSamples(n, 0))+len(data.PartSamples(n, 1)))/100, steps, "the first epoch trains on parts 0 and 1, then waits for part 2")
	add(2)
	for sess.Ready() {
		_, err := sess.Step()
		require.NoError(t, err)
	}
	assert.Equal(t, sess.BatchesPerEpoch()-1, sess.Steps, "the epoch's last batch waits for the test set, which its end evaluates")
	addTest(0)
	require.True(t, sess.Ready())
	for !ref.Done() {
		a, err := ref.Step()
		require.NoError(t, err)
		if ref.Steps <= sess.Steps {
			continue
		}
		b, err := sess.Step()
		require.NoError(t, err)
		require.Equal(t, a.Loss, b.Loss, "step %d", ref.Steps)
	}
	assert.True(t, sess.Done())
	assert.False(t, sess.Ready(), "a finished run has no next step")
}
