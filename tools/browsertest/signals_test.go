package browsertest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTheSignalPathsFollowTheRule: the diagram of the learning signals shows the
// rule and the network of the settings before any training, and a click on another
// rule redraws it; its text alternative reads the same paths.
func TestTheSignalPathsFollowTheRule(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?train-mode=DRTP&topology=FC_500_FC_500_FC_10", 1440, 900)
		label := func() string { return b.ariaLabel(t, "signals") }
		b.WaitFor(t, "DRTP's paths", 30*time.Second, func() bool { return strings.HasPrefix(label(), "Signal paths. DRTP:") })
		assert.Contains(t, label(), "FC 500, δ₁ = (B₁ᵀ t*) ⊙ f′(a₁) (the target alone, straight through B₁ᵀ)")
		assert.Contains(t, label(), "free of weight transport: yes; update-unlocked: yes.")
		assert.Equal(t, "0", b.Text(t, "#metric-step"), "drawn before any training")
		b.WaitFor(t, "the diagram drawn", 10*time.Second, func() bool { return b.inkedPixels(t, "signals") > 2000 })

		b.Click(t, `label:has(#setting-train-mode-BP)`, func() bool { return strings.HasPrefix(label(), "Signal paths. BP:") })
		assert.Contains(t, label(), "δ₁ = (W₂ᵀ δ₂) ⊙ f′(a₁) (from the layer above, through W₂ᵀ)")
		assert.Contains(t, label(), "free of weight transport: no; update-unlocked: no.")
		b.Snapshot(t, "#signals", "signals-BP")
		assert.Empty(t, b.Errors())
	})
}

// TestTheSignalsAndTheLockingAreMeasured: while DFA and DRTP race, the diagram's
// arrows follow the measured size of each signal (DFA's, the output's error sent
// back, shrinks as the network learns; DRTP's, from the target alone, stays as it
// was), and the timeline of one step shows each layer's wait: BP's first layer would
// wait longest, DRTP's not at all.
func TestTheSignalsAndTheLockingAreMeasured(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?train-mode=DFA,DRTP&topology=FC_500_FC_500_FC_10&autoplay=1", 1440, 900)
		label := func(id string) string { return b.ariaLabel(t, id) }
		share := func(mode string) float64 { // layer 1's signal as a share of its start
			m := regexp.MustCompile(mode + `: [^.]*?\..*? Measured: layer 1 RMS [0-9.e-]+ \(([0-9]+)% of start\)`).FindStringSubmatch(label("signals"))
			if m == nil {
				return -1
			}
			v, _ := strconv.ParseFloat(m[1], 64)
			return v
		}
		b.WaitFor(t, "DFA's first signal under 75% of its start", 60*time.Second, func() bool { s := share("DFA"); return s >= 0 && s < 75 })
		assert.InDelta(t, 100, share("DRTP"), 15, "DRTP's signal, from the target alone, depends on the batch's classes only: %s", label("signals"))
		b.WaitFor(t, "the step timed", 10*time.Second, func() bool { return strings.HasPrefix(label("locking"), "Update locking, one step of") })
		wait := func(mode string, layer int) float64 {
			m := regexp.MustCompile(mode + `: layer 1 ([0-9.]+) \([0-9]+%\), layer 2 ([0-9.]+) \([0-9]+%\), layer 3 ([0-9.]+)`).FindStringSubmatch(label("locking"))
			require.NotNil(t, m, "%s in %q", mode, label("locking"))
			v, _ := strconv.ParseFloat(m[layer], 64)
			return v
		}
		assert.Greater(t, wait("BP", 1), wait("DFA", 1), "BP's first layer waits for the δ of both layers above")
		assert.Greater(t, wait("DFA", 1), 0.0, "DFA's waits for the output's error")
		assert.Zero(t, wait("DRTP", 1), "DRTP's learns as soon as its forward pass is done")
		assert.Contains(t, label("locking"), "shallow: layer 1 –, layer 2 –")
		b.Snapshot(t, ".signals-panel", "signals-race")
		b.Snapshot(t, ".locking-panel", "locking")
		assert.Empty(t, b.Errors())
	})
}

