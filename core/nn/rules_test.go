package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
)

// smallConfig is a conv network small enough to check by hand.
func smallConfig(mode Mode) Config {
	return Config{Topology: "CONV_3_3_1_1_FC_8_FC_4", InputSide: 6, InputChannels: 1, Labels: 4,
		Mode: mode, ConvAct: Tanh, HiddenAct: Tanh, OutputAct: Sigmoid, Loss: BCE, Seed: 11}
}

func classBatch(rng *rand.Rand, net *Network[float64], n int) data.Batch[float64] {
	k := net.Outputs()
	b := data.Batch[float64]{X: make([]float64, n*net.InputSize()), T: make([]float64, n*k), Labels: make([]int, n), N: n}
	for i := range b.X {
		b.X[i] = rng.Float64()
	}
	for i := range n {
		b.Labels[i] = rng.IntN(k)
		b.T[i*k+b.Labels[i]] = 1
	}
	return b
}

func gradsOf(net *Network[float64], names ...string) map[string][]float64 {
	out := map[string][]float64{}
	for _, name := range names {
		out[name] = append([]float64(nil), net.Param(name).Grad...)
	}
	return out
}

var hiddenNames = []string{"layers.0.conv.weight", "layers.0.conv.bias", "layers.1.fc.weight", "layers.1.fc.bias"}

func TestDRTPHiddenUpdatesIgnoreTheOutputError(t *testing.T) {
	// Changing the output layer changes the output error: DFA's hidden updates follow
	// it, DRTP's do not move at all.
	for _, tt := range []struct {
		mode    Mode
		changes bool
	}{{DRTP, false}, {DFA, true}, {FA, true}, {BP, true}} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			net, err := New[float64](smallConfig(tt.mode))
			require.NoError(t, err)
			b := classBatch(rand.New(rand.NewPCG(1, 1)), net, 5)
			_, err = net.Gradients(b)
			require.NoError(t, err)
			before := gradsOf(net, hiddenNames...)
			out := net.Param("layers.2.fc.weight").Value
			for i := range out {
				out[i] = -3*out[i] + 0.5
			}
			_, err = net.Gradients(b)
			require.NoError(t, err)
			after := gradsOf(net, hiddenNames...)
			if tt.changes {
				assert.NotEqual(t, before, after)
			} else {
				assert.Equal(t, before, after)
			}
		})
	}
}

func TestDRTPNeedsNothingFromTheLayersAbove(t *testing.T) {
	// With NaN in the output layer nothing computed above a hidden layer is usable:
	// DRTP's hidden gradients stay finite and unchanged, because it never runs a
	// backward pass through the layers above.
	net, err := New[float64](smallConfig(DRTP))
	require.NoError(t, err)
	b := classBatch(rand.New(rand.NewPCG(2, 2)), net, 5)
	_, err = net.Gradients(b)
	require.NoError(t, err)
	want := gradsOf(net, hiddenNames...)
	for i := range net.Param("layers.2.fc.weight").Value {
		net.Param("layers.2.fc.weight").Value[i] = math.NaN()
	}
	_, err = net.Gradients(b)
	require.NoError(t, err)
	assert.Equal(t, want, gradsOf(net, hiddenNames...))
	assert.True(t, math.IsNaN(net.Param("layers.2.fc.bias").Grad[0]), "the output layer itself does see the NaN")
}

func TestDRTPSignalIsARowOfB(t *testing.T) {
	// One hidden layer: dW = xᵀ·(B[c] ⊙ f'(a)), db = Σ B[c] ⊙ f'(a), written out here.
	cfg := Config{Topology: "FC_5_FC_3", InputSide: 2, InputChannels: 1, Labels: 3, Mode: DRTP,
		HiddenAct: Sigmoid, OutputAct: Sigmoid, Loss: BCE, Seed: 4}
	net, err := New[float64](cfg)
	require.NoError(t, err)
	b := classBatch(rand.New(rand.NewPCG(3, 3)), net, 4)
	_, err = net.Gradients(b)
	require.NoError(t, err)
	w, bias, fb := net.Param("layers.0.fc.weight"), net.Param("layers.0.fc.bias"), net.Param("layers.0.hook.feedback")
	W, B := w.Torch(), fb.Torch() // [5][4], [3][5]
	wantW, wantB := make([]float64, 20), make([]float64, 5)
	for s := range b.N {
		x := b.X[s*4 : s*4+4]
		c := b.Labels[s]
		for j := range 5 {
			a := bias.Value[j]
			for i := range 4 {
				a += W[j*4+i] * x[i]
			}
			h := 1 / (1 + math.Exp(-a))
			d := B[c*5+j] * h * (1 - h)
			wantB[j] += d
			for i := range 4 {
				wantW[j*4+i] += d * x[i]
			}
		}
	}
	assert.InDeltaSlice(t, wantW, w.TorchGrad(), 1e-12)
	assert.InDeltaSlice(t, wantB, bias.Grad, 1e-12)
}

