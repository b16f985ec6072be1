package data

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallIDXSet returns a set of n 3×3 gray images, pixel j of sample i being i+j, and
// class i mod 10.
func smallIDXSet(t testing.TB, n int) *Set {
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	pixels := make([]byte, 0, 9*n)
	for i := range n {
		pixels = append(pixels, sequence(9, i)...)
	}
	s, err := NewIDXSet("small", Images{N: n, Rows: 3, Cols: 3, Pixels: pixels}, labels)
	require.NoError(t, err)
	return s
}

func TestFillWritesOneHotTargetsAndLabels(t *testing.T) {
	s := smallIDXSet(t, 12)
	var b Batch[float32]
	require.NoError(t, Fill(s, &b, []int{11, 3, 0}, false, nil))
	assert.Equal(t, 3, b.N)
	assert.Equal(t, []int{1, 3, 0}, b.Labels)
	require.Len(t, b.T, 30)
	for k, c := range b.Labels {
		for j := range 10 {
			want := float32(0)
			if j == c {
				want = 1
			}
			assert.Equal(t, want, b.T[k*10+j], "target %d of sample %d", j, k)
		}
	}
	require.Len(t, b.X, 27)
	assert.Equal(t, float32(11)/255, b.X[0])
	assert.Equal(t, float32(3+8)/255, b.X[9+8])
}

