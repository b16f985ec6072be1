package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

func TestTheMetricsShowTheLatestSnapshot(t *testing.T) {
	mnist := &protocol.Model{Epochs: 100, Classification: true, TestSamples: 10000}
	regression := &protocol.Model{Epochs: 5, TestSamples: 1000}
	trained := protocol.SnapshotEvent{Epoch: 2, Step: 700, SamplesPerSecond: 7243.6, HasTrain: true, TrainLoss: 0.31234, TrainAccuracy: 91.234,
		HasTest: true, TestLoss: 0.29, TestAccuracy: 92.5, TestEvaluated: 500}
	full := trained
	full.TestFull, full.TestEvaluated = true, 10000
	diverged := trained
	diverged.TrainLoss = protocol.Overflow
	angles := []protocol.AlignPoint{{Samples: 100, Layers: []float64{80}}, {Samples: 200, Layers: []float64{71.94}}}
	tests := []struct {
		name string
		f    figures
		want map[string]string // the ids checked
	}{
		{"before the network is built", figures{mode: nn.DRTP},
			map[string]string{"metric-epoch": "0", "metric-step": "0", "metric-test-accuracy": "–", "metric-test-note": "", "metric-alignment": "–"}},
		{"built, not trained", figures{mode: nn.DRTP, model: mnist},
			map[string]string{"metric-epoch": "0 / 100", "metric-train-loss": "–", "metric-test-loss": "–"}},
		{"trained, on a subset", figures{mode: nn.DRTP, model: mnist, snap: trained, align: angles},
			map[string]string{"metric-epoch": "2 / 100", "metric-step": "700", "metric-samples-per-second": "7244", "metric-train-loss": "0.3123",
				"metric-train-accuracy": "91.23", "metric-test-accuracy": "92.50", "metric-test-note": "on 500 test images (1 in 20)", "metric-alignment": "71.9"}},
		{"on the whole test set", figures{mode: nn.DRTP, model: mnist, snap: full},
			map[string]string{"metric-test-note": "on the whole test set"}},
		{"a loss that overflowed", figures{mode: nn.DRTP, model: mnist, snap: diverged},
			map[string]string{"metric-train-loss": "∞"}},
		{"regression: no accuracy", figures{mode: nn.DRTP, model: regression, snap: trained},
			map[string]string{"metric-train-accuracy": "–", "metric-test-accuracy": "–", "metric-test-note": "regression: loss only", "metric-test-loss": "0.2900"}},
		{"BP's update is the gradient", figures{mode: nn.BP, model: mnist, snap: trained},
			map[string]string{"metric-alignment": "0.0"}},
		{"a frozen first layer has no angle", figures{mode: nn.DFA, model: mnist, snap: trained, align: []protocol.AlignPoint{{Layers: []float64{protocol.NoAngle, 40}}}},
			map[string]string{"metric-alignment": "–"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := metricTexts(tt.f)
			assert.Len(t, got, 9, "every metric is written, so that none shows a figure of the run before")
			for id, want := range tt.want {
				assert.Equal(t, want, got[id], id)
			}
		})
	}
}

func TestARaceRowShowsItsRun(t *testing.T) {
	snap := protocol.SnapshotEvent{Step: 80, SamplesPerSecond: 3482.4, HasTest: true, TestAccuracy: 89.123}
	got := raceTexts(figures{mode: nn.DRTP, snap: snap, align: []protocol.AlignPoint{{Layers: []float64{70.32}}}}, protocol.Training)
	assert.Equal(t, []string{"training", "80", "89.12", "70.3", "3482"}, got)
	assert.Len(t, raceColumns, len(got))
	assert.Equal(t, []string{"ready", "0", "–", "–", "0"}, raceTexts(figures{mode: nn.BP}, protocol.Ready))
}
