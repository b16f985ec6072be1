package data

import (
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
