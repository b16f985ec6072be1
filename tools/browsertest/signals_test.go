package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestTheSignalPathsFollowTheRule: the diagram of the learning signals shows the
// rule and the network of the settings before any training, and a click on another
// rule redraws it; its text alternative reads the same paths.
func TestTheSignalPathsFollowTheRule(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?train-mode=DRTP&topology=FC_500_FC_500_FC_10", 1440, 900)
	label := func() string {
		var s string
		b.Eval(t, `document.getElementById("signals").getAttribute("aria-label")`, &s)
		return s
	}
	b.WaitFor(t, "DRTP's paths", 30*time.Second, func() bool { return strings.HasPrefix(label(), "Signal paths. DRTP:") })
	assert.Contains(t, label(), "FC 500, δ₁ = (B₁ᵀ t*) ⊙ f′(a₁) (the target alone, straight through B₁ᵀ)")
	assert.Contains(t, label(), "free of weight transport: yes; update-unlocked: yes.")
	assert.Equal(t, "0", b.Text(t, "#metric-step"), "drawn before any training")
	b.WaitFor(t, "the diagram drawn", 10*time.Second, func() bool { return b.inkedPixels(t, "signals") > 2000 })

	b.Click(t, `label:has(#setting-train-mode-BP)`, func() bool { return strings.HasPrefix(label(), "Signal paths. BP:") })
	assert.Contains(t, label(), "δ₁ = (W₂ᵀ δ₂) ⊙ f′(a₁) (from the layer above, through W₂ᵀ)")
	assert.Contains(t, label(), "free of weight transport: no; update-unlocked: no.")
	b.ScreenshotOf(t, "#signals", screenshotDir()+"/signals-BP.png")
	assert.Empty(t, b.Errors())
}
