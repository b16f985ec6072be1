package ui

import (
	"fmt"

	"github.com/nofeedback/lwf/core/nn"
)

// costRow is one rule's line of the cost table, as the page shows it.
type costRow struct {
	Mode     string
	Learning string  // multiply-accumulates of learning per sample
	Held     string  // values held between the forward pass and the update
	Backward string  // whether the rule runs a backward pass
	LearnBar float64 // Learning as a share of the largest, for its bar
	HeldBar  float64 // Held as a share of the largest
}

// costRows turns the per-rule costs of one network into the table's rows, with bars
// scaled to the most expensive rule, so that DRTP's saving is a length on screen.
func costRows(costs []nn.Cost) []costRow {
	var maxLearn, maxHeld int64
	for _, c := range costs {
		maxLearn = max(maxLearn, c.LearningMACs)
		maxHeld = max(maxHeld, c.HeldValues)
	}
	rows := make([]costRow, 0, len(costs))
	for _, c := range costs {
		r := costRow{
			Mode:     c.Mode.String(),
			Learning: count(c.LearningMACs),
			Held:     count(c.HeldValues),
			Backward: "no",
		}
		if c.Backward {
			r.Backward = "yes"
		}
		if maxLearn > 0 {
			r.LearnBar = float64(c.LearningMACs) / float64(maxLearn)
		}
		if maxHeld > 0 {
			r.HeldBar = float64(c.HeldValues) / float64(maxHeld)
		}
		rows = append(rows, r)
	}
	return rows
}

// count writes a cost with three significant digits: 397k, 1.79M, 12.3G.
func count(v int64) string {
	f := float64(v)
	for _, u := range []struct {
		scale  float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if f >= u.scale {
			return sig3(f/u.scale) + u.suffix
		}
	}
	return fmt.Sprint(v)
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
