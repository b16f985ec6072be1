package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
