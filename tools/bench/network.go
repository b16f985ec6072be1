package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/tools/internal/netsim"
	"github.com/nofeedback/lwf/tools/internal/nginx"
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
	server, link            string
	firstStep, ninety, next float64
	firstBytes              float64 // bytes down the link by the first batch (0: localhost)
	bitsPerSecond           float64 // the link's (0: localhost)
	goalFirst, goalNinety   float64 // 0: none
	err                     error   // why the server was not measured
}

// hosts are the servers a first visit is measured from: ours, and an ordinary
// static host.
var hosts = []struct {
	name  string
	start func(root string) (url string, stop func(), err error)
}{
	{"make serve (brotli)", func(root string) (string, func(), error) {
		srv, err := serveDist(root)
		if err != nil {
			return "", nil, err
		}
		return srv.URL, srv.Close, nil
	}},
	{"nginx (gzip)", func(root string) (string, func(), error) {
		srv, err := nginx.Start(filepath.Join(root, "dist"))
		if err != nil {
			return "", nil, err
		}
		return srv.URL, func() { srv.Close() }, nil
	}},
}

// network measures first visits over each link model (netsim) in front of each
// host, and the next visit in the same profile.
func network(root string, out *[]visitFigures) error {
	for _, h := range hosts {
		url, stop, err := h.start(root)
		if err != nil {
			*out = append(*out, visitFigures{server: h.name, err: err})
			continue
		}
		err = visits(h.name, url, out)
		stop()
		if err != nil {
			return fmt.Errorf("%s: %w", h.name, err)
		}
	}
	return nil
}

// visits measures the first and next visits of server at url: on localhost, then
// over each link.
func visits(server, url string, out *[]visitFigures) error {
	measure := func(name, url string, link *netsim.Proxy, goalFirst, goalNinety float64) error {
		var first, ninety, next, bytes []float64
		for range networkVisits {
			err := launched(func(ctx context.Context) error {
				opened := time.Now()
				f, n, err := pagestart.Visit(ctx, url, 90*time.Second)
				if err != nil {
					return err
				}
				if link != nil {
					bytes = append(bytes, float64(link.Sent(opened, opened.Add(time.Duration(f*float64(time.Millisecond))))))
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
		v := visitFigures{server: server, link: name, firstStep: stats.Median(first), ninety: stats.Median(ninety),
			next: stats.Median(next), goalFirst: goalFirst, goalNinety: goalNinety}
		if link != nil {
			v.firstBytes, v.bitsPerSecond = stats.Median(bytes), link.Link().BitsPerSecond
		}
		*out = append(*out, v)
		return nil
	}
	if err := measure("localhost", url, nil, 0, 0); err != nil {
		return err
	}
	for _, link := range links {
		p, err := netsim.Listen(strings.TrimPrefix(url, "http://"), link.Link)
		if err != nil {
			return err
		}
		err = measure(link.String(), "http://"+p.Addr, p, link.goalFirst, link.goalNinety)
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
	fmt.Fprintf(&sb, "\n## The first visit on a real network\n\n`dist/` served by the server of `make serve` (brotli for Chromium) and by nginx as an ordinary static host serves it (`tools/internal/nginx`: gzip at its default level, no brotli), behind `tools/internal/netsim`: one bandwidth shared by every connection, and a delay on each connection and each request, held by a test to the link's arithmetic within 5%%. %d visits per link, each in a fresh headless Chromium profile, `?autoplay=1`; medians, in seconds after opening the page. The next visit is the same profile 20 s later. The bytes are those that crossed the link by the first batch, and the time the link's bandwidth alone needs for them.\n\n", networkVisits)
	sb.WriteString("| server | link | first trained batch | bytes by then (the link's time) | 90% test accuracy shown | next visit: first batch | goal (first batch / 90% / next) | met |\n|---|---|---:|---:|---:|---:|---:|:---:|\n")
	for _, f := range v {
		if f.err != nil {
			fmt.Fprintf(&sb, "| %s | – | not measured: %v | | | | | |\n", f.server, f.err)
			continue
		}
		goal, met, bytes := "no slower than before", "–", "–"
		if f.goalFirst > 0 {
			goal = fmt.Sprintf("%.1f s / %.1f s / 1.5 s", f.goalFirst/1e3, f.goalNinety/1e3)
			met = map[bool]string{true: "yes", false: "no"}[f.firstStep <= f.goalFirst && f.ninety <= f.goalNinety && f.next <= 1500]
		}
		if f.bitsPerSecond > 0 {
			bytes = fmt.Sprintf("%.2f MB (%.1f s)", f.firstBytes/1e6, f.firstBytes*8/f.bitsPerSecond)
		}
		fmt.Fprintf(&sb, "| %s | %s | %.1f s | %s | %.1f s | %.1f s | %s | %s |\n", f.server, f.link, f.firstStep/1e3, bytes, f.ninety/1e3, f.next/1e3, goal, met)
	}
	for _, f := range v {
		if f.err == nil && f.goalNinety > 0 && f.ninety > f.goalNinety {
			fmt.Fprintf(&sb, "\n%s, %s: 90%% shown %.1f s after its goal. The link's part is over with the first batch (%.1f s: the code and the first data); the other %.1f s are the training and its evaluations up to 90%% on this machine's CPU, which the link does not slow.\n",
				f.server, f.link, (f.ninety-f.goalNinety)/1e3, f.firstStep/1e3, (f.ninety-f.firstStep)/1e3)
		}
	}
	return sb.String()
}
