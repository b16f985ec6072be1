package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randomMatrix(rng *rand.Rand, n int, zeros float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		if rng.Float64() >= zeros {
			v[i] = 2*rng.Float64() - 1
		}
	}
	return v
}

// at reads element (i, j) of a rows×cols row-major matrix, transposed if asked.
func at(m []float64, i, j, cols int, transposed bool, rows int) float64 {
	if transposed {
		return m[j*rows+i]
	}
	return m[i*cols+j]
}

func TestMatrixProductsAgainstTheDefinition(t *testing.T) {
	sizes := [][3]int{{1, 1, 1}, {3, 5, 7}, {8, 4, 9}, {13, 17, 5}, {2, 33, 1}, {0, 3, 4}, {4, 0, 3}, {2, 40, 30}, {30, 40, 2}}
	kernels := []struct {
		name   string
		f      func(c, a, b []float64, m, k, n int)
		ta, tb bool // A is given k×m; B is given n×k
	}{
		{"MulAdd", MulAdd[float64], false, false},
		{"MulTransAAdd", MulTransAAdd[float64], true, false},
		{"MulTransBAdd", func(c, a, b []float64, m, k, n int) { MulTransBAdd(c, a, b, m, k, n, nil) }, false, true},
		{"MulTransB on a cleared C", func(c, a, b []float64, m, k, n int) {
			fresh := make([]float64, m*n)
			MulTransB(fresh, a, b, m, k, n, nil)
			for i := range c {
				c[i] += fresh[i] // the definition's C += …, from C = …
			}
		}, false, true},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kern := range kernels {
		for _, s := range sizes {
			m, k, n := s[0], s[1], s[2]
			t.Run(fmt.Sprintf("%s/%dx%dx%d", kern.name, m, k, n), func(t *testing.T) {
				a := randomMatrix(rng, m*k, 0.5) // half zeros: the skipping path too
				b := randomMatrix(rng, k*n, 0)
				c := randomMatrix(rng, m*n, 0)
				want := append([]float64(nil), c...)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						for p := 0; p < k; p++ {
							want[i*n+j] += at(a, i, p, k, kern.ta, m) * at(b, p, j, n, kern.tb, k)
						}
					}
				}
				kern.f(c, a, b, m, k, n)
				assert.InDeltaSlice(t, want, c, 1e-12)
			})
		}
	}
}

