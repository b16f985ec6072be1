package data

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// f32bytes returns the bits of v, little-endian.
func f32bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// digest returns a hash of everything a synthetic set holds.
func digest(s *Set) string {
	h := sha256.New()
	h.Write(f32bytes(s.values))
	h.Write(f32bytes(s.targets))
	h.Write(s.classes)
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// meanVar returns the mean and the (population) variance of x.
func meanVar(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x))
}

func TestNormalsAreStandard(t *testing.T) {
	g := normals{rng: rand.New(rand.NewPCG(5, 6))}
	x := make([]float64, 200000)
	for i := range x {
		x[i] = g.next()
	}
	mean, variance := meanVar(x)
	assert.InDelta(t, 0, mean, 0.01)
	assert.InDelta(t, 1, variance, 0.01)
	var kurt float64
	tail := 0
	for _, v := range x {
		kurt += math.Pow(v-mean, 4)
		if math.Abs(v) > 1.96 {
			tail++
		}
	}
	assert.InDelta(t, 3, kurt/float64(len(x))/(variance*variance), 0.05, "kurtosis")
	assert.InDelta(t, 0.05, float64(tail)/float64(len(x)), 0.003, "P(|x| > 1.96)")
}

func TestRegressionFollowsItsDefinition(t *testing.T) {
	s := Regression(1, 2000)
	require.Equal(t, 2000, s.Len())
	assert.Equal(t, []int{1, 16, 10}, []int{s.Channels, s.Side, s.Labels})
	assert.Equal(t, "regression_synth", s.Name)
	means := make([]float64, s.Len())
	var variances float64
	x := make([]float64, 256)
	for i := range s.Len() {
		for j := range x {
			x[j] = float64(s.values[i*256+j])
		}
		mean, variance := meanVar(x)
		means[i] = mean
		variances += variance
		// The variance of 256 draws of N(m, 1) is 1 ± 0.09.
		require.InDelta(t, 1, variance, 0.5, "variance of sample %d", i)
		want := regressionTargets(mean)
		for k := range 10 {
			require.InDelta(t, want[k], s.targets[i*10+k], 1e-6, "target %d of sample %d", k, i)
		}
		assert.InDelta(t, math.Cos(mean-math.Pi/2), s.targets[i*10], 1e-6, "y_0 = cos(mean − π/2)")
	}
	assert.InDelta(t, 1, variances/float64(s.Len()), 0.02, "mean variance of a sample's inputs")
	// A sample's mean is m ~ U(−π, π) plus noise of deviation 1/16: ten bins of equal
	// width over (−π, π) should each hold about a tenth of the samples.
	bins := make([]int, 10)
	for _, m := range means {
		require.Less(t, math.Abs(m), math.Pi+0.4, "sample mean %g", m)
		bins[min(max(int((m+math.Pi)/(2*math.Pi)*10), 0), 9)]++
	}
	for b, n := range bins {
		assert.InDelta(t, 200, n, 50, "bin %d of sample means", b)
	}
}

func TestRegressionSets(t *testing.T) {
	train, test := RegressionSets(9)
	assert.Equal(t, 5000, train.Len())
	assert.Equal(t, 1000, test.Len())
	assert.Equal(t, digest(Regression(9, 5000)), digest(train))
	assert.NotEqual(t, f32bytes(train.values[:256]), f32bytes(test.values[:256]), "test set drawn from the training stream")
}

// columns returns the values of each feature of s, one slice per feature.
func columns(s *Set) [][]float64 {
	cols := make([][]float64, 256)
	for j := range cols {
		cols[j] = make([]float64, s.Len())
		for i := range s.Len() {
			cols[j][i] = float64(s.values[i*256+j])
		}
	}
	return cols
}

// classMeans returns the mean of col over the samples of each class.
func classMeans(s *Set, col []float64) []float64 {
	sum, count := make([]float64, 10), make([]float64, 10)
	for i, v := range col {
		sum[s.Class(i)] += v
		count[s.Class(i)]++
	}
	for c := range sum {
		sum[c] /= count[c]
	}
	return sum
}

