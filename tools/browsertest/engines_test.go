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

// TestTheLinkTrainsInEveryEngine is the lecture in each engine: a link opens the
// page, which trains DRTP and draws its views.
func TestTheLinkTrainsInEveryEngine(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?autoplay=1", 1280, 720)
		b.WaitFor(t, "test accuracy above 80%", 90*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 80 })
		for _, id := range []string{"curves", "weights", "feedback", "digits"} {
			b.WaitFor(t, "canvas#"+id+" drawn", 10*time.Second, func() bool { return b.inkedPixels(t, id) > 500 })
		}
		b.Screenshot(t, screenshotDir()+"/engine-"+e.String()+".png")
	})
}

// TestADeckMovesWithTheDemoInIt: in a reveal.js deck, Play inside the embedded demo
// trains it, and then the deck's keys (a presenter's, a clicker's) move the deck and
// leave the demo training.
func TestADeckMovesWithTheDemoInIt(t *testing.T) {
	reveal := NPMPackage(t, "reveal.js", "6.0.2")
	site := Serve(t, Dist(t))
	site.Mount("reveal", reveal)
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, DeckPath[1:]+"#/1", 1280, 720)
		slide := func() int {
			h := -1
			b.Eval(t, `typeof Reveal !== "undefined" && Reveal.isReady() ? Reveal.getIndices().h : -1`, &h)
			return h
		}
		frame := func(id string) string {
			var s string
			b.Eval(t, fmt.Sprintf(`document.getElementById("demo").contentDocument?.getElementById(%q)?.textContent ?? ""`, id), &s)
			return s
		}
		b.WaitFor(t, "the deck on its second slide", 20*time.Second, func() bool { return slide() == 1 })
		b.WaitFor(t, "the demo ready in its slide", 40*time.Second, func() bool { return frame("status") == "ready" })
		var at []float64 // the middle of the demo's Play, in the deck's viewport (reveal.js scales the slide)
		b.Eval(t, `(() => { const f = document.getElementById("demo"), r = f.getBoundingClientRect(), s = r.width / f.offsetWidth;
			const p = f.contentDocument.getElementById("play").getBoundingClientRect();
			return [r.left + s * (p.left + p.width / 2), r.top + s * (p.top + p.height / 2)]; })()`, &at)
		require.Len(t, at, 2)
		b.ClickAt(t, at[0], at[1])
		b.WaitFor(t, "Play inside the slide", 10*time.Second, func() bool { return frame("status") == "training" })
		for _, k := range []struct {
			key   string
			name  string
			slide int
		}{
			{KeyArrowRight, "ArrowRight", 2}, {KeyArrowLeft, "ArrowLeft", 1}, {KeyPageDown, "PageDown", 2},
			{KeyArrowLeft, "ArrowLeft", 1}, {KeySpace, "the space bar", 2}, // (in embed mode it is the deck's)
		} {
			b.Key(t, k.key)
			b.WaitFor(t, k.name+" moving the deck to slide "+strconv.Itoa(k.slide), 5*time.Second, func() bool { return slide() == k.slide })
		}
		assert.Equal(t, "training", frame("status"), "the deck's keys, the space bar among them, leave the demo training")
		assert.Empty(t, b.Errors())
	})
}

// TestTheConvExperimentLearnsVisibly: the paper's conv network, as a lecturer opens
// it, learns within the first minute: its evaluations shrink to what the network can
// afford, and the page says on how many images.
func TestTheConvExperimentLearnsVisibly(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?preset=mnist-conv&train-mode=DRTP&autoplay=1", 1280, 720)
	b.WaitFor(t, "60% test accuracy (make bench times 70%)", 90*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") >= 60 })
	note := b.Text(t, "#metric-test-note")
	m := regexp.MustCompile(`^on ([0-9 ]+) test images`).FindStringSubmatch(note)
	require.NotNil(t, m, "the note says how many images: %q", note)
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], " ", ""))
	require.NoError(t, err)
	assert.Less(t, n, 2000, "fewer images than the whole quick subset on a network this slow")
	assert.Empty(t, b.Errors())
}
