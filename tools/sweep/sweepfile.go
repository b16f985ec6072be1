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

// parseSweep reads a sweep file; every error names the file's line.
func parseSweep(r io.Reader, file string) (*sweep, error) {
	var (
		flags             []flagValue
		rules, topologies []string
		rulesLine         int
		trials            = 1
		whens             []whenRule
		varies            []varyLine
		variantLines      []variantLine
	)
	errorf := func(line int, format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, a...))
	}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		switch key, rest := fields[0], fields[1:]; key {
		case "flags":
			fv, err := parseFlags(rest)
			if err != nil {
				return nil, errorf(n, "%v", err)
			}
			flags = append(flags, fv...)
		case "rules":
			if len(rest) == 0 {
				return nil, errorf(n, "rules: name at least one of %s", modeNames())
			}
			for _, r := range rest {
				if _, err := nn.ParseMode(r); err != nil {
					return nil, errorf(n, "rules: %v", err)
				}
			}
			rules, rulesLine = rest, n
		case "topologies":
			if len(rest) == 0 {
				return nil, errorf(n, "topologies: name at least one, such as FC_500_FC_10")
			}
			for _, t := range rest {
				if _, err := nn.ParseTopology(t); err != nil {
					return nil, errorf(n, "topologies: %q: %v", t, err)
				}
			}
			topologies = rest
		case "trials":
			k, err := strconv.Atoi(strings.Join(rest, " "))
			if err != nil || k < 1 {
				return nil, errorf(n, "trials: want a whole number of at least 1, not %q", strings.Join(rest, " "))
			}
			trials = k
		case "when", "variant":
			if len(rest) < 3 {
				return nil, errorf(n, "%s: want a rule (or *), a topology (or *) and flags, such as: %s DRTP * --lr 5e-4", key, key)
			}
			if _, err := nn.ParseMode(rest[0]); rest[0] != "*" && err != nil {
				return nil, errorf(n, "%s: %v", key, err)
			}
			if _, err := nn.ParseTopology(rest[1]); rest[1] != "*" && err != nil {
				return nil, errorf(n, "%s: %q: %v", key, rest[1], err)
			}
			fv, err := parseFlags(rest[2:])
			if err != nil {
				return nil, errorf(n, "%s: %v", key, err)
			}
			if key == "when" {
				whens = append(whens, whenRule{rest[0], rest[1], fv})
				break
			}
			for i, f := range fv {
				if _, ok := settings.Lookup(f.name); !ok {
					return nil, errorf(n, "variant: --%s: a variant sets settings of tools/train, such as --lr or --dropout", f.name)
				}
				if slices.ContainsFunc(fv[:i], func(g flagValue) bool { return g.name == f.name }) {
					return nil, errorf(n, "variant: --%s is given twice", f.name)
				}
			}
			variantLines = append(variantLines, variantLine{rest[0], rest[1], fv, n})
		case "vary":
			if len(rest) < 2 {
				return nil, errorf(n, "vary: want a setting and its values, such as: vary --lr 5e-4 1.5e-3")
			}
			name, ok := strings.CutPrefix(rest[0], "--")
			if _, known := settings.Lookup(name); !ok || !known || slices.Contains(sweepSets, name) {
				return nil, errorf(n, "vary: %q: want a setting of tools/train, such as --lr or --dropout", rest[0])
			}
			for _, v := range varies {
				if v.name == name {
					return nil, errorf(n, "vary: --%s is varied on line %d already", name, v.line)
				}
			}
			for _, value := range rest[1:] {
				set := settings.Default()
				if err := set.Set(name, value); err != nil {
					return nil, errorf(n, "vary: --%s %s: %v", name, value, err)
				}
			}
			varies = append(varies, varyLine{name, rest[1:], n})
		default:
			return nil, errorf(n, "unknown statement %q (the statements: flags, rules, topologies, trials, when, vary, variant)", key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if rules == nil || topologies == nil {
		return nil, fmt.Errorf("%s: a sweep needs a rules line and a topologies line", file)
	}
	setElsewhere := func(name string) bool {
		set := slices.ContainsFunc(flags, func(f flagValue) bool { return f.name == name })
		for _, w := range whens {
			set = set || slices.ContainsFunc(w.flags, func(f flagValue) bool { return f.name == name })
		}
		return set
	}
	for _, v := range varies {
		if setElsewhere(v.name) {
			return nil, errorf(v.line, "vary: --%s is set by a flags or when line too: give its values here only", v.name)
		}
	}
	for _, v := range variantLines {
		for _, f := range v.flags {
			if i := slices.IndexFunc(varies, func(w varyLine) bool { return w.name == f.name }); i >= 0 {
				return nil, errorf(v.line, "variant: --%s is varied on line %d: give its values there or in the variant lines", f.name, varies[i].line)
			}
			if setElsewhere(f.name) {
				return nil, errorf(v.line, "variant: --%s is set by a flags or when line too: give its value in the variant lines only", f.name)
			}
		}
	}
	varied := [][]flagValue{nil} // the cross product of the vary lines, in their order
	for _, v := range varies {
		var next [][]flagValue
		for _, head := range varied {
			for _, value := range v.values {
				next = append(next, append(slices.Clone(head), flagValue{v.name, value}))
			}
		}
		varied = next
	}
	variants := varied
	s := &sweep{}
	for _, top := range topologies {
		for _, rule := range rules {
			base := append([]flagValue(nil), flags...)
			for _, w := range whens {
				if (w.rule == "*" || w.rule == rule) && (w.topology == "*" || w.topology == top) {
					base = append(base, w.flags...)
				}
			}
			variants := variants
			if variantLines != nil {
				variants = nil
				for _, v := range variantLines {
					if (v.rule == "*" || v.rule == rule) && (v.topology == "*" || v.topology == top) {
						for _, tail := range varied {
							variants = append(variants, append(slices.Clone(v.flags), tail...))
						}
					}
				}
				if variants == nil {
					return nil, errorf(rulesLine, "%s on %s has no variant line: give it one (or leave it out of the rules and topologies)", rule, top)
				}
			}
			for _, variant := range variants {
				fv := append(slices.Clone(base), variant...)
				set := settings.Default()
				for _, f := range fv {
					if _, ok := settings.Lookup(f.name); ok {
						if err := set.Set(f.name, f.value); err != nil {
							return nil, errorf(rulesLine, "%s on %s: %v", rule, top, err)
						}
					}
				}
				if err := set.Set("train-mode", rule); err != nil {
					return nil, errorf(rulesLine, "%v", err)
				}
				if err := set.Set("topology", top); err != nil {
					return nil, errorf(rulesLine, "%v", err)
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
					return nil, errorf(rulesLine, "%s cannot run: %v", strings.Join(append([]string{rule, "on", top}, label...), " "), err)
				}
				for k := range trials {
					args := []string{"--train-mode", rule, "--topology", top, "--seed", strconv.FormatUint(set.Seed+uint64(k), 10)}
					for i, f := range fv {
						later := slices.ContainsFunc(fv[i+1:], func(g flagValue) bool { return g.name == f.name })
						if f.name != "seed" && !later { // a later line's value wins, as on a command line
							args = append(args, "--"+f.name+"="+f.value)
						}
					}
					r := run{name: fmt.Sprintf("%s_trial%d", name, k+1), args: args, variant: strings.Join(label, " "),
						dataset: fmt.Sprint(set.Dataset), topology: top, line: rulesLine}
					if slices.ContainsFunc(s.runs, func(q run) bool { return q.name == r.name }) {
						return nil, errorf(rulesLine, "%s runs twice: two variant lines give %s the same settings", r.name, rule+" on "+top)
					}
					s.runs = append(s.runs, r)
				}
			}
		}
	}
	return s, nil
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
