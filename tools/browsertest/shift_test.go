package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// layoutShifts is JavaScript that gathers the page's layout shifts from its opening
// (Chromium buffers them: buffered: true) into window.lwfShifts, each with what moved.
const layoutShifts = `(() => {
	if (window.lwfShifts) return true;
	if (!PerformanceObserver.supportedEntryTypes.includes("layout-shift")) return false;
	window.lwfShifts = [];
	const name = (n) => !n ? "?" : n.id ? "#" + n.id : n.className && typeof n.className === "string" ? n.tagName.toLowerCase() + "." + n.className.split(" ")[0] : n.nodeName.toLowerCase();
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) {
			if (e.hadRecentInput) continue;
			window.lwfShifts.push({value: e.value, at: Math.round(e.startTime),
				moved: (e.sources || []).map((s) => name(s.node) + " " + [s.previousRect, s.currentRect].map((r) => "(" + Math.round(r.x) + ", " + Math.round(r.y) + ") " + Math.round(r.width) + "×" + Math.round(r.height)).join(" → ")).join(", ")});
		}
	}).observe({type: "layout-shift", buffered: true});
	return true;
})()`

// shift is one layout shift the page made by itself.
type shift struct {
	Value float64
	At    float64
	Moved string
}

// TestNothingMovesWhileThePageLoadsAndTrains: from its opening until its network
// reaches 90% test accuracy, the page moves no control: a person whose pointer is
// over a button, and a driver that measures a button and then clicks, would miss
// one that moved. Measured with the browser's layout-shift entries, which Chromium
// has (Firefox and WebKit do not report them), at a laptop's, a projector's and a
// phone's size.
func TestNothingMovesWhileThePageLoadsAndTrains(t *testing.T) {
	site := Serve(t, Dist(t))
	for _, size := range []struct {
		name string
		q    string
		w, h int
	}{
		{"laptop", "?autoplay=1", 1440, 900},
		{"projector", "?autoplay=1&present=1", 1280, 720},
		{"phone", "?autoplay=1", 390, 844},
	} {
		t.Run(size.name, func(t *testing.T) {
			b := open(t, site, size.q, size.w, size.h)
			var ok bool
			b.Eval(t, layoutShifts, &ok)
			if !ok {
				t.Skip("this browser has no layout-shift entries")
			}
			b.WaitFor(t, "training", 30*time.Second, func() bool { return b.Text(t, "#status") == "training" })
			b.WaitFor(t, "90% test accuracy", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") >= 90 })
			var shifts []shift
			b.Eval(t, "window.lwfShifts", &shifts)
			total := 0.0
			var lines []string
			for _, s := range shifts {
				total += s.Value
				lines = append(lines, fmt.Sprintf("%.4f at %.0f ms: %s", s.Value, s.At, s.Moved))
			}
			t.Logf("%s: cumulative layout shift %.4f in %d shifts\n%s", size.name, total, len(shifts), strings.Join(lines, "\n"))
			assert.Zero(t, total, "the page moved while it loaded and trained:\n%s", strings.Join(lines, "\n"))
		})
	}
}
