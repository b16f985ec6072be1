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

// byRows calls rows(i0, i1) over row ranges that cover the m rows of an m×k by k×n
// product: one range on the caller's goroutine, or, for a large product, up to
// Threads ranges of whole 4-row tiles, each on its own goroutine.
func byRows(m, k, n int, rows func(i0, i1 int)) {
	t := min(Threads(), m*k*n/parallelWork, (m+3)/4)
	if t <= 1 {
		rows(0, m)
		return
	}
	tiles := (m + 3) / 4
	var wg sync.WaitGroup
	for w := range t {
		i0, i1 := 4*(tiles*w/t), min(4*(tiles*(w+1)/t), m)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows(i0, i1)
		}()
	}
	wg.Wait()
}
