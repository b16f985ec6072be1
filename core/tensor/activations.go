package tensor

import (
	"math"
	"unsafe"
)

// Element-wise activations over slices. In float64 they use the accurate Exp; in
// float32 a faster exp of float32 operations (about one ulp), which the vector
// kernels compute many at a time with the very same operations, so the bits agree.
// Each operation is rounded to float32 on its own (the conversions say so): no
// compiler may fuse a multiplication and an addition.

// TanhSlice replaces every x of v by tanh(x).
func TanhSlice[F Float](v []F) {
	if is32[F]() {
		tanh32s(f32(v))
		return
	}
	for i, x := range v {
		v[i] = F(tanh64(float64(x)))
	}
}

// SigmoidSlice replaces every x of v by 1/(1 + e⁻ˣ).
func SigmoidSlice[F Float](v []F) {
	if is32[F]() {
		sigmoid32s(f32(v))
		return
	}
	for i, x := range v {
		v[i] = F(1 / (1 + exp64(-float64(x))))
	}
}

// Constants of the float32 exp: eʸ = 2ᵏ·eʳ with k = ⌊y·log₂e + ½⌋ and r = y − k·ln2
// in two steps (ln2Hi32 has few enough bits that k·ln2Hi32 is exact).
const (
	log2e32  = float32(1.44269504088896341)
	ln2Hi32  = float32(0.693359375)
	ln2Lo32  = float32(-2.12194440e-4)
	expClamp = float32(87) // e^±87 stays a normal float32
)

// exp32 returns eʸ for y in [−87, 87], as the vector version computes it.
func exp32(y float32) float32 {
	k := float32(math.Floor(float64(float32(y*log2e32) + 0.5)))
	r := (y - float32(k*ln2Hi32)) - float32(k*ln2Lo32)
	// Taylor series of eʳ to r⁶/6!, |r| ≤ 0.35: about one ulp.
	p := float32(1.0 / 720)
	p = float32(p*r) + 1.0/120
	p = float32(p*r) + 1.0/24
	p = float32(p*r) + 1.0/6
	p = float32(p*r) + 0.5
	p = float32(p*r) + 1
	p = float32(p*r) + 1
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

func clamp32(x, lo, hi float32) float32 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x // NaN stays NaN
}

// tanh32 is tanh(x) = 1 − 2/(e²ˣ + 1), with 2x clamped to [−87, 87].
func tanh32(x float32) float32 {
	return 1 - 2/(exp32(clamp32(2*x, -expClamp, expClamp))+1)
}

// sigmoid32 is 1/(1 + e⁻ˣ), with x clamped to [−87, 87].
func sigmoid32(x float32) float32 {
	return 1 / (1 + exp32(clamp32(-x, -expClamp, expClamp)))
}

func tanh32Plain(v []float32) {
	for i, x := range v {
		v[i] = tanh32(x)
	}
}

func sigmoid32Plain(v []float32) {
	for i, x := range v {
		v[i] = sigmoid32(x)
	}
}

// NAGStep is one step of Nesterov momentum on every element: v = μ·v + g, then
// p −= lr·(g + μ·v), each operation rounded on its own.
func NAGStep[F Float](p, g, v []F, lr, mu F) {
	g, v = g[:len(p)], v[:len(p)]
	elementWise[F](len(p), func(ks *vectorSet) bool { return ks.nag != nil },
		func(ks *vectorSet, i, n int) {
			ks.nag(f32p(&p[i]), f32p(&g[i]), f32p(&v[i]), n, float32(lr), float32(mu))
		},
		func(i0, i1 int) {
			for j := i0; j < i1; j++ {
				v[j] = F(mu*v[j]) + g[j]            // v = μv + g
				p[j] -= F(lr * (g[j] + F(mu*v[j]))) // p −= lr·(g + μv)
			}
		})
}

// AdamCoefficients are the scalars of one Adam step, each rounded to F: the
// hyper-parameters, and the bias corrections of step t, which the caller computes
// once per step in float64.
type AdamCoefficients[F Float] struct {
	OneMinusBeta1 F // 1 − β₁, rounded as a whole (not 1 − F(β₁))
	Beta2         F // β₂
	OneMinusBeta2 F // 1 − β₂, rounded as a whole
	Eps           F // ε
	StepSize      F // lr/(1 − β₁ᵗ)
	BC2Sqrt       F // √(1 − β₂ᵗ)
}

