package browsertest

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

func TestTmpProfile(t *testing.T) {
	site := Serve(t, os.Getenv("PROFDIST"))
	b := Launch(t, Require(t), site.URL, 1440, 900)
	b.Run(t, 10*time.Second, profiler.Enable(), profiler.SetSamplingInterval(200), profiler.Start())
	b.Run(t, 20*time.Second, chromedp.Navigate(site.URL+"/?autoplay=1"))
	time.Sleep(8 * time.Second)
	var prof *profiler.Profile
	b.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		prof, err = profiler.Stop().Do(ctx)
		return err
	}))
	nodes := map[int64]*profiler.ProfileNode{}
	parent := map[int64]int64{}
	for _, n := range prof.Nodes {
		nodes[n.ID] = n
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	stack := func(id int64) []string {
		var s []string
		for ; id != 0; id = parent[id] {
			n := nodes[id]
			if n == nil {
				break
			}
			name := n.CallFrame.FunctionName
			if name == "" || name == "(root)" {
				continue
			}
			s = append(s, name)
		}
		return s
	}
	// find busy stretches: consecutive non-idle samples
	at := float64(prof.StartTime)
	type sample struct {
		t  float64
		id int64
		dt float64
	}
	var ss []sample
	for i, id := range prof.Samples {
		at += float64(prof.TimeDeltas[i])
		ss = append(ss, sample{at, id, float64(prof.TimeDeltas[i])})
	}
	busy := func(s sample) bool {
		n := nodes[s.id].CallFrame.FunctionName
		return n != "(idle)"
	}
	i := 0
	for i < len(ss) {
		if !busy(ss[i]) {
			i++
			continue
		}
		j := i
		for j < len(ss) && busy(ss[j]) {
			j++
		}
		dur := (ss[j-1].t - ss[i].t) / 1000
		if dur > 40 {
			incl := map[string]float64{}
			for k := i; k < j; k++ {
				seen := map[string]bool{}
				for _, f := range stack(ss[k].id) {
					if !seen[f] {
						incl[f] += ss[k].dt / 1000
						seen[f] = true
					}
				}
			}
			type kv struct {
				k string
				v float64
			}
			var l []kv
			for k, v := range incl {
				l = append(l, kv{k, v})
			}
			sort.Slice(l, func(a, b int) bool { return l[a].v > l[b].v })
			var parts []string
			for a := 0; a < len(l) && a < 25; a++ {
				parts = append(parts, l[a].k+"="+strings.TrimSuffix(time.Duration(l[a].v*1e6).Round(time.Millisecond).String(), ""))
			}
			t.Logf("busy %.0f ms at %.0f: %s", dur, (ss[i].t-float64(prof.StartTime))/1000, strings.Join(parts, "; "))
		}
		i = j
	}
}
