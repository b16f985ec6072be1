package tensor

//go:generate go run ./internal/kernelgen

// The CPU's features, read with CPUID and XGETBV: the instruction sets and whether
// the operating system saves their registers. (golang.org/x/sys/cpu reads the same;
// the core imports nothing outside the standard library, so that a bare clone builds
// tools/mnist, which links it, with no module to fetch.)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)
func xgetbv() (lo, hi uint32)

// x86 holds what vectorSets needs to know.
var x86 = func() (f struct{ avx, avx2, fma, avx512 bool }) {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return f
	}
	_, _, c1, _ := cpuid(1, 0)
	_, b7, _, _ := cpuid(7, 0)
	osxsave := c1&(1<<27) != 0
	if !osxsave {
		return f
	}
	xcr0, _ := xgetbv()
	ymm := xcr0&0b110 == 0b110           // XMM and YMM state
	zmm := xcr0&0b11100110 == 0b11100110 // and opmask, ZMM₀₋₁₅ upper halves, ZMM₁₆₋₃₁
	f.avx = ymm && c1&(1<<28) != 0
	f.fma = f.avx && c1&(1<<12) != 0
	f.avx2 = f.avx && b7&(1<<5) != 0
	f.avx512 = zmm && f.avx2 && b7&(1<<16) != 0
	return f
}()

// CPUFeatures lists the vector extensions of this CPU that the kernels look at.
func CPUFeatures() []string {
	names := []string{"SSE2"}
	for _, f := range []struct {
		name string
		ok   bool
	}{{"AVX", x86.avx}, {"AVX2", x86.avx2}, {"FMA", x86.fma}, {"AVX-512F", x86.avx512}} {
		if f.ok {
			names = append(names, f.name)
		}
	}
	return names
}

// vectorSets returns the kernels this CPU runs, best first: AVX-512 (the F subset:
// 512-bit registers), AVX2, SSE (every amd64 CPU).
func vectorSets() []vectorSet {
	var sets []vectorSet
	avx2Rows := []rowKernel{{64, rowAVX2x64}, {32, rowAVX2x32}, {16, rowAVX2x16}, {8, rowAVX2x8}, {4, rowAVX2x4}}
	avx2Tiles := []tileKernel{{16, tileAVX2x16}, {8, tileAVX2x8}, {4, tileAVX2x4}}
	if x86.avx512 {
		sets = append(sets, vectorSet{name: "AVX-512",
			rows:  append([]rowKernel{{128, rowAVX512x128}, {64, rowAVX512x64}, {32, rowAVX512x32}, {16, rowAVX512x16}}, avx2Rows[3:]...),
			tiles: append([]tileKernel{{64, tileAVX512x64}, {32, tileAVX512x32}, {16, tileAVX512x16}}, avx2Tiles[1:]...),
			lanes: 16, tanh: tanhAVX512, sigmoid: sigmoidAVX512, nag: nagAVX512, tanhDerivative: tanhDerivativeAVX512,
			adam: adamAVX512, rmsprop: rmspropAVX512})
	}
	if x86.avx2 {
		sets = append(sets, vectorSet{name: "AVX2", rows: avx2Rows, tiles: avx2Tiles,
			lanes: 8, tanh: tanhAVX2, sigmoid: sigmoidAVX2, nag: nagAVX2, tanhDerivative: tanhDerivativeAVX2,
			adam: adamAVX2, rmsprop: rmspropAVX2})
	}
	return append(sets, vectorSet{name: "SSE",
		rows:  []rowKernel{{32, rowSSEx32}, {16, rowSSEx16}, {8, rowSSEx8}, {4, rowSSEx4}},
		tiles: []tileKernel{{8, tileSSEx8}, {4, tileSSEx4}}})
}
