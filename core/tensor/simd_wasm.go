//go:build goexperiment.simd

package tensor

// haveSIMD: every browser that runs the page has 128-bit SIMD.
const haveSIMD = true
