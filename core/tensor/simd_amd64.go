//go:build goexperiment.simd

package tensor

import "simd/archsimd"

// haveSIMD: the vector kernels need AVX2 (their 128-bit operations use its
// encodings); other CPUs take the plain ones, which give the same bits.
var haveSIMD = archsimd.X86.AVX2()
