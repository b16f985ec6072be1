// Package urlstate is the page's state in its link: the command line's flag names as
// query parameters, the page's own defaults, the paper's experiments as presets, and
// the query each worker is started with. The page and its worker both read it; it
// knows nothing of either.
package urlstate

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
)

// PageDefaults are the page's own defaults where they differ from the reference's
// command line: a network, loss and learning rate that show DRTP past 90% test
// accuracy within seconds (784-500-10, cross-entropy on the raw outputs, NAG at
// 0.01). FC weights start random, as in the reference: starting them at zero does
// not speed DRTP up here, and it stalls BP for its first 20,000 samples, which a
// race would show as BP's fault.
func PageDefaults() settings.Settings {
	s := settings.Default()
	s.Topology = "FC_500_FC_10"
	s.Loss, s.OutputAct = nn.CE, nn.None
	s.LR = 0.01
	return s
}

// State is everything the page's URL says: the run's settings (with the command
// line's flag names as parameters) and how the page shows it.
type State struct {
	Settings settings.Settings
	// Race holds the rules of a race (train-mode=BP,DRTP…): two to six, each trained
	// in its own worker from the same seed. Empty for a single run, whose rule is
	// Settings.Mode; for a race Settings.Mode is the first of them.
	Race     []nn.Mode
	Autoplay bool // start training as soon as the data is in
	Embed    bool // the compact 16:9 view for slides
	Present  bool // the view for a projector: the main views on one screen, large text
	// Signals puts, in the projector's view and the embed, the learning signals
	// beside the curves where the weights and the feedback matrices are.
	Signals bool
}

// MaxRace is the most rules one race trains at once.
const MaxRace = 6

// pageFlags are the parameters that are not settings.
var pageFlags = []string{"autoplay", "embed", "present", "signals"}

// ParseQuery reads a URL query (with or without its leading "?"). Unknown parameters
// are reported in warnings and otherwise ignored; bad values make err, which names
// every bad parameter, and leave those settings at their defaults.
func ParseQuery(query string) (st State, warnings []string, err error) {
	st.Settings = PageDefaults()
	v, perr := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if perr != nil {
		return st, nil, fmt.Errorf("the link's parameters cannot be read: %v", perr)
	}
	variant := Demo
	if name := v.Get("preset-settings"); name != "" {
		delete(v, "preset-settings")
		var verr error
		if variant, verr = ParseVariant(name); verr != nil {
			err = joinErr(err, verr)
		}
	}
	if name := v.Get("preset"); name != "" { // a preset first; the link's own settings override it
		delete(v, "preset")
		if p, perr := LookupPreset(name); perr != nil {
			err = joinErr(err, perr)
		} else {
			base := PageDefaults()
			if base, perr = p.Apply(base, variant); perr == nil {
				st.Settings = base
			}
		}
	}
	for _, name := range pageFlags {
		vals, ok := v[name]
		if !ok {
			continue
		}
		on, ferr := parseSwitch(vals[len(vals)-1])
		if ferr != nil {
			err = joinErr(err, fmt.Errorf("%s: %v", name, ferr))
		}
		switch name {
		case "autoplay":
			st.Autoplay = on
		case "embed":
			st.Embed = on
		case "present":
			st.Present = on
		case "signals":
			st.Signals = on
		}
		delete(v, name)
	}
	if modes := v.Get("train-mode"); strings.Contains(modes, ",") {
		race, rerr := parseRace(modes)
		if rerr != nil {
			err = joinErr(err, rerr)
		} else {
			st.Race = race
			v.Set("train-mode", race[0].String())
		}
	}
	s, unknown, serr := settings.FromValues(v, st.Settings)
	st.Settings = s
	for _, name := range unknown {
		warnings = append(warnings, fmt.Sprintf("unknown parameter %q in the link (ignored)", name))
	}
	return st, warnings, joinErr(err, serr)
}

// parseRace reads a comma-separated list of two to six different rules.
func parseRace(list string) ([]nn.Mode, error) {
	var race []nn.Mode
	for _, name := range strings.Split(list, ",") {
		m, err := nn.ParseMode(strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("train-mode: %v", err)
		}
		for _, r := range race {
			if r == m {
				return nil, fmt.Errorf("train-mode: %s twice in the race %q", m, list)
			}
		}
		race = append(race, m)
	}
	if len(race) < 2 || len(race) > MaxRace {
		return nil, fmt.Errorf("train-mode: a race has 2 to %d rules, not %d", MaxRace, len(race))
	}
	return race, nil
}

// Modes returns the rules the page trains: the race's, or the single run's.
func (st State) Modes() []nn.Mode {
	if len(st.Race) > 0 {
		return st.Race
	}
	return []nn.Mode{st.Settings.Mode}
}

func parseSwitch(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("%q is not 1 or 0", v)
}

func joinErr(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return fmt.Errorf("%v\n%v", a, b)
}

// Query writes the state as a URL query: the settings that differ from the page's
// defaults, then the page's own flags.
func (st State) Query() string {
	v := st.Settings.Values(PageDefaults())
	if len(st.Race) > 0 {
		names := make([]string, len(st.Race))
		for i, m := range st.Race {
			names[i] = m.String()
		}
		v.Set("train-mode", strings.Join(names, ","))
	}
	if st.Autoplay {
		v.Set("autoplay", "1")
	}
	if st.Embed {
		v.Set("embed", "1")
	}
	if st.Present {
		v.Set("present", "1")
	}
	if st.Signals {
		v.Set("signals", "1")
	}
	return v.Encode()
}

// WorkerQuery writes the settings in full for the worker that trains rule mode,
// which starts from the reference's defaults.
func (st State) WorkerQuery(mode nn.Mode) string {
	s := st.Settings
	s.Mode = mode
	return s.Values(settings.Default()).Encode()
}
