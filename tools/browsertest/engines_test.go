package browsertest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
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

// TestThePresentViewForAProjector: with present=1, at a projector's 1280x720 and at
// 1920x1080, the curves, the first layer's weights and the feedback matrices are on
// the first screen, drawn, and no text on the page is under 16 px; the P key goes
// back to the whole page.
func TestThePresentViewForAProjector(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		for _, size := range []struct{ w, h int }{{1280, 720}, {1920, 1080}} {
			b := openIn(t, e, site, "?present=1&autoplay=1", size.w, size.h)
			b.WaitFor(t, "a test accuracy", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 50 })
			for _, id := range []string{"curves", "weights", "feedback"} {
				b.WaitFor(t, "canvas#"+id+" drawn", 10*time.Second, func() bool { return b.inkedPixels(t, id) > 500 })
			}
			checkProjectorLayout(t, b, e, size.w, size.h, "curves", "weights", "feedback")
			b.Screenshot(t, filepath.Join(screenshotDir(), fmt.Sprintf("present-%s-%dx%d.png", e, size.w, size.h)))
			b.Eval(t, `document.activeElement && document.activeElement.blur()`, nil)
			// S: the learning signals beside the curves, their text a projector's too.
			b.Key(t, "s")
			b.WaitFor(t, "the S key taken", 5*time.Second, func() bool {
				var on bool
				b.Eval(t, `document.documentElement.classList.contains("signals")`, &on)
				return on
			})
			b.WaitFor(t, "the signals beside the curves", 10*time.Second, func() bool { return b.inkedPixels(t, "signals") > 2000 })
			checkProjectorLayout(t, b, e, size.w, size.h, "curves", "signals")
			b.Screenshot(t, filepath.Join(screenshotDir(), fmt.Sprintf("present-signals-%s-%dx%d.png", e, size.w, size.h)))
			var search string
			b.Eval(t, `location.search`, &search)
			assert.Contains(t, search, "signals=1", "the link follows the view")
			b.Key(t, "s")
			b.Key(t, "p")
			b.WaitFor(t, "the whole page again", 5*time.Second, func() bool {
				var present bool
				b.Eval(t, `document.documentElement.classList.contains("present") || !document.querySelector(".side").getClientRects().length`, &present)
				return !present
			})
			b.Eval(t, `location.search`, &search)
			assert.NotContains(t, search, "present=1", "the link follows the view")
		}
	})
}

// TestNoAccessibilityViolations runs axe-core (npm's, with the WCAG 2 A and AA rules)
// on the trained page, and on the projector's view.
func TestNoAccessibilityViolations(t *testing.T) {
	axe := NPMPackage(t, "axe-core", "4.14.1")
	site := Serve(t, Dist(t))
	site.Mount("axe", axe)
	inEachEngine(t, func(t *testing.T, e Engine) {
		for _, q := range []string{"?autoplay=1", "?autoplay=1&present=1"} {
			b := openIn(t, e, site, q, 1280, 720)
			b.WaitFor(t, "a test accuracy", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 50 })
			var result struct {
				Passes     int
				Violations []struct {
					ID, Help string
					Nodes    []struct{ Target []string }
				}
			}
			b.Eval(t, `new Promise((done, fail) => {
				const s = document.createElement("script");
				s.src = "__test__/mount/axe/axe.min.js";
				s.onload = () => axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}})
					.then((r) => done({Passes: r.passes.length,
						Violations: r.violations.map((v) => ({ID: v.id, Help: v.help, Nodes: v.nodes.map((n) => ({Target: n.target.map(String)}))}))}), fail);
				s.onerror = () => fail(new Error("axe-core did not load"));
				document.head.appendChild(s);
			})`, &result)
			assert.Greater(t, result.Passes, 10, "%s %s: axe-core checked the page", e, q)
			for _, v := range result.Violations {
				var where []string
				for _, n := range v.Nodes {
					where = append(where, strings.Join(n.Target, " "))
				}
				t.Errorf("%s %s: %s (%s): %s", e, q, v.ID, v.Help, strings.Join(where, ", "))
			}
		}
	})
}

// checkProjectorLayout checks the projector's view: the canvases ids on the first
// screen, each large enough to see from the back, and no visible text under 16 px.
func checkProjectorLayout(t *testing.T, b *Browser, e Engine, w, h int, ids ...string) {
	t.Helper()
	names, _ := json.Marshal(ids)
	var layout struct {
		Panels   map[string][]float64 // top, bottom, height
		Small    []string             // visible text under 16 px
		Viewport float64
	}
	b.Eval(t, strings.ReplaceAll(`(() => {
		const panels = {};
		for (const id of ${ids}) {
			const r = document.getElementById(id).getBoundingClientRect();
			panels[id] = [r.top, r.bottom, r.height];
		}
		const small = [];
		const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			const el = n.parentElement;
			if (!n.textContent.trim() || !el || el.getClientRects().length === 0) continue;
			const r = el.getBoundingClientRect();
			if (r.bottom <= 0 || r.top >= innerHeight) continue;
			const px = parseFloat(getComputedStyle(el).fontSize);
			if (px < 16) small.push(px + "px: " + n.textContent.trim().slice(0, 40));
		}
		return {Panels: panels, Small: small, Viewport: innerHeight};
	})()`, "${ids}", string(names)), &layout)
	for id, r := range layout.Panels {
		assert.GreaterOrEqual(t, r[0], 0.0, "%s: the top of #%s on the first screen", e, id)
		assert.LessOrEqual(t, r[1], layout.Viewport+0.5, "%s at %dx%d: #%s ends on the first screen", e, w, h, id)
		assert.Greater(t, r[2], 150.0, "%s: #%s large enough to see from the back", e, id)
	}
	assert.Empty(t, layout.Small, "%s at %dx%d: text under 16 px", e, w, h)
}
