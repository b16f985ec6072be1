package tensor

import "math"

// The standard library's Exp and Log run assembly on amd64 (with FMA where the CPU has
// it) and plain Go in WebAssembly, so their last bits can differ between a native run
// and the same run in the browser. These are written in plain Go arithmetic only, so
// that a seed gives bit-identical training everywhere; they are accurate to a few ulp.

const (
	ln2Hi  = 6.93147180369123816490e-01 // ln 2, high bits: k·ln2Hi is exact for |k| < 2¹¹
	ln2Lo  = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	log2e  = 1.44269504088896338700e+00
	expMax = 709.782712893383973096 // above: +Inf
	expMin = -745.13321910194110842 // below: 0
)

// Exp returns eˣ.
func Exp[F Float](x F) F { return F(exp64(float64(x))) }

// Log returns the natural logarithm of x (−Inf at 0, NaN below).
func Log[F Float](x F) F { return F(log64(float64(x))) }

// Tanh returns the hyperbolic tangent of x.
func Tanh[F Float](x F) F { return F(tanh64(float64(x))) }

// Sigmoid returns 1/(1 + e⁻ˣ).
func Sigmoid[F Float](x F) F { return F(1 / (1 + exp64(-float64(x)))) }

func exp64(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > expMax:
		return math.Inf(1)
	case x < expMin:
		return 0
	}
	// eˣ = 2ᵏ·eʳ with k = round(x/ln 2) and |r| ≤ ln2/2.
	k := math.Floor(x*log2e + 0.5)
	r := (x - k*ln2Hi) - k*ln2Lo
	// eʳ by its Taylor series to r¹³/13!, in Horner form: the rest is below 1e-17
	// for |r| ≤ 0.35.
	p := 1.0
	for n := 13; n >= 1; n-- {
		p = 1 + p*r/float64(n)
	}
	return scale2(p, int(k))
}

// scale2 returns p·2ᵏ for p near 1 and −1076 < k ≤ 1025, in steps that stay normal.
func scale2(p float64, k int) float64 {
	switch {
	case k > 1023:
		return p * 2 * pow2(k-1)
	case k < -1020:
		return p * pow2(k+1000) * pow2(-1000)
	}
	return p * pow2(k)
}

// pow2 returns 2ᵏ for −1022 ≤ k ≤ 1023.
func pow2(k int) float64 { return math.Float64frombits(uint64(k+1023) << 52) }

func log64(x float64) float64 {
	switch {
	case x != x || x > math.MaxFloat64:
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	e := 0
	if x < 0x1p-1022 { // subnormal: make it normal first
		x *= 0x1p54
		e = -54
	}
	bits := math.Float64bits(x)
	e += int(bits>>52) - 1023
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // x = m·2ᵉ, 1 ≤ m < 2
	if m > math.Sqrt2 {
		m /= 2
		e++
	}
	// ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) with s = (m−1)/(m+1), |s| ≤ 0.172.
	s := (m - 1) / (m + 1)
	s2 := s * s
	q := 0.0
	for n := 23; n >= 3; n -= 2 {
		q = s2 * (1/float64(n) + q)
	}
	f := float64(e)
	return f*ln2Hi + (2*s + (2*s*q + f*ln2Lo))
}

func tanh64(x float64) float64 {
	a := math.Abs(x)
	if a < 0.125 {
		// Taylor series to x¹⁵: the rest is below 1e-17 relative.
		z := x * x
		return x * (1 + z*(-1.0/3+z*(2.0/15+z*(-17.0/315+z*(62.0/2835+z*(-1382.0/155925+
			z*(21844.0/6081075+z*(-929569.0/638512875))))))))
	}
	if a > 22 {
		return math.Copysign(1, x)
	}
	e := exp64(-2 * a)
	return math.Copysign((1-e)/(1+e), x)
}
