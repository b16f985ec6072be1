//go:build !goexperiment.simd || !(amd64 || wasm)

package tensor

// Without SIMD the float32 kernels are the plain ones.

func mulAdd32(c, a, b []float32, m, k, n int)       { mulAdd(c, a, b, m, k, n) }
func mulTransAAdd32(c, a, b []float32, m, k, n int) { mulTransAAdd(c, a, b, m, k, n) }
func mulTransAAddRows32(c, a, b []float32, m, k, n, i0, i1 int) {
	mulTransAAddRows(c, a, b, m, k, n, i0, i1)
}
func axpy32(a float32, x, y []float32) { axpy(a, x, y) }

// SIMD reports whether the kernels are vectorised.
const SIMD = false
