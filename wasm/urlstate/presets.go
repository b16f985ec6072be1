package urlstate

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/nofeedback/lwf/core/settings"
)

// Preset is one of the paper's experiments: a data set and a network, with two sets
// of training settings to pick from (Variant). The rule is the user's to pick.
type Preset struct {
	Name  string // as it goes in a link: preset=mnist-500
	Title string // as the form shows it
	// Demo and Reference are the settings each variant sets, as URL parameters.
	Demo, Reference url.Values
}

// Variant says which of a preset's settings a run takes.
type Variant int

// The variants of a preset's settings.
const (
	// Demo is chosen for the page: it learns visibly within the first minute (cross
	// entropy on linear outputs, a learning rate and batch size tuned for each
	// network, where the reference's settings barely move in that time).
	Demo Variant = iota
	// Reference is the published code's defaults (its main.py): binary cross entropy on
	// sigmoid outputs, NAG, a learning rate of 1e-4, batches of 100, no dropout. The article's own
	// learning rates and dropout per rule and network are not here: its text could
	// not be read for this project.
	Reference
)

// variantNames are the variants as a link names them (preset-settings=reference).
var variantNames = map[Variant]string{Demo: "demo", Reference: "reference"}

func (v Variant) String() string { return variantNames[v] }

// ParseVariant reads a variant's name.
func ParseVariant(s string) (Variant, error) {
	for v, name := range variantNames {
		if name == s {
			return v, nil
		}
	}
	return Demo, fmt.Errorf("preset-settings: unknown %q (want demo or reference)", s)
}

// Presets lists the paper's experiments: its MNIST networks from 784-500-10 to
// 784-1000-1000-10, the conv network with trained or frozen conv layers, and the two
// synthetic tasks.
var Presets = []Preset{
	mnist("mnist-500", "MNIST, 784-500-10", "FC_500_FC_10", fcDemo),
	mnist("mnist-1000", "MNIST, 784-1000-10", "FC_1000_FC_10", fcDemo),
	mnist("mnist-500-500", "MNIST, 784-500-500-10", "FC_500_FC_500_FC_10", fcDemo),
	mnist("mnist-1000-1000", "MNIST, 784-1000-1000-10", "FC_1000_FC_1000_FC_10", fcDemo),
	mnist("mnist-conv", "MNIST, conv 32c5-pool-1000-10", "CONV_32_5_1_2_FC_1000_FC_10", convDemo),
	frozen(mnist("mnist-conv-frozen", "MNIST, conv 32c5-pool-1000-10, frozen conv", "CONV_32_5_1_2_FC_1000_FC_10", frozenDemo)),
	synthetic("regression", "Synthetic regression, 256-100-100-10", settings.Regression, "MSE", "none"),
	synthetic("classification", "Synthetic classification, 256-100-100-10", settings.Classification, "BCE", "sigmoid"),
}

// The demo's settings. On the conv network, batches of 50 at 0.002 take DRTP
// (natively, trained conv layers) to 79% after 2000 samples and 89% after 5000,
// where batches of 100 at 0.003 reach 57% after 5000 and 0.005 does not learn; with
// frozen conv layers, batches of 100 at 0.003 show 89% in the page after 30 s, and
// batches of 50 at 0.002 86% after 42 s.
var (
	fcDemo     = map[string]string{"loss": "CE", "output-act": "none", "lr": "0.01", "batch-size": "100"}
	convDemo   = map[string]string{"loss": "CE", "output-act": "none", "lr": "0.002", "batch-size": "50"}
	frozenDemo = map[string]string{"loss": "CE", "output-act": "none", "lr": "0.003", "batch-size": "100"}
)

// The published code's defaults.
const (
	referenceLR    = "0.0001"
	referenceBatch = "100"
)

func mnist(name, title, topology string, demo map[string]string) Preset {
	base := url.Values{"dataset": {settings.MNIST}, "topology": {topology}, "optimizer": {"NAG"}, "dropout": {"0"}}
	return Preset{Name: name, Title: title, Demo: with(base, demo),
		Reference: with(base, map[string]string{"loss": "BCE", "output-act": "sigmoid", "lr": referenceLR, "batch-size": referenceBatch})}
}

func frozen(p Preset) Preset {
	p.Demo = with(p.Demo, map[string]string{"freeze-conv-layers": "true"})
	p.Reference = with(p.Reference, map[string]string{"freeze-conv-layers": "true"})
	return p
}

// synthetic is a synthetic task, whose loss the task sets: the demo learns at 1e-3.
func synthetic(name, title, dataset, loss, outputAct string) Preset {
	base := url.Values{"dataset": {dataset}, "topology": {"FC_100_FC_100_FC_10"}, "loss": {loss}, "output-act": {outputAct},
		"optimizer": {"NAG"}, "dropout": {"0"}}
	return Preset{Name: name, Title: title, Demo: with(base, map[string]string{"lr": "0.001", "batch-size": referenceBatch}),
		Reference: with(base, map[string]string{"lr": referenceLR, "batch-size": referenceBatch})}
}

// with returns a copy of v with the given values set.
func with(v url.Values, set map[string]string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for k, x := range set {
		out.Set(k, x)
	}
	return out
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

// Values returns the settings the variant sets.
func (p Preset) Values(v Variant) url.Values {
	if v == Reference {
		return p.Reference
	}
	return p.Demo
}

// Apply returns s with the variant's settings; the rule and the seed stay.
func (p Preset) Apply(s settings.Settings, v Variant) (settings.Settings, error) {
	out, _, err := settings.FromValues(p.Values(v), s)
	return out, err
}

// Matches reports whether s has every setting of the variant, and no frozen conv
// layers unless it sets them.
func (p Preset) Matches(s settings.Settings, v Variant) bool {
	values := p.Values(v)
	for name, vs := range values {
		want := settings.Default()
		if err := want.Set(name, vs[0]); err != nil || s.Get(name) != want.Get(name) {
			return false
		}
	}
	return s.FreezeConv == (values.Get("freeze-conv-layers") == "true")
}

// PresetOf returns the name of the preset s matches and its variant, or "".
func PresetOf(s settings.Settings) (string, Variant) {
	for _, p := range Presets {
		for _, v := range []Variant{Demo, Reference} {
			if p.Matches(s, v) {
				return p.Name, v
			}
		}
	}
	return "", Demo
}
