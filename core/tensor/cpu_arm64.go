package tensor

// CPUFeatures lists the vector extensions the kernels look at: NEON (Advanced SIMD),
// which every arm64 CPU has.
func CPUFeatures() []string { return []string{"NEON"} }

// vectorSets returns the NEON kernels, then the plain ones follow.
func vectorSets() []vectorSet {
	return []vectorSet{{name: "NEON",
		rows:  []rowKernel{{64, rowNEONx64}, {32, rowNEONx32}, {16, rowNEONx16}, {8, rowNEONx8}, {4, rowNEONx4}},
		tiles: []tileKernel{{16, tileNEONx16}, {8, tileNEONx8}, {4, tileNEONx4}},
		lanes: 4, tanh: tanhNEON, sigmoid: sigmoidNEON, nag: nagNEON, tanhDerivative: tanhDerivativeNEON,
		adam: adamNEON, rmsprop: rmspropNEON}}
}
