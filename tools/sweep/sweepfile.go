package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
)

// A sweep file lists runs of tools/train, one statement a line ('#' starts a comment):
//
//	flags --dataset MNIST --epochs 100     every run's flags (lines add up)
//	rules BP FA DFA DRTP                   the --train-mode of the runs
//	topologies FC_500_FC_10 FC_1000_FC_10  their --topology
//	trials 3                               each combination that many times
//	when DRTP * --lr 5e-4                  more flags where rule and topology match (* any)
//	vary --lr 5e-4 1.5e-3                  a setting's values, each a run of its own
//	variant DFA * --lr 5e-4 --dropout 0.1  a variant of the runs where rule and topology match
//
// The runs are topologies × rules × their variants × trials, in that order (a row of
// the paper's tables ends before the next begins). The variants are the cross
// product of the vary lines; in a file with variant lines (sweep select writes them),
// each variant line that matches the rule and topology crossed with the vary lines.
// Trial k of n has --seed s+k−1, s the flags' seed (0 unless given), as
// `tools/train --trials n` seeds its trials. A varied setting is set by its vary or
// variant lines only.

// sweep is a parsed sweep file.
type sweep struct {
	runs []run
}

// run is one tools/train run of a sweep.
type run struct {
	name     string   // rule_topology[_settingValue...]_trialK, its folder's name
	args     []string // every flag but --log
	variant  string   // the values of the vary lines, "lr=5e-4 dropout=0.1", or ""
	dataset  string   // its --dataset
	topology string   // its --topology
	line     int      // the line of the rules statement, for messages
}

// toolFlags are the flags of tools/train that a sweep may set besides the settings;
// a value of "" means a boolean.
var toolFlags = map[string]string{"subset": "int", "validation": "int", "train-eval": "", "data": "path", "threads": "int", "kernels": "name", "float64": "", "alignment": ""}

// sweepSets are the flags the sweep itself gives every run (--seed it offsets).
var sweepSets = []string{"train-mode", "topology", "trials", "log", "step-log", "save", "load", "evaluate"}

// whenRule holds the flags of a when statement.
type whenRule struct {
	rule, topology string
	flags          []flagValue
}

// varyLine holds a vary statement: a setting, its values, and its line.
type varyLine struct {
	name   string
	values []string
	line   int
}

// variantLine holds a variant statement: the rule and topology it is for (or *),
// its settings, and its line.
type variantLine struct {
	rule, topology string
	flags          []flagValue
	line           int
}

// flagValue is one --name value of a statement.
type flagValue struct{ name, value string }

// sweepParser holds what the lines of a sweep file have said so far.
type sweepParser struct {
	file              string // the file's name, for messages
	flags             []flagValue
	rules, topologies []string
	rulesLine         int // the line of the rules statement
	trials            int
	whens             []whenRule
	varies            []varyLine
	variantLines      []variantLine
}

// statements maps each statement of a sweep file to the method that parses its
// words (those after the statement's name) on line n.
var statements = map[string]func(p *sweepParser, n int, rest []string) error{
	"flags":      (*sweepParser).parseFlagsLine,
	"rules":      (*sweepParser).parseRules,
	"topologies": (*sweepParser).parseTopologies,
	"trials":     (*sweepParser).parseTrials,
	"when":       (*sweepParser).parseWhen,
	"variant":    (*sweepParser).parseVariant,
	"vary":       (*sweepParser).parseVary,
}

// parseSweep reads a sweep file; every error names the file's line.
func parseSweep(r io.Reader, file string) (*sweep, error) {
	p := &sweepParser{file: file, trials: 1}
	if err := p.scan(r); err != nil {
		return nil, err
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p.expand()
}

// errorf returns an error that names the file and its line.
func (p *sweepParser) errorf(line int, format string, a ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, line, fmt.Sprintf(format, a...))
}

// scan reads the file line by line ('#' starts a comment) and parses each
// statement with its entry of statements.
func (p *sweepParser) scan(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		parse, ok := statements[fields[0]]
		if !ok {
			return p.errorf(n, "unknown statement %q (the statements: flags, rules, topologies, trials, when, vary, variant)", fields[0])
		}
		if err := parse(p, n, fields[1:]); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", p.file, err)
	}
	return nil
}

