package ui

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
// 0.01), from zero forward weights so that every stroke in the weight tiles is
// learnt.
func PageDefaults() settings.Settings {
	s := settings.Default()
	s.Topology = "FC_500_FC_10"
	s.Loss, s.OutputAct = nn.CE, nn.None
	s.LR = 0.01
	s.FCZeroInit = true
	return s
}

// State is everything the page's URL says: the run's settings (with the command
// line's flag names as parameters) and how the page shows it.
type State struct {
	Settings settings.Settings
	Autoplay bool // start training as soon as the data is in
	Embed    bool // the compact 16:9 view for slides
}

// pageFlags are the parameters that are not settings.
var pageFlags = []string{"autoplay", "embed"}

// ParseQuery reads a URL query (with or without its leading "?"). Unknown parameters
// are reported in warnings and otherwise ignored; bad values make err, which names
// every bad parameter, and leave those settings at their defaults.
func ParseQuery(query string) (st State, warnings []string, err error) {
	st.Settings = PageDefaults()
	v, perr := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if perr != nil {
		return st, nil, fmt.Errorf("the link's parameters cannot be read: %v", perr)
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
		}
		delete(v, name)
	}
	s, unknown, serr := settings.FromValues(v, PageDefaults())
	st.Settings = s
	for _, name := range unknown {
		warnings = append(warnings, fmt.Sprintf("unknown parameter %q in the link (ignored)", name))
	}
	return st, warnings, joinErr(err, serr)
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
	if st.Autoplay {
		v.Set("autoplay", "1")
	}
	if st.Embed {
		v.Set("embed", "1")
	}
	return v.Encode()
}

// WorkerQuery writes the settings in full for the worker, which starts from the
// reference's defaults.
func (st State) WorkerQuery() string {
	return st.Settings.Values(settings.Default()).Encode()
}
