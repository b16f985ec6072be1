package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/tensor"
)

func TestLearningRateMustBePositiveAndFinite(t *testing.T) {
	for _, lr := range []float64{0, -1e-3, math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := New(SGD, lr, []Slot[float64]{{Value: []float64{1}, Grad: []float64{0}}})
		require.Error(t, err, "lr %v", lr)
		assert.Contains(t, err.Error(), "must be a positive finite number")
	}
	_, err := New[float32](SGD, 1e-3, nil)
	assert.NoError(t, err)
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	_, err := ParseKind("Adagrad")
	assert.ErrorContains(t, err, `unknown optimizer "Adagrad" (want one of SGD, NAG, Adam, RMSprop)`)
}

func TestSlotSizesMustAgree(t *testing.T) {
	_, err := New(Adam, 1e-3, []Slot[float32]{{Value: make([]float32, 3), Grad: make([]float32, 2)}})
	assert.ErrorContains(t, err, "2 gradients for 3 values")
}

// TestThreeStepsByHand follows one parameter through three steps with gradients
// 0.5, −0.25, 1, against the update rules written out step by step.
func TestThreeStepsByHand(t *testing.T) {
	grads := []float64{0.5, -0.25, 1}
	const lr = 0.1
	tests := []struct {
		kind Kind
		want func() float64
	}{
		{SGD, func() float64 {
			p, v := 1.0, 0.0
			for _, g := range grads {
				v = 0.9*v + g
				p -= lr * v
			}
			return p
		}},
		{NAG, func() float64 {
			p, v := 1.0, 0.0
			for _, g := range grads {
				v = 0.9*v + g
				p -= lr * (g + 0.9*v)
			}
			return p
		}},
		{Adam, func() float64 {
			p, m, v := 1.0, 0.0, 0.0
			for i, g := range grads {
				m = 0.9*m + 0.1*g
				v = 0.999*v + 0.001*g*g
				mh := m / (1 - math.Pow(0.9, float64(i+1)))
				vh := v / (1 - math.Pow(0.999, float64(i+1)))
				p -= lr * mh / (math.Sqrt(vh) + 1e-8)
			}
			return p
		}},
		{RMSprop, func() float64 {
			p, s := 1.0, 0.0
			for _, g := range grads {
				s = 0.99*s + 0.01*g*g
				p -= lr * g / (math.Sqrt(s) + 1e-8)
			}
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			slot := Slot[float64]{Value: []float64{1}, Grad: []float64{0}}
			o, err := New(tt.kind, lr, []Slot[float64]{slot})
			require.NoError(t, err)
			for _, g := range grads {
				slot.Grad[0] = g
				o.Step()
			}
			assert.InDelta(t, tt.want(), slot.Value[0], 1e-12)
			assert.Equal(t, 3, o.Steps())
		})
	}
}

// scalarStep is step t of Adam or RMSprop as optim computed it before tensor's
// kernels did, one element at a time: the reference of their bits.
func scalarStep[F tensor.Float](kind Kind, lr float64, t int, p, g, m, v []F) {
	switch kind {
	case Adam:
		stepSize := F(lr / (1 - math.Pow(beta1, float64(t))))
		bc2Sqrt := F(math.Sqrt(1 - math.Pow(beta2, float64(t))))
		for j, gj := range g {
			m[j] += F((gj - m[j]) * (1 - beta1))
			v[j] = F(beta2*v[j]) + F(F((1-beta2)*gj)*gj)
			p[j] -= stepSize * m[j] / (F(math.Sqrt(float64(v[j])))/bc2Sqrt + eps)
		}
	case RMSprop:
		lr := F(lr)
		for j, gj := range g {
			v[j] = F(alpha*v[j]) + F(F((1-alpha)*gj)*gj)
			p[j] -= lr * gj / (F(math.Sqrt(float64(v[j]))) + eps)
		}
	}
}

// bits returns the bits of each value of v.
func bits[F tensor.Float](v []F) []uint64 {
	b := make([]uint64, len(v))
	for i, x := range v {
		if f, ok := any(x).(float32); ok {
			b[i] = uint64(math.Float32bits(f))
		} else {
			b[i] = math.Float64bits(float64(x))
		}
	}
	return b
}

// Adam and RMSprop give the bits of their scalar formulas step after step, in
// float32 with every set of kernels and thread count and in float64, on parameters of
// lengths that leave a tail after the vectors and split across threads.
func TestAdamAndRMSpropGiveTheScalarFormulasBits(t *testing.T) {
	t.Run("float32", scalarFormulasBits[float32])
	t.Run("float64", scalarFormulasBits[float64])
}

func scalarFormulasBits[F tensor.Float](t *testing.T) {
	defer tensor.SetKernels(tensor.Kernels())
	defer tensor.SetThreads(tensor.Threads())
	const lr, steps = 1e-3, 6
	lengths := []int{1, 7, 33, 1000, 70001}
	for _, kind := range []Kind{Adam, RMSprop} {
		for _, set := range tensor.KernelSets() {
			for _, threads := range []int{1, 2} {
				require.NoError(t, tensor.SetKernels(set))
				tensor.SetThreads(threads)
				rng := rand.New(rand.NewPCG(uint64(kind), 17))
				var slots []Slot[F]
				var want [][4][]F // per slot: value, gradient, first and second moments
				for _, n := range lengths {
					p := make([]F, n)
					for j := range p {
						p[j] = F(2*rng.Float64() - 1)
					}
					slots = append(slots, Slot[F]{Value: slices.Clone(p), Grad: make([]F, n)})
					want = append(want, [4][]F{p, make([]F, n), make([]F, n), make([]F, n)})
				}
				o, err := New(kind, lr, slots)
				require.NoError(t, err)
				for step := 1; step <= steps; step++ {
					for i, s := range slots {
						for j := range s.Grad {
							g := F(0) // some zero gradients, some tiny, most in [−1, 1)
							switch r := rng.Float64(); {
							case r < 0.05:
								g = F(1e-30 * (2*rng.Float64() - 1))
							case r >= 0.15:
								g = F(2*rng.Float64() - 1)
							}
							s.Grad[j], want[i][1][j] = g, g
						}
						scalarStep(kind, lr, step, want[i][0], want[i][1], want[i][2], want[i][3])
					}
					o.Step()
					for i, s := range slots {
						where := fmt.Sprintf("%s, %s, %d threads, step %d, n=%d", kind, set, threads, step, len(s.Value))
						require.Equal(t, bits(want[i][0]), bits(s.Value), where)
						require.Equal(t, bits(want[i][2]), bits(o.m[i]), where+": the first moment")
						require.Equal(t, bits(want[i][3]), bits(o.v[i]), where+": the second moment")
					}
				}
			}
		}
	}
}
