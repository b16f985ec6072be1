package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nofeedback/lwf/tools/internal/pagestart"
)

// convGoals are issue 13's: the paper's conv experiment as a lecturer opens it, with
// DRTP, shows the accuracy within the time (s from opening the page).
var convGoals = []struct {
	preset   string
	accuracy float64
	within   float64
}{
	{"mnist-conv", 70, 45},
	{"mnist-conv-frozen", 85, 45},
}

// convFigures are the seconds from opening each preset until its accuracy showed.
type convFigures struct {
	preset           string
	accuracy, within float64
	first, reached   float64 // s: the first batch, the accuracy
}

// convPresets opens each conv preset once in a fresh Chromium with autoplay and
// times it until it shows its goal's accuracy.
func convPresets(root string, out *[]convFigures) error {
	srv, err := serveDist(root)
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, g := range convGoals {
		var first, reached float64
		err := launched(func(ctx context.Context) (err error) {
			first, reached, err = pagestart.VisitUntil(ctx, srv.URL+"/?autoplay=1&train-mode=DRTP&preset="+g.preset, g.accuracy, 2*time.Minute)
			return err
		})
		if err != nil {
			return err
		}
		*out = append(*out, convFigures{preset: g.preset, accuracy: g.accuracy, within: g.within, first: first / 1e3, reached: reached / 1e3})
	}
	return nil
}

// convReport writes the conv presets' times as markdown.
func convReport(v []convFigures) string {
	if len(v) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n## The paper's conv experiment in the page\n\n`dist/` from localhost, a fresh headless Chromium per preset, `?autoplay=1&train-mode=DRTP&preset=…` with the preset's demo settings; seconds from opening the page. One visit each.\n\n")
	sb.WriteString("| preset | first batch | test accuracy shown | at | goal | met |\n|---|---:|---:|---:|---:|:---:|\n")
	for _, f := range v {
		fmt.Fprintf(&sb, "| %s | %.1f s | %g%% | %.1f s | %g%% within %g s | %s |\n", f.preset, f.first, f.accuracy, f.reached, f.accuracy, f.within,
			map[bool]string{true: "yes", false: "no"}[f.reached <= f.within])
	}
	return sb.String()
}
