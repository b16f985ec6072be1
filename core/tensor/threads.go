package tensor

import (
	"sync"
	"sync/atomic"
)

// threads is how many goroutines a large product may use (SetThreads).
var threads atomic.Int32

func init() { threads.Store(1) }

// SetThreads lets each large matrix product use up to n goroutines (n ≥ 1; 1, the
// default, computes every product on the caller's goroutine). The products are split
// by rows of C, so each element of C is still computed by one goroutine, adding its
// terms in the same order: the results are the same bits for every n.
func SetThreads(n int) { threads.Store(int32(max(n, 1))) }

// Threads returns how many goroutines a large product may use.
func Threads() int { return int(threads.Load()) }

// parallelWork is the fewest multiply-adds a goroutine is given: a smaller product
// is computed on one, whose start would cost more than it saves.
const parallelWork = 1 << 19

// goroutinesFor returns how many goroutines an m×k by k×n product is split across:
// up to Threads, each with at least parallelWork multiply-adds and a 4-row tile.
func goroutinesFor(m, k, n int) int { return max(1, min(Threads(), m*k*n/parallelWork, (m+3)/4)) }

// byRows calls rows(i0, i1) on t goroutines, over ranges of whole 4-row tiles that
// cover the m rows, and waits for them.
func byRows(m, t int, rows func(i0, i1 int)) {
	tiles := (m + 3) / 4
	var wg sync.WaitGroup
	for w := range t {
		i0, i1 := 4*(tiles*w/t), min(4*(tiles*(w+1)/t), m)
		wg.Go(func() { rows(i0, i1) })
	}
	wg.Wait()
}

// elementWork is the fewest elements an element-wise kernel gives a goroutine.
const elementWork = 1 << 15

// byChunks calls f(i0, i1) over ranges that cover n elements, on up to Threads
// goroutines of at least elementWork elements each (lanes-aligned), and waits.
// Element-wise kernels give the same bits however they are split.
func byChunks(n, lanes int, f func(i0, i1 int)) {
	t := min(Threads(), n/elementWork)
	if t <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range t {
		i0, i1 := n*w/t/lanes*lanes, n*(w+1)/t/lanes*lanes
		if w == t-1 {
			i1 = n
		}
		wg.Go(func() { f(i0, i1) })
	}
	wg.Wait()
}
