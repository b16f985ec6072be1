package data

import (
	"fmt"
	"math/rand/v2"
)

// streamOrder is added to the epoch to pick the random stream of an epoch's order.
const streamOrder = 0x6f72646572 // "order"

// Order returns a permutation of 0..n−1 that depends only on seed and epoch: the order
// in which an epoch visits a set of n samples. It is the same on every platform.
func Order(n int, seed uint64, epoch int) []int {
	return permutation(rand.New(rand.NewPCG(seed, streamOrder+uint64(epoch))), max(n, 0))
}

// permutation returns a random permutation of 0..n−1 (Fisher–Yates).
func permutation(rng *rand.Rand, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(rng.Uint64N(uint64(i + 1)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Batches cuts order into batches of size samples, the last one shorter if size does
// not divide len(order). The batches share order's storage.
func Batches(order []int, size int) ([][]int, error) {
	if size < 1 {
		return nil, fmt.Errorf("data: batch size %d, want at least 1", size)
	}
	batches := make([][]int, 0, (len(order)+size-1)/size)
	for len(order) > 0 {
		k := min(size, len(order))
		batches = append(batches, order[:k:k])
		order = order[k:]
	}
	return batches, nil
}
