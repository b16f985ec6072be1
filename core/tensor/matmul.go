package tensor

import "unsafe"

// All matrices are flat row-major slices; the caller states their sizes. The products
// accumulate into C (C += ...), so a caller clears C first when it wants C = ....
//
// Every product adds, into each element of C, its terms in ascending order of the
// summed index, one multiplication and one addition at a time (never fused). The
// plain Go kernels and the SIMD ones (built with GOEXPERIMENT=simd) follow that
// order exactly, so they give the same bits natively and in WebAssembly.

// MulAdd computes C += A·B for A m×k, B k×n and C m×n.
// Zero entries of A are skipped: with A the network's input, most MNIST pixels cost
// nothing. Large products are split by rows of C across Threads goroutines.
func MulAdd[F Float](c, a, b []F, m, k, n int) {
	if m == 0 || k == 0 || n == 0 {
		return
	}
	a, b, c = a[:m*k], b[:k*n], c[:m*n]
	if t := goroutinesFor(m, k, n); t > 1 {
		byRows(m, t, func(i0, i1 int) { mulAddPart(c, a, b, k, n, i0, i1) })
		return
	}
	mulAddPart(c, a, b, k, n, 0, m)
}

// mulAddPart computes rows i0 ≤ i < i1 of MulAdd's C.
func mulAddPart[F Float](c, a, b []F, k, n, i0, i1 int) {
	ci, ai := c[i0*n:i1*n], a[i0*k:i1*k]
	if is32[F]() {
		mulAdd32(f32(ci), f32(ai), f32(b), i1-i0, k, n)
		return
	}
	mulAdd(ci, ai, b, i1-i0, k, n)
}

// MulTransAAdd computes C += Aᵀ·B for A k×m, B k×n and C m×n.
// Zero entries of A are skipped. Large products are split by rows of C across
// Threads goroutines.
func MulTransAAdd[F Float](c, a, b []F, m, k, n int) {
	if m == 0 || k == 0 || n == 0 {
		return
	}
	a, b, c = a[:k*m], b[:k*n], c[:m*n]
	if t := goroutinesFor(m, k, n); t > 1 {
		byRows(m, t, func(i0, i1 int) { mulTransAAddPart(c, a, b, m, k, n, i0, i1) })
		return
	}
	mulTransAAddPart(c, a, b, m, k, n, 0, m)
}

// MulTransA computes C = Aᵀ·B for A k×m, B k×n and C m×n: MulTransAAdd on a cleared
// C, each goroutine clearing its own rows of C (a gradient is cleared where it is
// about to be computed, on every core).
func MulTransA[F Float](c, a, b []F, m, k, n int) {
	c = c[:m*n]
	if m == 0 || k == 0 || n == 0 {
		clear(c)
		return
	}
	a, b = a[:k*m], b[:k*n]
	part := func(i0, i1 int) {
		clear(c[i0*n : i1*n])
		mulTransAAddPart(c, a, b, m, k, n, i0, i1)
	}
	if t := goroutinesFor(m, k, n); t > 1 {
		byRows(m, t, part)
		return
	}
	part(0, m)
}

// mulTransAAddPart computes rows i0 ≤ i < i1 of MulTransAAdd's C.
func mulTransAAddPart[F Float](c, a, b []F, m, k, n, i0, i1 int) {
	if is32[F]() {
		mulTransAAddRows32(f32(c), f32(a), f32(b), m, k, n, i0, i1)
		return
	}
	mulTransAAddRows(c, a, b, m, k, n, i0, i1)
}

// MulTransBAdd computes C += A·Bᵀ for A m×k, B n×k and C m×n. It transposes into
// scratch (grown when too short; it is returned for reuse) whichever costs less:
// B, then C += A·(Bᵀ); or A and C, then Cᵀ += B·Aᵀ, and C back. Either way each
// element of C adds A(i, p)·B(j, p) in ascending p, starting from its value.
func MulTransBAdd[F Float](c, a, b []F, m, k, n int, scratch []F) []F {
	return mulTransB(c, a, b, m, k, n, scratch, true)
}

