package tensor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

func TestExpLogTanhAgreeWithTheStandardLibrary(t *testing.T) {
	tests := []struct {
		name  string
		f     func(float64) float64
		std   func(float64) float64
		lo    float64
		hi    float64
		worst float64
	}{
		{"exp", Exp[float64], math.Exp, -745, 709.7, 4e-16},
		{"exp near 0", Exp[float64], math.Exp, -1e-3, 1e-3, 4e-16},
		{"log", Log[float64], math.Log, 1e-300, 1e300, 4e-16},
		{"log near 1", Log[float64], math.Log, 0.5, 2, 4e-16},
		{"tanh", Tanh[float64], math.Tanh, -30, 30, 2e-15},
		{"tanh near 0", Tanh[float64], math.Tanh, -0.2, 0.2, 2e-15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			worst := 0.0
			const n = 200001
			for i := range n {
				var x float64
				if tt.name == "log" { // spread over the exponent range
					x = tt.lo * math.Pow(tt.hi/tt.lo, float64(i)/(n-1))
				} else {
					x = tt.lo + (tt.hi-tt.lo)*float64(i)/(n-1)
				}
				want := tt.std(x)
				if want != 0 && math.Abs(want) < 0x1p-1022 || math.IsInf(want, 0) {
					// Subnormal results carry few bits; the standard library's amd64
					// Exp overflows early, from about 709.4.
					continue
				}
				worst = math.Max(worst, relErr(tt.f(x), want))
			}
			assert.Less(t, worst, tt.worst, "worst relative error")
		})
	}
}

func TestSpecialValues(t *testing.T) {
	inf := math.Inf(1)
	assert.Equal(t, inf, Exp(800.0))
	assert.Equal(t, 0.0, Exp(-800.0))
	assert.True(t, math.IsNaN(Exp(math.NaN())))
	assert.Equal(t, math.Inf(-1), Log(0.0))
	// Subnormal input (the standard library's amd64 Log gets this one wrong).
	assert.InDelta(t, -310*math.Ln10, Log(1e-310), 1e-12)
	assert.True(t, math.IsNaN(Log(-1.0)))
	assert.Equal(t, inf, Log(inf))
	assert.Equal(t, 1.0, Tanh(inf))
	assert.Equal(t, -1.0, Tanh(math.Inf(-1)))
	assert.Equal(t, 1.0, Sigmoid(inf))
	assert.Equal(t, 0.0, Sigmoid(math.Inf(-1)))
	assert.Equal(t, float32(0.5), Sigmoid(float32(0)))
}
