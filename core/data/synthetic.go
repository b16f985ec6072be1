package data

import (
	"math"
	"math/rand/v2"

	"github.com/nofeedback/lwf/core/tensor"
)

// The synthetic sets are computed with operations that give the same bits on every
// platform: integer random streams, +, −, ×, ÷, math.Sqrt, math.Cos (plain Go on every
// target this project builds for) and tensor.Log, never the standard library's Exp or
// Log, which run assembly on amd64. Products that feed a sum are rounded explicitly,
// float64(a*b), so that no compiler fuses them into a multiply-add.

const (
	synthSide   = 16
	synthSize   = synthSide * synthSide
	synthLabels = 10

	regressionTrain = 5000
	regressionTest  = 1000

	classificationTrain = 25000
	classificationTest  = 5000
	informative         = 128 // features that depend on the class; the rest are noise
	clustersPerClass    = 5
	classSep            = 4.5  // the clusters' centroids have coordinates ±classSep
	flipY               = 0.01 // fraction of labels replaced by a random class

	// Random streams, one per use.
	streamRegression     = 0x72656772657373 // "regress"
	streamRegressionTest = 0x72656774657374 // "regtest"
	streamClassification = 0x636c6173736966 // "classif"
)

// Regression returns n samples of the synthetic regression set, drawn from seed: for
// each, m ~ U(−π, π), 16×16 inputs x_j ~ N(m, 1) and 10 targets
// y_i = cos(mean(x) + π(i − 4.5)/9).
func Regression(seed uint64, n int) *Set {
	return regression(rand.New(rand.NewPCG(seed, streamRegression)), n)
}

// RegressionSets returns the reference's synthetic regression sets drawn from seed: 5000
// training samples (those of Regression(seed, 5000)) and 1000 test samples from another
// stream.
func RegressionSets(seed uint64) (train, test *Set) {
	return Regression(seed, regressionTrain),
		regression(rand.New(rand.NewPCG(seed, streamRegressionTest)), regressionTest)
}

// regression draws n samples of the regression set from rng.
func regression(rng *rand.Rand, n int) *Set {
	n = max(n, 0)
	s := &Set{Name: "regression_synth", Channels: 1, Side: synthSide, Labels: synthLabels,
		n: n, values: make([]float32, n*synthSize), targets: make([]float32, n*synthLabels)}
	g := normals{rng: rng}
	for i := range n {
		u := rng.Float64()
		m := math.Pi * (u + u - 1)
		x := s.values[i*synthSize : (i+1)*synthSize]
		sum := 0.0
		for j := range x {
			x[j] = float32(m + g.next())
			sum += float64(x[j])
		}
		mean := sum / synthSize
		for k, t := range regressionTargets(mean) {
			s.targets[i*synthLabels+k] = float32(t)
		}
	}
	return s
}

// regressionTargets returns the targets of a sample whose inputs have the given mean:
// cos(mean + π(i − 4.5)/9) for i = 0..9.
func regressionTargets(mean float64) [synthLabels]float64 {
	var y [synthLabels]float64
	for i := range y {
		y[i] = math.Cos(mean + math.Pi*(float64(i)-4.5)/9)
	}
	return y
}

// Classification returns n samples of the synthetic classification set drawn from
// seed, as scikit-learn's make_classification makes them with n_features=256,
// n_informative=128, n_redundant=0, n_repeated=0, n_classes=10,
// n_clusters_per_class=5, class_sep=4.5, flip_y=0.01, hypercube=True, shift=0, scale=1
// and shuffle=True: 50 Gaussian clusters at distinct vertices of the hypercube
// [−4.5, 4.5]¹²⁸, 5 per class, each with its own random covariance, and 128 features of
// pure noise; 1% of the labels are then redrawn at random, and both the samples and
// the features are shuffled. Inputs are shaped 16×16×1.
func Classification(seed uint64, n int) *Set {
	return classification(rand.New(rand.NewPCG(seed, streamClassification)), n)
}

// ClassificationSets returns the reference's synthetic classification sets drawn from
// seed: 30000 samples of Classification(seed, 30000) from the same clusters, the first
// 25000 for training and the other 5000 for testing.
func ClassificationSets(seed uint64) (train, test *Set) {
	all := Classification(seed, classificationTrain+classificationTest)
	return all.slice(0, classificationTrain), all.slice(classificationTrain, all.n)
}

// classification draws n samples of the classification set from rng.
func classification(rng *rand.Rand, n int) *Set {
	n = max(n, 0)
	s := &Set{Name: "classification_synth", Channels: 1, Side: synthSide, Labels: synthLabels,
		n: n, values: make([]float32, n*synthSize), classes: make([]uint8, n)}
	const clusters = synthLabels * clustersPerClass
	centroids := hypercubeVertices(rng, clusters, informative, classSep)
	row := permutation(rng, n)            // where each sample goes
	column := permutation(rng, synthSize) // where each feature goes
	g := normals{rng: rng}
	a := make([]float64, informative*informative)
	z := make([]float64, informative)
	x := make([]float64, synthSize)
	next := 0 // samples are generated cluster by cluster, n/50 each, the rest one each to the first clusters
	for k, centroid := range centroids {
		for i := range a {
			u := rng.Float64()
			a[i] = u + u - 1 // U(−1, 1)
		}
		count := n / clusters
		if k < n%clusters {
			count++
		}
		for range count {
			// x = z·A + centroid in the informative features, z ~ N(0, I); noise elsewhere.
			for i := range z {
				z[i] = g.next()
			}
			copy(x, centroid)
			for i, zi := range z {
				for j, aij := range a[i*informative : (i+1)*informative] {
					x[j] += float64(zi * aij)
				}
			}
			for j := informative; j < synthSize; j++ {
				x[j] = g.next()
			}
			class := k % synthLabels
			if rng.Float64() < flipY {
				class = rng.IntN(synthLabels)
			}
			dst := s.values[row[next]*synthSize : (row[next]+1)*synthSize]
			for j, v := range x {
				dst[column[j]] = float32(v)
			}
			s.classes[row[next]] = uint8(class)
			next++
		}
	}
	return s
}

// hypercubeVertices returns n distinct vertices of the hypercube [−side, side]^dims,
// drawn at random from rng.
func hypercubeVertices(rng *rand.Rand, n, dims int, side float64) [][]float64 {
	seen := make(map[string]bool, n)
	vertices := make([][]float64, 0, n)
	bits := make([]byte, dims)
	for len(vertices) < n {
		for i := range bits {
			bits[i] = byte(rng.Uint64() & 1)
		}
		if seen[string(bits)] {
			continue
		}
		seen[string(bits)] = true
		v := make([]float64, dims)
		for i, b := range bits {
			v[i] = side * float64(2*int(b)-1)
		}
		vertices = append(vertices, v)
	}
	return vertices
}

// normals draws standard normal numbers by Marsaglia's polar method.
type normals struct {
	rng   *rand.Rand
	spare float64
	ready bool
}

// next returns the next standard normal number.
func (g *normals) next() float64 {
	if g.ready {
		g.ready = false
		return g.spare
	}
	for {
		u, v := g.rng.Float64(), g.rng.Float64()
		u, v = u+u-1, v+v-1
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			f := math.Sqrt(-2 * tensor.Log(s) / s)
			g.spare, g.ready = v*f, true
			return u * f
		}
	}
}
