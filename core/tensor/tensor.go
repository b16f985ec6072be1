// Package tensor holds the dense float kernels the networks are built from: matrix
// products over flat row-major slices, convolution by im2col, 2×2 max-pooling and the
// element-wise functions. It knows nothing of networks.
//
// Every kernel is written in plain Go and generic over the element type, so that the
// same code runs in float32 (training) and float64 (checking against the reference).
// Results depend only on the order of the operations written here, never on the CPU:
// the same inputs give bit-identical outputs natively and in WebAssembly.
package tensor

// Float is the element type of every kernel: float32 or float64.
type Float interface {
	~float32 | ~float64
}

// Argmax returns the index of the first largest element of v (0 if v is empty).
func Argmax[F Float](v []F) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
