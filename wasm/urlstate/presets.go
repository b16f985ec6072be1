package urlstate

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/nofeedback/lwf/core/settings"
)

// Preset is one of the paper's experiments: a data set, a network and the
// reference's training settings. The rule is the user's to pick.
type Preset struct {
	Name  string // as it goes in a link: preset=mnist-500
	Title string // as the form shows it
	// Values are the settings it sets, as URL parameters.
	Values url.Values
}

// Presets lists the paper's experiments: its MNIST networks from 784-500-10 to
// 784-1000-1000-10, the conv network with trained or frozen conv layers, and the two
// synthetic tasks. They keep the reference's defaults (BCE on sigmoid outputs, NAG),
// with a learning rate of 1e-3.
var Presets = []Preset{
	{"mnist-500", "MNIST, 784-500-10", mnist("FC_500_FC_10")},
	{"mnist-1000", "MNIST, 784-1000-10", mnist("FC_1000_FC_10")},
	{"mnist-500-500", "MNIST, 784-500-500-10", mnist("FC_500_FC_500_FC_10")},
	{"mnist-1000-1000", "MNIST, 784-1000-1000-10", mnist("FC_1000_FC_1000_FC_10")},
	{"mnist-conv", "MNIST, conv 32c5-pool-1000-10", mnist("CONV_32_5_1_2_FC_1000_FC_10")},
	{"mnist-conv-frozen", "MNIST, conv 32c5-pool-1000-10, frozen conv", with(mnist("CONV_32_5_1_2_FC_1000_FC_10"), "freeze-conv-layers", "true")},
	{"regression", "Synthetic regression, 256-100-100-10", url.Values{"dataset": {settings.Regression},
		"topology": {"FC_100_FC_100_FC_10"}, "loss": {"MSE"}, "output-act": {"none"}, "lr": {"0.001"}}},
	{"classification", "Synthetic classification, 256-100-100-10", url.Values{"dataset": {settings.Classification},
		"topology": {"FC_100_FC_100_FC_10"}, "loss": {"BCE"}, "output-act": {"sigmoid"}, "lr": {"0.001"}}},
}

func mnist(topology string) url.Values {
	return url.Values{"dataset": {settings.MNIST}, "topology": {topology}, "loss": {"BCE"}, "output-act": {"sigmoid"}, "lr": {"0.001"}}
}

func with(v url.Values, key, value string) url.Values {
	v.Set(key, value)
	return v
}

// LookupPreset returns the preset of that name.
func LookupPreset(name string) (Preset, error) {
	var names []string
	for _, p := range Presets {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Preset{}, fmt.Errorf("preset: unknown %q (want one of %s)", name, strings.Join(names, ", "))
}

// Apply returns s with the preset's settings; the rule and the seed stay.
func (p Preset) Apply(s settings.Settings) (settings.Settings, error) {
	out, _, err := settings.FromValues(p.Values, s)
	return out, err
}

// Matches reports whether s has every setting of the preset.
func (p Preset) Matches(s settings.Settings) bool {
	for name, v := range p.Values {
		want := settings.Default()
		if err := want.Set(name, v[0]); err != nil || s.Get(name) != want.Get(name) {
			return false
		}
	}
	return true
}

// PresetOf returns the name of the preset s matches, or "".
func PresetOf(s settings.Settings) string {
	for _, p := range Presets {
		if p.Matches(s) && (s.FreezeConv == (p.Values.Get("freeze-conv-layers") == "true")) {
			return p.Name
		}
	}
	return ""
}
