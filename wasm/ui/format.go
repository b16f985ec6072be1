package ui

import (
	"fmt"
	"math"
	"strconv"

	"github.com/nofeedback/lwf/wasm/protocol"
)

// number writes a figure for a metric: digits digits after the point, ∞ for the
// worker's protocol.Overflow.
func number(v float64, digits int) string {
	if v >= protocol.Overflow || math.IsInf(v, 0) || math.IsNaN(v) {
		return "∞"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// compact writes a count for an axis: 950, 12k, 1.5M.
func compact(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trim(v/1e6) + "M"
	case a >= 1e3:
		return trim(v/1e3) + "k"
	}
	return trim(v)
}

func trim(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// niceTicks returns round tick values covering [lo, hi], about n of them.
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for t := math.Ceil(lo/step) * step; t <= hi+step*1e-9; t += step {
		ticks = append(ticks, math.Round(t/step)*step)
	}
	return ticks
}

// subsetNote says which test images an evaluation of n out of total covered.
func subsetNote(n, total int) string {
	if n >= total {
		return "on the whole test set"
	}
	return "on " + strconv.Itoa(n) + " test images (1 in " + strconv.Itoa(max(1, total/max(1, n))) + ")"
}

// progressText says how the data comes: loading before the run is built, arriving
// while it trains, or waiting for a link that dropped; empty when all is in.
func progressText(ev protocol.ProgressEvent) string {
	switch {
	case ev.What == "":
		return ""
	case ev.Retrying:
		text := "Connection lost: retrying, and going on from where it stopped"
		if ev.Total > 0 {
			text += fmt.Sprintf(" (%s: %d%% in)", ev.What, 100*ev.Loaded/ev.Total)
		}
		return text + "…"
	case ev.Samples:
		return fmt.Sprintf("%s: %s of %s in; training goes on as they arrive", ev.What, thousands(ev.Loaded), thousands(ev.Total))
	case ev.Total > 0:
		return fmt.Sprintf("Loading %s: %d%%", ev.What, 100*ev.Loaded/ev.Total)
	case ev.Loaded > 0:
		return fmt.Sprintf("Loading %s: %.1f MB", ev.What, float64(ev.Loaded)/1e6)
	}
	return ev.What + "…"
}

// thousands writes n with thin spaces between groups of three digits: 60 000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	return s
}
