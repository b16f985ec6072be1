package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// open starts a Chromium of w×h on the site and loads the page with query q.
func open(t *testing.T, site *Site, q string, w, h int) *Browser {
	t.Helper()
	return openIn(t, ChromiumEngine, site, q, w, h)
}

// openIn starts a browser of engine e, w×h, on the site and loads the page with query q.
func openIn(t *testing.T, e Engine, site *Site, q string, w, h int) *Browser {
	t.Helper()
	b := LaunchEngine(t, e, site.URL, w, h)
	b.Navigate(t, site.URL+"/"+q)
	return b
}

// inEachEngine runs test in a subtest per engine.
func inEachEngine(t *testing.T, test func(t *testing.T, e Engine)) {
	for _, e := range Engines {
		t.Run(e.String(), func(t *testing.T) { test(t, e) })
	}
}

func (b *Browser) number(t *testing.T, sel string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(b.Text(t, sel), 64)
	if err != nil {
		return -1
	}
	return v
}

// inkedPixels counts the pixels of a canvas that are not blank (transparent or white).
func (b *Browser) inkedPixels(t *testing.T, id string) int {
	t.Helper()
	var n int
	b.Eval(t, fmt.Sprintf(`(() => {
		const c = document.getElementById(%q);
		if (!c || !c.width || !c.height) return 0;
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && (d[i] < 240 || d[i+1] < 240 || d[i+2] < 240)) n++;
		return n;
	})()`, id), &n)
	return n
}

func screenshotDir() string {
	if d := os.Getenv("SCREENSHOTS"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..", ".cache", "screenshots")
}

// TestDRTPTrainsMNISTInThePage is the lecture: open a link, watch DRTP learn.
func TestDRTPTrainsMNISTInThePage(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?train-mode=DRTP&topology=FC_500_FC_10&autoplay=1", 1440, 900)
	b.WaitFor(t, "training to start", 30*time.Second, func() bool { return b.Text(t, "#status") == "training" })
	b.WaitFor(t, "test accuracy above 80%", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 80 })
	for _, id := range []string{"curves", "weights", "feedback", "digits"} {
		b.WaitFor(t, "canvas#"+id+" drawn", 10*time.Second, func() bool { return b.inkedPixels(t, id) > 500 })
	}
	assert.Greater(t, b.number(t, "#metric-samples-per-second"), 0.0)
	assert.Greater(t, b.number(t, "#metric-step"), 0.0)
	assert.Equal(t, "1 / 100", b.Text(t, "#metric-epoch"))
	b.Screenshot(t, filepath.Join(screenshotDir(), "page.png"))

	// The paper's argument: DRTP's update for layer 1 points within 90° of the true
	// gradient (a broken signal, or none, sits at 90° or beyond).
	angle := b.number(t, "#metric-alignment")
	assert.Greater(t, angle, 0.0, "layer 1's alignment is measured")
	assert.Less(t, angle, 90.0, "DRTP's update is within 90° of the true gradient")
	assert.Greater(t, b.inkedPixels(t, "alignment"), 500, "the alignment plot is drawn")
	b.ScreenshotOf(t, ".alignment-panel", filepath.Join(screenshotDir(), "alignment.png"))

	// Its cost beside the accuracy: DRTP runs no backward pass and holds one layer's
	// values; BP carries the error back and holds them all.
	assert.Equal(t, "no", b.Text(t, "#cost-DRTP-backward"))
	assert.Equal(t, "yes", b.Text(t, "#cost-BP-backward"))
	assert.Equal(t, "397k", b.Text(t, "#cost-DRTP-learning"), "784·500 + 500·10 weight gradients")
	assert.Equal(t, "402k", b.Text(t, "#cost-BP-learning"), "and δ carried back through the 500×10 layer")
	assert.Greater(t, b.number(t, "#cost-DRTP-accuracy"), 80.0, "the accuracy of this page's DRTP run")
	assert.Equal(t, "–", b.Text(t, "#cost-BP-accuracy"), "no BP run on this page")
	b.ScreenshotOf(t, ".cost-panel", filepath.Join(screenshotDir(), "cost.png"))

	// Pause: the batches stop; Play: they go on.
	b.Click(t, "#play", func() bool { return b.Text(t, "#status") == "paused" })
	steps := b.number(t, "#metric-step")
	time.Sleep(time.Second)
	assert.Equal(t, steps, b.number(t, "#metric-step"), "no batch while paused")
	b.Click(t, "#play", func() bool { return b.Text(t, "#status") == "training" })
	b.WaitFor(t, "training again", 5*time.Second, func() bool { return b.number(t, "#metric-step") > steps })

	// The space bar pauses too.
	// (Focus goes back to the page itself: a click on the body's centre could land
	// on any control of this long page.)
	b.Run(t, 5*time.Second, chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil), chromedp.KeyEvent(" "))
	b.WaitFor(t, "the space bar's pause", 5*time.Second, func() bool { return b.Text(t, "#status") == "paused" })

	// Step trains exactly one batch.
	steps = b.number(t, "#metric-step")
	// (The button's own click, dispatched in the page: a mouse click at its
	// coordinates was lost now and then under load, with the button enabled and the
	// worker paused; not understood yet.)
	b.Run(t, 5*time.Second, chromedp.Evaluate(`document.getElementById("step").click()`, nil))
	b.WaitFor(t, "one step", 5*time.Second, func() bool { return b.number(t, "#metric-step") == steps+1 })

	assert.Empty(t, b.Errors(), "console errors")
	assert.Empty(t, b.Foreign(), "requests to other hosts")
}

