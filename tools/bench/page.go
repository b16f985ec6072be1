package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/tools/internal/pagestart"
)

// pageRuns is how many times the page is opened, each time in a fresh browser (a
// first visit: nothing cached).
const pageRuns = 5

// pageFigures are the medians of the page's budgets over pageRuns openings.
type pageFigures struct {
	runs                  int
	firstStep, firstTrain float64 // ms from opening the page: the first batch shown, and trained in the worker
	dataIn                float64 // ms from opening the page: the first part of MNIST in
	longest, longTasks    float64 // the longest main-thread task (ms), and how many over 50 ms, in 10 s of training
	ninety                float64 // ms from pressing Play to 90% test accuracy
	code                  float64 // bytes of code transferred
}

// page opens the trainer as a visitor does and measures issue 4's budgets and issue
// 5's time to 90%.
func page(root string, pf *pageFigures) error {
	srv, err := serveDist(root)
	if err != nil {
		return err
	}
	defer srv.Close()
	var first, train, data, longest, count, ninety []float64
	for range pageRuns {
		var s pagestart.Start
		err := launched(func(ctx context.Context) (err error) {
			s, err = pagestart.Measure(ctx, srv.URL, 10*time.Second)
			return err
		})
		if err != nil {
			return err
		}
		first = append(first, s.FirstStep)
		train = append(train, at(s, "a first batch trained"))
		data = append(data, at(s, "first part of MNIST in"))
		longest = append(longest, s.Longest())
		count = append(count, float64(len(s.LongTasks)))
		pf.code = s.CodeBytes()

		var took time.Duration
		err = launched(func(ctx context.Context) (err error) {
			took, _, err = pagestart.UntilNinety(ctx, srv.URL)
			return err
		})
		if err != nil {
			return err
		}
		ninety = append(ninety, float64(took.Milliseconds()))
	}
	pf.runs = pageRuns
	pf.firstStep, pf.firstTrain, pf.dataIn = stats.Median(first), stats.Median(train), stats.Median(data)
	pf.longest, pf.longTasks, pf.ninety = stats.Median(longest), stats.Median(count), stats.Median(ninety)
	return nil
}

// launched runs do in a fresh Chromium, started again once if it fails to start
// (Debian's launcher script fails now and then on a busy machine).
func launched(do func(ctx context.Context) error) error {
	var err error
	for range 2 {
		ctx, cancel := chromium(3 * time.Minute)
		err = do(ctx)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "failed to start") {
			return err
		}
	}
	return err
}

// at returns when the start's timeline says what happened (0 if it does not).
func at(s pagestart.Start, what string) float64 {
	for _, m := range s.Timeline {
		if m.What == what {
			return m.At
		}
	}
	return 0
}

// pageReport writes the page's budgets as markdown.
func pageReport(pf pageFigures) string {
	if pf.runs == 0 {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n## The page\n\nThe trainer opened %d times in a fresh headless Chromium (nothing cached), served from localhost by the same server as `make serve`; medians. ", pf.runs)
	sb.WriteString("The first step is counted from opening the page until `#metric-step` shows a trained batch; the worker has trained it a little earlier. Long tasks are the main thread's tasks over 50 ms during 10 s of training after the first step.\n\n")
	sb.WriteString("| budget | measured | goal | met |\n|---|---:|---:|:---:|\n")
	row := func(what string, v, goal float64, unit string, ok bool) {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", what, fmtUnit(v, unit), fmtUnit(goal, unit), map[bool]string{true: "yes", false: "no"}[ok])
	}
	row("first training step, shown", pf.firstStep, pagestart.FirstStepBudget, "ms", pf.firstStep < pagestart.FirstStepBudget)
	row("first training step, in the worker", pf.firstTrain, pagestart.FirstStepBudget, "ms", pf.firstTrain < pagestart.FirstStepBudget)
	row("longest main-thread task while training", pf.longest, pagestart.LongTaskBudget, "ms", pf.longest < pagestart.LongTaskBudget)
	row("90% test accuracy after Play", pf.ninety, pagestart.NinetyBudget, "ms", pf.ninety < pagestart.NinetyBudget)
	row("code transferred, compressed", pf.code/1e6, pagestart.CodeBudget/1e6, "MB", pf.code < pagestart.CodeBudget)
	fmt.Fprintf(&sb, "\nThe first part of MNIST (labels, 5000 training images, the quick test subset: 1.2 MB) was in after %.0f ms (median); the run trains on it while the rest arrives. Main-thread tasks over 50 ms in 10 s of training: %.0f (median).\n", pf.dataIn, pf.longTasks)
	return sb.String()
}

func fmtUnit(v float64, unit string) string {
	if unit == "MB" {
		return fmt.Sprintf("%.2f MB", v)
	}
	return fmt.Sprintf("%.0f %s", v, unit)
}
