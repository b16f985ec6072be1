package tensor

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/kernelgen

// vectorSets returns the kernels this CPU runs, best first: AVX-512 (the F subset:
// 512-bit registers), AVX2, SSE (every amd64 CPU).
func vectorSets() []vectorSet {
	var sets []vectorSet
	avx2Rows := []rowKernel{{64, rowAVX2x64}, {32, rowAVX2x32}, {16, rowAVX2x16}, {8, rowAVX2x8}, {4, rowAVX2x4}}
	avx2Tiles := []tileKernel{{16, tileAVX2x16}, {8, tileAVX2x8}, {4, tileAVX2x4}}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 {
		sets = append(sets, vectorSet{name: "AVX-512",
			rows:  append([]rowKernel{{128, rowAVX512x128}, {64, rowAVX512x64}, {32, rowAVX512x32}, {16, rowAVX512x16}}, avx2Rows[3:]...),
			tiles: append([]tileKernel{{64, tileAVX512x64}, {32, tileAVX512x32}, {16, tileAVX512x16}}, avx2Tiles[1:]...),
			lanes: 16, tanh: tanhAVX512, sigmoid: sigmoidAVX512, nag: nagAVX512})
	}
	if cpu.X86.HasAVX2 {
		sets = append(sets, vectorSet{name: "AVX2", rows: avx2Rows, tiles: avx2Tiles,
			lanes: 8, tanh: tanhAVX2, sigmoid: sigmoidAVX2, nag: nagAVX2})
	}
	return append(sets, vectorSet{name: "SSE",
		rows:  []rowKernel{{32, rowSSEx32}, {16, rowSSEx16}, {8, rowSSEx8}, {4, rowSSEx4}},
		tiles: []tileKernel{{8, tileSSEx8}, {4, tileSSEx4}}})
}
