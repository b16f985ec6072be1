// Package pagestart measures what issue 4's budgets and issue 5's time to a result
// ask of the page in Chromium: how long after opening it the first batch is trained,
// where that time goes, how long the main thread's longest tasks are while it trains,
// and how soon after Play the test accuracy reaches 90%. The browser tests log these
// figures; make bench reports their medians.
package pagestart

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// probe runs in the page before its own scripts (added through the DevTools protocol,
// not part of the site): it notes when #metric-step first shows a trained batch, and
// from then on collects the main thread's tasks longer than 50 ms.
const probe = `
window.__probe = {firstStep: 0, longTasks: []};
const poll = setInterval(() => {
  const el = document.getElementById("metric-step");
  if (el && el.textContent !== "0" && el.textContent !== "") {
    window.__probe.firstStep = performance.now();
    clearInterval(poll);
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__probe.longTasks.push({At: Math.round(e.startTime), Duration: e.duration});
    }).observe({type: "longtask"});
  }
}, 5);
`

// installProbe has the probe run in every page the tab opens from now on.
var installProbe = chromedp.ActionFunc(func(ctx context.Context) error {
	_, err := page.AddScriptToEvaluateOnNewDocument(probe).Do(ctx)
	return err
})

// The budgets: issue 4's, and issue 5's time to a convincing result.
const (
	FirstStepBudget = 2000.0 // ms from opening the page to the first trained batch
	LongTaskBudget  = 50.0   // ms, the longest main-thread task while training
	NinetyBudget    = 5000.0 // ms from pressing Play to 90% test accuracy
	CodeBudget      = 2e6    // bytes of code (wasm, JavaScript, HTML, CSS), gzip-compressed
)

// Mark is a moment of the start, in ms after the page was opened (see the page's
// window.lwfStats().timeline).
type Mark struct {
	What string
	At   float64
}

// Start is one opening of the page with ?autoplay=1.
type Start struct {
	FirstStep float64 // ms from opening the page to the first trained batch
	Timeline  []Mark  // where that time went
	LongTasks []Task  // the main thread's tasks over 50 ms while training
	Resources []Resource
}

// Task is one long task of the main thread: when it began (ms after opening the
// page) and how long it took (ms).
type Task struct {
	At, Duration float64
}

// Resource is one file the page loaded, with its size as transferred.
type Resource struct {
	Name        string
	EncodedBody float64 // bytes of the body as sent (gzip-compressed where the server compresses)
}

// Longest returns the longest main-thread task, in ms (0 if none was over 50 ms).
func (s Start) Longest() float64 {
	longest := 0.0
	for _, d := range s.LongTasks {
		longest = math.Max(longest, d.Duration)
	}
	return longest
}

// CodeBytes returns the bytes of code the page transferred: everything but the data.
func (s Start) CodeBytes() float64 {
	code := 0.0
	for _, r := range s.Resources {
		if !strings.Contains(r.Name, "/data/") {
			code += r.EncodedBody
		}
	}
	return code
}

// Measure opens siteURL/?autoplay=1 in the browser of ctx (a fresh tab), waits for
// the first trained batch, then watches the main thread for the given time of
// training.
func Measure(ctx context.Context, siteURL string, watch time.Duration) (Start, error) {
	var s Start
	err := chromedp.Run(ctx,
		installProbe,
		chromedp.Navigate(siteURL+"/?autoplay=1"),
		poll(`window.__probe.firstStep > 0`, 30*time.Second),
		chromedp.Evaluate(`window.__probe.firstStep`, &s.FirstStep),
		chromedp.Evaluate(`window.lwfStats().timeline`, &s.Timeline),
		chromedp.Sleep(watch),
		chromedp.Evaluate(`window.__probe.longTasks`, &s.LongTasks),
		chromedp.Evaluate(`[performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")]
			.map(e => ({Name: e.name, EncodedBody: e.encodedBodySize}))`, &s.Resources),
	)
	if err != nil {
		return s, fmt.Errorf("opening the page with autoplay: %w", err)
	}
	return s, nil
}

// Visit opens siteURL/?autoplay=1 in the browser of ctx, as a visitor following a
// lecturer's link does, and returns when, in ms after opening, the page showed its
// first trained batch and 90% test accuracy.
func Visit(ctx context.Context, siteURL string, timeout time.Duration) (firstStep, ninety float64, err error) {
	return VisitUntil(ctx, siteURL+"/?autoplay=1", 90, timeout)
}

// VisitUntil opens pageURL (with autoplay=1 in its query) in the browser of ctx and
// returns when, in ms after opening, the page showed its first trained batch and a
// test accuracy of at least accuracy percent.
func VisitUntil(ctx context.Context, pageURL string, accuracy float64, timeout time.Duration) (firstStep, reached float64, err error) {
	err = chromedp.Run(ctx,
		installProbe,
		chromedp.Navigate(pageURL),
		poll(`window.__probe.firstStep > 0`, timeout),
		chromedp.Evaluate(`window.__probe.firstStep`, &firstStep),
		poll(fmt.Sprintf(`parseFloat(document.getElementById("metric-test-accuracy").textContent) >= %g`, accuracy), timeout),
		chromedp.Evaluate(`performance.now()`, &reached),
	)
	if err != nil {
		return 0, 0, fmt.Errorf("visiting %s until %g%%: %w", pageURL, accuracy, err)
	}
	return firstStep, reached, nil
}

// UntilNinety opens siteURL in the browser of ctx, waits until it is ready, presses
// Play and returns the time until #metric-test-accuracy shows at least 90%, with the
// batches trained by then.
func UntilNinety(ctx context.Context, siteURL string) (time.Duration, string, error) {
	var took float64
	var step string
	err := chromedp.Run(ctx,
		chromedp.Navigate(siteURL+"/"),
		poll(`document.getElementById("status").textContent === "ready"`, 30*time.Second),
		chromedp.Evaluate(`window.__play = performance.now(); document.getElementById("play").click()`, nil),
		poll(`parseFloat(document.getElementById("metric-test-accuracy").textContent) >= 90`, 60*time.Second),
		chromedp.Evaluate(`performance.now() - window.__play`, &took),
		chromedp.Text("#metric-step", &step, chromedp.ByQuery),
	)
	if err != nil {
		return 0, "", fmt.Errorf("training to 90%% after Play: %w", err)
	}
	return time.Duration(took * float64(time.Millisecond)), step, nil
}

func poll(cond string, timeout time.Duration) chromedp.Action {
	return chromedp.Poll(cond, nil, chromedp.WithPollingInterval(5*time.Millisecond), chromedp.WithPollingTimeout(timeout))
}

// Describe writes one start as lines of a log: the first step against its budget,
// the timeline, and the long tasks.
func Describe(s Start) []string {
	lines := []string{fmt.Sprintf("first training step %.0f ms after opening the page (budget %.0f ms: %s)", s.FirstStep, FirstStepBudget, Met(s.FirstStep < FirstStepBudget))}
	for _, m := range s.Timeline {
		lines = append(lines, fmt.Sprintf("  %5.0f ms  %s", m.At, m.What))
	}
	lines = append(lines, fmt.Sprintf("main-thread tasks over 50 ms while training: %d, longest %.0f ms (budget: none over %.0f ms: %s)",
		len(s.LongTasks), s.Longest(), LongTaskBudget, Met(s.Longest() < LongTaskBudget)))
	for _, task := range s.LongTasks {
		lines = append(lines, fmt.Sprintf("  %5.0f ms  a task of %.0f ms", task.At, task.Duration))
	}
	return lines
}

// Met says whether a budget was met.
func Met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
