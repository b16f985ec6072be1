package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"`
	Dur  float64         `json:"dur"`
	Tid  int64           `json:"tid"`
	Pid  int64           `json:"pid"`
	Args json.RawMessage `json:"args"`
}

func TestTmpTrace(t *testing.T) {
	site := Serve(t, os.Getenv("PROFDIST"))
	b := Launch(t, Require(t), site.URL, 1440, 900)
	var mu sync.Mutex
	var events []traceEvent
	done := make(chan struct{})
	chromedp.ListenTarget(b.Ctx, func(ev any) {
		switch e := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			for _, raw := range e.Value {
				var te traceEvent
				if json.Unmarshal(raw, &te) == nil {
					events = append(events, te)
				}
			}
			mu.Unlock()
		case *tracing.EventTracingComplete:
			close(done)
		}
	})
	b.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		return tracing.Start().WithTraceConfig(&tracing.TraceConfig{IncludedCategories: []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "v8.execute"}}).WithTransferMode(tracing.TransferModeReportEvents).Do(ctx)
	}))
	b.Run(t, 20*time.Second, chromedp.Navigate(site.URL+"/?autoplay=1"))
	time.Sleep(5 * time.Second)
	b.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error { return tracing.End().Do(ctx) }))
	select {
	case <-done:
	case <-time.After(30 * time.Second):
	}
	mu.Lock()
	defer mu.Unlock()
	// main thread: the tid of "CrRendererMain"
	var mainTid int64
	var mainPid int64
	for _, e := range events {
		if e.Name == "thread_name" && strings.Contains(string(e.Args), "CrRendererMain") {
			mainTid, mainPid = e.Tid, e.Pid
		}
	}
	var t0 float64
	for _, e := range events {
		if e.Name == "navigationStart" || (e.Name == "TracingStartedInBrowser" && t0 == 0) {
			t0 = e.Ts
		}
	}
	var tasks []traceEvent
	for _, e := range events {
		if e.Tid == mainTid && e.Pid == mainPid && e.Ph == "X" && e.Name == "RunTask" && e.Dur > 50000 {
			tasks = append(tasks, e)
		}
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].Ts < tasks[j].Ts })
	for _, task := range tasks {
		inside := map[string]float64{}
		for _, e := range events {
			if e.Tid == mainTid && e.Pid == mainPid && e.Ph == "X" && e.Ts >= task.Ts && e.Ts < task.Ts+task.Dur && e.Name != "RunTask" {
				inside[e.Name] += e.Dur / 1000
			}
		}
		type kv struct {
			k string
			v float64
		}
		var l []kv
		for k, v := range inside {
			l = append(l, kv{k, v})
		}
		sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
		var parts []string
		for i := 0; i < len(l) && i < 14; i++ {
			parts = append(parts, l[i].k+"="+time.Duration(l[i].v*1e6).Round(time.Millisecond/10).String())
		}
		t.Logf("task %.0f ms at %.0f: %s", task.Dur/1000, (task.Ts-t0)/1000, strings.Join(parts, "; "))
	}
}