// parseFlagsLine adds the flags of a flags statement to every run's.
func (p *sweepParser) parseFlagsLine(n int, rest []string) error {
	fv, err := parseFlags(rest)
	if err != nil {
		return p.errorf(n, "%v", err)
	}
	p.flags = append(p.flags, fv...)
	return nil
}

// parseRules reads a rules statement: the runs' training rules.
func (p *sweepParser) parseRules(n int, rest []string) error {
	if len(rest) == 0 {
		return p.errorf(n, "rules: name at least one of %s", modeNames())
	}
	for _, r := range rest {
		if _, err := nn.ParseMode(r); err != nil {
			return p.errorf(n, "rules: %v", err)
		}
	}
	p.rules, p.rulesLine = rest, n
	return nil
}

// parseTopologies reads a topologies statement: the runs' networks.
func (p *sweepParser) parseTopologies(n int, rest []string) error {
	if len(rest) == 0 {
		return p.errorf(n, "topologies: name at least one, such as FC_500_FC_10")
	}
	for _, t := range rest {
		if _, err := nn.ParseTopology(t); err != nil {
			return p.errorf(n, "topologies: %q: %v", t, err)
		}
	}
	p.topologies = rest
	return nil
}

// parseTrials reads a trials statement: how many times each combination runs.
func (p *sweepParser) parseTrials(n int, rest []string) error {
	k, err := strconv.Atoi(strings.Join(rest, " "))
	if err != nil || k < 1 {
		return p.errorf(n, "trials: want a whole number of at least 1, not %q", strings.Join(rest, " "))
	}
	p.trials = k
	return nil
}

// parseMatch reads what when and variant statements (key) share: a rule or *, a
// topology or *, then flags.
func (p *sweepParser) parseMatch(n int, key string, rest []string) ([]flagValue, error) {
	if len(rest) < 3 {
		return nil, p.errorf(n, "%s: want a rule (or *), a topology (or *) and flags, such as: %s DRTP * --lr 5e-4", key, key)
	}
	if _, err := nn.ParseMode(rest[0]); rest[0] != "*" && err != nil {
		return nil, p.errorf(n, "%s: %v", key, err)
	}
	if _, err := nn.ParseTopology(rest[1]); rest[1] != "*" && err != nil {
		return nil, p.errorf(n, "%s: %q: %v", key, rest[1], err)
	}
	fv, err := parseFlags(rest[2:])
	if err != nil {
		return nil, p.errorf(n, "%s: %v", key, err)
	}
	return fv, nil
}

// parseWhen reads a when statement: more flags for the runs it matches.
func (p *sweepParser) parseWhen(n int, rest []string) error {
	fv, err := p.parseMatch(n, "when", rest)
	if err != nil {
		return err
	}
	p.whens = append(p.whens, whenRule{rest[0], rest[1], fv})
	return nil
}

// parseVariant reads a variant statement: settings of tools/train, each given once.
func (p *sweepParser) parseVariant(n int, rest []string) error {
	fv, err := p.parseMatch(n, "variant", rest)
	if err != nil {
		return err
	}
	for i, f := range fv {
		if _, ok := settings.Lookup(f.name); !ok {
			return p.errorf(n, "variant: --%s: a variant sets settings of tools/train, such as --lr or --dropout", f.name)
		}
		if slices.ContainsFunc(fv[:i], func(g flagValue) bool { return g.name == f.name }) {
			return p.errorf(n, "variant: --%s is given twice", f.name)
		}
	}
	p.variantLines = append(p.variantLines, variantLine{rest[0], rest[1], fv, n})
	return nil
}

// parseVary reads a vary statement: a setting of tools/train, varied on no other
// line, and its values, each one it takes.
func (p *sweepParser) parseVary(n int, rest []string) error {
	if len(rest) < 2 {
		return p.errorf(n, "vary: want a setting and its values, such as: vary --lr 5e-4 1.5e-3")
	}
	name, ok := strings.CutPrefix(rest[0], "--")
	if _, known := settings.Lookup(name); !ok || !known || slices.Contains(sweepSets, name) {
		return p.errorf(n, "vary: %q: want a setting of tools/train, such as --lr or --dropout", rest[0])
	}
	for _, v := range p.varies {
		if v.name == name {
			return p.errorf(n, "vary: --%s is varied on line %d already", name, v.line)
		}
	}
	for _, value := range rest[1:] {
		set := settings.Default()
		if err := set.Set(name, value); err != nil {
			return p.errorf(n, "vary: --%s %s: %v", name, value, err)
		}
	}
	p.varies = append(p.varies, varyLine{name, rest[1:], n})
	return nil
}

