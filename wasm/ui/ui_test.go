package ui

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

func TestFormatting(t *testing.T) {
	assert.Equal(t, "93.21", number(93.2149, 2))
	assert.Equal(t, "∞", number(1e300, 2))
	assert.Equal(t, "12k", compact(12000))
	assert.Equal(t, "1.5M", compact(1.5e6))
	assert.Equal(t, "950", compact(950))
	assert.Equal(t, []float64{0, 20, 40, 60, 80, 100}, niceTicks(0, 100, 5))
	assert.Equal(t, []float64{0, 20000, 40000, 60000}, niceTicks(0, 60000, 3))
	assert.Equal(t, []float64{0, 50000}, niceTicks(0, 60000, 2))
	assert.Equal(t, "on 2000 test images (1 in 5)", subsetNote(2000, 10000))
	assert.Equal(t, "on 400 test images (1 in 25)", subsetNote(400, 10000), "a slow network's smaller subset")
	assert.Equal(t, "on the whole test set", subsetNote(300, 300))
}

func TestProgressText(t *testing.T) {
	tests := []struct {
		ev   protocol.ProgressEvent
		want string
	}{
		{protocol.ProgressEvent{}, ""},
		{protocol.ProgressEvent{What: "MNIST training images 1–5000", Loaded: 200, Total: 800}, "Loading MNIST training images 1–5000: 25%"},
		{protocol.ProgressEvent{What: "MNIST", Loaded: 2_500_000}, "Loading MNIST: 2.5 MB"},
		{protocol.ProgressEvent{What: "Generating the regression set"}, "Generating the regression set…"},
		{protocol.ProgressEvent{What: "MNIST training images", Loaded: 15000, Total: 60000, Samples: true},
			"MNIST training images: 15\u202f000 of 60\u202f000 in; training goes on as they arrive"},
		{protocol.ProgressEvent{What: "MNIST training images 5001–10000", Loaded: 400, Total: 800, Retrying: true},
			"Connection lost: retrying, and going on from where it stopped (MNIST training images 5001–10000: 50% in)…"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, progressText(tt.ev))
	}
	assert.Equal(t, "950", thousands(950))
	assert.Equal(t, "1\u202f000\u202f000", thousands(1_000_000))
}

func TestDigitise(t *testing.T) {
	// A vertical bar, 10 wide and 80 tall, low and to the left of a 100×100 canvas:
	// it comes out 20 pixels tall (3 wide), centred in 28×28.
	alpha := make([]uint8, 100*100)
	for y := 15; y < 95; y++ {
		for x := 5; x < 15; x++ {
			alpha[y*100+x] = 255
		}
	}
	img := Digitise(alpha, 100, 100, 28)
	require.Len(t, img, 784)
	x0, y0, x1, y1 := 28, 28, -1, -1
	var mass, mx, my float64
	for i, v := range img {
		if v > 0 {
			x, y := i%28, i/28
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			mass += float64(v)
			mx += float64(v) * float64(x)
			my += float64(v) * float64(y)
		}
		assert.True(t, v >= 0 && v <= 1)
	}
	assert.Equal(t, 20, y1-y0+1, "the longer side fills 20 of 28")
	assert.Equal(t, 3, x1-x0+1)
	assert.InDelta(t, 13.5, mx/mass, 0.6, "centre of mass, x")
	assert.InDelta(t, 13.5, my/mass, 0.6, "centre of mass, y")
	assert.Nil(t, Digitise(make([]uint8, 100), 10, 10, 28), "no ink, no digit")
	assert.Nil(t, Digitise(alpha, 100, 101, 28), "too few values for the size")
}

func TestCostRows(t *testing.T) {
	cfg := nn.DefaultConfig()
	cfg.Topology = "FC_1000_FC_1000_FC_10"
	costs, err := cfg.Costs()
	require.NoError(t, err)
	rows := costRows(costs)
	require.Len(t, rows, 6)
	byMode := map[string]costRow{}
	for _, r := range rows {
		byMode[r.Mode] = r
	}
	// BP: dW of all three layers (784k+1M+10k) and δ carried down twice (1M+10k).
	assert.Equal(t, "2.80M", byMode["BP"].Learning)
	assert.Equal(t, "yes", byMode["BP"].Backward)
	assert.Equal(t, 1.0, byMode["BP"].LearnBar)
	// DRTP: the same dW, no signal to carry: 1.794M MACs, and one layer's values held.
	assert.Equal(t, "1.79M", byMode["DRTP"].Learning)
	assert.Equal(t, "no", byMode["DRTP"].Backward)
	assert.InDelta(t, 1794000.0/2804000.0, byMode["DRTP"].LearnBar, 1e-9)
	assert.Less(t, byMode["DRTP"].HeldBar, byMode["BP"].HeldBar)
	assert.Equal(t, "10.0k", byMode["shallow"].Learning)
}

