package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/stats"
)

// sweep select reads a finished selection sweep, ranks each rule and topology's
// variants by their validation error and writes the next stage's sweep file: the
// lines of a base file (flags, trials and when lines), the selection's rules and
// topologies, then the variants kept. With --keep 1 they are when lines, the
// settings of the final runs; with more, variant lines, a shorter grid to run for
// longer.

// selectOptions are the flags of sweep select.
type selectOptions struct {
	files    []string // the selection's sweep files
	out      string   // their folder
	keep     int      // variants kept per rule and topology
	next     string   // the base of the next sweep file
	topology string   // only this topology's runs, or ""
	rules    []string // only these rules' runs (as nn.Mode spells them), or all
	per      string   // keep the best of each value of this setting, or ""
}

// cell is one rule on one topology of a data set, with its variants.
type cell struct {
	rule, topology, dataset string
	variants                []*candidate // in the order of the sweep files
}

func (c *cell) key() string { return c.dataset + " " + c.topology + " " + c.rule }

// candidate is one variant of a cell: its settings, its runs and its score.
type candidate struct {
	variant  string   // "optimizer=Adam lr=5e-4 dropout=0.1"
	runs     []result // its trials
	diverged int      // trials that stopped on a loss that is no longer finite
	score    float64  // the mean of its trials' validation scores; +Inf if one diverged
	epochs   int
}

// flags writes the variant as flags: "--optimizer=Adam --lr=5e-4 --dropout=0.1".
func (c *candidate) flags() string {
	var parts []string
	for _, kv := range strings.Fields(c.variant) {
		parts = append(parts, "--"+kv)
	}
	return strings.Join(parts, " ")
}

func selectCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep select", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o selectOptions
	fs.StringVar(&o.out, "out", "", "the folder the selection's runs went to (sweep run --out)")
	fs.IntVar(&o.keep, "keep", 1, "how many variants of each rule and topology to keep: 1 writes the final runs' settings as when lines, more writes variant lines")
	fs.StringVar(&o.topology, "topology", "", "only the runs of this `TOPOLOGY` (a row of the table)")
	fs.StringVar(&o.per, "per", "", "keep the best variants of each value of this `SETTING`, such as optimizer (written as variant lines)")
	rules := fs.String("rules", "", "only these `RULES`, comma-separated, such as DFA,FA")
	fs.StringVar(&o.next, "next", "", "the next sweep file's lines, without vary or variant lines: what select writes follows them")
	for len(args) > 0 {
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			o.files, args = append(o.files, args[0]), args[1:]
		}
		if err := fs.Parse(args); err != nil {
			return exitUsage
		}
		args = fs.Args()
	}
	for _, r := range strings.Split(*rules, ",") {
		if r == "" {
			continue
		}
		mode, err := nn.ParseMode(r)
		if err != nil {
			fmt.Fprintf(stderr, "sweep select: --rules: %v\n", err)
			return exitUsage
		}
		o.rules = append(o.rules, mode.String())
	}
	switch {
	case len(o.files) == 0:
		fmt.Fprintln(stderr, "sweep select: name the selection's sweep files, such as sweeps/select-mnist-nag.sweep")
		return exitUsage
	case o.out == "":
		fmt.Fprintln(stderr, "sweep select: --out DIR: the folder of the selection's runs")
		return exitUsage
	case o.next == "":
		fmt.Fprintln(stderr, "sweep select: --next FILE: the base of the sweep file to write")
		return exitUsage
	case o.keep < 1:
		fmt.Fprintf(stderr, "sweep select: --keep %d: must be at least 1\n", o.keep)
		return exitUsage
	}
	text, notes, err := selectNext(o)
	for _, n := range notes {
		fmt.Fprintf(stderr, "sweep select: %s\n", n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sweep select: %v\n", err)
		return exitUsage
	}
	fmt.Fprint(stdout, text)
	return exitOK
}

// selectNext ranks the variants of o's runs and returns the next sweep file, and
// notes for the user (failed runs, choices at the edge of their grid).
func selectNext(o selectOptions) (string, []string, error) {
	cells, err := readCells(o)
	if err != nil {
		return "", nil, err
	}
	base, err := readBase(o.next)
	if err != nil {
		return "", nil, err
	}
	var sb strings.Builder
	sb.Write(base)
	if len(base) > 0 && base[len(base)-1] != '\n' {
		sb.WriteByte('\n')
	}
	statement, each := "variant", ""
	if o.keep == 1 && o.per == "" {
		statement = "when"
	}
	if o.per != "" {
		each = " of each --" + o.per
	}
	writeSelectionHead(&sb, o, cells, each)
	var notes []string
	for _, c := range cells {
		cellNotes, err := writeKept(&sb, c, o, statement, each)
		notes = append(notes, cellNotes...)
		if err != nil {
			return "", notes, err
		}
	}
	if err := checkNext(sb.String(), o, cells); err != nil {
		return "", notes, err
	}
	return sb.String(), notes, nil
}