// AdamStep is one bias-corrected Adam step on every element, in PyTorch's order of
// operations, each operation rounded on its own:
//
//	m += (g − m)·(1 − β₁)
//	v = β₂·v + ((1 − β₂)·g)·g
//	p −= stepSize·m / (√v/bc2Sqrt + ε)
func AdamStep[F Float](p, g, m, v []F, c AdamCoefficients[F]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	elementWise[F](len(p), func(ks *vectorSet) bool { return ks.adam != nil },
		func(ks *vectorSet, i, n int) {
			ks.adam(f32p(&p[i]), f32p(&g[i]), f32p(&m[i]), f32p(&v[i]), n, float32(c.OneMinusBeta1), float32(c.Beta2),
				float32(c.OneMinusBeta2), float32(c.Eps), float32(c.StepSize), float32(c.BC2Sqrt))
		},
		func(i0, i1 int) {
			for j := i0; j < i1; j++ {
				m[j] += F((g[j] - m[j]) * c.OneMinusBeta1)                                      // m += (g − m)·(1 − β₁)
				v[j] = F(c.Beta2*v[j]) + F(F(c.OneMinusBeta2*g[j])*g[j])                        // v = β₂v + (1 − β₂)g²
				p[j] -= F(c.StepSize*m[j]) / (F(F(math.Sqrt(float64(v[j])))/c.BC2Sqrt) + c.Eps) // p −= stepSize·m/(√v/bc2Sqrt + ε)
			}
		})
}

// RMSpropCoefficients are the scalars of an RMSprop step, each rounded to F.
type RMSpropCoefficients[F Float] struct {
	LR            F // the learning rate
	Alpha         F // α, the smoothing
	OneMinusAlpha F // 1 − α, rounded as a whole (not 1 − F(α))
	Eps           F // ε
}

// RMSpropStep is one RMSprop step on every element, in PyTorch's order of
// operations, each operation rounded on its own:
//
//	s = α·s + ((1 − α)·g)·g
//	p −= lr·g / (√s + ε)
func RMSpropStep[F Float](p, g, s []F, c RMSpropCoefficients[F]) {
	g, s = g[:len(p)], s[:len(p)]
	elementWise[F](len(p), func(ks *vectorSet) bool { return ks.rmsprop != nil },
		func(ks *vectorSet, i, n int) {
			ks.rmsprop(f32p(&p[i]), f32p(&g[i]), f32p(&s[i]), n, float32(c.LR), float32(c.Alpha), float32(c.OneMinusAlpha), float32(c.Eps))
		},
		func(i0, i1 int) {
			for j := i0; j < i1; j++ {
				s[j] = F(c.Alpha*s[j]) + F(F(c.OneMinusAlpha*g[j])*g[j])     // s = αs + (1 − α)g²
				p[j] -= F(c.LR*g[j]) / (F(math.Sqrt(float64(s[j]))) + c.Eps) // p −= lr·g/(√s + ε)
			}
		})
}

// TanhDerivative computes d = s ⊙ (1 − h²): a learning signal s through tanh, whose
// outputs are h. d may be s.
func TanhDerivative[F Float](d, s, h []F) {
	d, s = d[:len(h)], s[:len(h)]
	elementWise[F](len(h), func(ks *vectorSet) bool { return ks.tanhDerivative != nil },
		func(ks *vectorSet, i, n int) { ks.tanhDerivative(f32p(&d[i]), f32p(&s[i]), f32p(&h[i]), n) },
		func(i0, i1 int) {
			for i := i0; i < i1; i++ {
				d[i] = s[i] * (1 - F(h[i]*h[i])) // d = s·(1 − h²)
			}
		})
}

// elementWise runs a step on the elements i < n, split across the goroutines of
// Threads: on each part, vector(ks, i, m) over the m elements from i that fill whole
// vectors, where F is float32 and the kernels ks have the step (has), then
// plain(i0, i1) over the rest.
func elementWise[F Float](n int, has func(*vectorSet) bool, vector func(ks *vectorSet, i, m int), plain func(i0, i1 int)) {
	ks, lanes := kernels, 1
	if ks != nil && is32[F]() && has(ks) {
		lanes = ks.lanes
	} else {
		ks = nil
	}
	byChunks(n, lanes, func(i0, i1 int) {
		if m := (i1 - i0) / lanes * lanes; ks != nil && m > 0 {
			vector(ks, i0, m)
			i0 += m
		}
		plain(i0, i1)
	})
}

// f32p views a *F whose F is 4 bytes wide as a *float32.
func f32p[F Float](p *F) *float32 { return (*float32)(unsafe.Pointer(p)) }
