package protocol

import (
	"fmt"

	"github.com/nofeedback/lwf/core/train"
)

// TabMemory is what one run may hold in a browser tab's worker, beyond its data: a
// tab gets a few gigabytes at most, and a race runs up to six workers.
const TabMemory = 1 << 30

// CheckMemory refuses, before anything is allocated, a run that would need more than
// TabMemory, saying how much it would take. The page checks it before it starts a
// worker, and the worker again before it builds the run.
func CheckMemory(opts train.Options) error {
	need, err := opts.MemoryBytes()
	if err != nil {
		return err
	}
	if need > TabMemory {
		return fmt.Errorf("topology %s would need about %.1f GB to train here (its weights, their gradients, %s's state and a batch of %d), more than a browser tab can give (%.0f GB): choose a smaller network or batch, or train it with the command line",
			opts.Net.Topology, float64(need)/1e9, opts.Optimizer, opts.BatchSize, float64(TabMemory)/1e9)
	}
	return nil
}
