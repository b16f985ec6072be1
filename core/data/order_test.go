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
		from, seen := 0, map[int]bool{}
		for p := range parts {
			members := PartSamples(n, p)
			assert.Len(t, members, min(PartSize, n-p*PartSize))
			part := first[from : from+len(members)]
			from += len(members)
			assert.Equal(t, slices.Sorted(slices.Values(members)), slices.Sorted(slices.Values(part)), "part %d of %d samples", p, n)
			assert.NotEqual(t, members, part, "part %d is shuffled", p)
			for _, i := range members {
				assert.False(t, seen[i], "sample %d in two parts", i)
				seen[i] = true
			}
			if parts > 1 { // a random subset, not a run of neighbours
				assert.Greater(t, slices.Max(members)-slices.Min(members), n*9/10, "part %d spans the set", p)
			}
		}
		assert.Len(t, seen, n, "the parts cover the set")
		assert.Nil(t, PartSamples(n, parts), "no part past the last")
		assert.Equal(t, PartSamples(n, 0), PartSamples(n, 0), "one split for every run")
	}
	// A set of one part holds its samples in order, and its first epoch is one
	// permutation, as later epochs are.
	assert.Equal(t, []int{0, 1, 2, 3}, PartSamples(4, 0))
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
