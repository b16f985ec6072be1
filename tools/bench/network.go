package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/tools/internal/netsim"
	"github.com/nofeedback/lwf/tools/internal/pagestart"
)

// networkVisits is how many fresh-profile visits each link gets.
const networkVisits = 3

// links are the networks a first visit is measured on, with issue 12's goals (ms
// after opening the page: the first trained batch, 90% shown): a lecture hall's wifi,
// and a good one. Localhost is measured beside them.
var links = []struct {
	netsim.Link
	goalFirst, goalNinety float64
}{
	{netsim.Link{BitsPerSecond: 10e6, Delay: 40 * time.Millisecond}, 3500, 6000},
	{netsim.Link{BitsPerSecond: 50e6, Delay: 40 * time.Millisecond}, 2000, 5000},
}

// visitFigures are the medians of one link's visits, in ms after opening the page.
type visitFigures struct {
	link                    string
	firstStep, ninety, next float64
	goalFirst, goalNinety   float64 // 0: none
}

// network measures first visits over each link model (netsim) in front of the server
// of make serve, and the next visit in the same profile.
func network(root string, out *[]visitFigures) error {
	srv, err := serveDist(root)
	if err != nil {
		return err
	}
	defer srv.Close()
	measure := func(name, url string, goalFirst, goalNinety float64) error {
		var first, ninety, next []float64
		for range networkVisits {
			err := launched(func(ctx context.Context) error {
				f, n, err := pagestart.Visit(ctx, url, 90*time.Second)
				if err != nil {
					return err
				}
				time.Sleep(20 * time.Second) // the rest of the data on its way into the cache
				again, _, err := pagestart.Visit(ctx, url, 90*time.Second)
				if err != nil {
					return fmt.Errorf("the next visit: %w", err)
				}
				first, ninety, next = append(first, f), append(ninety, n), append(next, again)
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		*out = append(*out, visitFigures{link: name, firstStep: stats.Median(first), ninety: stats.Median(ninety), next: stats.Median(next),
			goalFirst: goalFirst, goalNinety: goalNinety})
		return nil
	}
	if err := measure("localhost", srv.URL, 0, 0); err != nil {
		return err
	}
	for _, link := range links {
		p, err := netsim.Listen(strings.TrimPrefix(srv.URL, "http://"), link.Link)
		if err != nil {
			return err
		}
		err = measure(link.String(), "http://"+p.Addr, link.goalFirst, link.goalNinety)
		p.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// networkReport writes the visits as markdown.
func networkReport(v []visitFigures) string {
	if len(v) == 0 {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n## The first visit on a real network\n\n`dist/` served by the server of `make serve` (brotli for Chromium), behind `tools/internal/netsim`: one bandwidth shared by every connection, and a delay on each connection and each request. %d visits per link, each in a fresh headless Chromium profile, `?autoplay=1`; medians, in seconds after opening the page. The next visit is the same profile 20 s later.\n\n", networkVisits)
	sb.WriteString("| link | first trained batch | 90% test accuracy shown | next visit: first batch | goal (first batch / 90% / next) | met |\n|---|---:|---:|---:|---:|:---:|\n")
	for _, f := range v {
		goal, met := "no slower than before", "–"
		if f.goalFirst > 0 {
			goal = fmt.Sprintf("%.1f s / %.1f s / 1.5 s", f.goalFirst/1e3, f.goalNinety/1e3)
			met = map[bool]string{true: "yes", false: "no"}[f.firstStep <= f.goalFirst && f.ninety <= f.goalNinety && f.next <= 1500]
		}
		fmt.Fprintf(&sb, "| %s | %.1f s | %.1f s | %.1f s | %s | %s |\n", f.link, f.firstStep/1e3, f.ninety/1e3, f.next/1e3, goal, met)
	}
	for _, f := range v {
		if f.goalNinety > 0 && f.ninety > f.goalNinety {
			fmt.Fprintf(&sb, "\n%s: 90%% shown %.1f s after its goal. The link's part is over with the first batch (%.1f s: the code and the first data); the other %.1f s are the training and its evaluations up to 90%% on this machine's CPU, which the link does not slow.\n",
				f.link, (f.ninety-f.goalNinety)/1e3, f.firstStep/1e3, (f.ninety-f.firstStep)/1e3)
		}
	}
	return sb.String()
}
