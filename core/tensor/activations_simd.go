//go:build goexperiment.simd && (amd64 || wasm)

package tensor

import "simd/archsimd"

// The float32 activations four at a time: exactly the operations of exp32, tanh32
// and sigmoid32, lane by lane.

func tanh32s(v []float32) {
	if !haveSIMD {
		tanh32Plain(v)
		return
	}
	one, two := splat(1), splat(2)
	i := 0
	for ; i+4 <= len(v); i += 4 {
		x := load(v[i:])
		e := exp32x4(clamp32x4(two.Mul(x)))
		store(one.Sub(two.Div(e.Add(one))), v[i:]) // 1 − 2/(e²ˣ + 1)
	}
	tanh32Plain(v[i:])
}

func sigmoid32s(v []float32) {
	if !haveSIMD {
		sigmoid32Plain(v)
		return
	}
	one := splat(1)
	i := 0
	for ; i+4 <= len(v); i += 4 {
		x := load(v[i:])
		e := exp32x4(clamp32x4(x.Neg()))
		store(one.Div(one.Add(e)), v[i:]) // 1/(1 + e⁻ˣ)
	}
	sigmoid32Plain(v[i:])
}

// clamp32x4 is clamp32 to [−87, 87]: NaN stays NaN.
func clamp32x4(x vec) vec {
	hi, lo := splat(expClamp), splat(-expClamp)
	x = hi.IfElse(x.Greater(hi), x)
	return lo.IfElse(x.Less(lo), x)
}

// exp32x4 is exp32 on each lane.
func exp32x4(y vec) vec {
	k := madd(splat(0.5), y, splat(log2e32)).Floor() // ⌊y·log₂e + ½⌋
	r := y.Sub(k.Mul(splat(ln2Hi32))).Sub(k.Mul(splat(ln2Lo32)))
	p := splat(1.0 / 720)
	for _, c := range [...]float32{1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1} {
		p = madd(splat(c), p, r) // p·r + c
	}
	scale := k.ConvertToInt32().Add(archsimd.BroadcastInt32x4(127)).ShiftAllLeft(23).ToBits().BitsToFloat32()
	return p.Mul(scale)
}