func TestBadURLParameterIsShownAndStartsNothing(t *testing.T) {
	site := Serve(t, Dist(t))
	tests := []struct{ q, want string }{
		{"?lr=abc&autoplay=1", `lr: "abc" is not a number`},
		{"?topology=FC_500_FC_7&autoplay=1", "ends with FC_7 but the data has 10 labels"},
		{"?train-mode=magic&autoplay=1", `train-mode: unknown train mode "magic"`},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			b := open(t, site, tt.q, 1280, 720)
			b.WaitFor(t, "the error", 20*time.Second, func() bool { return strings.Contains(b.Text(t, "#error"), tt.want) })
			var hidden bool
			b.Eval(t, `document.getElementById("error").hidden`, &hidden)
			assert.False(t, hidden, "#error is visible")
			assert.Equal(t, "error", b.Text(t, "#status"))
			time.Sleep(2 * time.Second)
			assert.Equal(t, "0", b.Text(t, "#metric-step"), "no run started")
			assert.Empty(t, b.Errors())
		})
	}
}

func TestControlShowsItsOwnError(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "", 1440, 900)
	b.WaitFor(t, "ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
	b.Run(t, 5*time.Second,
		chromedp.SetValue("#setting-lr", "-1", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("setting-lr").dispatchEvent(new Event("change"))`, nil))
	b.WaitFor(t, "the message under the control", 5*time.Second, func() bool {
		return strings.Contains(b.Text(t, "#error-lr"), "must be a positive finite number")
	})
	assert.NotContains(t, b.Text(t, "#error-lr"), "lr:", "under its own control, the message does not name the setting")
	assert.Equal(t, "error", b.Text(t, "#status"))
	// A good value clears it and builds the run.
	b.Run(t, 5*time.Second,
		chromedp.SetValue("#setting-lr", "0.005", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("setting-lr").dispatchEvent(new Event("change"))`, nil))
	b.WaitFor(t, "ready again", 20*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
	var href string
	b.Eval(t, `location.search`, &href)
	assert.Contains(t, href, "lr=0.005", "the link holds the new state")
	assert.Empty(t, b.Errors())
}

func TestEmbedModeInsideAnIframe(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, SlidePath[1:], 1280, 720)
		frameText := func(id string) string {
			var s string
			b.Eval(t, fmt.Sprintf(`(() => { const d = document.getElementById("slide").contentDocument; const e = d && d.getElementById(%q); return e ? e.textContent : ""; })()`, id), &s)
			return s
		}
		b.WaitFor(t, "training in the frame", 40*time.Second, func() bool { return frameText("status") == "training" })
		var visible struct {
			Settings bool
			Play     bool
			Curves   int
		}
		b.WaitFor(t, "curves in the frame", 20*time.Second, func() bool {
			b.Eval(t, `(() => { const d = document.getElementById("slide").contentDocument;
				const vis = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).display !== "none";
				const c = d.getElementById("curves");
				return {Settings: vis(d.getElementById("settings")), Play: vis(d.getElementById("play")), Curves: c.width * c.height};
			})()`, &visible)
			return visible.Curves > 0
		})
		assert.False(t, visible.Settings, "embed mode hides the settings")
		assert.True(t, visible.Play, "embed mode keeps play/pause")
		b.WaitFor(t, "a test accuracy in the frame", 40*time.Second, func() bool {
			v, err := strconv.ParseFloat(frameText("metric-test-accuracy"), 64)
			return err == nil && v > 50
		})
		b.Screenshot(t, filepath.Join(screenshotDir(), "embed-"+e.String()+".png"))
		assert.Empty(t, b.Errors())
	})
}