func TestIm2ColConvolutionAgainstTheDefinition(t *testing.T) {
	shapes := []ConvShape{
		NewConvShape(1, 5, 5, 3, 1, 0),
		NewConvShape(2, 6, 6, 3, 1, 1),
		NewConvShape(3, 7, 7, 3, 2, 1),
		NewConvShape(1, 8, 8, 5, 1, 2),
		NewConvShape(2, 9, 9, 4, 3, 2),
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range shapes {
		t.Run(fmt.Sprintf("%+v", s), func(t *testing.T) {
			const out = 2
			x := randomMatrix(rng, s.C*s.H*s.W, 0.3)
			w := randomMatrix(rng, out*s.ColRows(), 0)
			col := make([]float64, s.ColRows()*s.ColCols())
			Im2Col(col, x, s)
			colT, transposed := make([]float64, len(col)), make([]float64, len(col))
			Im2ColT(colT, x, s)
			Transpose(transposed, col, s.ColRows(), s.ColCols())
			assert.Equal(t, transposed, colT, "Im2ColT is Im2Col transposed")
			got := make([]float64, out*s.ColCols())
			MulAdd(got, w, col, out, s.ColRows(), s.ColCols())
			// y[o][oy][ox] = Σ_c Σ_ki Σ_kj w[o][c][ki][kj]·x[c][oy·S+ki−P][ox·S+kj−P]
			want := make([]float64, len(got))
			for o := 0; o < out; o++ {
				for oy := 0; oy < s.OutH; oy++ {
					for ox := 0; ox < s.OutW; ox++ {
						var sum float64
						for c := 0; c < s.C; c++ {
							for ki := 0; ki < s.K; ki++ {
								for kj := 0; kj < s.K; kj++ {
									iy, ix := oy*s.S+ki-s.P, ox*s.S+kj-s.P
									if iy >= 0 && iy < s.H && ix >= 0 && ix < s.W {
										sum += w[((o*s.C+c)*s.K+ki)*s.K+kj] * x[(c*s.H+iy)*s.W+ix]
									}
								}
							}
						}
						want[(o*s.OutH+oy)*s.OutW+ox] = sum
					}
				}
			}
			assert.InDeltaSlice(t, want, got, 1e-12)

			// Col2ImAdd is Im2Col's adjoint: <Im2Col(x), g> = <x, Col2Im(g)>.
			g := randomMatrix(rng, len(col), 0)
			dx := make([]float64, len(x))
			Col2ImAdd(dx, g, s)
			assert.InDelta(t, dot(col, g), dot(x, dx), 1e-12)
		})
	}
}

func TestMaxPool2(t *testing.T) {
	// One channel of 3×5: the last row and column are dropped; the tie in the second
	// window goes to its first maximum, as in PyTorch.
	x := []float64{
		1, 2, 7, 7, 9,
		4, 3, 0, 7, 9,
		9, 9, 9, 9, 9,
	}
	out := make([]float64, 2)
	arg := make([]int32, 2)
	MaxPool2(out, arg, x, 1, 3, 5)
	assert.Equal(t, []float64{4, 7}, out)
	assert.Equal(t, []int32{5, 2}, arg)

	dx := make([]float64, len(x))
	MaxPool2Backward(dx, []float64{0.5, -2}, arg)
	want := make([]float64, len(x))
	want[5], want[2] = 0.5, -2
	assert.Equal(t, want, dx)
}

// MaxPool2 takes the first maximum of each window and lets its last NaN win, in float32 and
// float64, across signs, zeros and infinities.
func TestMaxPool2Ties(t *testing.T) {
	nan, inf, negZero := math.NaN(), math.Inf(1), math.Copysign(0, -1)
	windows := []struct {
		x    [4]float64
		want int32
	}{
		{[4]float64{1, 2, 3, 4}, 3},
		{[4]float64{4, 3, 2, 1}, 0},
		{[4]float64{-1, -2, -1, -3}, 0},
		{[4]float64{negZero, 0, 0, negZero}, 0},
		{[4]float64{0, negZero, -1, -inf}, 0},
		{[4]float64{-inf, -inf, -inf, -inf}, 0},
		{[4]float64{1, inf, 2, inf}, 1},
		{[4]float64{1, nan, inf, 2}, 1},
		{[4]float64{1, 2, 3, -nan}, 3},
		{[4]float64{nan, 1, -nan, 2}, 2}, // the last NaN, as PyTorch's loop takes it
		{[4]float64{nan, 1, 2, 3}, 0},
		{[4]float64{-5e-39, -1e-39, -1e-45, -2e-45}, 2},
	}
	for _, tt := range windows {
		// The window as a 2×2 image: x0 x1 / x2 x3.
		check := func(name string, pool func(arg []int32) float64, value float64) {
			arg := []int32{-1}
			got := pool(arg)
			assert.Equal(t, tt.want, arg[0], "%s %v", name, tt.x)
			assert.Equal(t, math.Float64bits(value), math.Float64bits(got), "%s %v", name, tt.x)
		}
		check("float64", func(arg []int32) float64 {
			out := []float64{0}
			MaxPool2(out, arg, tt.x[:], 1, 2, 2)
			return out[0]
		}, tt.x[tt.want])
		x32 := []float32{float32(tt.x[0]), float32(tt.x[1]), float32(tt.x[2]), float32(tt.x[3])}
		check("float32", func(arg []int32) float64 {
			out := []float32{0}
			MaxPool2(out, arg, x32, 1, 2, 2)
			return float64(out[0])
		}, float64(x32[tt.want]))
	}
}

// MaxPool2 on float32 (by keys, without branches) takes what the comparisons take,
// on windows drawn from values that tie, signs of zero, infinities, NaNs and
// subnormals, in images with an odd last row and column.
func TestMaxPool2ByKeysIsTheComparisons(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	nan32 := float32(math.NaN())
	values := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, 0.5, float32(math.Inf(1)), float32(math.Inf(-1)),
		nan32, -nan32, 1e-45, -1e-45, math.MaxFloat32, -math.MaxFloat32}
	for _, shape := range [][3]int{{1, 2, 2}, {3, 5, 7}, {32, 28, 28}, {2, 4, 9}} {
		c, h, w := shape[0], shape[1], shape[2]
		x := make([]float32, c*h*w)
		for i := range x {
			x[i] = values[rng.IntN(len(values))]
		}
		n := c * (h / 2) * (w / 2)
		out, arg := make([]float32, n), make([]int32, n)
		wantOut, wantArg := make([]float32, n), make([]int32, n)
		MaxPool2(out, arg, x, c, h, w)
		maxPool2Plain(wantOut, wantArg, x, c, h, w)
		require.Equal(t, wantArg, arg, "%v", shape)
		for i := range out {
			require.Equal(t, math.Float32bits(wantOut[i]), math.Float32bits(out[i]), "%v: window %d", shape, i)
		}
	}
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// TestFloat32KernelsGiveThePlainKernelsBits: the float32 kernels (vectorised in
// GOEXPERIMENT=simd builds) give exactly the bits of the plain ones, which is what
// makes a run identical natively and in WebAssembly whichever build runs it.
// bits32 returns the bits of each value of v: NaNs compare by their bits too.
func bits32(v []float32) []uint32 {
	b := make([]uint32, len(v))
	for i, x := range v {
		b[i] = math.Float32bits(x)
	}
	return b
}

// randomFloat32s returns n values in [-1, 1), a share zeros of them 0.
func randomFloat32s(rng *rand.Rand, n int, zeros float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		if rng.Float64() >= zeros {
			v[i] = float32(2*rng.Float64() - 1)
		}
	}
	return v
}

