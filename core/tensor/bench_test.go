package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkProducts measures the float32 products in multiply-adds per second: the
// widest tile kernel alone, its operands in the first-level cache (the kernel's own
// ceiling; where the set has tiles), and the dense products of the conv net's 6272-1000 layer, forward,
// weight gradient and δ·Wᵀ, batch 100. tools/bench sets them beside this CPU's peak.
func BenchmarkProducts(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	gmacs := func(b *testing.B, macs int) {
		b.ReportMetric(float64(macs)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
	}
	if ks := kernels; ks != nil && len(ks.tiles) > 0 {
		t := ks.tiles[0]
		b.Run(fmt.Sprintf("one %d×%d tile in L1", 4, t.width), func(b *testing.B) {
			const k = 256
			a, bb, c := randomFloat32s(rng, 4*k, 0), randomFloat32s(rng, k*t.width, 0), make([]float32, 4*t.width)
			for range b.N {
				t.f(&c[0], t.width, &a[0], k, 1, &bb[0], t.width, k)
			}
			gmacs(b, 4*k*t.width)
		})
	}
	const batch, in, out = 100, 6272, 1000
	x, w, d := randomFloat32s(rng, batch*in, 0), randomFloat32s(rng, in*out, 0), randomFloat32s(rng, batch*out, 0)
	h, gw, dx := make([]float32, batch*out), make([]float32, in*out), make([]float32, batch*in)
	var scratch []float32
	for _, p := range []struct {
		name string
		f    func()
	}{
		{"forward x·W", func() { MulAdd(h, x, w, batch, in, out) }},
		{"gradient xᵀ·δ", func() { MulTransA(gw, x, d, in, batch, out) }},
		{"backward δ·Wᵀ", func() { scratch = MulTransB(dx, d, w, batch, out, in, scratch) }},
	} {
		b.Run(fmt.Sprintf("%d-%d/%s", in, out, p.name), func(b *testing.B) {
			for range b.N {
				p.f()
			}
			gmacs(b, batch*in*out)
		})
	}
}

// BenchmarkMaxPool2 pools the conv net's batch (100 samples of 32×28×28, random
// values: windows whose maximum no CPU predicts) by keys, as MaxPool2 does on
// float32, and by comparisons, maxPool2Plain, the baseline.
func BenchmarkMaxPool2(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const c, h, w = 3200, 28, 28
	x := randomFloat32s(rng, c*h*w, 0)
	out, arg := make([]float32, c*h*w/4), make([]int32, c*h*w/4)
	for _, p := range []struct {
		name string
		f    func([]float32, []int32, []float32, int, int, int)
	}{{"keys", MaxPool2[float32]}, {"comparisons", maxPool2Plain[float32]}} {
		b.Run(p.name, func(b *testing.B) {
			for range b.N {
				p.f(out, arg, x, c, h, w)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out)), "ns/window")
		})
	}
}
