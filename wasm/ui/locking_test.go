package ui

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

func TestUpdateLockingFollowsEachRulesDependencies(t *testing.T) {
	// Forward passes of 1, 2 and 1 ms end at 1, 3 and 4; the error is known at 4.5;
	// the backward parts take 1, 1 and 0.5 ms from the top down.
	tm := protocol.StepTiming{Forward: []float64{1, 2, 1}, Output: 0.5, Backward: []float64{1, 1, 0.5}, Step: 8}
	nan := math.NaN()
	tests := []struct {
		name   string
		learns []bool
		want   map[nn.Mode][]float64
	}{
		{"every layer learns", []bool{true, true, true}, map[nn.Mode][]float64{
			nn.BP:      {4.5 + 1.5 - 1, 4.5 + 0.5 - 3, 0.5}, // after the δ of every layer above
			nn.FA:      {5, 2, 0.5},
			nn.DFA:     {3.5, 1.5, 0.5}, // after the output's error
			nn.SDFA:    {3.5, 1.5, 0.5},
			nn.DRTP:    {0, 0, 0.5}, // at once
			nn.Shallow: {nan, nan, 0.5},
		}},
		{"a frozen first layer", []bool{false, true, true}, map[nn.Mode][]float64{
			nn.BP:   {nan, 2, 0.5},
			nn.DRTP: {nan, 0, 0.5},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lockingOf(tm, tt.learns)
			assert.Equal(t, []float64{1, 3, 4}, l.forwardEnd)
			assert.Equal(t, 4.5, l.errorAt)
			for mode, want := range tt.want {
				got := l.wait[mode]
				for k := range want {
					if math.IsNaN(want[k]) {
						assert.True(t, math.IsNaN(got[k]), "%s, layer %d: no update, got %v", mode, k+1, got[k])
					} else {
						assert.InDelta(t, want[k], got[k], 1e-12, "%s, layer %d", mode, k+1)
					}
				}
			}
		})
	}
}
