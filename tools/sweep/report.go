package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/stats"
)

// paperRow is a row of the paper's tables: its data set, topology and frozen conv
// layers or not, and its test error by rule.
type paperRow struct {
	row     string
	figures map[string]string
}

// paperRows holds the published test errors (%, mean ± std over 10 trials), from the
// authors' slides (see the reference's notes), in the order of the paper's tables.
// CIFAR10aug runs are read against the CIFAR10 rows.
var paperRows = []paperRow{
	{"MNIST FC_500_FC_10", map[string]string{"BP": "1.72 ± 0.08", "FA": "1.92 ± 0.08", "DFA": "2.59 ± 0.11", "DRTP": "4.58 ± 0.12"}},
	{"MNIST FC_1000_FC_10", map[string]string{"BP": "1.76 ± 0.06", "FA": "1.90 ± 0.06", "DFA": "2.12 ± 0.05", "DRTP": "4.03 ± 0.13"}},
	{"MNIST FC_500_FC_500_FC_10", map[string]string{"BP": "1.62 ± 0.12", "FA": "1.95 ± 0.07", "DFA": "4.35 ± 0.30", "DRTP": "4.57 ± 0.13"}},
	{"MNIST FC_1000_FC_1000_FC_10", map[string]string{"BP": "1.67 ± 0.07", "FA": "1.90 ± 0.07", "DFA": "3.46 ± 0.25", "DRTP": "4.04 ± 0.12"}},
	{"MNIST CONV_32_5_1_2_FC_1000_FC_10 frozen", map[string]string{"BP": "1.31 ± 0.08", "FA": "1.55 ± 0.04", "DFA": "1.66 ± 0.11", "DRTP": "1.87 ± 0.12"}},
	{"MNIST CONV_32_5_1_2_FC_1000_FC_10", map[string]string{"BP": "0.99 ± 0.05", "FA": "1.38 ± 0.06", "DFA": "2.38 ± 0.39", "DRTP": "1.81 ± 0.14"}},
	{"CIFAR10 FC_500_FC_10", map[string]string{"BP": "48.43 ± 0.30", "FA": "49.59 ± 0.25", "DFA": "49.73 ± 0.24", "DRTP": "53.72 ± 0.30"}},
	{"CIFAR10 FC_1000_FC_10", map[string]string{"BP": "47.58 ± 0.21", "FA": "48.56 ± 0.28", "DFA": "48.45 ± 0.17", "DRTP": "52.99 ± 0.22"}},
	{"CIFAR10 FC_500_FC_500_FC_10", map[string]string{"BP": "49.23 ± 0.24", "FA": "50.83 ± 0.20", "DFA": "50.76 ± 0.24", "DRTP": "53.46 ± 0.16"}},
	{"CIFAR10 FC_1000_FC_1000_FC_10", map[string]string{"BP": "49.00 ± 0.22", "FA": "50.35 ± 0.18", "DFA": "50.51 ± 0.24", "DRTP": "52.83 ± 0.44"}},
	{"CIFAR10 CONV_64_3_1_1_CONV_256_3_1_1_FC_1000_FC_1000_FC_10 frozen", map[string]string{"BP": "30.13 ± 0.31", "FA": "30.28 ± 0.37", "DFA": "30.40 ± 0.46", "DRTP": "32.69 ± 0.38"}},
	{"CIFAR10 CONV_64_3_1_1_CONV_256_3_1_1_FC_1000_FC_1000_FC_10", map[string]string{"BP": "27.45 ± 0.28", "FA": "29.84 ± 0.31", "DFA": "32.06 ± 0.29", "DRTP": "35.45 ± 0.76"}},
}

// paper holds paperRows by row.
var paper = func() map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, r := range paperRows {
		m[r.row] = r.figures
	}
	return m
}()