func TestFillReusesTheBatch(t *testing.T) {
	s := smallIDXSet(t, 12)
	var b Batch[float64]
	require.NoError(t, Fill(s, &b, []int{1, 2, 3, 4}, false, nil))
	x, tg, l := &b.X[0], &b.T[0], &b.Labels[0]
	require.NoError(t, Fill(s, &b, []int{7, 5}, false, nil))
	assert.Same(t, x, &b.X[0])
	assert.Same(t, tg, &b.T[0])
	assert.Same(t, l, &b.Labels[0])
	assert.Equal(t, 2, b.N)
	assert.Len(t, b.X, 18)
	assert.Equal(t, []float64{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, b.T, "stale one-hot entries were not cleared")
	assert.Equal(t, []int{7, 5}, b.Labels)
}

func TestFillWritesRegressionTargets(t *testing.T) {
	s := Regression(3, 5)
	b := Batch[float32]{Labels: []int{1, 2}}
	require.NoError(t, Fill(s, &b, []int{4, 2}, false, nil))
	assert.Nil(t, b.Labels)
	assert.Equal(t, s.targets[40:50], b.T[:10])
	assert.Equal(t, s.targets[20:30], b.T[10:])
	assert.Equal(t, s.values[4*256:5*256], b.X[:256])
	assert.False(t, s.Classification())
	assert.Equal(t, -1, s.Class(0))
	assert.Nil(t, s.Image(0))
}

func TestFillFlipsMirrorTheImage(t *testing.T) {
	file := cifarFile(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	s, err := ReadCIFAR(bytes.NewReader(file), "c", true)
	require.NoError(t, err)
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	var plain, aug Batch[float32]
	require.NoError(t, Fill(s, &plain, idx, false, nil))
	require.NoError(t, Fill(s, &aug, idx, true, rand.New(rand.NewPCG(1, 2))))
	assert.Equal(t, plain.T, aug.T)
	const size = cifarPixels
	flipped := 0
	for k := range idx {
		x, y := plain.X[k*size:(k+1)*size], aug.X[k*size:(k+1)*size]
		if slicesEqual(x, y) {
			continue
		}
		flipped++
		for c := range 3 {
			for r := range 32 {
				for col := range 32 {
					require.Equal(t, x[c*1024+r*32+31-col], y[c*1024+r*32+col], "sample %d is neither itself nor its mirror image", k)
				}
			}
		}
	}
	assert.True(t, flipped > 5 && flipped < 25, "%d of %d samples flipped, want about half", flipped, len(idx))

	s.Flip = false
	require.NoError(t, Fill(s, &aug, idx, true, rand.New(rand.NewPCG(1, 2))))
	assert.Equal(t, plain.X, aug.X, "a set without Flip was flipped")
}

func slicesEqual(a, b []float32) bool { return bytes.Equal(f32bytes(a), f32bytes(b)) }

func TestFillRefusesBadInput(t *testing.T) {
	s := smallIDXSet(t, 4)
	s.Flip = true
	var b Batch[float32]
	for _, c := range []struct {
		name    string
		idx     []int
		augment bool
		want    string
	}{
		{"index past the end", []int{0, 4}, false, "sample 4 out of range [0, 4)"},
		{"negative index", []int{-1}, false, "sample -1 out of range"},
		{"flip without a generator", []int{0}, true, "needs a random generator"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = Fill(s, &b, c.idx, c.augment, nil) })
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestSubsetSharesTheFirstSamples(t *testing.T) {
	s := smallIDXSet(t, 12)
	for _, c := range []struct{ n, want int }{{5, 5}, {0, 0}, {12, 12}, {50, 12}, {-3, 0}} {
		sub := s.Subset(c.n)
		assert.Equal(t, c.want, sub.Len(), "Subset(%d)", c.n)
		assert.Equal(t, s.Name, sub.Name)
	}
	sub := s.Subset(5)
	assert.Equal(t, 4, sub.Class(4))
	assert.Equal(t, -1, sub.Class(5))
	assert.Nil(t, sub.Image(5))
	assert.Same(t, &s.pixels[0], &sub.pixels[0])
	var b Batch[float32]
	require.Error(t, Fill(sub, &b, []int{5}, false, nil))

	r := Regression(1, 10).Subset(3)
	require.NoError(t, Fill(r, &b, []int{2}, false, nil))
	assert.Len(t, b.T, 10)
}

func TestHoldOutKeepsTheLastSamplesApart(t *testing.T) {
	s := smallIDXSet(t, 12)
	rest, held, err := s.HoldOut(5)
	require.NoError(t, err)
	require.Equal(t, 7, rest.Len())
	require.Equal(t, 5, held.Len())
	for i := range rest.Len() {
		assert.Equal(t, s.Class(i), rest.Class(i), "training sample %d", i)
	}
	for i := range held.Len() {
		assert.Equal(t, s.Class(7+i), held.Class(i), "held-out sample %d", i)
	}
	assert.Equal(t, s.pixels[7*9:8*9], held.pixels[:9], "the first held-out sample is the file's eighth")
	var b Batch[float32]
	require.Error(t, Fill(rest, &b, []int{7}, false, nil), "the held-out samples are out of the training set's reach")

	for _, n := range []int{0, -1, 12, 13} {
		_, _, err := s.HoldOut(n)
		require.Error(t, err, "HoldOut(%d)", n)
		assert.Contains(t, err.Error(), "want 1 to 11")
	}
}

func TestSpreadTakesSamplesEvenlyAcross(t *testing.T) {
	images := idxFile(idxImages, []uint32{10, 2, 2}, sequence(40, 0))
	labels := idxFile(idxLabels, []uint32{10}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	s, err := ParseIDXPair(images, labels, "x")
	require.NoError(t, err)
	sub := s.Spread(4) // samples 0, 2, 5, 7
	require.Equal(t, 4, sub.Len())
	assert.Equal(t, []int{0, 2, 5, 7}, []int{sub.Class(0), sub.Class(1), sub.Class(2), sub.Class(3)})
	assert.Equal(t, s.pixels[5*4:6*4], sub.pixels[2*4:3*4])
	assert.Same(t, s, s.Spread(10), "all of it")
	reg := Regression(1, 9).Spread(3) // samples 0, 3, 6
	whole := Regression(1, 9)
	assert.Equal(t, whole.targets[3*10:4*10], reg.targets[10:20])
	assert.Equal(t, whole.values[6*256:7*256], reg.values[2*256:3*256])
}
