package ui

import (
	"fmt"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// figures is what the metrics and a row of the race show of one run: its rule, its
// network (nil until built), its latest snapshot and its alignment so far.
type figures struct {
	mode  nn.Mode
	model *protocol.Model
	snap  protocol.SnapshotEvent
	align []protocol.AlignPoint
}

// metricTexts are the texts of the metrics' elements, by id: the figures of the
// main run's latest snapshot, "–" where there is none.
func metricTexts(f figures) map[string]string {
	s := f.snap
	epochs := ""
	if f.model != nil {
		epochs = fmt.Sprintf(" / %d", f.model.Epochs)
	}
	classes := f.model == nil || f.model.Classification
	t := map[string]string{
		"metric-epoch":              fmt.Sprint(s.Epoch) + epochs,
		"metric-step":               fmt.Sprint(s.Step),
		"metric-samples-per-second": fmt.Sprintf("%.0f", s.SamplesPerSecond),
		"metric-alignment":          f.angle(),
		"metric-train-loss":         "–",
		"metric-train-accuracy":     "–",
		"metric-test-loss":          "–",
		"metric-test-accuracy":      "–",
		"metric-test-note":          "",
	}
	if s.HasTrain {
		t["metric-train-loss"] = number(s.TrainLoss, 4)
		if classes {
			t["metric-train-accuracy"] = number(s.TrainAccuracy, 2)
		}
	}
	if s.HasTest {
		t["metric-test-loss"] = number(s.TestLoss, 4)
		switch {
		case !classes:
			t["metric-test-note"] = "regression: loss only"
		case s.TestFull:
			t["metric-test-accuracy"], t["metric-test-note"] = number(s.TestAccuracy, 2), "on the whole test set"
		case f.model != nil && s.TestEvaluated > 0:
			t["metric-test-accuracy"], t["metric-test-note"] = number(s.TestAccuracy, 2), subsetNote(s.TestEvaluated, f.model.TestSamples)
		default:
			t["metric-test-accuracy"], t["metric-test-note"] = number(s.TestAccuracy, 2), "on the quick test subset"
		}
	}
	return t
}

// raceColumns name the cells of a race's row after its rule's: race-BP-status, …
var raceColumns = []string{"status", "step", "test-accuracy", "alignment", "samples-per-second"}

// raceTexts are the cells of a run's row in the race's table, in raceColumns'
// order, for a run whose phase is phase.
func raceTexts(f figures, phase protocol.State) []string {
	acc := "–"
	if f.snap.HasTest {
		acc = number(f.snap.TestAccuracy, 2)
	}
	return []string{string(phase), fmt.Sprint(f.snap.Step), acc, f.angle(), fmt.Sprintf("%.0f", f.snap.SamplesPerSecond)}
}

// angle is the run's latest angle of layer 1 with the true gradient, as text: 0 for
// BP once it trained (its update is the gradient), "–" where there is none.
func (f figures) angle() string {
	if f.mode == nn.BP && f.snap.Step > 0 {
		return "0.0"
	}
	if n := len(f.align); n > 0 {
		if deg, ok := f.align[n-1].Layer(0); ok {
			return number(deg, 1)
		}
	}
	return "–"
}