// compareVariants orders two variants ("lr=5e-4 dropout=0.1") setting by setting,
// numbers by their value: lr=5e-5 before lr=1.5e-4.
func compareVariants(a, b string) int {
	as, bs := strings.Fields(a), strings.Fields(b)
	for i := range min(len(as), len(bs)) {
		ka, va, _ := strings.Cut(as[i], "=")
		kb, vb, _ := strings.Cut(bs[i], "=")
		if c := strings.Compare(ka, kb); c != 0 {
			return c
		}
		x, errA := strconv.ParseFloat(va, 64)
		y, errB := strconv.ParseFloat(vb, 64)
		if c := cmp.Compare(x, y); errA == nil && errB == nil && c != 0 {
			return c
		}
		if c := strings.Compare(va, vb); c != 0 && (errA != nil || errB != nil) {
			return c
		}
	}
	return len(as) - len(bs)
}

// paperKey is the key of a result's group in paper: CIFAR10aug's rows are
// CIFAR10's, whatever the variant.
func (r result) paperKey() string {
	v := r
	v.variant = ""
	return strings.Replace(v.group(), "CIFAR10aug ", "CIFAR10 ", 1)
}

// lastEpochs is how many final epochs a run's test error is averaged over, as the
// paper does.
const lastEpochs = 10

// result is one finished run: its group, its settings and its errors per epoch.
type result struct {
	dataset, topology, rule string
	frozen                  bool
	variant                 string    // the marker's variant line: "lr=5e-4", or ""
	optimizer, lr, dropout  string    // its settings, as its command gave them (or the defaults)
	errors                  []float64 // test error % by epoch
	held                    []float64 // validation error % by epoch (--validation), or nil
	dir                     string    // the sweep's folder
}

// settings names the run's optimiser, learning rate and dropout: "Adam 1.5e-3, dropout 0.1".
func (r result) settings() string {
	return fmt.Sprintf("%s %s, dropout %s", r.optimizer, r.lr, r.dropout)
}

// scored returns the mean of the last epochs of errs: a quarter of them, at least
// one and at most lastEpochs (so a run of 100 epochs is scored as the paper does).
func scored(errs []float64) float64 {
	n := min(lastEpochs, max(1, len(errs)/4))
	m, _ := stats.MeanStd(errs[max(0, len(errs)-n):])
	return m
}

func (r result) group() string {
	g := r.dataset + " " + r.topology
	if r.frozen {
		g += " frozen"
	}
	if r.variant != "" {
		g += " " + r.variant
	}
	return g
}

// final is the run's test error: the mean of its last lastEpochs epochs.
func (r result) final() float64 {
	m, _ := stats.MeanStd(r.errors[max(0, len(r.errors)-lastEpochs):])
	return m
}

