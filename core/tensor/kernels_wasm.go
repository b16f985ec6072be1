//go:build wasm && goexperiment.simd

package tensor

import (
	"unsafe"

	"simd/archsimd"
)

// The float32 kernels with WebAssembly's 128-bit SIMD, written with simd/archsimd
// (GOEXPERIMENT=simd): every browser that runs the page has it. One vector
// multiplication and one vector addition per term, in the drivers' order, as the
// amd64 kernels do.

// vectorSets returns the SIMD128 kernels.
func vectorSets() []vectorSet {
	return []vectorSet{{"SIMD128",
		[]rowKernel{{16, rowSIMD16}, {4, rowSIMD4}},
		[]tileKernel{{8, tileSIMD8}, {4, tileSIMD4}},
		4, tanhSIMD, sigmoidSIMD, nagSIMD}}
}

type vec = archsimd.Float32x4

func load(s []float32) vec             { return archsimd.LoadFloat32x4(s) }
func splat(x float32) vec              { return archsimd.BroadcastFloat32x4(x) }
func madd(c vec, a, b vec) vec         { return c.Add(a.Mul(b)) } // c + a·b, two roundings
func store(v vec, s []float32)         { v.Store(s) }
func elem(p *float32, i int) *float32  { return (*float32)(unsafe.Add(unsafe.Pointer(p), 4*i)) }
func span(p *float32, n int) []float32 { return unsafe.Slice(p, n) }

// rowSIMD16: c[0:16] += Σₜ val[t]·b[off[t] : off[t]+16].
func rowSIMD16(c, b *float32, off *int32, val *float32, n int) {
	cs := span(c, 16)
	c0, c1, c2, c3 := load(cs), load(cs[4:]), load(cs[8:]), load(cs[12:])
	offs, vals := unsafe.Slice(off, n), unsafe.Slice(val, n)
	for t, o := range offs {
		v, bs := splat(vals[t]), span(elem(b, int(o)), 16)
		c0, c1 = madd(c0, v, load(bs)), madd(c1, v, load(bs[4:]))
		c2, c3 = madd(c2, v, load(bs[8:])), madd(c3, v, load(bs[12:]))
	}
	store(c0, cs)
	store(c1, cs[4:])
	store(c2, cs[8:])
	store(c3, cs[12:])
}

// rowSIMD4: c[0:4] += Σₜ val[t]·b[off[t] : off[t]+4].
func rowSIMD4(c, b *float32, off *int32, val *float32, n int) {
	cs := span(c, 4)
	c0 := load(cs)
	offs, vals := unsafe.Slice(off, n), unsafe.Slice(val, n)
	for t, o := range offs {
		c0 = madd(c0, splat(vals[t]), load(span(elem(b, int(o)), 4)))
	}
	store(c0, cs)
}

// tileSIMD8: 4 rows × 8 columns of C += Σₚ â(r, p)·b(p, ·), skipping p when the four
// â(·, p) are zero.
func tileSIMD8(c *float32, ldc int, a *float32, rs, ps int, b *float32, ldb, n int) {
	r0, r1, r2, r3 := span(c, 8), span(elem(c, ldc), 8), span(elem(c, 2*ldc), 8), span(elem(c, 3*ldc), 8)
	c00, c01 := load(r0), load(r0[4:])
	c10, c11 := load(r1), load(r1[4:])
	c20, c21 := load(r2), load(r2[4:])
	c30, c31 := load(r3), load(r3[4:])
	for p := range n {
		q := p * ps
		a0, a1, a2, a3 := *elem(a, q), *elem(a, q+rs), *elem(a, q+2*rs), *elem(a, q+3*rs)
		if a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0 {
			continue
		}
		bp := span(elem(b, p*ldb), 8)
		b0, b1 := load(bp), load(bp[4:])
		v0, v1, v2, v3 := splat(a0), splat(a1), splat(a2), splat(a3)
		c00, c01 = madd(c00, v0, b0), madd(c01, v0, b1)
		c10, c11 = madd(c10, v1, b0), madd(c11, v1, b1)
		c20, c21 = madd(c20, v2, b0), madd(c21, v2, b1)
		c30, c31 = madd(c30, v3, b0), madd(c31, v3, b1)
	}
	store(c00, r0)
	store(c01, r0[4:])
	store(c10, r1)
	store(c11, r1[4:])
	store(c20, r2)
	store(c21, r2[4:])
	store(c30, r3)
	store(c31, r3[4:])
}

// tileSIMD4: 4 rows × 4 columns, as tileSIMD8.
func tileSIMD4(c *float32, ldc int, a *float32, rs, ps int, b *float32, ldb, n int) {
	r0, r1, r2, r3 := span(c, 4), span(elem(c, ldc), 4), span(elem(c, 2*ldc), 4), span(elem(c, 3*ldc), 4)
	c0, c1, c2, c3 := load(r0), load(r1), load(r2), load(r3)
	for p := range n {
		q := p * ps
		a0, a1, a2, a3 := *elem(a, q), *elem(a, q+rs), *elem(a, q+2*rs), *elem(a, q+3*rs)
		if a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0 {
			continue
		}
		b0 := load(span(elem(b, p*ldb), 4))
		c0, c1 = madd(c0, splat(a0), b0), madd(c1, splat(a1), b0)
		c2, c3 = madd(c2, splat(a2), b0), madd(c3, splat(a3), b0)
	}
	store(c0, r0)
	store(c1, r1)
	store(c2, r2)
	store(c3, r3)
}

// tanhSIMD: exactly the operations of tanh32, four lanes at a time.
func tanhSIMD(p *float32, n int) {
	v := span(p, n)
	one, two := splat(1), splat(2)
	for i := 0; i < n; i += 4 {
		x := load(v[i:])
		e := exp32x4(clamp32x4(two.Mul(x)))
		store(one.Sub(two.Div(e.Add(one))), v[i:]) // 1 − 2/(e²ˣ + 1)
	}
}

// sigmoidSIMD: exactly the operations of sigmoid32, four lanes at a time.
func sigmoidSIMD(p *float32, n int) {
	v := span(p, n)
	one := splat(1)
	for i := 0; i < n; i += 4 {
		x := load(v[i:])
		e := exp32x4(clamp32x4(x.Neg()))
		store(one.Div(one.Add(e)), v[i:]) // 1/(1 + e⁻ˣ)
	}
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

// nagSIMD: NAGStep's operations, four lanes at a time.
func nagSIMD(pp, gp, vp *float32, n int, lr, mu float32) {
	p, g, v := span(pp, n), span(gp, n), span(vp, n)
	l, m := splat(lr), splat(mu)
	for i := 0; i < n; i += 4 {
		gi := load(g[i:])
		vi := m.Mul(load(v[i:])).Add(gi) // v = μv + g
		store(vi, v[i:])
		store(load(p[i:]).Sub(l.Mul(gi.Add(m.Mul(vi)))), p[i:]) // p −= lr·(g + μv)
	}
}