// MulTransB computes C = A·Bᵀ as MulTransBAdd does on a cleared C, without reading C.
func MulTransB[F Float](c, a, b []F, m, k, n int, scratch []F) []F {
	return mulTransB(c, a, b, m, k, n, scratch, false)
}

func mulTransB[F Float](c, a, b []F, m, k, n int, scratch []F, add bool) []F {
	if m == 0 || k == 0 || n == 0 {
		if !add {
			clear(c[:m*n])
		}
		return scratch
	}
	if k*n <= m*k+2*m*n {
		scratch = grownTo(scratch, k*n)
		bt := scratch[:k*n]
		Transpose(bt, b[:n*k], n, k)
		if !add {
			clear(c[:m*n])
		}
		MulAdd(c, a, bt, m, k, n)
		return scratch
	}
	scratch = grownTo(scratch, k*m+n*m)
	at, ct := scratch[:k*m], scratch[k*m:k*m+n*m]
	Transpose(at, a[:m*k], m, k)
	if add {
		Transpose(ct, c[:m*n], m, n)
	} else {
		clear(ct)
	}
	MulAdd(ct, b, at, n, k, m) // Cᵀ += B·Aᵀ
	Transpose(c[:m*n], ct, n, m)
	return scratch
}

// grownTo returns s, or a new slice when s is shorter than n.
func grownTo[F Float](s []F, n int) []F {
	if cap(s) < n {
		return make([]F, n)
	}
	return s
}

// Transpose writes the transpose of the rows×cols matrix a into t (cols×rows).
func Transpose[F Float](t, a []F, rows, cols int) {
	t, a = t[:rows*cols], a[:rows*cols]
	const block = 32 // a block of each stays in the cache
	for r0 := 0; r0 < rows; r0 += block {
		for c0 := 0; c0 < cols; c0 += block {
			for r := r0; r < min(r0+block, rows); r++ {
				row := a[r*cols : (r+1)*cols]
				for c := c0; c < min(c0+block, cols); c++ {
					t[c*rows+r] = row[c]
				}
			}
		}
	}
}

// Axpy computes y += a·x over len(x) elements; y must be at least as long.
func Axpy[F Float](a F, x, y []F) {
	if is32[F]() {
		axpy32(float32(a), f32(x), f32(y))
		return
	}
	axpy(a, x, y)
}

// is32 reports whether F is float32 (or a type defined on it): the kernels then take
// their float32 path, which GOEXPERIMENT=simd builds vectorise.
func is32[F Float]() bool {
	var zero F
	return unsafe.Sizeof(zero) == 4
}

// f32 views a []F whose F is 4 bytes wide as []float32, without copying.
func f32[F Float](v []F) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// The plain kernels, for any element type. The float32 ones of builds without SIMD
// are these.

func mulAdd[F Float](c, a, b []F, m, k, n int) {
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		for p, av := range a[i*k : i*k+k] {
			if av != 0 {
				axpy(av, b[p*n:p*n+n], ci) // c_i· += a_ip · b_p·
			}
		}
	}
}

func mulTransAAdd[F Float](c, a, b []F, m, k, n int) { mulTransAAddRows(c, a, b, m, k, n, 0, m) }

// mulTransAAddRows computes rows i0 ≤ i < i1 of mulTransAAdd's C, and no other.
func mulTransAAddRows[F Float](c, a, b []F, m, k, n, i0, i1 int) {
	for p := 0; p < k; p++ {
		bp := b[p*n : p*n+n]
		for i, av := range a[p*m+i0 : p*m+i1] {
			if av != 0 {
				axpy(av, bp, c[(i0+i)*n:(i0+i)*n+n]) // c_i· += a_pi · b_p·
			}
		}
	}
}

func axpy[F Float](a F, x, y []F) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += F(a * v) // F(…) rounds the product: no fused multiply-add on any target
	}
}
