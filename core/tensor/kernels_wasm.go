//go:build wasm && goexperiment.simd

package tensor

import (
	"unsafe"

	"simd/archsimd"
)

// The float32 kernels with WebAssembly's 128-bit SIMD, written with simd/archsimd
// (GOEXPERIMENT=simd): every browser that runs the page has it. One vector
// multiplication and one vector addition per term, each element adding its terms in
// the order of the plain kernels (sparse) or of the amd64 tiles (dense), so the bits
// agree with both.

// vectorSets returns the SIMD128 kernels.
func vectorSets() []vectorSet {
	return []vectorSet{{name: "SIMD128", productOf: productSIMD, axpyOf: axpySIMD,
		lanes: 4, tanh: tanhSIMD, sigmoid: sigmoidSIMD, nag: nagSIMD, tanhDerivative: tanhDerivativeSIMD,
		adam: adamSIMD, rmsprop: rmspropSIMD}}
}

type vec = archsimd.Float32x4

func load(s []float32) vec             { return archsimd.LoadFloat32x4(s) }
func splat(x float32) vec              { return archsimd.BroadcastFloat32x4(x) }
func madd(c vec, a, b vec) vec         { return c.Add(a.Mul(b)) } // c + a·b, two roundings
func store(v vec, s []float32)         { v.Store(s) }
func span(p *float32, n int) []float32 { return unsafe.Slice(p, n) }

// productSIMD computes C (m×n) += Â·B, Â(i, p) = a[i·rs + p·ps], as the drivers of
// matmul32.go order it, with the loops of this file: Go's WebAssembly backend keeps
// few vectors in locals and makes calls dear, so that the drivers' micro-kernels,
// called through function values with their accumulators live across a loop, ran
// at half this speed in V8. A sparse Â adds its nonzero entries' terms into the
// whole row of C, eight at a time (one load and store of the row for eight); a
// dense one goes in tiles of 4 rows by 8 columns.
func productSIMD(c, a, b []float32, m, k, n, rs, ps int) {
	if !sparse(a) {
		tile4x8(c, a, b, m, k, n, rs, ps)
		return
	}
	var ps8 [8]int
	var av8 [8]float32
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		q := 0
		for p := 0; p < k; p++ {
			if av := a[i*rs+p*ps]; av != 0 {
				ps8[q], av8[q] = p, av
				if q++; q == 8 { // c_i· += a_ip · b_p· for eight p in turn, c_i· loaded once
					row := func(t int) []float32 { return b[ps8[t]*n : ps8[t]*n+n] }
					axpy8SIMD(av8, row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7), ci)
					q = 0
				}
			}
		}
		for t := range q {
			axpySIMD(av8[t], b[ps8[t]*n:ps8[t]*n+n], ci)
		}
	}
}

// axpy8SIMD: y += a₀·x₀, then += a₁·x₁, … += a₇·x₇, element by element: eight axpys'
// bits with one load and one store of y.
func axpy8SIMD(a [8]float32, x0, x1, x2, x3, x4, x5, x6, x7, y []float32) {
	n := len(y)
	x0, x1, x2, x3, x4, x5, x6, x7 = x0[:n], x1[:n], x2[:n], x3[:n], x4[:n], x5[:n], x6[:n], x7[:n]
	s0, s1, s2, s3 := splat(a[0]), splat(a[1]), splat(a[2]), splat(a[3])
	s4, s5, s6, s7 := splat(a[4]), splat(a[5]), splat(a[6]), splat(a[7])
	i := 0
	for ; i+4 <= n; i += 4 {
		v := load(y[i : i+4])
		v = madd(v, s0, load(x0[i:i+4]))
		v = madd(v, s1, load(x1[i:i+4]))
		v = madd(v, s2, load(x2[i:i+4]))
		v = madd(v, s3, load(x3[i:i+4]))
		v = madd(v, s4, load(x4[i:i+4]))
		v = madd(v, s5, load(x5[i:i+4]))
		v = madd(v, s6, load(x6[i:i+4]))
		v = madd(v, s7, load(x7[i:i+4]))
		store(v, y[i:i+4])
	}
	for ; i < n; i++ {
		v := y[i]
		for t, x := range [8][]float32{x0, x1, x2, x3, x4, x5, x6, x7} {
			v += float32(a[t] * x[i])
		}
		y[i] = v
	}
}

