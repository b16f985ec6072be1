package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
)

// randomBatch draws n samples for net: inputs uniform in [-1, 1), and targets that
// suit the loss (one-hot for CE, in [0, 1] for BCE, real values for MSE).
func randomBatch(rng *rand.Rand, net *Network[float64], n int) data.Batch[float64] {
	k := net.Outputs()
	b := data.Batch[float64]{X: make([]float64, n*net.InputSize()), T: make([]float64, n*k), N: n}
	for i := range b.X {
		b.X[i] = 2*rng.Float64() - 1
	}
	switch net.Config().Loss {
	case CE:
		b.Labels = make([]int, n)
		for i := range n {
			b.Labels[i] = rng.IntN(k)
			b.T[i*k+b.Labels[i]] = 1
		}
	case BCE:
		for i := range b.T {
			b.T[i] = rng.Float64()
		}
	case MSE:
		for i := range b.T {
			b.T[i] = 2*rng.Float64() - 1
		}
	}
	return b
}

// meanLoss is the loss Gradients reports, from a forward pass alone.
func meanLoss(t *testing.T, net *Network[float64], b data.Batch[float64]) float64 {
	y, err := net.Forward(b.X, b.N, true)
	require.NoError(t, err)
	k := net.Outputs()
	return LossSum(net.Config().Loss, y, b.T, b.Labels, b.N, k) / meanDivisor(net.Config().Loss, b.N, k)
}

// TestBPGradientMatchesFiniteDifferences checks every gradient of BP against central
// differences (L(p+h) − L(p−h))/2h, on small FC and conv networks with every
// activation, output activation and loss.
func TestBPGradientMatchesFiniteDifferences(t *testing.T) {
	topologies := []struct {
		topology      string
		side, channel int
	}{
		{"FC_6_FC_5_FC_3", 3, 2},
		{"CONV_2_3_1_1_CONV_3_3_2_1_FC_4_FC_3", 9, 2},
	}
	hidden := []Activation{Tanh, Sigmoid, ReLU}
	outputs := []Activation{Sigmoid, Tanh, None}
	losses := []Loss{MSE, BCE, CE}
	for _, top := range topologies {
		for _, h := range hidden {
			for _, out := range outputs {
				for _, loss := range losses {
					if loss == BCE && out != Sigmoid {
						continue
					}
					name := fmt.Sprintf("%s/%s-%s-%s", top.topology, h, out, loss)
					t.Run(name, func(t *testing.T) {
						cfg := Config{Topology: top.topology, InputSide: top.side, InputChannels: top.channel,
							Labels: 3, Mode: BP, ConvAct: h, HiddenAct: h, OutputAct: out, Loss: loss, Seed: 3}
						net, err := New[float64](cfg)
						require.NoError(t, err)
						b := randomBatch(rand.New(rand.NewPCG(5, 6)), net, 4)
						_, err = net.Gradients(b)
						require.NoError(t, err)
						checkFiniteDifferences(t, net, b)
					})
				}
			}
		}
	}
}

// TestBPGradientWithDropoutMatchesFiniteDifferences checks BP's gradients with
// dropout on: the dropout stream is set back before every forward pass, so that each
// pass draws the masks the gradient's pass drew, and the loss is a fixed function of
// the parameters.
func TestBPGradientWithDropoutMatchesFiniteDifferences(t *testing.T) {
	for _, tt := range []struct {
		topology      string
		side, channel int
		loss          Loss
		out           Activation
	}{
		{"FC_6_FC_5_FC_3", 3, 2, BCE, Sigmoid},
		{"FC_6_FC_3", 3, 2, CE, None},
		{"CONV_2_3_1_1_FC_4_FC_3", 6, 1, MSE, Tanh},
	} {
		t.Run(tt.topology+"/"+tt.loss.String(), func(t *testing.T) {
			cfg := Config{Topology: tt.topology, InputSide: tt.side, InputChannels: tt.channel, Labels: 3, Mode: BP,
				ConvAct: Tanh, HiddenAct: Tanh, OutputAct: tt.out, Loss: tt.loss, Dropout: 0.3, Seed: 3}
			net, err := New[float64](cfg)
			require.NoError(t, err)
			stream := rand.NewPCG(11, 12)
			start, err := stream.MarshalBinary()
			require.NoError(t, err)
			reseed := func() {
				require.NoError(t, stream.UnmarshalBinary(start))
				net.dropRNG = rand.New(stream)
			}
			b := randomBatch(rand.New(rand.NewPCG(5, 6)), net, 4)
			reseed()
			_, err = net.Gradients(b)
			require.NoError(t, err)
			dropped := 0
			for _, l := range net.layers {
				for _, m := range l.mask {
					if m == 0 {
						dropped++
					}
				}
			}
			require.NotZero(t, dropped, "dropout dropped something")
			checkFiniteDifferences(t, net, b, reseed)
		})
	}
}

// checkFiniteDifferences compares every learnt gradient with central differences;
// before each forward pass it calls each of before (which may fix the dropout masks).
func checkFiniteDifferences(t *testing.T, net *Network[float64], b data.Batch[float64], before ...func()) {
	const h = 1e-6
	loss := func() float64 {
		for _, f := range before {
			f()
		}
		return meanLoss(t, net, b)
	}
	for _, p := range net.Params() {
		if !p.Learns() {
			continue
		}
		grad := append([]float64(nil), p.Grad...)
		for i := range p.Value {
			orig := p.Value[i]
			p.Value[i] = orig + h
			up := loss()
			p.Value[i] = orig - h
			down := loss()
			p.Value[i] = orig
			fd := (up - down) / (2 * h)
			if math.Abs(fd-grad[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s[%d]: gradient %.9g, finite difference %.9g", p.Name, i, grad[i], fd)
				return
			}
		}
	}
}
