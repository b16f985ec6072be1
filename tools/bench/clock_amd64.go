package main

import "time"

// addChain runs n iterations of eight dependent integer additions: eight cycles each.
func addChain(n int)

// clockGHz times addChain: eight dependent additions per iteration, one cycle each.
func clockGHz() float64 {
	const n = 50_000_000
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		addChain(n)
		best = min(best, time.Since(start))
	}
	return 8 * n / best.Seconds() / 1e9
}