func TestCount(t *testing.T) {
	tests := []struct {
		v    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.00k"}, {12345, "12.3k"}, {397000, "397k"}, {1794000, "1.79M"}, {12_300_000_000, "12.3G"}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, count(tt.v), tt.v)
	}
}

func TestIDXRole(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"train-images-idx3-ubyte.gz", 0},
		{"TRAIN-LABELS-IDX1-UBYTE", 1},
		{"t10k-images-idx3-ubyte", 2},
		{"fashion-test-labels.idx1-ubyte.gz", 3},
		{"images-train.gz", -1}, // the words in the wrong order
		{"readme.txt", -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, idxRole(tt.name), tt.name)
	}
}

func TestRollUp(t *testing.T) {
	for _, tt := range []struct {
		valid    bool
		statuses []protocol.State
		want     protocol.State
	}{
		{true, []protocol.State{"ready"}, "ready"},
		{false, []protocol.State{"ready"}, "error"},
		{true, []protocol.State{"training", "loading"}, "loading"},
		{true, []protocol.State{"paused", "training"}, "training"},
		{true, []protocol.State{"error", "training"}, "training"},
		{true, []protocol.State{"error", "error"}, "error"},
		{true, []protocol.State{"done", "error"}, "done"},
		{true, []protocol.State{"ready", "error"}, "ready"},
		{true, []protocol.State{"paused", "ready"}, "paused"},
		{true, []protocol.State{"done", "paused"}, "paused"},
	} {
		assert.Equal(t, tt.want, rollUp(tt.valid, tt.statuses), "%v %v", tt.valid, tt.statuses)
	}
}

func TestMetricsCSV(t *testing.T) {
	tenth := 0.1 // a float64, so that tenth+0.2 is not 0.3
	csv := writeMetricsCSV([]runMetrics{
		{mode: nn.DRTP, steps: []float64{2.302585092994046, tenth + 0.2},
			train: []protocol.Point{{Samples: 100, Loss: 0.5, Accuracy: 80}},
			test:  []protocol.Point{{Samples: 100, Loss: math.NaN(), Accuracy: 81.25, Full: true}},
			align: []protocol.AlignPoint{{Samples: 100, Layers: []float64{42.5, -1}}}},
		{mode: nn.BP, train: []protocol.Point{{Samples: 200, Loss: 1e301, Accuracy: 10}}},
	})
	assert.Equal(t, `rule,series,samples,loss,accuracy,whole_test_set,angle_layer
DRTP,batch_1,,2.302585092994046,,,
DRTP,batch_2,,0.30000000000000004,,,
DRTP,train,100,0.5,80,,
DRTP,test,100,,81.25,true,
DRTP,alignment_layer_1,100,,,,42.5
BP,train,200,,10,,
`, csv, "exact batch losses, empty cells for what is not a figure, no line for a layer without an angle")
}

func TestDeckKeysGoToTheDeck(t *testing.T) {
	tests := []struct {
		key     string
		keyCode int // 0: not the deck's
	}{
		{"ArrowRight", 39}, {"ArrowLeft", 37}, {"PageDown", 34}, {"PageUp", 33},
		{"Home", 36}, {"End", 35}, {" ", 32},
		{"a", 0}, {"Enter", 0}, {"Tab", 0},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			msgs, ok := deckMessages(tt.key, "Code")
			if tt.keyCode == 0 {
				assert.False(t, ok, "the demo's own key")
				assert.Nil(t, msgs)
				return
			}
			require.True(t, ok)
			require.Len(t, msgs, 2)
			assert.JSONEq(t, fmt.Sprintf(`{"method": "triggerKey", "args": [%d]}`, tt.keyCode), msgs[0].(string), "reveal.js's postMessage command")
			assert.Equal(t, map[string]any{"type": "lwf-key", "key": tt.key, "code": "Code", "keyCode": tt.keyCode}, msgs[1])
		})
	}
}
