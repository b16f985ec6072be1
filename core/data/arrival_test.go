package data

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// images returns n side×side images whose every pixel is the sample's index mod 251.
func images(n, side int) Images {
	im := Images{N: n, Rows: side, Cols: side, Pixels: make([]uint8, n*side*side)}
	for i := range n {
		for j := range side * side {
			im.Pixels[i*side*side+j] = uint8(i % 251)
		}
	}
	return im
}

// partImages returns part p of images(n, side).
func partImages(n, side, p int) Images { return images(n, side).Part(p) }

func TestAnAssemblyGrowsAsItsPartsArrive(t *testing.T) {
	const n, side = 2*PartSize + 345, 3
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(i % 10)
	}
	a, err := NewAssembly("parts", side, labels)
	require.NoError(t, err)
	s := a.Set()
	assert.Equal(t, n, s.Len())
	assert.Equal(t, 0, s.Arrived())
	var b Batch[float32]
	assert.ErrorContains(t, Fill(s, &b, []int{0}, false, nil), "data: parts: sample 0 has not arrived yet (its part, 1 of 3, has not)")

	for _, step := range []struct {
		part    int
		arrived int
		in      []int // parts whose samples are in
	}{{1, 0, nil}, {0, 2 * PartSize, []int{0, 1}}, {2, n, []int{0, 1, 2}}} {
		require.NoError(t, a.Add(step.part, partImages(n, side, step.part)))
		assert.Equal(t, step.arrived, s.Arrived(), "after part %d", step.part)
		for p := range Parts(n) {
			for _, i := range PartSamples(n, p)[:50] {
				assert.Equal(t, slices.Contains(step.in, p), s.Has(i), "sample %d of part %d after part %d", i, p, step.part)
			}
		}
	}
	assert.False(t, s.Has(-1))
	assert.False(t, s.Has(n))
	assert.True(t, s.Whole())
	assert.Empty(t, a.Missing())
	for _, i := range []int{0, PartSize - 1, PartSize, n - 1} {
		require.NoError(t, Fill(s, &b, []int{i}, false, nil))
		assert.InDelta(t, float64(i%251)/255, b.X[0], 1e-6, "sample %d's pixels", i)
		assert.Equal(t, i%10, b.Labels[0])
	}

	bad := []struct {
		name   string
		part   int
		images Images
		want   string
	}{
		{"a part past the end", 3, partImages(n, side, 2), "idx: parts: part 4 of 3"},
		{"the wrong count", 2, partImages(n, side, 0), "idx: parts: part 3 holds 5000 images, want 345"},
		{"the wrong size", 0, Images{N: PartSize, Rows: 2, Cols: 2, Pixels: make([]uint8, PartSize*4)}, "idx: parts: part 1 holds images of 2x2, the set's are 3x3"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, a.Add(tt.part, tt.images), tt.want)
		})
	}
	_, err = NewAssembly("bad", side, []uint8{3, 12})
	assert.EqualError(t, err, "idx: bad: label 12 of sample 1 out of range for 10 classes")
}

func TestIDXWrittenReadsBack(t *testing.T) {
	const n, side = PartSize + 7, 4
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(i % 10)
	}
	a, err := NewAssembly("round trip", side, labels)
	require.NoError(t, err)
	_, _, err = a.Set().IDX()
	assert.ErrorContains(t, err, "is not a whole one-channel image set", "not arrived yet")
	for p := range 2 {
		require.NoError(t, a.Add(p, partImages(n, side, p)))
	}
	all, got, err := a.Set().IDX()
	require.NoError(t, err)
	second := all.Part(1)
	for j, i := range PartSamples(n, 1) { // its images in the order PartSamples names them
		require.Equal(t, uint8(i%251), second.Pixels[j*side*side], "image %d of part 2", j)
	}
	var ib, lb bytes.Buffer
	require.NoError(t, WriteIDXImages(&ib, all.Part(1)))
	require.NoError(t, WriteIDXLabels(&lb, got))
	back, err := ReadIDXImages(&ib, "part")
	require.NoError(t, err)
	assert.Equal(t, partImages(n, side, 1), back)
	backLabels, err := ReadIDXLabels(&lb, "labels")
	require.NoError(t, err)
	assert.Equal(t, labels, backLabels)
	assert.Error(t, WriteIDXImages(&ib, Images{N: 2, Rows: 2, Cols: 2, Pixels: make([]uint8, 3)}))
}