func TestClassificationFollowsMakeClassification(t *testing.T) {
	s := Classification(1, 5000)
	require.Equal(t, 5000, s.Len())
	assert.Equal(t, []int{1, 16, 10}, []int{s.Channels, s.Side, s.Labels})
	assert.Equal(t, "classification_synth", s.Name)
	assert.True(t, s.Classification())

	// 100 samples per cluster, 500 per class, before 1% of the labels are redrawn.
	counts := make([]int, 10)
	for i := range s.Len() {
		counts[s.Class(i)]++
	}
	for c, n := range counts {
		assert.InDelta(t, 500, n, 20, "samples of class %d", c)
	}

	// Noise features are N(0, 1) whatever the class. Informative ones mix five
	// centroids at ±4.5 per class (class means spread with variance about 4.5²/5) and
	// within a cluster z·A with A uniform in (−1, 1) (variance about 128/3).
	var noise, informative int
	for j, col := range columns(s) {
		mean, variance := meanVar(col)
		_, between := meanVar(classMeans(s, col))
		if variance < 2 {
			noise++
			assert.InDelta(t, 0, mean, 0.1, "mean of noise feature %d", j)
			assert.InDelta(t, 1, variance, 0.1, "variance of noise feature %d", j)
			assert.Less(t, between, 0.02, "class means of noise feature %d", j)
			continue
		}
		informative++
		assert.Greater(t, variance, 20.0, "variance of informative feature %d", j)
		assert.Greater(t, between, 0.3, "class means of informative feature %d", j)
	}
	assert.Equal(t, 128, noise)
	assert.Equal(t, 128, informative)
	// The features are shuffled: the informative ones are not the first 128.
	firstNoisy := 0
	for _, col := range columns(s)[:128] {
		if _, v := meanVar(col); v < 2 {
			firstNoisy++
		}
	}
	assert.Greater(t, firstNoisy, 0, "features not shuffled")
	// The samples are shuffled: the classes of the first 100 samples are mixed.
	first := map[int]bool{}
	for i := range 100 {
		first[s.Class(i)] = true
	}
	assert.Len(t, first, 10, "samples not shuffled")
}

func TestHypercubeVerticesAreDistinct(t *testing.T) {
	v := hypercubeVertices(rand.New(rand.NewPCG(1, 1)), 50, 128, 4.5)
	require.Len(t, v, 50)
	seen := map[string]bool{}
	plus := 0
	for _, c := range v {
		require.Len(t, c, 128)
		for _, x := range c {
			require.True(t, x == 4.5 || x == -4.5, "coordinate %g", x)
			if x > 0 {
				plus++
			}
		}
		key := fmt.Sprint(c)
		assert.False(t, seen[key], "two equal centroids")
		seen[key] = true
	}
	assert.InDelta(t, 0.5, float64(plus)/(50*128), 0.03, "share of +4.5 coordinates")
	// All 4 vertices of the square: the draw must not loop forever nor repeat.
	assert.Len(t, hypercubeVertices(rand.New(rand.NewPCG(1, 1)), 4, 2, 1), 4)
}

func TestClassificationSetsShareTheirClusters(t *testing.T) {
	train, test := ClassificationSets(2)
	require.Equal(t, 25000, train.Len())
	require.Equal(t, 5000, test.Len())
	// Each class has the same mean in both sets, feature by feature: compare the
	// class means of the informative features.
	trainCols, testCols := columns(train), columns(test)
	var dot, nTrain, nTest float64
	for j := range trainCols {
		if _, v := meanVar(trainCols[j]); v < 2 {
			continue
		}
		a, b := classMeans(train, trainCols[j]), classMeans(test, testCols[j])
		for c := range a {
			dot += a[c] * b[c]
			nTrain += a[c] * a[c]
			nTest += b[c] * b[c]
		}
	}
	assert.Greater(t, dot/math.Sqrt(nTrain*nTest), 0.9, "class means differ between training and test set")
}

func TestSyntheticSetsAreDeterministic(t *testing.T) {
	for _, c := range []struct {
		name string
		make func(seed uint64) *Set
	}{
		{"regression", func(seed uint64) *Set { return Regression(seed, 300) }},
		{"classification", func(seed uint64) *Set { return Classification(seed, 300) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.make(7)
			assert.Equal(t, digest(a), digest(c.make(7)), "same seed, different data")
			assert.NotEqual(t, digest(a), digest(c.make(8)), "different seed, same data")
		})
	}
}

// TestSyntheticSetsAreTheSameEverywhere pins the bits of the synthetic sets and of an
// epoch's order, so that running the tests natively and in WebAssembly shows they are
// the same on both.
func TestSyntheticSetsAreTheSameEverywhere(t *testing.T) {
	order := make([]byte, 0, 4000)
	for _, i := range Order(1000, 1, 3) {
		order = binary.LittleEndian.AppendUint32(order, uint32(i))
	}
	assert.Equal(t, "25bc24288e1feab3", digest(Regression(1, 200)), "regression")
	assert.Equal(t, "d168c1e680161868", digest(Classification(1, 500)), "classification")
	assert.Equal(t, "669a55b846506b72", fmt.Sprintf("%x", sha256.Sum256(order))[:16], "order")
}