// readBase reads the base of the next stage's sweep file, which may not have the
// lines select writes.
func readBase(next string) ([]byte, error) {
	base, err := os.ReadFile(next)
	if err != nil {
		return nil, err
	}
	for n, line := range strings.Split(string(base), "\n") {
		text, _, _ := strings.Cut(line, "#")
		if f := strings.Fields(text); len(f) > 0 && slices.Contains([]string{"rules", "topologies", "vary", "variant"}, f[0]) {
			return nil, fmt.Errorf("%s:%d: %s: the base of the next stage holds flags, trials and when lines; select writes its rules, topologies and variants", next, n+1, f[0])
		}
	}
	return base, nil
}

// writeSelectionHead writes what select adds after the base before the variants: a
// comment on how they were chosen (each names the --per part), then the rules and
// topologies of the cells.
func writeSelectionHead(sb *strings.Builder, o selectOptions, cells []*cell, each string) {
	var rules, topologies []string
	for _, c := range cells {
		if !slices.Contains(rules, c.rule) {
			rules = append(rules, c.rule)
		}
		if !slices.Contains(topologies, c.topology) {
			topologies = append(topologies, c.topology)
		}
	}
	fmt.Fprintf(sb, "\n# Written by sweep select --keep %d from %s (%s): for each rule and\n", o.keep, o.out, strings.Join(o.files, ", "))
	fmt.Fprintf(sb, "# topology, the best %d%s by validation error (the mean of the last quarter of\n", o.keep, each)
	sb.WriteString("# each run's epochs, at most 10, over its trials), best first.\n")
	fmt.Fprintf(sb, "rules %s\ntopologies %s\n", strings.Join(rules, " "), strings.Join(topologies, " "))
}

// writeKept ranks the variants of c (in place) and writes the o.keep best (of each
// --per value) as statement lines, with a comment where the best is at the edge
// of its grid; it returns the notes on c, so far when it fails.
func writeKept(sb *strings.Builder, c *cell, o selectOptions, statement, each string) ([]string, error) {
	slices.SortStableFunc(c.variants, func(a, b *candidate) int {
		if d := cmp.Compare(a.score, b.score); d != 0 {
			return d
		}
		return compareVariants(a.variant, b.variant)
	})
	var notes []string
	for _, ranked := range perValue(c.variants, o.per) {
		for i, v := range ranked[:min(o.keep, len(ranked))] {
			if math.IsInf(v.score, 1) {
				return notes, fmt.Errorf("%s on %s: only %d of its variants%s trained without diverging; keep fewer", c.rule, c.topology, i, strings.ReplaceAll(each, "each", "a"))
			}
			fmt.Fprintf(sb, "%s %s %s %s # validation %.2f %%, %d of %d, %s\n", statement, c.rule, c.topology, v.flags(),
				v.score, i+1, len(ranked), plural(v.epochs, "epoch", "epochs"))
			if i == 0 {
				for _, e := range atEdge(c, v) {
					notes = append(notes, fmt.Sprintf("%s on %s: %s", c.rule, c.topology, e))
					fmt.Fprintf(sb, "# %s on %s: %s\n", c.rule, c.topology, e)
				}
			}
		}
	}
	diverged := 0
	for _, v := range c.variants {
		diverged += v.diverged
	}
	if diverged > 0 {
		notes = append(notes, fmt.Sprintf("%s on %s: %d runs diverged (ranked last)", c.rule, c.topology, diverged))
	}
	return notes, nil
}

// checkNext parses the next sweep file, text, and checks that each of its runs is
// of a cell of the selection.
func checkNext(text string, o selectOptions, cells []*cell) error {
	next, err := parseSweep(strings.NewReader(text), o.next+" with the selection")
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, c := range cells {
		chosen[c.key()] = true
	}
	for _, r := range next.runs {
		mode, _ := nn.ParseMode(flagOf(r.args, "train-mode")) // parseSweep checked it
		key := r.dataset + " " + r.topology + " " + mode.String()
		if !chosen[key] {
			return fmt.Errorf("the next stage would run %s, which the selection in %s has no runs for (its flags set another data set, or a rule is missing on a topology)", key, o.out)
		}
	}
	return nil
}

