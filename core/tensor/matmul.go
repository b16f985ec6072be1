package tensor

// All matrices are flat row-major slices; the caller states their sizes. The products
// accumulate into C (C += ...), so a caller clears C first when it wants C = ....

// MulAdd computes C += A·B for A m×k, B k×n and C m×n.
// Zero entries of A are skipped: with A the network's input, most MNIST pixels cost
// nothing.
func MulAdd[F Float](c, a, b []F, m, k, n int) {
	if m == 0 || k == 0 || n == 0 {
		return
	}
	a, b, c = a[:m*k], b[:k*n], c[:m*n]
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		for p, av := range a[i*k : i*k+k] {
			if av == 0 {
				continue
			}
			Axpy(av, b[p*n:p*n+n], ci) // c_i· += a_ip · b_p·
		}
	}
}

// MulTransAAdd computes C += Aᵀ·B for A k×m, B k×n and C m×n.
// Zero entries of A are skipped.
func MulTransAAdd[F Float](c, a, b []F, m, k, n int) {
	if m == 0 || k == 0 || n == 0 {
		return
	}
	a, b, c = a[:k*m], b[:k*n], c[:m*n]
	for p := 0; p < k; p++ {
		bp := b[p*n : p*n+n]
		for i, av := range a[p*m : p*m+m] {
			if av == 0 {
				continue
			}
			Axpy(av, bp, c[i*n:i*n+n]) // c_i· += a_pi · b_p·
		}
	}
}

// MulTransBAdd computes C += A·Bᵀ for A m×k, B n×k and C m×n.
func MulTransBAdd[F Float](c, a, b []F, m, k, n int) {
	if m == 0 || k == 0 || n == 0 {
		return
	}
	a, b, c = a[:m*k], b[:n*k], c[:m*n]
	for i := 0; i < m; i++ {
		ai := a[i*k : i*k+k]
		ci := c[i*n : i*n+n]
		for j := range ci {
			ci[j] += Dot(ai, b[j*k:j*k+k]) // c_ij += a_i· · b_j·
		}
	}
}

// Axpy computes y += a·x over len(x) elements; y must be at least as long.
func Axpy[F Float](a F, x, y []F) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		y[i] += a * x[i]
		y[i+1] += a * x[i+1]
		y[i+2] += a * x[i+2]
		y[i+3] += a * x[i+3]
	}
	for ; i < len(x); i++ {
		y[i] += a * x[i]
	}
}

// Dot returns Σ x_i·y_i over len(x) elements; y must be at least as long.
func Dot[F Float](x, y []F) F {
	y = y[:len(x)]
	var s0, s1, s2, s3 F
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Zero sets every element of x to 0.
func Zero[F Float](x []F) {
	clear(x)
}
