//go:build js && wasm

package ui

import (
	"errors"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/urlstate"
)

// control is the input of one setting, with the message shown under it.
type control struct {
	name  string
	input dom.Element // select, input, or the radio group
	radio []dom.Element
	error dom.Element
	field settings.Field
}

// groups lays the settings out as the form shows them; trials and test-batch-size
// belong to the command line only.
var groups = []struct {
	title string
	names []string
}{
	{"Learning rule", []string{"train-mode"}},
	{"Data and network", []string{"dataset", "topology", "hidden-act", "conv-act", "output-act"}},
	{"Training", []string{"loss", "optimizer", "lr", "batch-size", "epochs", "dropout", "seed", "fc-zero-init", "freeze-conv-layers"}},
}

var labels = map[string]string{
	"train-mode": "Rule", "dataset": "Data set", "topology": "Topology", "hidden-act": "Hidden activation",
	"conv-act": "Conv activation", "output-act": "Output activation", "loss": "Loss", "optimizer": "Optimizer",
	"lr": "Learning rate", "batch-size": "Batch size", "epochs": "Epochs", "dropout": "Dropout", "seed": "Seed",
	"fc-zero-init": "FC weights start at zero", "freeze-conv-layers": "Freeze conv layers",
}

var topologyPresets = []string{"FC_500_FC_10", "FC_1000_FC_10", "FC_500_FC_500_FC_10", "FC_1000_FC_1000_FC_10", "CONV_32_5_1_2_FC_1000_FC_10"}

// ruleText explains each rule with its one-line update.
var ruleText = map[nn.Mode]string{
	nn.BP:      "Backpropagation: the error goes back through the transposed forward weights, δₖ = (Wₖ₊₁ᵀ δₖ₊₁) ⊙ f′(aₖ). It needs weight transport and a backward pass, and each layer waits for the one above.",
	nn.FA:      "Feedback alignment: the same backward pass, through fixed random matrices instead of the weights, δₖ = (Bₖ₊₁ᵀ δₖ₊₁) ⊙ f′(aₖ). No weight transport, still a backward pass.",
	nn.DFA:     "Direct feedback alignment: the output error e = y − t reaches every hidden layer directly, δₖ = (Bₖᵀ e) ⊙ f′(aₖ). No backward pass, but each layer waits for the output's error.",
	nn.SDFA:    "Sign-DFA: only the sign of the output error, δₖ = (Bₖᵀ sign(e)) ⊙ f′(aₖ).",
	nn.DRTP:    "Direct random target projection: the one-hot target alone, through a fixed random matrix, δₖ = (Bₖᵀ t) ⊙ f′(aₖ). No error, no backward pass, no waiting: a layer learns as soon as its own forward pass is done.",
	nn.Shallow: "Shallow learning: the hidden layers keep their random initial weights, δₖ = 0; only the output layer learns.",
}

func (p *page) buildControls() {
	form := p.doc.GetElementByID("settings")
	if form == nil {
		return
	}
	for _, g := range groups {
		fs := p.doc.CreateElement("fieldset")
		legend := p.doc.CreateElement("legend")
		legend.SetTextContent(g.title)
		fs.AppendChild(legend)
		if g.names[0] == "dataset" {
			fs.AppendChild(p.buildPresets())
		}
		for _, name := range g.names {
			f, ok := settings.Lookup(name)
			if !ok {
				continue
			}
			fs.AppendChild(p.buildControl(f))
		}
		form.AppendChild(fs)
		if g.names[0] == "train-mode" {
			rule := p.doc.CreateElement("p")
			rule.SetID("rule-text")
			rule.Class().Add("rule-text")
			fs.AppendChild(rule)
		}
	}
	p.syncControls()
}

// buildControl makes the control of one setting, with the place for its error: the
// rule as a segmented choice, a switch as a checkbox, a choice as a select, and
// anything else as a text field.
func (p *page) buildControl(f settings.Field) dom.Element {
	c := &control{name: f.Name, field: f}
	p.controls[f.Name] = c
	wrap := p.doc.CreateElement("div")
	wrap.Class().Add("field")
	wrap.SetAttribute("data-name", f.Name)
	c.error = p.doc.CreateElement("p")
	c.error.SetID("error-" + f.Name)
	c.error.Class().Add("field-error")
	c.error.SetAttribute("hidden", "")
	c.error.SetAttribute("role", "alert")
	id := "setting-" + f.Name
	switch {
	case f.Name == "train-mode":
		p.buildRules(c, wrap, id)
	case f.Bool:
		p.buildSwitch(c, wrap, id)
	default:
		p.buildField(c, wrap, id)
	}
	wrap.AppendChild(c.error)
	return wrap
}

