package browsertest

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDivergenceIsShown: an exploding network stops with a message that names the
// likely cause and the step, and the last good weights stay on screen.
func TestDivergenceIsShown(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?hidden-act=relu&output-act=none&loss=MSE&lr=100&optimizer=SGD&autoplay=1", 1280, 720)
	b.WaitFor(t, "the error", 60*time.Second, func() bool { return b.Text(t, "#status") == "error" })
	msg := b.Text(t, "#error")
	assert.Regexp(t, `training diverged at step \d+: the loss of batch \d+ \(epoch 1\) is (NaN|\+Inf)\. Likely cause: the learning rate \(100\) is too high`, msg)
	assert.Greater(t, b.inkedPixels(t, "weights"), 500, "the last good weights stay on screen")
	var disabled bool
	b.Eval(t, `document.getElementById("play").disabled`, &disabled)
	assert.True(t, disabled, "a diverged run cannot be played on; Reset starts it again")
	assert.Empty(t, b.Errors())
}

// TestCrashedWorkerInARace: when one racing worker dies, the page says so, the other
// rule goes on, and Reset starts the dead one again with the same settings.
func TestCrashedWorkerInARace(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?train-mode=BP,DRTP&autoplay=1", 1440, 900)
	b.WaitFor(t, "both training", 60*time.Second, func() bool {
		return b.Text(t, "#race-BP-status") == "training" && b.Text(t, "#race-DRTP-status") == "training"
	})
	b.Run(t, 5*time.Second, chromedp.Evaluate(`document.dispatchEvent(new CustomEvent("lwf-crash", {detail: "DRTP"}))`, nil))
	b.WaitFor(t, "DRTP's failure", 20*time.Second, func() bool { return b.Text(t, "#race-DRTP-status") == "error" })
	assert.Contains(t, b.Text(t, "#error"), "DRTP: The training worker stopped unexpectedly. Press Reset to start it again")
	steps := b.Text(t, "#race-BP-step")
	b.WaitFor(t, "BP going on", 10*time.Second, func() bool { return b.Text(t, "#race-BP-step") != steps })
	assert.Equal(t, "training", b.Text(t, "#race-BP-status"))

	b.Run(t, 5*time.Second, chromedp.Click("#reset", chromedp.ByQuery))
	b.WaitFor(t, "DRTP back", 30*time.Second, func() bool { return b.Text(t, "#race-DRTP-status") == "ready" })
	b.Click(t, "#play", func() bool { return b.Text(t, "#race-DRTP-status") != "ready" })
	b.WaitFor(t, "both training again", 30*time.Second, func() bool {
		return b.Text(t, "#race-DRTP-status") == "training" && b.Text(t, "#race-BP-status") == "training"
	})
	var errs []string
	for _, e := range b.Errors() { // the crash itself logs the Go panic
		if !strings.Contains(e, "asked the worker to fail") && !strings.Contains(e, "goroutine") {
			errs = append(errs, e)
		}
	}
	assert.Empty(t, errs)
}

// stats is what window.lwfStats() says.
type stats struct {
	PageHeap, PageSys float64
	PageFuncs         float64
	JSHeap            float64
	Workers           []struct {
		Rule                    string
		Heap, Sys, Funcs, Epoch float64
		Samples                 float64
	}
}

// TestSoak trains for a long time (LWF_SOAK, default 2 minutes; make soak runs 20)
// and shows that the memory of the page and of its worker stops growing after the
// first epoch, and that the live JavaScript callbacks stay as many as they were.
func TestSoak(t *testing.T) {
	length := 2 * time.Minute
	if s := os.Getenv("LWF_SOAK"); s != "" {
		var err error
		length, err = time.ParseDuration(s)
		require.NoError(t, err)
	}
	site := Serve(t, Dist(t))
	b := open(t, site, "?autoplay=1", 1280, 720)
	read := func() stats {
		// The live JavaScript heap: a full collection first, so that the figure does
		// not depend on when V8 chooses to collect its garbage.
		b.Run(t, 20*time.Second, heapprofiler.CollectGarbage())
		var s stats
		b.Eval(t, `typeof window.lwfStats === "function" ? window.lwfStats() : {}`, &s)
		return s
	}
	b.WaitFor(t, "the second epoch", 3*time.Minute, func() bool {
		s := read()
		return len(s.Workers) == 1 && s.Workers[0].Epoch >= 2 && s.Workers[0].Heap > 0
	})
	time.Sleep(10 * time.Second) // the second epoch's own buffers settle in
	first := read()
	start := time.Now()
	peak := first
	for time.Since(start) < length {
		time.Sleep(10 * time.Second)
		s := read()
		for _, v := range []struct{ now, max *float64 }{
			{&s.PageHeap, &peak.PageHeap}, {&s.PageSys, &peak.PageSys}, {&s.JSHeap, &peak.JSHeap},
			{&s.Workers[0].Heap, &peak.Workers[0].Heap}, {&s.Workers[0].Sys, &peak.Workers[0].Sys},
		} {
			*v.max = max(*v.max, *v.now)
		}
		assert.Equal(t, first.PageFuncs, s.PageFuncs, "live callbacks in the page")
		assert.Equal(t, first.Workers[0].Funcs, s.Workers[0].Funcs, "live callbacks in the worker")
	}
	last := read()
	mb := func(v float64) float64 { return v / 1e6 }
	t.Logf("after %v of training from epoch %.0f to %.0f (%.0f samples):", length, first.Workers[0].Epoch, last.Workers[0].Epoch, last.Workers[0].Samples)
	t.Logf("  page: Go heap %.1f → %.1f MB (peak %.1f), memory from the browser %.1f → %.1f MB, JS heap %.1f → %.1f MB, callbacks %.0f → %.0f",
		mb(first.PageHeap), mb(last.PageHeap), mb(peak.PageHeap), mb(first.PageSys), mb(last.PageSys), mb(first.JSHeap), mb(last.JSHeap), first.PageFuncs, last.PageFuncs)
	t.Logf("  worker: Go heap %.1f → %.1f MB (peak %.1f), memory from the browser %.1f → %.1f MB, callbacks %.0f → %.0f",
		mb(first.Workers[0].Heap), mb(last.Workers[0].Heap), mb(peak.Workers[0].Heap), mb(first.Workers[0].Sys), mb(last.Workers[0].Sys),
		first.Workers[0].Funcs, last.Workers[0].Funcs)
	assert.LessOrEqual(t, last.Workers[0].Sys, first.Workers[0].Sys*1.05, "the worker's memory stops growing")
	assert.LessOrEqual(t, last.PageSys, first.PageSys*1.10+8e6, "the page's memory stops growing")
	t.Logf("  JS heap peak %.1f MB", mb(peak.JSHeap))
	assert.LessOrEqual(t, last.JSHeap, first.JSHeap*1.25+4e6, "the page's JS heap stops growing")
	assert.LessOrEqual(t, peak.JSHeap, first.JSHeap*1.5+8e6, "the page's JS heap stays bounded")
	assert.Empty(t, b.Errors())
}