func TestFloat32KernelsGiveThePlainKernelsBits(t *testing.T) {
	defer SetKernels(Kernels())
	rng := rand.New(rand.NewPCG(7, 8))
	f32s := func(n int, zeros float64) []float32 { return randomFloat32s(rng, n, zeros) }
	sizes := [][3]int{{1, 1, 1}, {4, 3, 8}, {5, 7, 9}, {13, 17, 21}, {100, 64, 500}, {8, 100, 10},
		{3, 9, 2}, {9, 700, 19}, {12, 520, 13}, {6, 300, 255}, {4, 2, 131}, {17, 5, 67}}
	for _, set := range KernelSets() {
		require.NoError(t, SetKernels(set))
		for _, s := range sizes {
			m, k, n := s[0], s[1], s[2]
			t.Run(fmt.Sprintf("%s/%dx%dx%d", set, m, k, n), func(t *testing.T) {
				for _, zeros := range []float64{0.9, 0.3, 0} { // the sparse path and the tiled one
					a, b, c := f32s(m*k, zeros), f32s(k*n, 0), f32s(m*n, 0)
					want, got := append([]float32(nil), c...), append([]float32(nil), c...)
					mulAdd(want, a, b, m, k, n)
					MulAdd(got, a, b, m, k, n)
					require.Equal(t, want, got, "MulAdd, %.0f%% zeros", 100*zeros)

					want, got = append([]float32(nil), c...), append([]float32(nil), c...)
					mulTransAAdd(want, a, b, m, k, n) // a read as k×m
					MulTransAAdd(got, a, b, m, k, n)
					require.Equal(t, want, got, "MulTransAAdd, %.0f%% zeros", 100*zeros)
				}

				x, y := f32s(n, 0), f32s(n, 0)
				want, got := append([]float32(nil), y...), append([]float32(nil), y...)
				axpy(0.37, x, want)
				Axpy(0.37, x, got)
				require.Equal(t, want, got, "Axpy")
			})
		}
	}
	t.Logf("kernels of this machine: %v", KernelSets())
}

