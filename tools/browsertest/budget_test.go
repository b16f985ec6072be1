package browsertest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// probe runs in the page before its own scripts (injected by the test through the
// DevTools protocol, not part of the site): it notes when the first batch is trained,
// and collects main-thread tasks longer than 50 ms once training runs.
const probe = `
window.__probe = {firstStep: 0, longTasks: [], phases: {}};
const poll = setInterval(() => {
  const st = document.getElementById("status");
  if (st && !(st.textContent in window.__probe.phases)) window.__probe.phases[st.textContent] = Math.round(performance.now());
  const pr = document.getElementById("progress");
  const what = pr && !pr.hidden ? pr.textContent.split(":")[0] : "";
  if (what && !(what in window.__probe.phases)) window.__probe.phases[what] = Math.round(performance.now());
  const btn = document.getElementById("settings");
  if (btn && btn.children.length && !("ui" in window.__probe.phases)) window.__probe.phases.ui = Math.round(performance.now());
  const el = document.getElementById("metric-step");
  if (el && el.textContent !== "0" && el.textContent !== "") {
    window.__probe.firstStep = performance.now();
    clearInterval(poll);
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__probe.longTasks.push(e.duration);
    }).observe({type: "longtask"});
  }
}, 5);
`

// The budgets of issue 4, and the guards this test enforces where the 2-core
// machine of CI does not meet them yet (see the README's figures): a guard fails on
// a regression, the log says whether the budget itself was met.
const (
	firstStepBudget = 2000.0 // ms from opening the page to the first trained batch
	firstStepGuard  = 4000.0 // measured 2.3–3.0 s on the CI machine
	codeBudget      = 2e6    // bytes of code, gzip-compressed (enforced)
	longTaskBudget  = 50.0   // ms, the longest main-thread task while training
	longTaskGuard   = 400.0  // measured 90–240 ms on the CI machine
)

// TestBudgets measures, on localhost, the time from opening the page to the first
// training step, the code transferred (gzip-compressed, as the server sends it), and
// the longest main-thread task while training.
func TestBudgets(t *testing.T) {
	site := Serve(t, Dist(t))
	b := Launch(t, Require(t), site.URL, 1440, 900)
	b.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(probe).Do(ctx)
		return err
	}))
	b.Run(t, 20*time.Second, chromedp.Navigate(site.URL+"/?autoplay=1"))
	var firstStep float64
	b.WaitFor(t, "the first step", 30*time.Second, func() bool {
		b.Eval(t, `window.__probe.firstStep`, &firstStep)
		return firstStep > 0
	})
	var phases map[string]float64
	b.Eval(t, `window.__probe.phases`, &phases)
	t.Logf("status after (ms): %v", phases)
	time.Sleep(10 * time.Second) // training, with the views redrawn all along
	var longTasks []float64
	b.Eval(t, `window.__probe.longTasks`, &longTasks)
	var resources []struct {
		Name         string
		TransferSize float64
		EncodedBody  float64
	}
	b.Eval(t, `[performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")]
		.map(e => ({Name: e.name, TransferSize: e.transferSize, EncodedBody: e.encodedBodySize}))`, &resources)
	var code float64
	for _, r := range resources {
		if !strings.Contains(r.Name, "/data/") {
			code += r.EncodedBody
		}
	}
	longest := 0.0
	for _, d := range longTasks {
		longest = math.Max(longest, d)
	}
	met := map[bool]string{true: "met", false: "NOT met"}
	t.Logf("first training step %.0f ms after opening the page (budget %.0f ms: %s)", firstStep, firstStepBudget, met[firstStep < firstStepBudget])
	t.Logf("code transferred: %.2f MB gzip-compressed, %d resources (budget %.1f MB: %s)", code/1e6, len(resources), codeBudget/1e6, met[code < codeBudget])
	t.Logf("main-thread tasks over 50 ms in 10 s of training: %d, longest %.0f ms (budget: none over %.0f ms: %s)", len(longTasks), longest, longTaskBudget, met[longest < longTaskBudget])
	assert.Less(t, firstStep, firstStepGuard, "first step: a regression beyond the guard")
	assert.Less(t, code, codeBudget, "code within 2 MB")
	assert.Less(t, longest, longTaskGuard, "main-thread tasks: a regression beyond the guard")
	assert.Empty(t, b.Errors())
	assert.Empty(t, b.Foreign())
}

// TestNinetyPercentSoonAfterPlay: what an audience waits for. The page's default DRTP
// run shows a test accuracy of at least 90% within 5 s of pressing Play.
func TestNinetyPercentSoonAfterPlay(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "", 1440, 900)
	b.WaitFor(t, "ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
	start := time.Now()
	b.Run(t, 5*time.Second, chromedp.Click("#play", chromedp.ByQuery))
	b.WaitFor(t, "90% test accuracy", 30*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") >= 90 })
	took := time.Since(start)
	t.Logf("90%% test accuracy %.1f s after pressing Play (batch %s)", took.Seconds(), b.Text(t, "#metric-step"))
	assert.Less(t, took, 5*time.Second)
	assert.Empty(t, b.Errors())
}
