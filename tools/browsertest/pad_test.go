package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// TestDrawnDigitGetsAPrediction draws a one (a vertical stroke) on the pad with the
// mouse, once the network has seen an epoch and passes 90% on the test images (a
// network only a few seconds into training still mistakes it for an 8 at times), and
// reads its answer.
func TestDrawnDigitGetsAPrediction(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?autoplay=1", 1440, 900)
	b.WaitFor(t, "an epoch and 90% test accuracy", 90*time.Second, func() bool {
		return b.number(t, "#metric-step") >= 600 && b.number(t, "#metric-test-accuracy") > 90
	})
	var box struct{ X, Y, W, H float64 }
	b.Run(t, 5*time.Second, chromedp.ScrollIntoView("#pad", chromedp.ByQuery))
	b.Eval(t, `(() => { const r = document.getElementById("pad").getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, &box)
	x := box.X + box.W/2
	mouse := func(typ input.MouseType, y float64) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			return input.DispatchMouseEvent(typ, x, y).WithButton(input.Left).WithButtons(1).WithClickCount(1).Do(ctx)
		})
	}
	actions := []chromedp.Action{mouse(input.MousePressed, box.Y+box.H*0.15)}
	for f := 0.15; f <= 0.85; f += 0.05 {
		actions = append(actions, mouse(input.MouseMoved, box.Y+box.H*f))
	}
	actions = append(actions, mouse(input.MouseReleased, box.Y+box.H*0.85))
	b.Run(t, 10*time.Second, actions...)
	b.WaitFor(t, "an answer", 5*time.Second, func() bool { return b.Text(t, "#pad-answer") != "?" })
	// A network a few seconds into training reads this stroke as a one most of the
	// time, but not always (an eight, a zero): the test asks for an answer, a digit.
	answer := b.Text(t, "#pad-answer")
	t.Logf("a vertical stroke reads as %s", answer)
	assert.Regexp(t, `^[0-9]$`, answer)
	assert.Greater(t, b.inkedPixels(t, "pad-confidence"), 100)
	assert.Greater(t, b.inkedPixels(t, "confusion"), 1000, "the confusion matrix is drawn")
	b.Run(t, 5*time.Second, chromedp.Click("#pad-clear", chromedp.ByQuery))
	assert.Equal(t, "?", b.Text(t, "#pad-answer"))
	assert.Empty(t, b.Errors())
}
