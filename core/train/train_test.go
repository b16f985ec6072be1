package train

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
)

func convConfig(mode nn.Mode, freeze bool) nn.Config {
	return nn.Config{Topology: "CONV_3_3_1_1_FC_12_FC_10", InputSide: 8, InputChannels: 1, Labels: 10,
		Mode: mode, ConvAct: nn.Tanh, HiddenAct: nn.Tanh, OutputAct: nn.Sigmoid, Loss: nn.BCE,
		FreezeConv: freeze, Seed: 5}
}

// trainSteps runs a few steps and returns every parameter before and after.
func trainSteps(t *testing.T, cfg nn.Config, kind optim.Kind) (net *nn.Network[float32], before map[string][]float32) {
	net, err := nn.New[float32](cfg)
	require.NoError(t, err)
	before = map[string][]float32{}
	for _, p := range net.Params() {
		before[p.Name] = append([]float32(nil), p.Value...)
	}
	tr, err := New(net, kind, 0.05)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(9, 9))
	for range 5 {
		_, err := tr.TrainBatch(randomBatch(rng, 8, 64, 10), false)
		require.NoError(t, err)
	}
	return net, before
}

func TestWhatChangesUnderEachRule(t *testing.T) {
	// Feedback matrices never change; shallow leaves the hidden layers as they were;
	// frozen conv layers stay frozen; everything else learns.
	for _, mode := range nn.Modes() {
		for _, freeze := range []bool{false, true} {
			for _, kind := range optim.Kinds() {
				name := mode.String() + "/" + kind.String()
				if freeze {
					name += "/frozen-conv"
				}
				t.Run(name, func(t *testing.T) {
					net, before := trainSteps(t, convConfig(mode, freeze), kind)
					for _, p := range net.Params() {
						hidden := p.Name[:8] != "layers.2"
						conv := p.Name[:8] == "layers.0"
						static := p.Role.Fixed() || (mode == nn.Shallow && hidden) || (freeze && conv)
						if static {
							assert.Equal(t, before[p.Name], p.Value, "%s should not change", p.Name)
						} else {
							assert.NotEqual(t, before[p.Name], p.Value, "%s should learn", p.Name)
						}
						if p.Role.Fixed() || (freeze && conv) {
							assert.Nil(t, p.Grad, "%s gets no gradient", p.Name)
						}
					}
				})
			}
		}
	}
}

func TestStepReportsBadBatches(t *testing.T) {
	net, err := nn.New[float32](convConfig(nn.DRTP, false))
	require.NoError(t, err)
	tr, err := New(net, optim.NAG, 0.01)
	require.NoError(t, err)
	_, err = tr.TrainBatch(data.Batch[float32]{X: make([]float32, 10), T: make([]float32, 10), N: 1}, false)
	assert.ErrorContains(t, err, "train step 1: batch inputs: got 10 values for 1 samples, want 64 each")
	_, err = New(net, optim.Kind(7), 0.01)
	assert.ErrorContains(t, err, "unknown optimizer 7")
}