func TestSyntheticSetsTrainInThePage(t *testing.T) {
	site := Serve(t, Dist(t))
	for _, q := range []string{
		"?dataset=classification_synth&topology=FC_100_FC_10&autoplay=1",
		"?dataset=regression_synth&topology=FC_100_FC_10&loss=MSE&output-act=none&autoplay=1",
	} {
		t.Run(q, func(t *testing.T) {
			b := open(t, site, q, 1280, 720)
			b.WaitFor(t, "training", 60*time.Second, func() bool { return b.Text(t, "#status") == "training" })
			// The views are drawn at most every 400 ms, whatever the number of batches
			// by then: wait for the pictures themselves.
			b.WaitFor(t, "the curves drawn", 30*time.Second, func() bool { return b.inkedPixels(t, "curves") > 500 })
			b.WaitFor(t, "the 16x16 weight tiles drawn", 30*time.Second, func() bool { return b.inkedPixels(t, "weights") > 500 })
			assert.Greater(t, b.number(t, "#metric-step"), 0.0, "batches trained")
			assert.Empty(t, b.Errors())
		})
	}
}

// TestScreenshots saves the page at laptop, projector and phone sizes after a few
// seconds of training.
func TestScreenshots(t *testing.T) {
	site := Serve(t, Dist(t))
	for _, size := range []struct {
		name string
		w, h int
		q    string
	}{{"laptop", 1440, 900, ""}, {"projector", 1280, 720, ""}, {"phone", 390, 844, ""}} {
		t.Run(size.name, func(t *testing.T) {
			b := open(t, site, "?autoplay=1"+size.q, size.w, size.h)
			b.WaitFor(t, "test accuracy above 85%", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 85 })
			for _, id := range []string{"curves", "weights", "feedback"} {
				b.WaitFor(t, "canvas#"+id+" drawn", 10*time.Second, func() bool { return b.inkedPixels(t, id) > 500 })
			}
			b.Screenshot(t, filepath.Join(screenshotDir(), size.name+".png"))
			// What a lecturer would wince at: a page wider than the screen, a view cut
			// off at its right edge, a button whose label spills out, Play off the
			// first screen.
			var look struct {
				PageWidth, Width, Height int
				Cut, Spilt               []string
				PlayTop                  float64
			}
			b.Eval(t, `(() => {
				const r = {PageWidth: document.documentElement.scrollWidth, Width: innerWidth, Height: innerHeight, Cut: [], Spilt: []};
				for (const c of document.querySelectorAll("canvas")) {
					const box = c.getBoundingClientRect();
					if (box.width > 0 && box.right > innerWidth + 1) r.Cut.push(c.id);
				}
				for (const e of document.querySelectorAll("button")) {
					if (e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1) r.Spilt.push(e.id || e.textContent);
				}
				r.PlayTop = document.getElementById("play").getBoundingClientRect().top;
				return r;
			})()`, &look)
			assert.LessOrEqual(t, look.PageWidth, look.Width, "no sideways scrolling")
			assert.Empty(t, look.Cut, "canvases cut off at the right edge")
			assert.Empty(t, look.Spilt, "buttons whose label does not fit")
			assert.Less(t, look.PlayTop, float64(look.Height), "Play on the first screen")
			require.Empty(t, b.Errors())
		})
	}
}

// TestPresetInTheLink: a slide names one of the paper's experiments in its link.
func TestPresetInTheLink(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?preset=mnist-1000-1000&train-mode=DFA", 1280, 720)
	b.WaitFor(t, "ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
	var v struct{ Preset, Topology, Rule string }
	b.Eval(t, `({Preset: document.getElementById("preset").value, Topology: document.getElementById("setting-topology").value,
		Rule: document.querySelector("input[name=train-mode]:checked").value})`, &v)
	assert.Equal(t, "mnist-1000-1000", v.Preset)
	assert.Equal(t, "FC_1000_FC_1000_FC_10", v.Topology)
	assert.Equal(t, "DFA", v.Rule)
	assert.Contains(t, b.Text(t, "#model"), "FC 1000, tanh: 1000 → 1000")
	assert.Empty(t, b.Errors())
}

// TestDataFromAHostThatDecompresses: a host that sends MNIST's .gz files with
// Content-Encoding: gzip hands the page inflated files; the page still trains.
func TestDataFromAHostThatDecompresses(t *testing.T) {
	site := Serve(t, Dist(t))
	site.EncodeData()
	b := open(t, site, "?autoplay=1", 1280, 720)
	b.WaitFor(t, "test accuracy above 50%", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 50 })
	assert.Equal(t, "", b.Text(t, "#error"))
	assert.Empty(t, b.Errors())
}
