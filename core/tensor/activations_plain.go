//go:build !goexperiment.simd || !(amd64 || wasm)

package tensor

func tanh32s(v []float32)    { tanh32Plain(v) }
func sigmoid32s(v []float32) { sigmoid32Plain(v) }
