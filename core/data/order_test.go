package data

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustBatches cuts order into batches of size.
func mustBatches(t testing.TB, order []int, size int) [][]int {
	b, err := Batches(order, size)
	require.NoError(t, err)
	return b
}

func TestOrderIsASeededPermutation(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 1000} {
		o := Order(n, 42, 3)
		sorted := slices.Sorted(slices.Values(o))
		for i, v := range sorted {
			require.Equal(t, i, v, "Order(%d) is not a permutation", n)
		}
		assert.Len(t, o, n)
		assert.Equal(t, o, Order(n, 42, 3), "same seed and epoch, different order")
	}
	o := Order(1000, 42, 3)
	assert.NotEqual(t, o, Order(1000, 42, 4), "another epoch, same order")
	assert.NotEqual(t, o, Order(1000, 43, 3), "another seed, same order")
	assert.NotEqual(t, slices.Sorted(slices.Values(o)), o, "not shuffled")
	assert.Empty(t, Order(-5, 1, 0))
}

func TestTheFirstEpochGoesThroughThePartsInTurn(t *testing.T) {
	for _, n := range []int{3*PartSize + 1234, 2 * PartSize, PartSize, 700} {
		first := Order(n, 7, 0)
		require.Len(t, first, n)
		parts := Parts(n)
		require.Equal(t, (n+PartSize-1)/PartSize, parts)
		from, total := 0, 0
		for p := range parts {
			size := PartLen(n, p)
			total += size
			assert.LessOrEqual(t, size, PartSize)
			part := first[from : from+size]
			from += size
			var want []int // part p: samples p, p+P, p+2P, …
			for i := p; i < n; i += parts {
				want = append(want, i)
			}
			assert.Equal(t, want, slices.Sorted(slices.Values(part)), "part %d of %d samples", p, n)
			if size > 1 {
				assert.NotEqual(t, want, part, "part %d is shuffled", p)
			}
		}
		assert.Equal(t, n, total)
		assert.Zero(t, PartLen(n, parts), "no part past the last")
		later := Order(n, 7, 1)
		if n > PartSize {
			var sameResidue bool = true
			for _, i := range later[:10] {
				sameResidue = sameResidue && i%parts == later[0]%parts
			}
			assert.False(t, sameResidue, "epoch 2 mixes the whole set")
		}
	}
	// A set of one part: the first epoch is one permutation, as later epochs are.
	rng := rand.New(rand.NewPCG(7, streamOrder))
	assert.Equal(t, permutation(rng, 700), Order(700, 7, 0))
}

func TestBatchesCutAnOrder(t *testing.T) {
	order := []int{9, 8, 7, 6, 5, 4, 3}
	for _, c := range []struct {
		size int
		want [][]int
	}{
		{1, [][]int{{9}, {8}, {7}, {6}, {5}, {4}, {3}}},
		{3, [][]int{{9, 8, 7}, {6, 5, 4}, {3}}},
		{7, [][]int{{9, 8, 7, 6, 5, 4, 3}}},
		{100, [][]int{{9, 8, 7, 6, 5, 4, 3}}},
	} {
		assert.Equal(t, c.want, mustBatches(t, order, c.size), "size %d", c.size)
	}
	assert.Empty(t, mustBatches(t, nil, 4))
	for _, size := range []int{0, -1} {
		_, err := Batches(order, size)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "batch size")
	}
}
