package tensor

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLargeProductsSplitIntoTiles(t *testing.T) {
	defer SetThreads(Threads())
	tests := []struct {
		threads, m, k, n int
		want             [][2]int
	}{
		{1, 103, 257, 91, [][2]int{{0, 103}}},
		{4, 103, 257, 91, [][2]int{{0, 24}, {24, 52}, {52, 76}, {76, 103}}},
		{3, 8, 1000, 1000, [][2]int{{0, 4}, {4, 8}}}, // never less than a tile of 4 rows
		{4, 100, 10, 10, [][2]int{{0, 100}}},         // too small to be worth a goroutine
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d threads, %dx%dx%d", tt.threads, tt.m, tt.k, tt.n), func(t *testing.T) {
			SetThreads(tt.threads)
			got := make(chan [2]int, 16)
			if t := goroutinesFor(tt.m, tt.k, tt.n); t > 1 {
				byRows(tt.m, t, func(i0, i1 int) { got <- [2]int{i0, i1} })
			} else {
				got <- [2]int{0, tt.m}
			}
			close(got)
			ranges := map[[2]int]bool{}
			for r := range got {
				ranges[r] = true
			}
			want := map[[2]int]bool{}
			for _, r := range tt.want {
				want[r] = true
			}
			assert.Equal(t, want, ranges)
		})
	}
}

// The products split across goroutines give the one-goroutine bits, for any count.
func TestThreadsGiveTheSameBits(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(3, 4))
	f32s := func(n int, zeros float64) []float32 { return randomFloat32s(rng, n, zeros) }
	for _, s := range [][3]int{{103, 257, 91}, {100, 784, 500}, {784, 100, 500}, {37, 1001, 203}} {
		m, k, n := s[0], s[1], s[2]
		for _, zeros := range []float64{0.9, 0.3} { // the sparse path and the tiled one
			t.Run(fmt.Sprintf("%dx%dx%d, %.0f%% zeros", m, k, n, 100*zeros), func(t *testing.T) {
				a, b, c := f32s(m*k, zeros), f32s(k*n, 0), f32s(m*n, 0)
				SetThreads(1)
				mul, trans := append([]float32(nil), c...), append([]float32(nil), c...)
				MulAdd(mul, a, b, m, k, n)
				MulTransAAdd(trans, a, b, m, k, n) // a read as k×m
				for _, threads := range []int{2, 3, 4, 7} {
					SetThreads(threads)
					got := append([]float32(nil), c...)
					MulAdd(got, a, b, m, k, n)
					require.Equal(t, bits32(mul), bits32(got), "MulAdd, %d threads", threads)
					got = append([]float32(nil), c...)
					MulTransAAdd(got, a, b, m, k, n)
					require.Equal(t, bits32(trans), bits32(got), "MulTransAAdd, %d threads", threads)
					set, fresh := append([]float32(nil), c...), make([]float32, m*n)
					MulTransA(set, a, b, m, k, n) // C = Aᵀ·B, whatever C held
					MulTransAAdd(fresh, a, b, m, k, n)
					require.Equal(t, bits32(fresh), bits32(set), "MulTransA, %d threads", threads)
				}
			})
		}
	}
}

// Products running at once on several goroutines share the crew: a member busy with
// one caller's part leaves the next to its caller, and every product still gets the
// one-goroutine bits.
// A giver descheduled between handing a part over and waking the member may find
// the member asleep again, the part long done, and wake it with nothing to do: the
// member must wait again, not run a part that is not there. (Under load, on two busy
// cores, this crashed a training run.)
func TestAMemberWokenWithoutAPartWaitsAgain(t *testing.T) {
	m := &member{wake: make(chan struct{}, 1)}
	go m.run()
	var pending atomic.Int32
	done := make(chan int, 2)
	give := func(w int, wake bool) {
		pending.Add(1)
		require.True(t, m.next.CompareAndSwap(nil, &part{func(w int) { done <- w }, w, &pending}))
		if wake && m.asleep.CompareAndSwap(true, false) {
			m.wake <- struct{}{}
		}
	}
	// A giver hands a part over and is descheduled before it looks whether m sleeps;
	// m takes the part (woken by another giver, if it was asleep already: on a slow or
	// busy machine it can fall asleep before the first part comes), then sleeps.
	give(1, true)
	select {
	case w := <-done:
		require.Equal(t, 1, w)
	case <-time.After(5 * time.Second):
		t.Fatal("the member never did the first part")
	}
	require.Eventually(t, m.asleep.Load, 5*time.Second, 100*time.Microsecond, "then falls asleep")
	if m.asleep.CompareAndSwap(true, false) { // the late giver finds it asleep
		m.wake <- struct{}{}
	}
	require.Eventually(t, func() bool { return len(m.wake) == 0 }, time.Second, 100*time.Microsecond, "the member wakes")
	time.Sleep(5 * time.Millisecond) // and finds no part
	give(2, true)
	select {
	case w := <-done:
		assert.Equal(t, 2, w, "the member woken for nothing still does the next part")
	case <-time.After(5 * time.Second):
		t.Fatal("the member never did the next part")
	}
	require.Eventually(t, func() bool { return pending.Load() == 0 }, time.Second, time.Millisecond)
}

func TestConcurrentProductsShareTheCrew(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(5, 6))
	const m, k, n = 64, 300, 200
	SetThreads(1)
	type product struct{ a, b, want []float32 }
	products := make([]product, 6)
	for i := range products {
		p := product{randomFloat32s(rng, m*k, 0.3), randomFloat32s(rng, k*n, 0), make([]float32, m*n)}
		MulAdd(p.want, p.a, p.b, m, k, n)
		products[i] = p
	}
	SetThreads(3)
	var wg sync.WaitGroup
	got := make([][]float32, len(products))
	for i, p := range products {
		wg.Go(func() {
			for range 20 {
				c := make([]float32, m*n)
				MulAdd(c, p.a, p.b, m, k, n)
				got[i] = c
			}
		})
	}
	wg.Wait()
	for i, p := range products {
		require.Equal(t, p.want, got[i], "product %d", i)
	}
}