// readCells reads the runs of o's sweep files from o.out, every one of which must
// have ended, into their cells, each variant scored.
func readCells(o selectOptions) ([]*cell, error) {
	var cells []*cell
	byKey := map[string]*cell{}
	byVariant := map[string]*candidate{}
	for _, file := range o.files {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		s, err := parseSweep(f, file)
		f.Close()
		if err != nil {
			return nil, err
		}
		if o.topology != "" {
			s.runs = onTopology(s.runs, o.topology)
		}
		missing := 0
		for _, r := range s.runs {
			dir := filepath.Join(o.out, "runs", r.name)
			marker := filepath.Join(dir, "done")
			if !exists(marker) {
				marker = filepath.Join(dir, "failed")
			}
			if !exists(marker) {
				missing++
				continue
			}
			res, err := readRun(marker)
			if err != nil {
				return nil, err
			}
			if o.rules != nil && !slices.Contains(o.rules, res.rule) {
				continue
			}
			c := byKey[r.dataset+" "+res.topology+" "+res.rule]
			if c == nil {
				c = &cell{rule: res.rule, topology: res.topology, dataset: r.dataset}
				byKey[c.key()], cells = c, append(cells, c)
			}
			v := byVariant[c.key()+" "+r.variant]
			if v == nil {
				v = &candidate{variant: r.variant}
				byVariant[c.key()+" "+r.variant], c.variants = v, append(c.variants, v)
			}
			if filepath.Base(marker) == "failed" {
				text, _ := os.ReadFile(marker)
				if !bytes.Contains(text, []byte("training diverged")) {
					return nil, fmt.Errorf("%s failed, not by diverging (its failed file says why): fix it, then sweep run --retry-failed", dir)
				}
				v.diverged++
				continue
			}
			if res.held == nil {
				return nil, fmt.Errorf("%s has no validation figures: the selection's runs need --validation N", dir)
			}
			v.runs = append(v.runs, res)
		}
		if missing > 0 {
			return nil, fmt.Errorf("%d of the %d runs of %s have not ended in %s: run sweep run %s --out %s first", missing, len(s.runs), file, o.out, file, o.out)
		}
	}
	for _, c := range cells {
		for _, v := range c.variants {
			v.score = math.Inf(1)
			if v.diverged == 0 && len(v.runs) > 0 {
				scores := make([]float64, len(v.runs))
				for i, r := range v.runs {
					scores[i] = scored(r.held)
					v.epochs = max(v.epochs, len(r.held))
				}
				v.score, _ = stats.MeanStd(scores)
			}
		}
	}
	return cells, nil
}

// perValue splits ranked variants by their value of the setting per, each part
// still ranked, the parts in the order of their best; all in one part when per is "".
func perValue(ranked []*candidate, per string) [][]*candidate {
	if per == "" {
		return [][]*candidate{ranked}
	}
	var parts [][]*candidate
	index := map[string]int{}
	for _, v := range ranked {
		value := "" // the variant's --per value, "" where it has none
		for _, kv := range strings.Fields(v.variant) {
			if name, val, _ := strings.Cut(kv, "="); name == per {
				value = val
			}
		}
		i, ok := index[value]
		if !ok {
			i, index[value] = len(parts), len(parts)
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], v)
	}
	return parts
}

// atEdge says which numeric settings of v take the smallest or largest value tried
// among the variants of c that share v's other settings (three values at least): a
// grid that may need to be wider there.
func atEdge(c *cell, v *candidate) []string {
	var out []string
	mine := strings.Fields(v.variant)
	for i, kv := range mine {
		name, value, _ := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		lo, hi, n := x, x, 0
		for _, w := range c.variants {
			other := strings.Fields(w.variant)
			if len(other) != len(mine) || !slices.Equal(other[:i], mine[:i]) || !slices.Equal(other[i+1:], mine[i+1:]) {
				continue
			}
			_, ov, _ := strings.Cut(other[i], "=")
			if y, err := strconv.ParseFloat(ov, 64); err == nil {
				lo, hi, n = min(lo, y), max(hi, y), n+1
			}
		}
		switch {
		case n < 3:
		case x == lo && name != "dropout":
			out = append(out, fmt.Sprintf("--%s %s is the smallest tried: the grid may need smaller values", name, value))
		case x == hi:
			out = append(out, fmt.Sprintf("--%s %s is the largest tried: the grid may need larger values", name, value))
		}
	}
	return out
}

// flagOf returns the value of --name in args (given as --name value or
// --name=value), or "".
func flagOf(args []string, name string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
