package browsertest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestDrawnDigitGetsAPrediction draws a one (a vertical stroke) on the pad with the
// mouse, once the network has seen an epoch and passes 90% on the test images (a
// network only a few seconds into training still mistakes it for an 8 at times), and
// reads its answer, in each engine.
func TestDrawnDigitGetsAPrediction(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?autoplay=1", 1440, 900)
		b.WaitFor(t, "an epoch and 90% test accuracy", 90*time.Second, func() bool {
			return b.number(t, "#metric-step") >= 600 && b.number(t, "#metric-test-accuracy") > 90
		})
		var box struct{ X, Y, W, H float64 }
		b.Eval(t, `(() => { const p = document.getElementById("pad"); p.scrollIntoView({block: "center"});
			const r = p.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, &box)
		var stroke [][2]float64
		for f := 0.15; f <= 0.851; f += 0.05 {
			stroke = append(stroke, [2]float64{box.X + box.W/2, box.Y + box.H*f})
		}
		b.Drag(t, stroke)
		b.WaitFor(t, "an answer", 5*time.Second, func() bool { return b.Text(t, "#pad-answer") != "?" })
		// A network a few seconds into training reads this stroke as a one most of the
		// time, but not always (an eight, a zero): the test asks for an answer, a digit.
		answer := b.Text(t, "#pad-answer")
		t.Logf("a vertical stroke reads as %s", answer)
		assert.Regexp(t, `^[0-9]$`, answer)
		assert.Greater(t, b.inkedPixels(t, "pad-confidence"), 100)
		assert.Greater(t, b.inkedPixels(t, "confusion"), 1000, "the confusion matrix is drawn")
		b.Click(t, "#pad-clear", func() bool { return b.Text(t, "#pad-answer") == "?" })
		assert.Empty(t, b.Errors())
	})
}