// TestAFeedbackMatrixOpensFromTheDiagram: the button of a matrix beside the
// diagram's title, its focus, or a click on a layer whose signal passes the matrix
// opens that B_k over the diagram, the feedback view's picture; Escape closes it.
func TestAFeedbackMatrixOpensFromTheDiagram(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?train-mode=DRTP&topology=FC_500_FC_500_FC_10", 1440, 900)
		label := func() string { return b.ariaLabel(t, "signals") }
		showing := func(name string) func() bool {
			return func() bool { return strings.Contains(label(), "Showing "+name+":") }
		}
		b.WaitFor(t, "the matrices' buttons", 30*time.Second, func() bool {
			var n int
			b.Eval(t, `document.querySelectorAll("#signal-matrices button").length`, &n)
			return n == 2
		})
		b.WaitFor(t, "the feedback pictures", 30*time.Second, func() bool { return b.inkedPixels(t, "feedback") > 500 })
		b.Click(t, `#signal-matrices button[data-matrix="B1"]`, showing("B1"))
		var pressed string
		b.Eval(t, `document.querySelector('#signal-matrices button[data-matrix="B1"]').getAttribute("aria-pressed")`, &pressed)
		assert.Equal(t, "true", pressed)
		b.Snapshot(t, ".signals-panel", "signals-matrix")
		// A click on layer 2's column (the third of five boxes) opens B2.
		var at struct{ X, Y float64 }
		b.Eval(t, `(() => { const r = document.getElementById("signals").getBoundingClientRect(); return {X: r.left + r.width/2, Y: r.top + 60}; })()`, &at)
		b.ClickAt(t, at.X, at.Y)
		b.WaitFor(t, "B2 shown", 10*time.Second, showing("B2"))
		b.Key(t, KeyEscape)
		b.WaitFor(t, "the matrix closed", 5*time.Second, func() bool { return !strings.Contains(label(), "Showing") })
		b.Click(t, `label:has(#setting-train-mode-BP)`, func() bool { return strings.HasPrefix(label(), "Signal paths. BP:") })
		var n int
		b.Eval(t, `document.querySelectorAll("#signal-matrices button").length`, &n)
		assert.Zero(t, n, "BP's signals pass no fixed matrix")
		assert.Empty(t, b.Errors())
	})
}

// TestTheSignalsInASlide: embed=1&signals=1, the frame a slide holds, shows the
// learning signals beside the curves in the place of the weights and feedback, with
// the projector's larger text, in each engine.
func TestTheSignalsInASlide(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?embed=1&signals=1&autoplay=1", 1280, 720)
		b.WaitFor(t, "the curves and the signals drawn", 60*time.Second, func() bool {
			return b.inkedPixels(t, "curves") > 500 && b.inkedPixels(t, "signals") > 2000
		})
		var shown struct{ Weights, Signals bool }
		b.Eval(t, `(() => { const vis = id => document.getElementById(id).getClientRects().length > 0;
			return {Weights: vis("weights"), Signals: vis("signals")}; })()`, &shown)
		assert.True(t, shown.Signals, "the signals beside the curves")
		assert.False(t, shown.Weights, "in the place of the weights")
		b.Snapshot(t, "main", "embed-signals")
		assert.Empty(t, b.Errors())
	})
}

// Snapshot saves a picture of sel as <name>-<engine>.png in the screenshots'
// folder: the element alone in Chromium, the viewport elsewhere.
func (b *Browser) Snapshot(t *testing.T, sel, name string) {
	t.Helper()
	path := fmt.Sprintf("%s/%s-%s.png", screenshotDir(), name, b.Engine())
	if b.Engine() == ChromiumEngine {
		b.ScreenshotOf(t, sel, path)
		return
	}
	b.Screenshot(t, path)
}

// ariaLabel returns the text alternative of the element with the given id.
func (b *Browser) ariaLabel(t *testing.T, id string) string {
	t.Helper()
	var s string
	b.Eval(t, `document.getElementById("`+id+`").getAttribute("aria-label")`, &s)
	return s
}
