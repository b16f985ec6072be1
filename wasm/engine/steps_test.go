package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
)

func TestSnapshotsCarryTheStepsPartsAndTheSignalsSizes(t *testing.T) {
	for _, mode := range []nn.Mode{nn.BP, nn.DRTP, nn.Shallow} {
		t.Run(mode.String(), func(t *testing.T) {
			s := synthSettings(mode)
			s.Topology, s.BatchSize = "FC_400_FC_400_FC_10", 100
			e, _, _, err := New(s, Data{Train: data.Classification(1, 2000), Test: data.Classification(2, 300)}, nil)
			require.NoError(t, err)
			e.Play()
			for range 40 {
				require.NoError(t, e.StepOnce())
			}
			snap, _ := e.Snapshot(false)
			tm := snap.Timing
			require.NotNil(t, tm)
			assert.Equal(t, 40, tm.Steps)
			parts := tm.Batch + tm.Output + tm.Align + tm.Update
			for i := range tm.Forward {
				assert.Greater(t, tm.Forward[i], 0.0, "layer %d's forward pass", i+1)
				parts += tm.Forward[i] + tm.Backward[i]
			}
			t.Logf("parts %.3f ms of a %.3f ms step", parts, tm.Step)
			// The parts follow each other: what lies between them is the run's bookkeeping.
			assert.InDelta(t, tm.Step, parts, 0.1*tm.Step, "the parts (%.3f ms) add up to the step (%.3f ms)", parts, tm.Step)
			require.Len(t, snap.Signals, 3)
			assert.Greater(t, snap.Signals[2], 0.0, "the output's error")
			for k := range 2 {
				if mode == nn.Shallow {
					assert.Zero(t, snap.Signals[k], "layer %d learns nothing", k+1)
				} else {
					assert.Greater(t, snap.Signals[k], 0.0, "layer %d's signal", k+1)
				}
			}
			again, _ := e.Snapshot(false)
			assert.Nil(t, again.Signals, "no step since the last snapshot")
		})
	}
}
