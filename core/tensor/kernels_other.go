//go:build !amd64 && !arm64 && !(wasm && goexperiment.simd)

package tensor

// vectorSets: no vector kernels on this platform; the plain ones run.
func vectorSets() []vectorSet { return nil }

// CPUFeatures lists the vector extensions the kernels look at: none here.
func CPUFeatures() []string { return nil }
