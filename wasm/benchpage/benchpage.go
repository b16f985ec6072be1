//go:build js && wasm

// Package benchpage is the page bench.html: it times training steps in the worker,
// case by case, and lists them for a person and for the benchmark driver.
package benchpage

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/client"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// benchCase is one network and rule to time.
type benchCase struct {
	net, mode string
}

// defaultBench times what the project compares: 784-500-10 under every rule, and
// 784-1000-1000-10 and the conv network under BP and DRTP.
func defaultBench() []benchCase {
	var cases []benchCase
	for _, m := range nn.Modes() {
		cases = append(cases, benchCase{"FC_500_FC_10", m.String()})
	}
	for _, net := range []string{"FC_1000_FC_1000_FC_10", "CONV_32_5_1_2_FC_1000_FC_10"} {
		cases = append(cases, benchCase{net, "BP"}, benchCase{net, "DRTP"})
	}
	return cases
}

// Run is the page bench.html: it times training steps in the worker, case by case,
// and lists them; #status says done when the table is complete, and the table
// carries the results as JSON in data-results for the benchmark driver. It never
// returns.
func Run() {
	run(dom.GetWindow().Document())
	select {}
}

// run reads the cases from the link and times them in a worker of its own.
func run(doc dom.Document) {
	b := &bench{doc: doc, status: doc.GetElementByID("status"), inbox: make(chan protocol.Message, 64), gone: make(chan string, 1)}
	cases, err := benchCases(js.Global().Get("location").Get("search").String())
	if err != nil {
		b.fail(err)
		return
	}
	b.w = client.Start(client.Events{
		Message: func(m protocol.Message, _ []js.Value) { b.inbox <- m },
		Died:    func(msg string) { b.gone <- msg },
	})
	go b.all(cases)
}

// bench is the page's conversation with its worker.
type bench struct {
	doc    dom.Document
	status dom.Element
	w      *client.Worker
	inbox  chan protocol.Message
	gone   chan string // the worker died, saying why
	rows   []string    // each timed case, as JSON for the driver
}

// fail shows err and ends the bench.
func (b *bench) fail(err error) {
	b.status.SetTextContent("error")
	b.status.SetAttribute("data-state", "error")
	box := b.doc.GetElementByID("error")
	box.SetTextContent(err.Error())
	box.RemoveAttribute("hidden")
}

// all times the cases in turn, lists each, and says done with the results in the
// table's data-results.
func (b *bench) all(cases []benchCase) {
	if _, err := b.wait(protocol.Hello); err != nil {
		b.fail(err)
		return
	}
	for i, c := range cases {
		b.status.SetTextContent(fmt.Sprintf("running %d of %d", i+1, len(cases)))
		res, err := b.time(c)
		if err != nil {
			b.fail(fmt.Errorf("%s %s: %w", c.net, c.mode, err))
			return
		}
		b.list(c, res)
	}
	b.doc.GetElementByID("bench-table").SetAttribute("data-results", "["+strings.Join(b.rows, ",")+"]")
	b.status.SetTextContent("done")
	b.status.SetAttribute("data-state", "done")
	b.w.Stop()
}

// time builds case c's run in the worker and times its training steps.
func (b *bench) time(c benchCase) (protocol.BenchResult, error) {
	var res protocol.BenchResult
	s := settings.Default()
	s.Topology, s.LR = c.net, 1e-3
	s.Mode, _ = nn.ParseMode(c.mode)
	err := b.w.Send(0, protocol.Start, protocol.Command{Query: s.Values(settings.Default()).Encode(), DataBase: protocol.DataFolder})
	if err == nil {
		_, err = b.wait(protocol.Built)
	}
	if err != nil {
		return res, err
	}
	cmd := protocol.BenchCommand{Warmup: 5, Steps: 30, Repeats: 3}
	if strings.HasPrefix(c.net, "CONV") {
		cmd = protocol.BenchCommand{Warmup: 1, Steps: 3, Repeats: 3}
	}
	var m protocol.Message
	if err = b.w.Send(0, protocol.Bench, cmd); err == nil {
		m, err = b.wait(protocol.Timing)
	}
	if err == nil {
		err = m.Decode(&res)
	}
	return res, err
}

// list adds case c's timing to the table and to the driver's results.
func (b *bench) list(c benchCase, res protocol.BenchResult) {
	tr := b.doc.CreateElement("tr")
	runs := make([]string, len(res.Runs))
	for j, r := range res.Runs {
		runs[j] = fmt.Sprintf("%.0f", r)
	}
	for _, text := range []string{c.net, c.mode, fmt.Sprintf("%.0f", res.SamplesPerSecond), strings.Join(runs, ", ")} {
		td := b.doc.CreateElement("td")
		td.SetTextContent(text)
		tr.AppendChild(td)
	}
	b.doc.GetElementByID("bench-rows").AppendChild(tr)
	b.rows = append(b.rows, fmt.Sprintf(`{"net":%q,"mode":%q,"samples_per_s":%.1f,"kernels":%q}`, c.net, c.mode, res.SamplesPerSecond, res.Kernels))
}

// wait returns the worker's next message of one of kinds; a failure, or the
// worker's death, is an error.
func (b *bench) wait(kinds ...protocol.Kind) (protocol.Message, error) {
	for {
		select {
		case msg := <-b.gone:
			return protocol.Message{}, errors.New(msg)
		case m := <-b.inbox:
			if m.Kind == protocol.Failure {
				var ev protocol.ErrorEvent
				if err := m.Decode(&ev); err != nil {
					return m, err
				}
				return m, errors.New(ev.Message)
			}
			if slices.Contains(kinds, m.Kind) {
				return m, nil
			}
		}
	}
}

// benchCases reads ?nets=…&modes=… (every pair of the two lists), or gives the
// default cases.
func benchCases(query string) ([]benchCase, error) {
	v, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		return nil, err
	}
	if v.Get("nets") == "" && v.Get("modes") == "" {
		return defaultBench(), nil
	}
	nets, modes := strings.Split(v.Get("nets"), ","), strings.Split(v.Get("modes"), ",")
	if v.Get("nets") == "" {
		nets = []string{"FC_500_FC_10"}
	}
	if v.Get("modes") == "" {
		modes = []string{"BP", "DRTP"}
	}
	var cases []benchCase
	for _, n := range nets {
		specs, err := nn.ParseTopology(n)
		if err != nil {
			return nil, fmt.Errorf("nets: %w", err)
		}
		for _, m := range modes {
			mode, err := nn.ParseMode(m)
			if err != nil {
				return nil, fmt.Errorf("modes: %w", err)
			}
			cases = append(cases, benchCase{nn.FormatTopology(specs), mode.String()})
		}
	}
	return cases, nil
}
