package data

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// streamOrder is added to the epoch to pick the random stream of an epoch's order.
const streamOrder = 0x6f72646572 // "order"

// PartSize is how many samples a part of a set holds (the last part fewer). A set of n
// samples has Parts(n) parts, which split it at random, the same way for every run:
// part p holds the samples PartSamples(n, p), a fixed random subset (so that a part
// is spread over the whole set, its writers, sources and classes, whatever order the
// file keeps them in). The first epoch visits the parts in turn, so that the page
// trains on the first part while the rest still downloads.
const PartSize = 5000

// Order returns a permutation of 0..n−1 that depends only on seed and epoch: the order
// in which an epoch visits a set of n samples. It is the same on every platform, and
// the same wherever the set comes from (a file, or parts arriving over a network):
//
//   - the first epoch (0) goes through the parts in turn, each in a random order of
//     its own: a permutation of part 0's samples, then of part 1's, …, all drawn from
//     the epoch's one random stream (a set of at most PartSize samples is one part);
//   - every later epoch is one permutation of the whole set.
//
// As the parts split the set at random, the first epoch's order is as random as the
// others' for the data it visits.
func Order(n int, seed uint64, epoch int) []int {
	rng := rand.New(rand.NewPCG(seed, streamOrder+uint64(epoch)))
	n = max(n, 0)
	if epoch > 0 {
		return permutation(rng, n)
	}
	order := make([]int, 0, n)
	for p := range Parts(n) {
		part := PartSamples(n, p)
		for _, i := range permutation(rng, len(part)) {
			order = append(order, part[i])
		}
	}
	return order
}

// Parts returns how many parts a set of n samples has: ⌈n / PartSize⌉.
func Parts(n int) int { return (max(n, 0) + PartSize - 1) / PartSize }

// PartSamples returns the samples part p of a set of n samples holds, in the order its
// file stores them; nil for a part past the last. A set of one part holds 0..n−1 in
// order.
func PartSamples(n, p int) []int {
	if p < 0 || p >= Parts(n) {
		return nil
	}
	l := partLayout(n)
	return l.samples[p*PartSize : min((p+1)*PartSize, n)]
}

// partsSeed fixes how the parts split a set: one constant for every run and set.
const partsSeed = 0x7061727473 // "parts"

// layout is how the parts split a set of n samples: samples lists part 0's, then part
// 1's, …; part[i] is the part of sample i.
type layout struct {
	samples []int
	part    []int32
}

var layouts sync.Map // n → *layout

func partLayout(n int) *layout {
	if l, ok := layouts.Load(n); ok {
		return l.(*layout)
	}
	l := &layout{part: make([]int32, n)}
	if Parts(n) == 1 {
		l.samples = make([]int, n)
		for i := range l.samples {
			l.samples[i] = i
		}
	} else {
		l.samples = permutation(rand.New(rand.NewPCG(partsSeed, uint64(n))), n)
	}
	for k, i := range l.samples {
		l.part[i] = int32(k / PartSize)
	}
	got, _ := layouts.LoadOrStore(n, l)
	return got.(*layout)
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