// The products' kernels are what the CPU offers, never the plain ones where it
// offers vectors, and SetKernels refuses a name it does not run.
func TestKernelsAreChosenFromTheCPU(t *testing.T) {
	defer SetKernels(Kernels())
	sets := KernelSets()
	require.Equal(t, plainKernels, sets[len(sets)-1])
	assert.Equal(t, sets[0], Kernels(), "the best set is the default")
	if runtime.GOARCH == "amd64" {
		assert.Contains(t, sets, "SSE", "every amd64 CPU has SSE")
	}
	if runtime.GOARCH == "amd64" {
		// What CPUID says agrees with the kernel's own reading, where Linux shows it.
		if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
			var flags []string
			for _, line := range strings.Split(string(info), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
					flags = strings.Fields(v)
					break
				}
			}
			features := CPUFeatures()
			for flag, feature := range map[string]string{"avx": "AVX", "avx2": "AVX2", "fma": "FMA", "avx512f": "AVX-512F"} {
				assert.Equal(t, slices.Contains(flags, flag), slices.Contains(features, feature), "%s in /proc/cpuinfo and %s in CPUFeatures %v", flag, feature, features)
			}
			assert.Equal(t, slices.Contains(features, "AVX-512F"), slices.Contains(sets, "AVX-512"))
			assert.Equal(t, slices.Contains(features, "AVX2"), slices.Contains(sets, "AVX2"))
		}
	}
	err := SetKernels("NEON9")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"NEON9"`)
}

// TestFloat32Activations checks tanh and the sigmoid in float32 against float64, and
// that the vector versions give the plain versions' bits, NaN and clamps included.
func TestFloat32Activations(t *testing.T) {
	var xs []float32
	for x := -100.0; x <= 100; x += 0.0137 {
		xs = append(xs, float32(x))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), 1e-8, -1e-8, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	for _, tt := range []struct {
		name   string
		slice  func([]float32)
		plain  func(float32) float32
		exact  func(float64) float64
		absTol float64
	}{
		{"tanh", TanhSlice[float32], tanh32, math.Tanh, 2e-7},
		{"sigmoid", SigmoidSlice[float32], sigmoid32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 2e-7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer SetKernels(Kernels())
			results := map[string][]float32{}
			for _, set := range KernelSets() {
				require.NoError(t, SetKernels(set))
				results[set] = append([]float32(nil), xs...)
				tt.slice(results[set])
			}
			for i, x := range xs {
				want := tt.plain(x)
				for set, got := range results {
					if math.Float32bits(got[i]) != math.Float32bits(want) {
						t.Fatalf("%s(%g): %s kernels %g, plain %g", tt.name, x, set, got[i], want)
					}
				}
				exact := tt.exact(float64(x))
				if math.IsNaN(exact) {
					assert.True(t, math.IsNaN(float64(want)), "%s(NaN)", tt.name)
					continue
				}
				assert.InDelta(t, exact, float64(want), math.Max(tt.absTol, 4e-7*math.Abs(exact)), "%s(%g)", tt.name, x)
			}
		})
	}
}

// NAGStep gives the plain loop's bits with every set of kernels, on lengths that
// leave a tail after the vectors.
func TestNAGStepGivesThePlainBits(t *testing.T) {
	defer SetKernels(Kernels())
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 7, 16, 35, 1000} {
		p, g, v := randomFloat32s(rng, n, 0), randomFloat32s(rng, n, 0.2), randomFloat32s(rng, n, 0)
		wantP, wantV := append([]float32(nil), p...), append([]float32(nil), v...)
		const lr, mu = float32(0.01), float32(0.9)
		for j, gj := range g {
			wantV[j] = float32(mu*wantV[j]) + gj
			wantP[j] -= float32(lr * (gj + float32(mu*wantV[j])))
		}
		for _, set := range KernelSets() {
			require.NoError(t, SetKernels(set))
			gotP, gotV := append([]float32(nil), p...), append([]float32(nil), v...)
			NAGStep(gotP, g, gotV, lr, mu)
			require.Equal(t, wantV, gotV, "%s, n=%d: v", set, n)
			require.Equal(t, wantP, gotP, "%s, n=%d: p", set, n)
		}
	}
}

// TanhDerivative gives the plain loop's bits with every set of kernels and thread
// count, on lengths that leave a tail after the vectors, infinities and NaN included.
func TestTanhDerivativeGivesThePlainBits(t *testing.T) {
	defer SetKernels(Kernels())
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 16, 35, 1000, 3*elementWork + 5} {
		s, h := randomFloat32s(rng, n, 0.1), randomFloat32s(rng, n, 0.1)
		s[0], h[n/2] = float32(math.Inf(1)), float32(math.NaN())
		want := make([]float32, n)
		for i, y := range h {
			want[i] = s[i] * (1 - float32(y*y)) // (float32(…): arm64 would fuse it)
		}
		for _, set := range KernelSets() {
			for _, threads := range []int{1, 3} {
				require.NoError(t, SetKernels(set))
				SetThreads(threads)
				got := make([]float32, n)
				TanhDerivative(got, s, h)
				require.Equal(t, bits32(want), bits32(got), "%s, %d threads, n=%d", set, threads, n)
				inPlace := append([]float32(nil), s...)
				TanhDerivative(inPlace, inPlace, h)
				require.Equal(t, bits32(want), bits32(inPlace), "%s, %d threads, n=%d: d = s in place", set, threads, n)
			}
		}
	}
}

// Values that round, overflow, underflow or propagate in the optimisers' steps:
// zeros of both signs, subnormals, the smallest normal, values whose square
// underflows or overflows, the largest, infinities and two NaNs.
var specialFloat32s = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, 1e-45, -1e-45, 5.877e-39, -5.877e-39,
	1.17549435e-38, 1e-30, -1e-25, 1e20, -3e19, math.MaxFloat32, -math.MaxFloat32,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.Float32frombits(0xffc01234)}

// stepInputs returns k slices of n values for an optimiser's step: mostly in
// [−1, 1), the last (a mean of squares) mostly in [0, 1), each value
// specialFloat32s' with a chance of one in five. An element
// holds at most one NaN's bits, though as many NaNs as it draws: where two NaNs meet
// in an addition or a multiplication, which one comes out depends on the order of
// the operands, which Go does not fix.
func stepInputs(rng *rand.Rand, n, k int) [][]float32 {
	in := make([][]float32, k)
	for i := range in {
		in[i] = randomFloat32s(rng, n, 0)
	}
	for j, x := range in[k-1] {
		if x < 0 && rng.IntN(10) != 0 {
			in[k-1][j] = -x
		}
	}
	for j := range n {
		var nan float32
		seen := false
		for i := range in {
			if rng.IntN(5) != 0 {
				continue
			}
			x := specialFloat32s[rng.IntN(len(specialFloat32s))]
			if x != x {
				if !seen {
					nan, seen = x, true
				}
				x = nan
			}
			in[i][j] = x
		}
	}
	return in
}

// adamStepCases are the coefficients of Adam's steps 1, 2, 10 and 10⁴ at lr 1e-3,
// rounded as optim rounds them, and coefficients that make the quotients subnormal.
func adamStepCases() []AdamCoefficients[float32] {
	var cases []AdamCoefficients[float32]
	for _, t := range []float64{1, 2, 10, 1e4} {
		cases = append(cases, AdamCoefficients[float32]{OneMinusBeta1: 1 - 0.9, Beta2: 0.999, OneMinusBeta2: 1 - 0.999, Eps: 1e-8,
			StepSize: float32(1e-3 / (1 - math.Pow(0.9, t))), BC2Sqrt: float32(math.Sqrt(1 - math.Pow(0.999, t)))})
	}
	return append(cases, AdamCoefficients[float32]{OneMinusBeta1: 0.25, Beta2: 0.5, OneMinusBeta2: 1e-20, Eps: 3e-39, StepSize: 1e-38, BC2Sqrt: 3})
}

// AdamStep gives the plain loop's bits with every set of kernels and thread count,
// on lengths that leave a tail after the vectors, with zeros, subnormals,
// infinities and NaNs among its inputs.
func TestAdamStepGivesThePlainBits(t *testing.T) {
	defer SetKernels(Kernels())
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 7, 16, 35, 1000, 3*elementWork + 5} {
		in := stepInputs(rng, n, 4)
		p, g, m, v := in[0], in[1], in[2], in[3]
		for _, c := range adamStepCases() {
			wantP, wantM, wantV := slices.Clone(p), slices.Clone(m), slices.Clone(v)
			for j, gj := range g { // each operation rounded on its own
				wantM[j] += float32((gj - wantM[j]) * c.OneMinusBeta1)
				wantV[j] = float32(c.Beta2*wantV[j]) + float32(float32(c.OneMinusBeta2*gj)*gj)
				wantP[j] -= float32(c.StepSize*wantM[j]) / (float32(float32(math.Sqrt(float64(wantV[j])))/c.BC2Sqrt) + c.Eps)
			}
			for _, set := range KernelSets() {
				for _, threads := range []int{1, 3} {
					require.NoError(t, SetKernels(set))
					SetThreads(threads)
					gotP, gotM, gotV := slices.Clone(p), slices.Clone(m), slices.Clone(v)
					AdamStep(gotP, g, gotM, gotV, c)
					require.Equal(t, bits32(wantM), bits32(gotM), "%s, %d threads, n=%d, %+v: m", set, threads, n, c)
					require.Equal(t, bits32(wantV), bits32(gotV), "%s, %d threads, n=%d, %+v: v", set, threads, n, c)
					require.Equal(t, bits32(wantP), bits32(gotP), "%s, %d threads, n=%d, %+v: p", set, threads, n, c)
				}
			}
		}
	}
}

// RMSpropStep gives the plain loop's bits with every set of kernels and thread
// count, on lengths that leave a tail after the vectors, with zeros, subnormals,
// infinities and NaNs among its inputs.
func TestRMSpropStepGivesThePlainBits(t *testing.T) {
	defer SetKernels(Kernels())
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(15, 16))
	cases := []RMSpropCoefficients[float32]{
		{LR: 1e-3, Alpha: 0.99, OneMinusAlpha: 1 - 0.99, Eps: 1e-8},
		{LR: 1e-38, Alpha: 0.5, OneMinusAlpha: 1e-20, Eps: 3e-39}, // subnormal quotients
	}
	for _, n := range []int{1, 7, 16, 35, 1000, 3*elementWork + 5} {
		in := stepInputs(rng, n, 3)
		p, g, s := in[0], in[1], in[2]
		for _, c := range cases {
			wantP, wantS := slices.Clone(p), slices.Clone(s)
			for j, gj := range g { // each operation rounded on its own
				wantS[j] = float32(c.Alpha*wantS[j]) + float32(float32(c.OneMinusAlpha*gj)*gj)
				wantP[j] -= float32(c.LR*gj) / (float32(math.Sqrt(float64(wantS[j]))) + c.Eps)
			}
			for _, set := range KernelSets() {
				for _, threads := range []int{1, 3} {
					require.NoError(t, SetKernels(set))
					SetThreads(threads)
					gotP, gotS := slices.Clone(p), slices.Clone(s)
					RMSpropStep(gotP, g, gotS, c)
					require.Equal(t, bits32(wantS), bits32(gotS), "%s, %d threads, n=%d, %+v: s", set, threads, n, c)
					require.Equal(t, bits32(wantP), bits32(gotP), "%s, %d threads, n=%d, %+v: p", set, threads, n, c)
				}
			}
		}
	}
}
