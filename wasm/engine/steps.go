package engine

import (
	"time"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// stepMeter folds each training step's record into what the snapshots carry: the
// parts of a step as moving means (the timeline of update locking), and the sizes
// of the learning signals since the last snapshot.
type stepMeter struct {
	timing protocol.StepTiming
	rmsSum []float64
	rmsN   int
}

// newStepMeter meters a network of the given layers.
func newStepMeter(layers int) *stepMeter {
	return &stepMeter{
		timing: protocol.StepTiming{Forward: make([]float64, layers), Backward: make([]float64, layers)},
		rmsSum: make([]float64, layers),
	}
}

// add folds in one step's record and the step's time as the run measured it.
func (m *stepMeter) add(rec *nn.StepRecord, took time.Duration) {
	t := &m.timing
	t.Steps++
	w := 1 / float64(min(t.Steps, protocol.TimingSpan)) // the mean of the first steps, then a moving one
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	fold := func(mean *float64, d time.Duration) { *mean += (ms(d) - *mean) * w } // mean ← mean + (x − mean)·w
	for i := range t.Forward {
		fold(&t.Forward[i], rec.Forward[i])
		fold(&t.Backward[i], rec.Backward[i])
		m.rmsSum[i] += rec.SignalRMS[i]
	}
	fold(&t.Batch, rec.Batch)
	fold(&t.Output, rec.Output)
	fold(&t.Align, rec.Align)
	fold(&t.Update, rec.Update)
	fold(&t.Step, took)
	m.rmsN++
}

// signals returns the mean size of each layer's signal since the last call, nil
// if no step was added since.
func (m *stepMeter) signals() []float64 {
	if m.rmsN == 0 {
		return nil
	}
	out := make([]float64, len(m.rmsSum))
	for i, s := range m.rmsSum {
		out[i] = s / float64(m.rmsN)
	}
	clear(m.rmsSum)
	m.rmsN = 0
	return out
}

// current returns a copy of the step's timing, nil before the first step.
func (m *stepMeter) current() *protocol.StepTiming {
	if m.timing.Steps == 0 {
		return nil
	}
	t := m.timing
	t.Forward, t.Backward = append([]float64(nil), t.Forward...), append([]float64(nil), t.Backward...)
	return &t
}