func TestSDFAUsesTheSignOfTheError(t *testing.T) {
	// Scaling the output error without changing its sign leaves sDFA unmoved: with a
	// sigmoid output below 1 and one-hot targets, e = y − t has a fixed sign pattern.
	net, err := New[float64](smallConfig(SDFA))
	require.NoError(t, err)
	b := classBatch(rand.New(rand.NewPCG(4, 4)), net, 3)
	_, err = net.Gradients(b)
	require.NoError(t, err)
	before := gradsOf(net, hiddenNames...)
	out := net.Param("layers.2.fc.weight").Value
	for i := range out {
		out[i] *= 0.5
	}
	_, err = net.Gradients(b)
	require.NoError(t, err)
	assert.Equal(t, before, gradsOf(net, hiddenNames...))
}

func TestFAOutputUpdateEqualsBP(t *testing.T) {
	// The same seed gives FA and BP the same forward weights; the output layer's own
	// update is exact under FA, only what it sends down goes through B.
	fa, err := New[float64](smallConfig(FA))
	require.NoError(t, err)
	bp, err := New[float64](smallConfig(BP))
	require.NoError(t, err)
	b := classBatch(rand.New(rand.NewPCG(5, 5)), fa, 6)
	_, err = fa.Gradients(b)
	require.NoError(t, err)
	_, err = bp.Gradients(b)
	require.NoError(t, err)
	for _, name := range []string{"layers.2.fc.weight", "layers.2.fc.bias"} {
		assert.Equal(t, bp.Param(name).Grad, fa.Param(name).Grad, name)
	}
	assert.NotEqual(t, bp.Param("layers.1.fc.weight").Grad, fa.Param("layers.1.fc.weight").Grad)
}

func TestTrueGradientsAreBPs(t *testing.T) {
	for _, mode := range Modes() {
		t.Run(mode.String(), func(t *testing.T) {
			net, err := New[float64](smallConfig(mode))
			require.NoError(t, err)
			bp, err := New[float64](smallConfig(BP))
			require.NoError(t, err)
			b := classBatch(rand.New(rand.NewPCG(6, 6)), net, 4)
			_, err = net.Gradients(b)
			require.NoError(t, err)
			_, err = bp.Gradients(b)
			require.NoError(t, err)
			rule := gradsOf(net, "layers.0.conv.weight", "layers.1.fc.weight")
			hg, err := net.TrueGradients()
			require.NoError(t, err)
			require.Len(t, hg, 2)
			for _, g := range hg {
				assert.InDeltaSlice(t, bp.Param(g.Weight.Name).Grad, g.BP, 1e-15, g.Weight.Name)
				assert.Equal(t, rule[g.Weight.Name], g.Rule, "the rule's own gradient is left as it was")
			}
		})
	}
}