// check checks the file as a whole: it has rules and topologies, and a setting that
// vary or variant lines give is given by no other kind of line.
func (p *sweepParser) check() error {
	if p.rules == nil || p.topologies == nil {
		return fmt.Errorf("%s: a sweep needs a rules line and a topologies line", p.file)
	}
	for _, v := range p.varies {
		if p.setElsewhere(v.name) {
			return p.errorf(v.line, "vary: --%s is set by a flags or when line too: give its values here only", v.name)
		}
	}
	for _, v := range p.variantLines {
		for _, f := range v.flags {
			if i := slices.IndexFunc(p.varies, func(w varyLine) bool { return w.name == f.name }); i >= 0 {
				return p.errorf(v.line, "variant: --%s is varied on line %d: give its values there or in the variant lines", f.name, p.varies[i].line)
			}
			if p.setElsewhere(f.name) {
				return p.errorf(v.line, "variant: --%s is set by a flags or when line too: give its value in the variant lines only", f.name)
			}
		}
	}
	return nil
}

// setElsewhere says whether a flags or when line sets the flag name.
func (p *sweepParser) setElsewhere(name string) bool {
	set := slices.ContainsFunc(p.flags, func(f flagValue) bool { return f.name == name })
	for _, w := range p.whens {
		set = set || slices.ContainsFunc(w.flags, func(f flagValue) bool { return f.name == name })
	}
	return set
}

// matches says whether a when or variant line for rule and topology (each a name
// or *) applies to the runs of rule on top.
func matches(rulePattern, topologyPattern, rule, top string) bool {
	return (rulePattern == "*" || rulePattern == rule) && (topologyPattern == "*" || topologyPattern == top)
}

// expand writes the runs: topologies × rules × their variants × trials, in that
// order, each checked; no two may share a name.
func (p *sweepParser) expand() (*sweep, error) {
	varied := crossVaries(p.varies)
	s := &sweep{}
	for _, top := range p.topologies {
		for _, rule := range p.rules {
			base := p.baseFlags(rule, top)
			variants, err := p.variantsOf(rule, top, varied)
			if err != nil {
				return nil, err
			}
			for _, variant := range variants {
				runs, err := p.runsOf(rule, top, base, variant)
				if err != nil {
					return nil, err
				}
				for _, r := range runs {
					if slices.ContainsFunc(s.runs, func(q run) bool { return q.name == r.name }) {
						return nil, p.errorf(p.rulesLine, "%s runs twice: two variant lines give %s the same settings", r.name, rule+" on "+top)
					}
					s.runs = append(s.runs, r)
				}
			}
		}
	}
	return s, nil
}

// crossVaries returns the cross product of the vary lines' values, in their order:
// one variant, with no flags, when there are none.
func crossVaries(varies []varyLine) [][]flagValue {
	varied := [][]flagValue{nil}
	for _, v := range varies {
		var next [][]flagValue
		for _, head := range varied {
			for _, value := range v.values {
				next = append(next, append(slices.Clone(head), flagValue{v.name, value}))
			}
		}
		varied = next
	}
	return varied
}

// baseFlags returns the flags every run of rule on top has: the flags lines', then
// those of the when lines that match.
func (p *sweepParser) baseFlags(rule, top string) []flagValue {
	base := append([]flagValue(nil), p.flags...)
	for _, w := range p.whens {
		if matches(w.rule, w.topology, rule, top) {
			base = append(base, w.flags...)
		}
	}
	return base
}

// variantsOf returns the variants of rule on top: the cross product of the vary
// lines or, in a file with variant lines, each that matches crossed with it.
func (p *sweepParser) variantsOf(rule, top string, varied [][]flagValue) ([][]flagValue, error) {
	if p.variantLines == nil {
		return varied, nil
	}
	var variants [][]flagValue
	for _, v := range p.variantLines {
		if matches(v.rule, v.topology, rule, top) {
			for _, tail := range varied {
				variants = append(variants, append(slices.Clone(v.flags), tail...))
			}
		}
	}
	if variants == nil {
		return nil, p.errorf(p.rulesLine, "%s on %s has no variant line: give it one (or leave it out of the rules and topologies)", rule, top)
	}
	return variants, nil
}

