package data

import (
	"fmt"
	"math/rand/v2"
)

// streamOrder is added to the epoch to pick the random stream of an epoch's order.
const streamOrder = 0x6f72646572 // "order"

// PartSize is about how many samples a part of a set holds. A set of n samples has
// Parts(n) = P parts, interleaved: part p holds samples p, p+P, p+2P, …, so that each
// part is spread over the whole set (its writers, its classes) as a random subset
// would be. The first epoch visits the parts in turn, so that the page trains on the
// first part while the rest still downloads.
const PartSize = 5000

// Order returns a permutation of 0..n−1 that depends only on seed and epoch: the order
// in which an epoch visits a set of n samples. It is the same on every platform, and
// the same wherever the set comes from (a file, or parts arriving over a network):
//
//   - the first epoch (0) goes through the parts in turn, each in a random order of
//     its own: a permutation of part 0's samples, then of part 1's, …, all drawn from
//     the epoch's one random stream (a set of at most PartSize samples is one part);
//   - every later epoch is one permutation of the whole set.
func Order(n int, seed uint64, epoch int) []int {
	rng := rand.New(rand.NewPCG(seed, streamOrder+uint64(epoch)))
	n = max(n, 0)
	if epoch > 0 {
		return permutation(rng, n)
	}
	parts := Parts(n)
	order := make([]int, 0, n)
	for p := range parts {
		for _, i := range permutation(rng, PartLen(n, p)) {
			order = append(order, p+i*parts) // the part's i-th sample
		}
	}
	return order
}

// Parts returns how many parts a set of n samples has: ⌈n / PartSize⌉.
func Parts(n int) int { return (max(n, 0) + PartSize - 1) / PartSize }

// PartLen returns how many samples part p of a set of n samples holds.
func PartLen(n, p int) int {
	parts := Parts(n)
	if p < 0 || p >= parts {
		return 0
	}
	return (n - p + parts - 1) / parts
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
