package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
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
	sizes := [][3]int{{1, 1, 1}, {3, 5, 7}, {8, 4, 9}, {13, 17, 5}, {2, 33, 1}, {0, 3, 4}, {4, 0, 3}}
	kernels := []struct {
		name   string
		f      func(c, a, b []float64, m, k, n int)
		ta, tb bool // A is given k×m; B is given n×k
	}{
		{"MulAdd", MulAdd[float64], false, false},
		{"MulTransAAdd", MulTransAAdd[float64], true, false},
		{"MulTransBAdd", MulTransBAdd[float64], false, true},
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
			assert.InDelta(t, Dot(col, g), Dot(x, dx), 1e-12)
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