// readResults reads every run of dir that is done: its flags from the marker, its
// epochs from its log.
func readResults(dir string) ([]result, error) {
	markers, err := filepath.Glob(filepath.Join(dir, "runs", "*", "done"))
	if err != nil {
		return nil, err
	}
	if len(markers) == 0 {
		return nil, fmt.Errorf("%s: no finished runs (sweep run --out %s writes them)", dir, dir)
	}
	slices.Sort(markers)
	var out []result
	for _, m := range markers {
		r, err := readRun(m)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// readRun reads the run of a marker: its flags from the marker, its epochs (if it
// has a log) from its folder's log.jsonl. Only a done run must have epochs.
func readRun(marker string) (result, error) {
	text, err := os.ReadFile(marker)
	if err != nil {
		return result{}, err
	}
	r := result{dataset: "MNIST", optimizer: "NAG", lr: "1e-4", dropout: "0", // tools/train's defaults
		dir: filepath.Dir(filepath.Dir(filepath.Dir(marker)))}
	command, rest, _ := strings.Cut(string(text), "\n")
	if v, ok := strings.CutPrefix(rest, "variant "); ok {
		r.variant, _, _ = strings.Cut(v, "\n")
	}
	words := strings.Fields(command)
	for i, w := range words {
		name, value, ok := strings.Cut(strings.TrimPrefix(w, "--"), "=")
		if !ok && i+1 < len(words) {
			value = words[i+1]
		}
		switch name {
		case "train-mode":
			mode, err := nn.ParseMode(value)
			if err != nil {
				return result{}, fmt.Errorf("%s: %w", marker, err)
			}
			r.rule = mode.String() // as the rows spell it, whatever the sweep file's case
		case "topology":
			r.topology = value
		case "dataset":
			r.dataset = value
		case "freeze-conv-layers":
			r.frozen = value != "false"
		case "optimizer":
			r.optimizer = value
		case "lr":
			r.lr = value
		case "dropout":
			r.dropout = value
		}
	}
	if r.rule == "" || r.topology == "" {
		return result{}, fmt.Errorf("%s: a marker without the run's rule and topology", marker)
	}
	log, err := os.Open(filepath.Join(filepath.Dir(marker), "log.jsonl"))
	if errors.Is(err, fs.ErrNotExist) && filepath.Base(marker) != "done" {
		return r, nil
	}
	if err != nil {
		return result{}, err
	}
	defer log.Close()
	sc := bufio.NewScanner(log)
	for sc.Scan() {
		var e struct {
			TestAccuracy       float64  `json:"test_accuracy"`
			ValidationAccuracy *float64 `json:"validation_accuracy"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return result{}, fmt.Errorf("%s: %w", log.Name(), err)
		}
		r.errors = append(r.errors, 100-e.TestAccuracy)
		if e.ValidationAccuracy != nil {
			r.held = append(r.held, 100-*e.ValidationAccuracy)
		}
	}
	if err := sc.Err(); err != nil {
		return result{}, fmt.Errorf("%s: %w", log.Name(), err)
	}
	if len(r.errors) == 0 && filepath.Base(marker) == "done" {
		return result{}, fmt.Errorf("%s: a done run without epochs", filepath.Dir(marker))
	}
	if r.held != nil && len(r.held) != len(r.errors) {
		return result{}, fmt.Errorf("%s: %d epochs with validation figures of %d", log.Name(), len(r.held), len(r.errors))
	}
	return r, nil
}

// group is the runs of one row set of the table: a data set, topology, frozen conv
// layers or not, and variant; a row per rule.
type group struct {
	key       string
	head      result            // its first run, which has what the rows share
	rows      []row             // by rule, in the paper's order
	published map[string]string // the paper's figures by rule, or nil
}

// row is the runs of one rule in a group, their final errors' mean ± std and, when
// they have validation figures, their scores' mean ± std.
type row struct {
	rule          string
	runs          []result
	mean, std     float64
	held, heldStd float64
	validated     bool
}

// groupResults puts results into groups: the paper's rows in the order of its
// tables, then the others as found; a vary line's values by their value.
func groupResults(results []result) []*group {
	var groups []*group
	byKey := map[string]*group{}
	byRule := map[*group]map[string][]result{}
	for _, r := range results {
		g := byKey[r.group()]
		if g == nil {
			g = &group{key: r.group(), head: r, published: paper[r.paperKey()]}
			byKey[g.key] = g
			byRule[g] = map[string][]result{}
			groups = append(groups, g)
		}
		byRule[g][r.rule] = append(byRule[g][r.rule], r)
	}
	for _, g := range groups {
		for _, m := range nn.Modes() {
			runs, ok := byRule[g][m.String()]
			if !ok {
				continue
			}
			finals, held := make([]float64, len(runs)), []float64(nil)
			for i, r := range runs {
				finals[i] = r.final()
				if r.held != nil {
					held = append(held, scored(r.held))
				}
			}
			rw := row{rule: m.String(), runs: runs, validated: len(held) == len(runs)}
			rw.mean, rw.std = stats.MeanStd(finals)
			if rw.validated {
				rw.held, rw.heldStd = stats.MeanStd(held)
			}
			g.rows = append(g.rows, rw)
		}
	}
	rank := func(g *group) int {
		key := g.head.paperKey()
		if i := slices.IndexFunc(paperRows, func(r paperRow) bool { return r.row == key }); i >= 0 {
			return i
		}
		return len(paperRows)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return compareVariants(a.head.variant, b.head.variant)
	})
	return groups
}

// report writes the table of the runs of dirs to w, and each group's curves into
// the folder of its first run.
func report(dirs []string, w io.Writer) error {
	var results []result
	for _, dir := range dirs {
		r, err := readResults(dir)
		if err != nil {
			return err
		}
		results = append(results, r...)
	}
	groups := groupResults(results)
	var datasets []string
	for _, g := range groups {
		if !slices.Contains(datasets, g.head.dataset) {
			datasets = append(datasets, g.head.dataset)
		}
	}
	for k, d := range datasets {
		if len(datasets) > 1 { // a table each, under its data set's name
			if k > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "**%s**\n\n", d)
		}
		validated := false // a validation column when any row has one
		for _, g := range groups {
			for _, r := range g.rows {
				validated = validated || (g.head.dataset == d && r.validated)
			}
		}
		if validated {
			fmt.Fprintf(w, "| rule | topology | settings | trials | validation error %% | test error %% (mean ± std) | paper |\n|---|---|---|---:|---:|---:|---:|\n")
		} else {
			fmt.Fprintf(w, "| rule | topology | settings | trials | test error %% (mean ± std) | paper |\n|---|---|---|---:|---:|---:|\n")
		}
		for _, g := range groups {
			if g.head.dataset != d {
				continue
			}
			for _, r := range g.rows {
				published := "–"
				if p, ok := g.published[r.rule]; ok {
					published = p
				}
				held := ""
				switch {
				case r.validated:
					held = fmt.Sprintf(" %.2f ± %.2f |", r.held, r.heldStd)
				case validated:
					held = " – |"
				}
				fmt.Fprintf(w, "| %s | %s | %s | %d |%s %.2f ± %.2f | %s |\n", r.rule, strings.TrimPrefix(g.key, d+" "), r.runs[0].settings(), len(r.runs), held, r.mean, r.std, published)
			}
		}
	}
	for _, g := range groups {
		name := filepath.Join(g.head.dir, "curves-"+strings.ReplaceAll(g.key, " ", "-")+".svg")
		if err := os.WriteFile(name, curves(g), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nTest error: the mean of each run's last %d epochs (as the paper); std over the trials.", lastEpochs)
	if slices.ContainsFunc(results, func(r result) bool { return r.held != nil }) {
		fmt.Fprintf(w, " Validation error: the mean of the last quarter of each run's epochs, at most %d.", lastEpochs)
	}
	fmt.Fprintf(w, " Curves: %s/curves-*.svg.\n", strings.Join(dirs, "/, "))
	return nil
}

// The curves' SVG: its size, and the margins of the plot inside it (the legend is
// in the right one).
const (
	curvesWidth, curvesHeight = 720, 420
	plotLeft, plotRight       = 60, 190
	plotTop, plotBottom       = 34, 46
)

// ruleColours are the rules' colours in the curves.
var ruleColours = map[string]string{"BP": "#1f4e9c", "FA": "#166b33", "DFA": "#a8321f", "sDFA": "#7a3b98", "DRTP": "#b8860b", "shallow": "#5f6676"}

// curve is one rule's line in the curves: its mean test error and std per epoch
// over its trials, and the mean ± std of the runs' final errors.
type curve struct {
	rule      string
	mean, std []float64
	final     string
}

// plot is what the curves of a group draw, and its scales: epochs 1 to epochs
// across with a tick every xStep, errors 0 to hi up with a grid line every yStep.
type plot struct {
	title     string
	curves    []curve           // by rule, in the rows' order
	published map[string]string // the paper's figures by rule, or nil
	epochs    int
	xStep     float64
	hi, yStep float64
}

// curves draws each rule's mean test error per epoch of g, with a band of ± one std
// over its trials and, dashed, the paper's figure where it has one, as an SVG of 720×420. The y axis stops at 2.5 times the largest final
// error, so that the last epochs, where the rules differ, are not squashed by the
// first; what is above is cut.
func curves(g *group) []byte {
	p := newPlot(g)
	var sb strings.Builder
	p.writeAxes(&sb)
	p.writeSeries(&sb)
	p.writeLegend(&sb)
	sb.WriteString("</svg>\n")
	return []byte(sb.String())
}

// newPlot returns g's curves and the scales that show them: up to 2.5 times the
// largest final error (at least 0.5), or the highest mean + std if that is lower.
func newPlot(g *group) *plot {
	p := &plot{title: g.key, published: g.published}
	highest, finals := 0.0, 0.0 // the highest mean + std; the largest final error, the paper's too
	for _, r := range g.rows {
		c, top := rowCurve(r)
		highest = max(highest, top)
		finals = max(finals, r.mean)
		p.epochs = max(p.epochs, len(c.mean))
		p.curves = append(p.curves, c)
	}
	for _, pub := range p.published {
		if v, ok := paperMean(pub); ok {
			finals = max(finals, v)
		}
	}
	p.yStep, p.hi = niceTicks(max(0.5, min(highest, 2.5*finals)), 6)
	p.xStep, _ = niceTicks(float64(p.epochs), 10)
	return p
}

// rowCurve returns the curve of a row over the epochs all its runs have, and its
// highest mean + std.
func rowCurve(r row) (curve, float64) {
	n := len(r.runs[0].errors)
	for _, run := range r.runs {
		n = min(n, len(run.errors))
	}
	c, highest := curve{rule: r.rule, final: fmt.Sprintf("%.2f ± %.2f", r.mean, r.std)}, 0.0
	for e := range n {
		v := make([]float64, len(r.runs))
		for i, run := range r.runs {
			v[i] = run.errors[e]
		}
		m, sd := stats.MeanStd(v)
		c.mean, c.std = append(c.mean, m), append(c.std, sd)
		highest = max(highest, m+sd)
	}
	return c, highest
}

// x is the SVG's x of epoch e, counted from 1.
func (p *plot) x(e float64) float64 {
	if p.epochs <= 1 {
		return plotLeft
	}
	return plotLeft + (e-1)*float64(curvesWidth-plotLeft-plotRight)/float64(p.epochs-1)
}

// y is the SVG's y of error v.
func (p *plot) y(v float64) float64 {
	return plotTop + (1-v/p.hi)*float64(curvesHeight-plotTop-plotBottom)
}

// writeAxes opens the SVG: its background, title and clip path, the grid, the
// axes, their ticks and their labels.
func (p *plot) writeAxes(sb *strings.Builder) {
	const w, h, left, right, top, bottom = curvesWidth, curvesHeight, plotLeft, plotRight, plotTop, plotBottom // short, for the lines below
	x, y := p.x, p.y
	fmt.Fprintf(sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n", w, h, w, h)
	fmt.Fprintf(sb, `<rect width="%d" height="%d" fill="white"/><text x="%d" y="20" font-weight="bold">%s: test error %% per epoch</text>`+"\n", w, h, left, p.title)
	fmt.Fprintf(sb, `<clipPath id="plot"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>`+"\n", left, top, w-left-right, h-top-bottom)
	for v := 0.0; v <= p.hi+1e-9; v += p.yStep {
		fmt.Fprintf(sb, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dde1e8"/><text x="%d" y="%.1f" text-anchor="end">%g</text>`+"\n", left, y(v), w-right, y(v), left-6, y(v)+4, v)
	}
	for e := 1.0; e <= float64(p.epochs); e += 1 {
		if e == 1 || math.Mod(e, p.xStep) == 0 {
			fmt.Fprintf(sb, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#5f6676"/><text x="%.1f" y="%.1f" text-anchor="middle">%g</text>`+"\n", x(e), y(0), x(e), y(0)+5, x(e), y(0)+19, e)
		}
	}
	fmt.Fprintf(sb, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#5f6676"/><line x1="%d" y1="%d" x2="%d" y2="%.1f" stroke="#5f6676"/>`+"\n", left, y(0), w-right, y(0), left, top, left, y(0))
	fmt.Fprintf(sb, `<text x="%d" y="%d" text-anchor="middle">epoch</text><text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">test error %%</text>`+"\n", (left+w-right)/2, h-6, (top+h-bottom)/2, (top+h-bottom)/2)
}

// writeSeries draws, clipped to the plot, each curve with its band of ± one std
// (and a dot on each epoch when there are few), and the paper's figure dashed.
func (p *plot) writeSeries(sb *strings.Builder) {
	x, y := p.x, p.y
	sb.WriteString(`<g clip-path="url(#plot)">` + "\n")
	for _, l := range p.curves {
		c := ruleColours[l.rule]
		var band, path strings.Builder
		for e := range l.mean {
			fmt.Fprintf(&band, "%.1f,%.1f ", x(float64(e+1)), y(l.mean[e]+l.std[e]))
		}
		for e := len(l.mean) - 1; e >= 0; e-- {
			fmt.Fprintf(&band, "%.1f,%.1f ", x(float64(e+1)), y(max(0, l.mean[e]-l.std[e])))
		}
		for e := range l.mean {
			fmt.Fprintf(&path, "%.1f,%.1f ", x(float64(e+1)), y(l.mean[e]))
		}
		fmt.Fprintf(sb, `<polygon points="%s" fill="%s" fill-opacity="0.18"/>`+"\n", strings.TrimSpace(band.String()), c)
		fmt.Fprintf(sb, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.TrimSpace(path.String()), c)
		if len(l.mean) <= 30 { // few epochs: a dot on each, so that one epoch shows too
			for e, v := range l.mean {
				fmt.Fprintf(sb, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x(float64(e+1)), y(v), c)
			}
		}
		if v, ok := paperMean(p.published[l.rule]); ok {
			fmt.Fprintf(sb, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`+"\n", plotLeft, y(v), curvesWidth-plotRight, y(v), c)
		}
	}
	sb.WriteString("</g>\n")
}

// writeLegend writes, right of the plot, each rule's final error and the paper's.
func (p *plot) writeLegend(sb *strings.Builder) {
	const at = curvesWidth - plotRight
	fmt.Fprintf(sb, `<text x="%d" y="%d" fill="#5f6676">last %d epochs, mean ± std</text>`+"\n", at+12, plotTop+8, lastEpochs)
	row := 0
	for _, l := range p.curves {
		fmt.Fprintf(sb, `<text x="%d" y="%d" fill="%s" font-weight="bold">%s %s</text>`+"\n", at+12, plotTop+30+20*row, ruleColours[l.rule], l.rule, l.final)
		row++
		if pub, ok := p.published[l.rule]; ok {
			fmt.Fprintf(sb, `<text x="%d" y="%d" fill="%s">paper %s (dashed)</text>`+"\n", at+24, plotTop+30+20*row, ruleColours[l.rule], pub)
			row++
		}
	}
}

// paperMean reads the mean of a published figure, "1.72 ± 0.08" or "1.76".
func paperMean(p string) (float64, bool) {
	m, _, _ := strings.Cut(p, " ")
	v, err := strconv.ParseFloat(m, 64)
	return v, err == nil
}

// niceTicks returns a step of 1, 2 or 5 times a power of ten giving at most n steps
// from 0 to above hi, and the top it reaches.
func niceTicks(hi float64, n int) (step, top float64) {
	for p := math.Pow(10, math.Floor(math.Log10(hi/float64(n)))); ; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if step = m * p; math.Ceil(hi/step-1e-9) <= float64(n) {
				return step, math.Ceil(hi/step-1e-9) * step
			}
		}
	}
}
