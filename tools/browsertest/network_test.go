package browsertest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// part1 is the second part of MNIST's training images, which batches 51 to 100 of
// the first epoch train on.
const part1 = "/data/train-images-idx3-ubyte.part01.gz"

// part0 is the first part, which worker.js begins before the Go program runs and
// the loader finishes where that download was cut.
const part0 = "/data/train-images-idx3-ubyte.part00.gz"

// TestACutDownloadGoesOnWithTheSameRun: a download cut in the middle goes on from
// where it stopped (with a Range request, or from the start on a host that ignores
// them), and the run's losses are those of the command line's, bit for bit.
func TestACutDownloadGoesOnWithTheSameRun(t *testing.T) {
	for _, tt := range []struct {
		name     string
		file     string
		noRanges bool
	}{
		{"resumed with a Range request", part1, false},
		{"a host without Range support", part1, true},
		{"begun before the program ran, resumed by it", part0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			site := Serve(t, Dist(t))
			if tt.noRanges {
				site.NoRanges()
			}
			site.CutOnce(tt.file, 300_000)
			b := open(t, site, "?"+dfaSeed7, 1280, 720)
			assert.Equal(t, dfaSeed7Native(t), pageLosses(t, b), "the first 100 losses, 50 of them on the part that was cut")
			var asks []string
			for _, r := range site.Requests() {
				if strings.HasPrefix(r, tt.file) {
					asks = append(asks, r)
				}
			}
			require.GreaterOrEqual(t, len(asks), 2, "the cut part is asked for again: %v", asks)
			assert.Equal(t, tt.file, asks[0])
			for _, a := range asks[1:] { // (the browser's own cache may split a Range request in two)
				assert.True(t, strings.HasPrefix(a, tt.file+" range=bytes=300000-"), "asked for the rest, from where it stopped: %v", asks)
			}
			assert.Empty(t, b.Errors())
		})
	}
}

// TestALinkThatDropsAndComesBack: while the link is down the page says so and keeps
// training on what it has; when it is back it goes on by itself.
func TestALinkThatDropsAndComesBack(t *testing.T) {
	site := Serve(t, Dist(t))
	site.Throttle(1_500_000) // about 8 s for MNIST
	b := open(t, site, "?autoplay=1", 1280, 720)
	b.WaitFor(t, "a first batch", 60*time.Second, func() bool { return b.number(t, "#metric-step") > 0 })
	site.SetDown(true)
	b.WaitFor(t, "the page saying the connection is lost", 30*time.Second, func() bool {
		return strings.Contains(b.Text(t, "#progress"), "Connection lost: retrying")
	})
	assert.Equal(t, "", b.Text(t, "#error"))
	assert.Equal(t, "training", b.Text(t, "#status"), "training goes on with what has come")
	time.Sleep(4 * time.Second)
	site.SetDown(false)
	site.Throttle(0)
	b.WaitFor(t, "the second epoch, every part in", 120*time.Second, func() bool {
		epoch, _, _ := strings.Cut(b.Text(t, "#metric-epoch"), " /")
		return epoch == "2"
	})
	assert.Equal(t, "", b.Text(t, "#error"))
	assert.NotContains(t, b.Text(t, "#progress"), "Connection lost")
	assert.Empty(t, b.Errors())
}

// TestTheSecondVisitComesFromThisMachine: once a visit has fetched everything, the
// next one fetches neither the code nor the data from the network.
func TestTheSecondVisitComesFromThisMachine(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?autoplay=1", 1280, 720)
	b.WaitFor(t, "every file in", 60*time.Second, func() bool {
		return b.number(t, "#metric-step") > 0 && b.Text(t, "#progress") == "" && slices.Contains(site.Requests(), "/data/t10k-images-idx3-ubyte.gz")
	})
	time.Sleep(time.Second) // the last file's way into the cache
	before := len(site.Requests())
	b.Run(t, 20*time.Second, chromedp.Navigate(site.URL+"/?autoplay=1"))
	b.WaitFor(t, "a first batch again", 30*time.Second, func() bool { return b.number(t, "#metric-step") > 0 })
	for _, r := range site.Requests()[before:] {
		assert.False(t, strings.HasSuffix(r, ".wasm") || strings.Contains(r, "/data/"), "the second visit fetched %s", r)
	}
	assert.Empty(t, b.Errors())
}

// TestRetryAfterTheDataDidNotCome: a data file the host does not have stops the start
// with a message naming it and a Retry button; once the host has it, Retry builds
// the run.
func TestRetryAfterTheDataDidNotCome(t *testing.T) {
	site := Serve(t, Dist(t))
	site.SetMissing(part0)
	b := open(t, site, "", 1280, 720)
	b.WaitFor(t, "the message and Retry", 30*time.Second, func() bool {
		var shown bool
		b.Eval(t, `!document.getElementById("data-error").hidden && !!document.getElementById("retry").offsetParent`, &shown)
		return shown
	})
	assert.Contains(t, b.Text(t, "#data-error-text"), "train-images-idx3-ubyte.part00.gz: HTTP 404")
	assert.Equal(t, "error", b.Text(t, "#status"))
	site.SetMissing("")
	b.Click(t, "#retry", func() bool { return b.Text(t, "#status") != "error" })
	b.WaitFor(t, "ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
	b.Click(t, "#play", func() bool { return b.Text(t, "#status") == "training" })
	b.WaitFor(t, "training", 30*time.Second, func() bool { return b.number(t, "#metric-step") > 10 })
	assert.Equal(t, "", b.Text(t, "#data-error-text")+b.Text(t, "#error"), "no message left")
}
