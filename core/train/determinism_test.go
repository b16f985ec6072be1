package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
)

// determinismRuns are fixed-seed runs covering every rule, conv and FC blocks,
// dropout, every optimiser and every loss.
var determinismRuns = []struct {
	topology string
	mode     nn.Mode
	kind     optim.Kind
	loss     nn.Loss
	out      nn.Activation
	dropout  float64
}{
	{"FC_24_FC_16_FC_10", nn.BP, optim.Adam, nn.BCE, nn.Sigmoid, 0.2},
	{"CONV_3_3_1_1_FC_16_FC_10", nn.FA, optim.NAG, nn.MSE, nn.Tanh, 0},
	{"CONV_3_3_1_1_FC_16_FC_10", nn.DFA, optim.RMSprop, nn.CE, nn.None, 0.1},
	{"FC_24_FC_10", nn.SDFA, optim.SGD, nn.BCE, nn.Sigmoid, 0},
	{"CONV_4_3_1_0_FC_16_FC_10", nn.DRTP, optim.NAG, nn.BCE, nn.Sigmoid, 0.1},
	{"FC_24_FC_10", nn.Shallow, optim.Adam, nn.CE, nn.Sigmoid, 0},
}

// determinismLosses trains each run for 50 steps on seeded random data (sparse, like
// MNIST) and returns every loss as the hex of its float32 bits, one line per step.
func determinismLosses(t *testing.T) string {
	var sb strings.Builder
	for _, r := range determinismRuns {
		cfg := nn.Config{Topology: r.topology, InputSide: 8, InputChannels: 1, Labels: 10,
			Mode: r.mode, ConvAct: nn.Tanh, HiddenAct: nn.Tanh, OutputAct: r.out, Loss: r.loss,
			Dropout: r.dropout, Seed: 7}
		net, err := nn.New[float32](cfg)
		require.NoError(t, err)
		tr, err := New(net, r.kind, 0.01)
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(1, 2))
		for step := range 50 {
			b := randomBatch(rng, 16, 64, 10)
			res, err := tr.TrainBatch(b, false)
			loss := res.Loss
			require.NoError(t, err)
			fmt.Fprintf(&sb, "%s %s step %d: %08x\n", r.topology, r.mode, step, math.Float32bits(float32(loss)))
		}
	}
	return sb.String()
}

// randomBatch draws n samples of size values, 80% of them zero, with one-hot targets.
func randomBatch(rng *rand.Rand, n, size, labels int) data.Batch[float32] {
	b := data.Batch[float32]{X: make([]float32, n*size), T: make([]float32, n*labels), Labels: make([]int, n), N: n}
	for i := range b.X {
		if rng.Float64() < 0.2 {
			b.X[i] = float32(rng.Float64())
		}
	}
	for i := range n {
		c := rng.IntN(labels)
		b.Labels[i] = c
		b.T[i*labels+c] = 1
	}
	return b
}

// goldenLosses holds the losses of determinismRuns as committed: a change to the core
// that moves any of them, by one bit, fails here on every target. A change meant to
// move them (and still passing TestReferenceParity) writes the file anew with
// LWF_UPDATE_GOLDEN=1, and its commit says why.
const goldenLosses = "testdata/determinism-losses.txt"

// TestDeterministicLosses shows that one seed gives one run: twice in a process, the
// same as the committed golden, and, through the files named by LWF_DETERMINISM_OUT
// (written natively) and LWF_DETERMINISM_IN (read in WebAssembly), bit for bit
// across targets and builds.
func TestDeterministicLosses(t *testing.T) {
	first := determinismLosses(t)
	require.Equal(t, first, determinismLosses(t), "the same seed gave two different runs")
	if os.Getenv("LWF_UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(goldenLosses, []byte(first), 0o644))
	}
	golden, err := os.ReadFile(goldenLosses)
	require.NoError(t, err)
	assert.Equal(t, string(golden), first, "losses differ from the committed golden (%s)", goldenLosses)
	if out := os.Getenv("LWF_DETERMINISM_OUT"); out != "" {
		require.NoError(t, os.WriteFile(out, []byte(first), 0o644))
	}
	if in := os.Getenv("LWF_DETERMINISM_IN"); in != "" {
		want, err := os.ReadFile(in)
		require.NoError(t, err, "no losses from the native run to compare with (make test-native writes them)")
		assert.Equal(t, string(want), first, "losses differ from the native run's")
	}
}
