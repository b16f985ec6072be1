package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBudgetPlansTheNextEvaluation(t *testing.T) {
	b := budget{share: 0.2, shortest: 100 * time.Millisecond, longest: 2 * time.Second, minSamples: 200}
	// Share 0.2: four units of training for each unit of evaluation.
	tests := []struct {
		name      string
		perSample float64 // seconds
		gap       time.Duration
		n         int
	}{
		{"cheap: the whole subset, at the shortest interval", 1e-6, 100 * time.Millisecond, 2000},
		{"the whole subset fits the share", 100e-6, 800 * time.Millisecond, 2000},
		{"just fits within the longest interval", 250e-6, 2 * time.Second, 2000},
		{"too slow for the whole subset: fewer samples", 500e-6, 2 * time.Second, 1000},
		{"slower still: never under the fewest, the interval stretches", 5e-3, 4 * time.Second, 200},
		{"not measured yet", 0, 100 * time.Millisecond, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gap, n := b.plan(tt.perSample, 2000)
			assert.Equal(t, tt.n, n)
			assert.InDelta(t, tt.gap.Seconds(), gap.Seconds(), 1e-6)
			if tt.perSample > 0 {
				cost := float64(n) * tt.perSample
				assert.LessOrEqual(t, cost/(cost+gap.Seconds()), b.share+1e-9, "the share holds")
			}
		})
	}
	_, n := b.plan(1, 50)
	assert.Equal(t, 50, n, "a subset smaller than the fewest is evaluated whole")
}

func TestThePageSpendsMoreOnEvaluationsEarly(t *testing.T) {
	// 1 ms a sample: early, 1 s of training at a share of 0.15 fits 176 samples, so
	// the fewest, 200, are evaluated; later, 8 s at 0.1 fits 888.
	tests := []struct {
		trained time.Duration
		n       int
	}{{0, 200}, {earlyFor - time.Millisecond, 200}, {earlyFor, 888}, {time.Hour, 888}}
	for _, tt := range tests {
		_, n := planQuick(tt.trained, 1e-3, 2000)
		assert.Equal(t, tt.n, n, "after %v of training", tt.trained)
	}
}
