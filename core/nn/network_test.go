package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
)

func mnistConfig(topology string, mode Mode) Config {
	cfg := DefaultConfig()
	cfg.Topology, cfg.Mode = topology, mode
	return cfg
}

func TestNewRefusesBadConfigs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad topology", func(c *Config) { c.Topology = "FC_10_XX" }, `unknown item "XX"`},
		{"labels mismatch", func(c *Config) { c.Topology = "FC_100_FC_7" }, "ends with FC_7 but the data has 10 labels"},
		{"conv vanishes", func(c *Config) { c.Topology = "CONV_8_29_1_0_FC_10" }, "turns its 28x28 input into 0x0"},
		{"conv too small to pool", func(c *Config) { c.Topology = "CONV_8_28_1_0_FC_10" }, "into 1x1, too small to pool"},
		{"second conv vanishes", func(c *Config) { c.Topology = "CONV_8_5_1_0_CONV_8_5_2_0_CONV_8_5_1_0_FC_10" }, "CONV_8_5_1_0 at position 3"},
		{"zero input", func(c *Config) { c.InputSide = 0 }, "sizes must be at least 1"},
		{"zero labels", func(c *Config) { c.Labels = 0 }, "labels 0"},
		{"bad mode", func(c *Config) { c.Mode = Mode(9) }, "unknown train mode 9"},
		{"none hidden", func(c *Config) { c.HiddenAct = None }, "hidden activation none"},
		{"relu output", func(c *Config) { c.OutputAct, c.Loss = ReLU, MSE }, "output activation relu"},
		{"BCE needs sigmoid", func(c *Config) { c.OutputAct = Tanh }, "loss BCE needs outputs in [0, 1], so the sigmoid output activation, not tanh"},
		{"dropout 1", func(c *Config) { c.Dropout = 1 }, "dropout 1: must be in [0, 1)"},
		{"dropout negative", func(c *Config) { c.Dropout = -0.1 }, "dropout -0.1"},
		{"dropout NaN", func(c *Config) { c.Dropout = math.NaN() }, "dropout NaN"},
		{"huge", func(c *Config) { c.Topology = "FC_1000000_FC_1000000_FC_10" }, "parameters, more than the limit"},
		{"huge conv", func(c *Config) { c.Topology = "CONV_1048576_1_1_1048576_FC_10" }, "outputs per sample, more than the limit"},
		{"huge input", func(c *Config) { c.InputSide = 1 << 20 }, "more than 16777216 values per sample"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mnistConfig("FC_500_FC_10", DRTP)
			tt.edit(&cfg)
			_, err := New[float32](cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNetworkShapes(t *testing.T) {
	net, err := New[float32](mnistConfig("CONV_32_5_1_2_FC_1000_FC_10", DRTP))
	require.NoError(t, err)
	want := map[string][]int{
		"layers.0.conv.weight":   {32, 1, 5, 5},
		"layers.0.conv.bias":     {32},
		"layers.0.hook.feedback": {10, 32, 28, 28},
		"layers.1.fc.weight":     {1000, 32 * 14 * 14},
		"layers.1.fc.bias":       {1000},
		"layers.1.hook.feedback": {10, 1000},
		"layers.2.fc.weight":     {10, 1000},
		"layers.2.fc.bias":       {10},
	}
	got := map[string][]int{}
	for _, p := range net.Params() {
		got[p.Name] = p.Shape
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 784, net.InputSize())
}

func TestInitialisationBounds(t *testing.T) {
	for _, mode := range []Mode{FA, DRTP} {
		net, err := New[float64](mnistConfig("CONV_4_5_1_2_FC_50_FC_10", mode))
		require.NoError(t, err)
		for _, p := range net.Params() {
			var fanIn int
			switch len(p.Shape) {
			case 1: // bias: its layer's fan_in
				w := net.Param(p.Name[:len(p.Name)-4] + "weight")
				fanIn = product(w.Shape[1:])
			default:
				fanIn = product(p.Shape[1:])
			}
			bound := 1 / math.Sqrt(float64(fanIn))
			if p.Role.Fixed() {
				bound = math.Sqrt(6 / float64(fanIn))
			}
			lo, hi := minMax(p.Value)
			assert.GreaterOrEqual(t, lo, -bound, p.Name)
			assert.Less(t, hi, bound, p.Name)
			if len(p.Value) >= 50 { // the draws fill their range
				assert.Less(t, lo, -0.8*bound, p.Name)
				assert.Greater(t, hi, 0.8*bound, p.Name)
			}
		}
	}
}

func product(d []int) int {
	n := 1
	for _, v := range d {
		n *= v
	}
	return n
}

func minMax(v []float64) (float64, float64) {
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

func TestSeedFixesTheRun(t *testing.T) {
	a, err := New[float32](mnistConfig("FC_20_FC_10", DRTP))
	require.NoError(t, err)
	b, err := New[float32](mnistConfig("FC_20_FC_10", DRTP))
	require.NoError(t, err)
	cfg := mnistConfig("FC_20_FC_10", DRTP)
	cfg.Seed = 1
	c, err := New[float32](cfg)
	require.NoError(t, err)
	for i, p := range a.Params() {
		assert.Equal(t, p.Value, b.Params()[i].Value, p.Name)
		assert.NotEqual(t, p.Value, c.Params()[i].Value, p.Name)
	}
}

func TestRulesShareForwardWeights(t *testing.T) {
	// Rules that agree on the forward network start from the same weights, whatever
	// feedback matrices they draw: a race compares rules, not initialisations.
	var first *Network[float32]
	for _, mode := range Modes() {
		net, err := New[float32](mnistConfig("CONV_4_5_1_2_FC_30_FC_10", mode))
		require.NoError(t, err)
		if first == nil {
			first = net
			continue
		}
		for _, name := range []string{"layers.0.conv.weight", "layers.1.fc.weight", "layers.2.fc.bias"} {
			assert.Equal(t, first.Param(name).Value, net.Param(name).Value, "%s under %s", name, mode)
		}
	}
}

func TestFCZeroInit(t *testing.T) {
	cfg := mnistConfig("CONV_4_5_1_2_FC_30_FC_10", DRTP)
	cfg.FCZeroInit = true
	net, err := New[float32](cfg)
	require.NoError(t, err)
	for _, p := range net.Params() {
		lo, hi := minMax(to64(p.Value))
		zero := lo == 0 && hi == 0
		isFCWeight := p.Name == "layers.1.fc.weight" || p.Name == "layers.2.fc.weight"
		assert.Equal(t, isFCWeight, zero, p.Name)
	}
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestCheckRefusesMismatchedBatches(t *testing.T) {
	net, err := New[float32](mnistConfig("FC_20_FC_10", BP))
	require.NoError(t, err)
	ok := data.Batch[float32]{X: make([]float32, 2*784), T: make([]float32, 20), Labels: []int{1, 2}, N: 2}
	require.NoError(t, net.Check(ok))
	tests := []struct {
		name string
		edit func(*data.Batch[float32])
		want string
	}{
		{"no samples", func(b *data.Batch[float32]) { b.N = 0 }, "batch of 0 samples"},
		{"input size", func(b *data.Batch[float32]) { b.X = b.X[:700] }, "got 700 values for 2 samples, want 784 each"},
		{"target size", func(b *data.Batch[float32]) { b.T = b.T[:19] }, "batch targets: got 19 values"},
		{"label count", func(b *data.Batch[float32]) { b.Labels = []int{1} }, "batch labels: got 1 for 2 samples"},
		{"label range", func(b *data.Batch[float32]) { b.Labels = []int{1, 10} }, "label 10 of sample 1 is out of range [0, 10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ok
			tt.edit(&b)
			_, err := net.Gradients(b)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err = net.Gradients(data.Batch[float32]{X: ok.X, N: 2})
	assert.ErrorContains(t, err, "no targets")
	_, err = net.TrueGradients()
	assert.ErrorContains(t, err, "call Gradients first")
}

func TestTensorsListTheNetworksParameters(t *testing.T) {
	cifar := DefaultConfig()
	cifar.Topology, cifar.InputSide, cifar.InputChannels = "CONV_16_3_1_1_CONV_8_4_2_1_FC_50_FC_20_FC_10", 32, 3
	for _, cfg := range []Config{mnistConfig("FC_500_FC_10", BP), mnistConfig("CONV_4_5_1_2_FC_30_FC_10", BP), cifar} {
		for _, mode := range Modes() {
			cfg.Mode = mode
			net, err := New[float32](cfg)
			require.NoError(t, err)
			want, err := cfg.Tensors()
			require.NoError(t, err)
			require.Len(t, want, len(net.Params()), "%s %s", cfg.Topology, mode)
			for i, p := range net.Params() {
				assert.Equal(t, TensorSpec{p.Name, p.Shape, p.Layer, p.Role}, want[i])
				// The typed layer and role say what the reference's name says.
				var layer int
				_, err := fmt.Sscanf(p.Name, "layers.%d.", &layer)
				require.NoError(t, err)
				assert.Equal(t, layer, p.Layer, p.Name)
				role := map[string]Role{"fc.weight": RoleWeight, "conv.weight": RoleWeight, "fc.bias": RoleBias, "conv.bias": RoleBias,
					"fc.feedback": RoleFeedback, "conv.feedback": RoleFeedback, "hook.feedback": RoleProjection}
				assert.Equal(t, role[strings.SplitN(p.Name, ".", 3)[2]], p.Role, p.Name)
				assert.Equal(t, p.Size(), want[i].Size(), p.Name)
			}
		}
	}
	_, err := mnistConfig("FC_0", BP).Tensors()
	assert.Error(t, err)
}