func TestTrueGradientsReuseTheNetworksBuffers(t *testing.T) {
	// After the first aligned step TrueGradients writes into buffers the network
	// holds: it allocates nothing, and what it computes, whatever the buffers held
	// before, is what fresh buffers get, bit for bit.
	for _, mode := range Modes() {
		t.Run(mode.String(), func(t *testing.T) {
			net, err := New[float64](smallConfig(mode))
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(9, 9))
			first, b := classBatch(rng, net, 5), classBatch(rng, net, 7)
			_, err = net.Gradients(first)
			require.NoError(t, err)
			_, err = net.TrueGradients() // the buffers now hold the first batch's gradients
			require.NoError(t, err)
			_, err = net.Gradients(b)
			require.NoError(t, err)

			fresh := make([]layerGrad[float64], len(net.layers))
			for i, l := range net.layers[:len(net.layers)-1] {
				fresh[i] = layerGrad[float64]{make([]float64, len(l.weight.Value)), make([]float64, len(l.bias.Value))}
			}
			net.backward(BP, fresh, nil)
			hg, err := net.TrueGradients()
			require.NoError(t, err)
			require.Len(t, hg, 2)
			for _, g := range hg {
				assert.Equal(t, bits(fresh[g.Weight.Layer].w), bits(g.BP), g.Weight.Name)
			}
			if mode != BP { // BP's angles are 0 by definition, without TrueGradients
				angles, err := net.Alignment()
				require.NoError(t, err)
				require.Len(t, angles, 2)
				for _, a := range angles {
					want := Angle(net.layers[a.Layer].weight.Grad, fresh[a.Layer].w)
					assert.Equal(t, math.Float64bits(want), math.Float64bits(a.Degrees), "layer %d: %v, want %v", a.Layer, a.Degrees, want)
				}
			}

			// The kernels allocate a little of their own (closures for their goroutines):
			// the backward pass into buffers held here counts them.
			kernels := testing.AllocsPerRun(20, func() { net.backward(BP, fresh, nil) })
			assert.Equal(t, kernels, testing.AllocsPerRun(20, func() { _, _ = net.TrueGradients() }),
				"TrueGradients allocates nothing beyond what its kernels do")
			if mode != BP {
				assert.Equal(t, kernels+1, testing.AllocsPerRun(20, func() { _, _ = net.Alignment() }),
					"Alignment allocates only its result beyond what the kernels do")
			}
		})
	}
}

