package nn

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tick is a clock that advances by one nanosecond at every reading, so that each
// part of a recorded step lasts exactly one reading.
func tick() func() time.Duration {
	var t time.Duration
	return func() time.Duration { t++; return t }
}

func TestARecordedStepTimesEveryLayerAndChangesNothing(t *testing.T) {
	for _, mode := range Modes() {
		t.Run(mode.String(), func(t *testing.T) {
			plain, err := New[float64](smallConfig(mode))
			require.NoError(t, err)
			recorded, err := New[float64](smallConfig(mode))
			require.NoError(t, err)
			rec := &StepRecord{Now: tick()}
			recorded.Record(rec)
			b := classBatch(rand.New(rand.NewPCG(3, 4)), plain, 6)
			lossA, err := plain.Gradients(b)
			require.NoError(t, err)
			lossB, err := recorded.Gradients(b)
			require.NoError(t, err)
			require.Equal(t, math.Float64bits(lossA), math.Float64bits(lossB))
			for i, p := range plain.Params() {
				require.Equal(t, p.Grad, recorded.Params()[i].Grad, "%s: recording changed a gradient", p.Name)
			}

			// Every part is one reading of the clock after the last: the parts follow
			// each other with no gap, so they add up to the step.
			last := recorded.Layers() - 1
			assert.Equal(t, []time.Duration{1, 1, 1}, rec.Forward)
			assert.Equal(t, time.Duration(1), rec.Output)
			assert.Equal(t, []time.Duration{1, 1, 1}, rec.Backward, "shallow's hidden layers too: their gradients are cleared")
			total := rec.Output
			for i := range rec.Forward {
				total += rec.Forward[i] + rec.Backward[i]
			}
			// Eight readings (1 to 8): the next is 9.
			assert.Equal(t, rec.Now()-2, total, "the parts cover the step from its first reading to its last")

			// The output layer's δ is δ_L; hidden layers that learn got a signal.
			assert.InDelta(t, rms(recorded.delta[:6*4]), rec.SignalRMS[last], 1e-15)
			for k := range last {
				if mode == Shallow {
					assert.Zero(t, rec.SignalRMS[k], "layer %d learns nothing", k+1)
				} else {
					assert.Greater(t, rec.SignalRMS[k], 0.0, "layer %d", k+1)
				}
			}
			before := *rec
			before.SignalRMS = append([]float64(nil), rec.SignalRMS...)
			_, err = recorded.TrueGradients()
			require.NoError(t, err)
			assert.Equal(t, before.SignalRMS, rec.SignalRMS, "TrueGradients records nothing")
		})
	}
}

func TestDRTPsSignalDoesNotDependOnTheOutput(t *testing.T) {
	// DRTP's hidden δ comes from the target alone: two networks that differ only in
	// their output weights give the same hidden δ sizes, where DFA's differ.
	for _, tt := range []struct {
		mode Mode
		same bool
	}{{DRTP, true}, {DFA, false}} {
		sizes := func(scale float64) []float64 {
			net, err := New[float64](smallConfig(tt.mode))
			require.NoError(t, err)
			for _, p := range net.Params() {
				if p.Name == "layers.2.fc.weight" { // the output layer's
					for i := range p.Value {
						p.Value[i] *= scale
					}
				}
			}
			rec := &StepRecord{Now: tick()}
			net.Record(rec)
			_, err = net.Gradients(classBatch(rand.New(rand.NewPCG(5, 6)), net, 6))
			require.NoError(t, err)
			return rec.SignalRMS[:len(rec.SignalRMS)-1]
		}
		a, b := sizes(1), sizes(3)
		if tt.same {
			assert.Equal(t, a, b, "%s", tt.mode)
		} else {
			assert.NotEqual(t, a, b, "%s", tt.mode)
		}
	}
}
