//go:build goexperiment.simd && (amd64 || wasm)

package tensor

import "simd/archsimd"

// The float32 kernels with 128-bit vectors (SSE/AVX on amd64, SIMD128 in
// WebAssembly). They tile C into blocks of 4 rows by 8 columns held in registers and
// add into each element its terms in ascending order of the summed index, one
// vector multiplication and one vector addition at a time: the same operations, in
// the same order, as the plain kernels, so the bits agree with them.

// SIMD reports whether the kernels are vectorised.
const SIMD = true

type vec = archsimd.Float32x4

func load(s []float32) vec          { return archsimd.LoadFloat32x4(s) }
func splat(x float32) vec           { return archsimd.BroadcastFloat32x4(x) }
func madd(c vec, a, b vec) vec      { return c.Add(a.Mul(b)) } // c + a·b, two roundings
func store(v vec, s []float32)      { v.Store(s) }
func zero4(a, b, c, d float32) bool { return a == 0 && b == 0 && c == 0 && d == 0 }

// mulAdd32: C (m×n) += A (m×k) · B (k×n). A sparse A (the pixels of MNIST) goes
// row by row, a vector axpy for each of its nonzero entries; a dense one in tiles.
func mulAdd32(c, a, b []float32, m, k, n int) {
	switch {
	case !haveSIMD:
		mulAdd(c, a, b, m, k, n)
	case sparse(a):
		for i := 0; i < m; i++ {
			ci := c[i*n : i*n+n]
			for p, av := range a[i*k : i*k+k] {
				if av != 0 {
					axpy32(av, b[p*n:p*n+n], ci) // c_i· += a_ip · b_p·
				}
			}
		}
	default:
		tile4x8(c, a, b, m, k, n, k, 1)
	}
}

// mulTransAAdd32: C (m×n) += Aᵀ·B for A k×m and B k×n.
func mulTransAAdd32(c, a, b []float32, m, k, n int) { mulTransAAddRows32(c, a, b, m, k, n, 0, m) }

// mulTransAAddRows32 computes rows i0 ≤ i < i1 of mulTransAAdd32's C, and no other.
func mulTransAAddRows32(c, a, b []float32, m, k, n, i0, i1 int) {
	switch {
	case !haveSIMD:
		mulTransAAddRows(c, a, b, m, k, n, i0, i1)
	case sparse(a):
		for p := 0; p < k; p++ {
			bp := b[p*n : p*n+n]
			for i, av := range a[p*m+i0 : p*m+i1] {
				if av != 0 {
					axpy32(av, bp, c[(i0+i)*n:(i0+i)*n+n]) // c_i· += a_pi · b_p·
				}
			}
		}
	default:
		tile4x8(c[i0*n:], a[i0:], b, i1-i0, k, n, 1, m)
	}
}

// sparse reports whether fewer than a third of a's entries are nonzero: then
// skipping single zeros beats tiling, which skips only four at a time.
func sparse(a []float32) bool {
	nonzero := 0
	for _, v := range a {
		if v != 0 {
			nonzero++
		}
	}
	return 3*nonzero < len(a)
}

// tile4x8 computes C (m×n) += Â·B where Â (m×k) has element (i, p) at a[i·rs + p·ps]
// (A itself, or its transpose), and B is k×n row-major. It runs the summed index in
// blocks of kc, and within a block sweeps tiles of 4 rows by 8 columns: columns
// outside rows when Â's rows are contiguous (the panel of B stays in the cache across
// the rows), rows outside columns otherwise. Each element of C still adds its terms
// in ascending order of p.
func tile4x8(c, a, b []float32, m, k, n, rs, ps int) {
	const kc = 256
	for p0 := 0; p0 < k; p0 += kc {
		p1 := min(p0+kc, k)
		if ps == 1 {
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
// Four rows whose four entries of Â are all zero at p skip p.
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
			if zero4(a0, a1, a2, a3) {
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
			if zero4(a0, a1, a2, a3) {
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
		for r := i; r < i+rows; r++ {
			for col := j; col < j+cols; col++ {
				s := c[r*n+col]
				for p := p0; p < p1; p++ {
					if av := a[r*rs+p*ps]; av != 0 {
						s += float32(av * b[p*n+col])
					}
				}
				c[r*n+col] = s
			}
		}
	}
}

// axpy32: y += a·x.
func axpy32(a float32, x, y []float32) {
	y = y[:len(x)]
	i := 0
	if haveSIMD {
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
	}
	for ; i < len(x); i++ {
		y[i] += float32(a * x[i])
	}
}