// bits returns v's values as bits, so that two slices compare bit for bit.
func bits(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

func TestAngle(t *testing.T) {
	assert.InDelta(t, 0, Angle([]float64{1, 2}, []float64{2, 4}), 1e-6)
	assert.InDelta(t, 90, Angle([]float64{1, 0}, []float64{0, 3}), 1e-12)
	assert.InDelta(t, 180, Angle([]float64{1, 1}, []float64{-1, -1}), 1e-6)
	assert.InDelta(t, 45, Angle([]float32{1, 0}, []float32{1, 1}), 1e-5)
	assert.True(t, math.IsNaN(Angle([]float64{0, 0}, []float64{1, 1})))
}

func TestAlignmentOfTheRules(t *testing.T) {
	// BP is aligned with itself; the other rules' updates point elsewhere, but DFA,
	// sDFA and DRTP stay within 90 degrees of the true gradient for the top hidden
	// layer on this batch. FA, untrained, is not yet aligned (its B and W align over
	// training): it is only not the gradient. Shallow has no update to compare.
	for _, mode := range Modes() {
		t.Run(mode.String(), func(t *testing.T) {
			net, err := New[float64](smallConfig(mode))
			require.NoError(t, err)
			b := classBatch(rand.New(rand.NewPCG(8, 8)), net, 16)
			_, err = net.Gradients(b)
			require.NoError(t, err)
			angles, err := net.Alignment()
			require.NoError(t, err)
			require.Len(t, angles, 2)
			assert.Equal(t, []int{0, 1}, []int{angles[0].Layer, angles[1].Layer})
			switch mode {
			case BP:
				assert.Equal(t, 0.0, angles[1].Degrees)
			case Shallow:
				assert.True(t, math.IsNaN(angles[1].Degrees))
			case FA:
				assert.Greater(t, angles[1].Degrees, 1.0, "not the true gradient")
				// It is the angle with the gradient BP computes from the same weights
				// (the same seed draws them) on the same batch.
				bp, err := New[float64](smallConfig(BP))
				require.NoError(t, err)
				_, err = bp.Gradients(b)
				require.NoError(t, err)
				name := "layers.1.fc.weight"
				assert.InDelta(t, Angle(net.Param(name).Grad, bp.Param(name).Grad), angles[1].Degrees, 1e-9, "the angle with BP's gradient")
			default:
				assert.Greater(t, angles[1].Degrees, 1.0, "not the true gradient")
				assert.Less(t, angles[1].Degrees, 90.0, "within 90° of the true gradient")
			}
		})
	}
	fa, err := New[float64](smallConfig(FA))
	require.NoError(t, err)
	fb := fa.FeedbackAngles()
	require.Len(t, fb, 2, "B2 and B3; B1 carries nothing")
	assert.InDelta(t, 90, fb[1].Degrees, 30, "random B starts near orthogonal to W")
}

func TestFAAlignmentFollowsItsFeedback(t *testing.T) {
	// FA carries δ₃ down to the top hidden layer through B₃ where BP uses W₃: with
	// B₃ = W₃ its update there is BP's (0°), with B₃ = −W₃ the opposite (180°).
	b := classBatch(rand.New(rand.NewPCG(8, 8)), mustNew(t, smallConfig(FA)), 16)
	for _, tt := range []struct {
		name    string
		scale   float64
		degrees float64
	}{{"B = W", 1, 0}, {"B = -W", -1, 180}} {
		t.Run(tt.name, func(t *testing.T) {
			net := mustNew(t, smallConfig(FA))
			w, fb := net.Param("layers.2.fc.weight").Value, net.Param("layers.2.fc.feedback").Value
			for i := range fb {
				fb[i] = tt.scale * w[i]
			}
			_, err := net.Gradients(b)
			require.NoError(t, err)
			angles, err := net.Alignment()
			require.NoError(t, err)
			require.Len(t, angles, 2)
			assert.Equal(t, 1, angles[1].Layer)
			assert.InDelta(t, tt.degrees, angles[1].Degrees, 1e-6)
		})
	}
}

func mustNew(t *testing.T, cfg Config) *Network[float64] {
	t.Helper()
	net, err := New[float64](cfg)
	require.NoError(t, err)
	return net
}

// TestDRTPWithRealValuedTargets: on a regression batch (no classes) DRTP's signal for
// each hidden layer is s_k = t·B_k with the real-valued target row t, and on one-hot
// targets the two ways of computing it (row c of B_k, or t·B_k) agree.
func TestDRTPWithRealValuedTargets(t *testing.T) {
	cfg := smallConfig(DRTP)
	cfg.Loss, cfg.OutputAct = MSE, None
	net, err := New[float64](cfg)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	onehot := classBatch(rng, net, 5)
	real := onehot
	real.Labels = nil
	real.T = make([]float64, len(onehot.T))
	for i := range real.T {
		real.T[i] = 2*rng.Float64() - 1
	}
	k := cfg.Labels
	signals := func(b data.Batch[float64]) [][]float64 {
		_, err := net.Gradients(b)
		require.NoError(t, err)
		var out [][]float64
		for k := range net.layers[:len(net.layers)-1] {
			out = append(out, append([]float64(nil), net.drtp(k)...))
		}
		return out
	}
	for _, tt := range []struct {
		name string
		b    data.Batch[float64]
	}{{"real-valued targets", real}, {"one-hot targets", onehot}} {
		t.Run(tt.name, func(t *testing.T) {
			got := signals(tt.b)
			for li, l := range net.layers[:len(net.layers)-1] {
				B := l.hook.Value // [labels][units]
				for r := range tt.b.N {
					for u := range l.units {
						var want float64 // s[r][u] = Σ_c t[r][c]·B[c][u]
						for c := range k {
							want += tt.b.T[r*k+c] * B[c*l.units+u]
						}
						require.InDelta(t, want, got[li][r*l.units+u], 1e-12, "layer %d, sample %d, unit %d", li, r, u)
					}
				}
			}
		})
	}
	// The hidden layers' update ignores the output: the same targets, another
	// network output (other output weights) give the same hidden gradients.
	_, err = net.Gradients(real)
	require.NoError(t, err)
	first := append([]float64(nil), net.layers[0].weight.Grad...)
	out := net.layers[len(net.layers)-1].weight.Value
	for i := range out {
		out[i] *= -3
	}
	_, err = net.Gradients(real)
	require.NoError(t, err)
	assert.Equal(t, first, net.layers[0].weight.Grad, "DRTP's hidden update depends on the target alone")
}