// sparse reports whether fewer than a third of a's entries are nonzero.
func sparse(a []float32) bool {
	nonzero := 0
	for _, v := range a {
		nonzero += nonzeroBit(v)
	}
	return 3*nonzero < len(a)
}

// tile4x8 computes C (m×n) += Â·B in tiles of 4 rows, in the order of tiled: the
// summed index in blocks of tileDepth, within a block rows outside columns unless
// B's block is larger than tileBlockB and Â's rows are contiguous. Each element of C
// adds its terms in ascending p.
func tile4x8(c, a, b []float32, m, k, n, rs, ps int) {
	for p0 := 0; p0 < k; p0 += tileDepth {
		p1 := min(p0+tileDepth, k)
		if ps == 1 && (p1-p0)*n > tileBlockB { // as tiled: rows outside when B's block fits the cache
			for j := 0; j < n; j += 8 {
				for i := 0; i < m; i += 4 {
					block(c, a, b, m, n, rs, ps, i, j, p0, p1)
				}
			}
		} else {
			for i := 0; i < m; i += 4 {
				for j := 0; j < n; j += 8 {
					block(c, a, b, m, n, rs, ps, i, j, p0, p1)
				}
			}
		}
	}
}

// block adds the terms p0 ≤ p < p1 into the tile of C at row i, column j: a full
// 4×8 tile in registers, 4×4 where fewer columns are left, one by one at the edges.
// A term p is skipped when the tile's rows' entries of Â are all zero, as the amd64
// tiles do.
func block(c, a, b []float32, m, n, rs, ps, i, j, p0, p1 int) {
	rows, cols := min(4, m-i), min(8, n-j)
	switch {
	case rows == 4 && cols == 8:
		r0, r1, r2, r3 := c[i*n+j:], c[(i+1)*n+j:], c[(i+2)*n+j:], c[(i+3)*n+j:]
		c00, c01 := load(r0), load(r0[4:])
		c10, c11 := load(r1), load(r1[4:])
		c20, c21 := load(r2), load(r2[4:])
		c30, c31 := load(r3), load(r3[4:])
		for p := p0; p < p1; p++ {
			q := i*rs + p*ps
			a0, a1, a2, a3 := a[q], a[q+rs], a[q+2*rs], a[q+3*rs]
			if a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0 {
				continue
			}
			bp := b[p*n+j : p*n+j+8]
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
	case rows == 4 && cols >= 4:
		r0, r1, r2, r3 := c[i*n+j:], c[(i+1)*n+j:], c[(i+2)*n+j:], c[(i+3)*n+j:]
		c0, c1, c2, c3 := load(r0), load(r1), load(r2), load(r3)
		for p := p0; p < p1; p++ {
			q := i*rs + p*ps
			a0, a1, a2, a3 := a[q], a[q+rs], a[q+2*rs], a[q+3*rs]
			if a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0 {
				continue
			}
			b0 := load(b[p*n+j:])
			c0, c1 = madd(c0, splat(a0), b0), madd(c1, splat(a1), b0)
			c2, c3 = madd(c2, splat(a2), b0), madd(c3, splat(a3), b0)
		}
		store(c0, r0)
		store(c1, r1)
		store(c2, r2)
		store(c3, r3)
		if cols > 4 {
			block(c, a, b, m, n, rs, ps, i, j+4, p0, p1) // the last 1–3 columns, one by one
		}
	default:
		for p := p0; p < p1; p++ {
			zero := true
			for r := i; r < i+rows; r++ {
				zero = zero && a[r*rs+p*ps] == 0
			}
			if zero {
				continue
			}
			for r := i; r < i+rows; r++ {
				av := a[r*rs+p*ps]
				for col := j; col < j+cols; col++ {
					c[r*n+col] += float32(av * b[p*n+col]) // c_rj += â_rp · b_pj
				}
			}
		}
	}
}

// axpySIMD: y += a·x.
func axpySIMD(a float32, x, y []float32) {
	y = y[:len(x)]
	i := 0
	v := splat(a)
	for ; i+16 <= len(x); i += 16 {
		store(madd(load(y[i:]), v, load(x[i:])), y[i:])
		store(madd(load(y[i+4:]), v, load(x[i+4:])), y[i+4:])
		store(madd(load(y[i+8:]), v, load(x[i+8:])), y[i+8:])
		store(madd(load(y[i+12:]), v, load(x[i+12:])), y[i+12:])
	}
	for ; i+4 <= len(x); i += 4 {
		store(madd(load(y[i:]), v, load(x[i:])), y[i:])
	}
	for ; i < len(x); i++ {
		y[i] += float32(a * x[i])
	}
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

// adamSIMD: AdamStep's operations, four lanes at a time; F32x4Sqrt and F32x4Div
// round correctly, as the plain loop's square root and division do.
func adamSIMD(pp, gp, mp, vp *float32, n int, oneMinusBeta1, beta2, oneMinusBeta2, eps, stepSize, bc2Sqrt float32) {
	p, g, m, v := span(pp, n), span(gp, n), span(mp, n), span(vp, n)
	c1, b2, c2, e, step, bc2 := splat(oneMinusBeta1), splat(beta2), splat(oneMinusBeta2), splat(eps), splat(stepSize), splat(bc2Sqrt)
	for i := 0; i < n; i += 4 {
		gi, mi := load(g[i:]), load(m[i:])
		mi = mi.Add(gi.Sub(mi).Mul(c1)) // m += (g − m)·(1 − β₁)
		store(mi, m[i:])
		vi := b2.Mul(load(v[i:])).Add(c2.Mul(gi).Mul(gi)) // v = β₂v + (1 − β₂)g²
		store(vi, v[i:])
		store(load(p[i:]).Sub(step.Mul(mi).Div(vi.Sqrt().Div(bc2).Add(e))), p[i:]) // p −= stepSize·m/(√v/bc2Sqrt + ε)
	}
}

// rmspropSIMD: RMSpropStep's operations, four lanes at a time.
func rmspropSIMD(pp, gp, sp *float32, n int, lr, alpha, oneMinusAlpha, eps float32) {
	p, g, s := span(pp, n), span(gp, n), span(sp, n)
	l, a, c, e := splat(lr), splat(alpha), splat(oneMinusAlpha), splat(eps)
	for i := 0; i < n; i += 4 {
		gi := load(g[i:])
		si := a.Mul(load(s[i:])).Add(c.Mul(gi).Mul(gi)) // s = αs + (1 − α)g²
		store(si, s[i:])
		store(load(p[i:]).Sub(l.Mul(gi).Div(si.Sqrt().Add(e))), p[i:]) // p −= lr·g/(√s + ε)
	}
}

// tanhDerivativeSIMD: TanhDerivative's operations, four lanes at a time.
func tanhDerivativeSIMD(dp, sp, hp *float32, n int) {
	d, s, h := span(dp, n), span(sp, n), span(hp, n)
	one := splat(1)
	for i := 0; i < n; i += 4 {
		hi := load(h[i:])
		store(load(s[i:]).Mul(one.Sub(hi.Mul(hi))), d[i:]) // d = s·(1 − h·h)
	}
}

// CPUFeatures lists the vector extensions the kernels look at.
func CPUFeatures() []string { return []string{"SIMD128"} }