// runsOf returns the trials of one variant of rule on top, once its settings have
// been checked together.
func (p *sweepParser) runsOf(rule, top string, base, variant []flagValue) ([]run, error) {
	fv := append(slices.Clone(base), variant...)
	set, err := p.settingsOf(rule, top, fv)
	if err != nil {
		return nil, err
	}
	shape, err := settings.ShapeOf(set.Dataset)
	if err == nil {
		err = set.Check(shape)
	}
	name, label := rule+"_"+top, make([]string, len(variant))
	for i, f := range variant {
		name += "_" + f.name + f.value
		label[i] = f.name + "=" + f.value
	}
	if err != nil {
		return nil, p.errorf(p.rulesLine, "%s cannot run: %v", strings.Join(append([]string{rule, "on", top}, label...), " "), err)
	}
	var runs []run
	for k := range p.trials {
		runs = append(runs, run{name: fmt.Sprintf("%s_trial%d", name, k+1), args: trialArgs(rule, top, set.Seed+uint64(k), fv),
			variant: strings.Join(label, " "), dataset: fmt.Sprint(set.Dataset), topology: top, line: p.rulesLine})
	}
	return runs, nil
}

// settingsOf returns the settings of tools/train that the flags fv give a run of
// rule on top.
func (p *sweepParser) settingsOf(rule, top string, fv []flagValue) (settings.Settings, error) {
	set := settings.Default()
	for _, f := range fv {
		if _, ok := settings.Lookup(f.name); ok {
			if err := set.Set(f.name, f.value); err != nil {
				return set, p.errorf(p.rulesLine, "%s on %s: %v", rule, top, err)
			}
		}
	}
	if err := set.Set("train-mode", rule); err != nil {
		return set, p.errorf(p.rulesLine, "%v", err)
	}
	if err := set.Set("topology", top); err != nil {
		return set, p.errorf(p.rulesLine, "%v", err)
	}
	return set, nil
}

// trialArgs returns the command-line flags of one trial: its rule, topology and
// seed, then the flags fv but --seed, each name once (a later line's value wins, as
// on a command line).
func trialArgs(rule, top string, seed uint64, fv []flagValue) []string {
	args := []string{"--train-mode", rule, "--topology", top, "--seed", strconv.FormatUint(seed, 10)}
	for i, f := range fv {
		later := slices.ContainsFunc(fv[i+1:], func(g flagValue) bool { return g.name == f.name })
		if f.name != "seed" && !later {
			args = append(args, "--"+f.name+"="+f.value)
		}
	}
	return args
}

// parseFlags reads --name value, --name=value and boolean --name; the names must
// be tools/train's, and not those the sweep sets.
func parseFlags(words []string) ([]flagValue, error) {
	var out []flagValue
	for i := 0; i < len(words); i++ {
		w := words[i]
		name, ok := strings.CutPrefix(w, "--")
		if !ok {
			return nil, fmt.Errorf("%q: flags start with --", w)
		}
		name, value, hasValue := strings.Cut(name, "=")
		if slices.Contains(sweepSets, name) {
			return nil, fmt.Errorf("--%s: not in a sweep, which sets each run's rule, topology, trial and log itself", name)
		}
		isBool := false
		if f, ok := settings.Lookup(name); ok {
			isBool = f.Bool
		} else if kind, ok := toolFlags[name]; ok {
			isBool = kind == ""
		} else {
			return nil, fmt.Errorf("--%s: no such flag of tools/train", name)
		}
		if !hasValue {
			if isBool {
				value = "true"
			} else if i+1 < len(words) && !strings.HasPrefix(words[i+1], "--") {
				i++
				value = words[i]
			} else {
				return nil, fmt.Errorf("--%s: needs a value", name)
			}
		}
		if kind := toolFlags[name]; kind == "int" {
			least := 0
			if name == "threads" {
				least = 1
			}
			if v, err := strconv.Atoi(value); err != nil || v < least {
				return nil, fmt.Errorf("--%s %q: want a whole number of at least %d", name, value, least)
			}
		}
		if f, ok := settings.Lookup(name); ok {
			probe := settings.Default()
			if err := probe.Set(f.Name, value); err != nil {
				return nil, err
			}
		}
		out = append(out, flagValue{name, value})
	}
	return out, nil
}

func modeNames() string {
	var names []string
	for _, m := range nn.Modes() {
		names = append(names, m.String())
	}
	return strings.Join(names, ", ")
}
