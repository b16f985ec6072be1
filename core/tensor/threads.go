package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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
const parallelWork = 1 << 18

// goroutinesFor returns how many goroutines an m×k by k×n product is split across:
// up to Threads, each with at least parallelWork multiply-adds and a 4-row tile.
func goroutinesFor(m, k, n int) int { return max(1, min(Threads(), m*k*n/parallelWork, (m+3)/4)) }

// byRows calls rows(i0, i1) on t goroutines, the caller's among them, over ranges of
// whole 4-row tiles that cover the m rows, and waits for them.
func byRows(m, t int, rows func(i0, i1 int)) {
	tiles := (m + 3) / 4
	parts(t, func(w int) { rows(4*(tiles*w/t), min(4*(tiles*(w+1)/t), m)) })
}

// elementWork is the fewest elements an element-wise kernel gives a goroutine.
const elementWork = 1 << 15

// byChunks calls f(i0, i1) over ranges that cover n elements, on up to Threads
// goroutines (the caller's among them) of at least elementWork elements each
// (lanes-aligned), and waits. Element-wise kernels give the same bits however they
// are split.
func byChunks(n, lanes int, f func(i0, i1 int)) {
	t := min(Threads(), n/elementWork)
	if t <= 1 {
		f(0, n)
		return
	}
	parts(t, func(w int) {
		i0, i1 := n*w/t/lanes*lanes, n*(w+1)/t/lanes*lanes
		if w == t-1 {
			i1 = n
		}
		f(i0, i1)
	})
}

// The parts of a split product run on a crew of long-lived goroutines, which after
// each part spin a while (spinFor) waiting for the next before they sleep: a
// training step's products follow each other within tens of microseconds, and
// waking a sleeping goroutine costs about as much, far more on a virtual machine
// whose idle cores halt.

// spinFor is how long a crew member waits, awake, for its next part.
const spinFor = 200 * time.Microsecond

// part is one part of a split: f(w), then one less pending.
type part struct {
	f       func(w int)
	w       int
	pending *atomic.Int32
}

func (p *part) do() {
	p.f(p.w)
	p.pending.Add(-1)
}

// member is one goroutine of the crew: its next part, and whether it sleeps.
type member struct {
	next   atomic.Pointer[part]
	asleep atomic.Bool
	wake   chan struct{}
}

var crew struct {
	sync.Mutex
	members []*member
}

// parts calls f(w) for w < t, f(0) on the caller's goroutine and the others on the
// crew, and returns when all have returned. A member busy with another caller's part
// leaves its part to the caller. f must not split again (the parts of products and
// element-wise kernels call kernels only): a member waiting for the crew while its own
// part is queued would wait forever.
func parts(t int, f func(w int)) {
	members := crewOf(t - 1)
	var pending atomic.Int32
	pending.Store(int32(t - 1))
	var mine []*part
	for w := 1; w < t; w++ {
		m, p := members[w-1], &part{f, w, &pending}
		if !m.next.CompareAndSwap(nil, p) {
			mine = append(mine, p)
			continue
		}
		if m.asleep.CompareAndSwap(true, false) {
			m.wake <- struct{}{}
		}
	}
	f(0)
	for _, p := range mine {
		p.do()
	}
	for pending.Load() > 0 {
		runtime.Gosched()
	}
}

// crewOf returns n members of the crew, starting those not yet running.
func crewOf(n int) []*member {
	crew.Lock()
	defer crew.Unlock()
	for len(crew.members) < n {
		m := &member{wake: make(chan struct{}, 1)}
		crew.members = append(crew.members, m)
		go m.run()
	}
	return crew.members[:n]
}

// run does the member's parts as they come.
func (m *member) run() {
	for {
		m.await().do()
	}
}

// await returns the member's next part: spinning for spinFor, then asleep until the
// part's giver wakes it.
//
// A wake may come without a part: a giver that was descheduled between handing its
// part over and looking whether the member sleeps can find it asleep again, its part
// long done, and wake it. The member then waits again.
func (m *member) await() *part {
	for {
		start := time.Now()
		for spins := 0; spins%64 != 63 || time.Since(start) < spinFor; spins++ {
			if p := m.next.Swap(nil); p != nil {
				return p
			}
			runtime.Gosched()
		}
		m.asleep.Store(true)
		if p := m.next.Swap(nil); p != nil { // given a part as it fell asleep
			if !m.asleep.CompareAndSwap(true, false) {
				<-m.wake // the giver saw it asleep and woke it
			}
			return p
		}
		<-m.wake
		if p := m.next.Swap(nil); p != nil {
			return p
		}
	}
}