// buildRules makes the rule's control: a radio button per rule.
func (p *page) buildRules(c *control, wrap dom.Element, id string) {
	group := p.doc.CreateElement("div")
	group.Class().Add("segmented")
	group.SetAttribute("role", "radiogroup")
	group.SetAttribute("aria-label", "Learning rule")
	for _, choice := range c.field.Choices {
		label := p.doc.CreateElement("label")
		in := p.doc.CreateElement("input")
		in.SetAttribute("type", "radio")
		in.SetAttribute("name", c.name)
		in.SetAttribute("value", choice)
		in.SetID(id + "-" + choice)
		span := p.doc.CreateElement("span")
		span.SetTextContent(choice)
		label.AppendChild(in)
		label.AppendChild(span)
		group.AppendChild(label)
		c.radio = append(c.radio, in)
		in.AddEventListener("change", false, func(dom.Event) { p.changed(c.name, choice) })
	}
	c.input = group
	wrap.AppendChild(group)
}

// buildSwitch makes a checkbox for a setting that is on or off.
func (p *page) buildSwitch(c *control, wrap dom.Element, id string) {
	label := p.doc.CreateElement("label")
	label.Class().Add("check")
	in := p.doc.CreateElement("input")
	in.SetAttribute("type", "checkbox")
	in.SetID(id)
	span := p.doc.CreateElement("span")
	span.SetTextContent(labels[c.name])
	label.AppendChild(in)
	label.AppendChild(span)
	wrap.AppendChild(label)
	c.input = in
	in.AddEventListener("change", false, func(dom.Event) {
		p.changed(c.name, boolText(in.(*dom.HTMLInputElement).Checked()))
	})
}

// buildField makes a labelled select for a setting with choices, and a text field
// for the others (the topology's with the paper's networks to pick from).
func (p *page) buildField(c *control, wrap dom.Element, id string) {
	f := c.field
	label := p.doc.CreateElement("label")
	label.SetAttribute("for", id)
	label.SetTextContent(labels[f.Name])
	wrap.AppendChild(label)
	var in dom.Element
	if f.Choices != nil {
		in = p.doc.CreateElement("select")
		for _, choice := range f.Choices {
			opt := p.doc.CreateElement("option")
			opt.SetAttribute("value", choice)
			opt.SetTextContent(choice)
			if f.Name == "dataset" && strings.HasPrefix(choice, "CIFAR") {
				opt.SetTextContent(choice + " (command line only)")
				opt.SetAttribute("disabled", "")
			}
			in.AppendChild(opt)
		}
	} else {
		in = p.doc.CreateElement("input")
		in.SetAttribute("type", "text")
		in.SetAttribute("spellcheck", "false")
		in.SetAttribute("autocomplete", "off")
		if f.Name != "topology" {
			in.SetAttribute("inputmode", "decimal")
		} else {
			in.SetAttribute("list", "topology-presets")
			list := p.doc.CreateElement("datalist")
			list.SetID("topology-presets")
			for _, t := range topologyPresets {
				opt := p.doc.CreateElement("option")
				opt.SetAttribute("value", t)
				list.AppendChild(opt)
			}
			wrap.AppendChild(list)
		}
	}
	in.SetID(id)
	in.SetAttribute("aria-describedby", "error-"+f.Name)
	in.SetAttribute("title", f.Usage)
	wrap.AppendChild(in)
	c.input = in
	in.AddEventListener("change", false, func(dom.Event) { p.changed(f.Name, in.Underlying().Get("value").String()) })
}

// buildPresets makes the choice of one of the paper's experiments, and of its
// settings: the demo's, which learn within the first minute, or the published
// code's.
func (p *page) buildPresets() dom.Element {
	wrap := p.doc.CreateElement("div")
	sel := p.selectField(wrap, "preset", "Experiment of the paper")
	own := p.doc.CreateElement("option")
	own.SetAttribute("value", "")
	own.SetTextContent("(your own settings)")
	sel.AppendChild(own)
	for _, pr := range urlstate.Presets {
		opt := p.doc.CreateElement("option")
		opt.SetAttribute("value", pr.Name)
		opt.SetTextContent(pr.Title)
		sel.AppendChild(opt)
	}
	variants := p.selectField(wrap, "preset-settings", "Its settings")
	for _, v := range []struct {
		variant     urlstate.Variant
		text, title string
	}{
		{urlstate.Demo, "Fast, for a demo", "Cross-entropy on linear outputs, a learning rate and batch size that learn within the first minute"},
		{urlstate.Reference, "The reference code's", "The published code's defaults: BCE on sigmoid outputs, NAG at 1e-4, batches of 100"},
	} {
		opt := p.doc.CreateElement("option")
		opt.SetAttribute("value", v.variant.String())
		opt.SetAttribute("title", v.title)
		opt.SetTextContent(v.text)
		variants.AppendChild(opt)
	}
	apply := func(dom.Event) {
		pr, err := urlstate.LookupPreset(sel.Underlying().Get("value").String())
		if err != nil {
			return // "(your own settings)": nothing to apply
		}
		variant, err := urlstate.ParseVariant(variants.Underlying().Get("value").String())
		if err != nil {
			return
		}
		next, err := pr.Apply(p.state.Settings, variant)
		if err != nil {
			p.showSettingsError(err)
			return
		}
		p.state.Settings = next
		p.syncControls()
		p.writeURL()
		p.restart()
	}
	sel.AddEventListener("change", false, apply)
	variants.AddEventListener("change", false, apply)
	return wrap
}

// selectField appends to parent a labelled, empty select with the given id.
func (p *page) selectField(parent dom.Element, id, text string) dom.Element {
	field := p.doc.CreateElement("div")
	field.Class().Add("field")
	label := p.doc.CreateElement("label")
	label.SetAttribute("for", id)
	label.SetTextContent(text)
	sel := p.doc.CreateElement("select")
	sel.SetID(id)
	field.AppendChild(label)
	field.AppendChild(sel)
	parent.AppendChild(field)
	return sel
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// syncControls shows the current settings in the form.
func (p *page) syncControls() {
	s := &p.state.Settings
	for name, c := range p.controls {
		v := s.Get(name)
		switch {
		case c.radio != nil:
			for _, r := range c.radio {
				r.Underlying().Set("checked", r.GetAttribute("value") == v)
			}
		case c.field.Bool:
			c.input.Underlying().Set("checked", v == "true")
		default:
			c.input.Underlying().Set("value", v)
		}
	}
	if el := p.doc.GetElementByID("preset"); el != nil {
		name, variant := urlstate.PresetOf(*s)
		el.Underlying().Set("value", name)
		v := p.doc.GetElementByID("preset-settings")
		v.Underlying().Set("value", variant.String())
		v.Underlying().Set("disabled", name == "")
	}
	if el := p.doc.GetElementByID("rule-text"); el != nil {
		text := ruleText[s.Mode]
		if len(p.state.Race) > 0 {
			names := make([]string, len(p.state.Race))
			for i, m := range p.state.Race {
				names[i] = m.String()
			}
			text = "A race of " + strings.Join(names, ", ") + ": each rule trains in its own worker, from the same initial weights and data order. Pick one rule to end the race."
		}
		el.SetTextContent(text)
	}
	// The conv activation and frozen conv layers matter only with CONV blocks.
	hasConv := strings.Contains(strings.ToUpper(s.Topology), "CONV")
	for _, name := range []string{"conv-act", "freeze-conv-layers"} {
		if c := p.controls[name]; c != nil {
			setDisabled(c.input, !hasConv)
		}
	}
}

// changed applies a new value typed or picked by the user: a bad value is shown
// under its control and starts nothing; a good one restarts the run.
func (p *page) changed(name, value string) {
	c := p.controls[name]
	next := p.state.Settings
	if err := next.Set(name, value); err != nil {
		msg := err.Error()
		var bad *settings.Error
		if errors.As(err, &bad) && bad.Name == name {
			msg = bad.Err.Error() // under its own control, the setting's name goes without saying
		}
		c.error.SetTextContent(msg)
		c.error.RemoveAttribute("hidden")
		c.input.SetAttribute("aria-invalid", "true")
		p.showSettingsError(err)
		return
	}
	for _, other := range p.controls { // the form shows the settings in force again
		other.error.SetAttribute("hidden", "")
		other.input.RemoveAttribute("aria-invalid")
	}
	p.state.Settings = next
	if name == "train-mode" {
		p.state.Race = nil // picking one rule ends a race
	}
	p.syncControls()
	p.writeURL()
	p.restart()
}

// restart starts the runs anew on the settings now in force, or says why they
// cannot run.
func (p *page) restart() {
	if err := p.checkSettings(); err != nil {
		p.showSettingsError(err)
		return
	}
	p.clearError()
	p.start()
}
