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

func run(doc dom.Document) {
	status := doc.GetElementByID("status")
	fail := func(err error) {
		status.SetTextContent("error")
		status.SetAttribute("data-state", "error")
		box := doc.GetElementByID("error")
		box.SetTextContent(err.Error())
		box.RemoveAttribute("hidden")
	}
	cases, err := benchCases(js.Global().Get("location").Get("search").String())
	if err != nil {
		fail(err)
		return
	}
	inbox := make(chan protocol.Message, 64)
	gone := make(chan string, 1)
	w := client.Start(client.Events{
		Message: func(m protocol.Message, _ []js.Value) { inbox <- m },
		Died:    func(msg string) { gone <- msg },
	})
	wait := func(kinds ...protocol.Kind) (protocol.Message, error) {
		for {
			select {
			case msg := <-gone:
				return protocol.Message{}, errors.New(msg)
			case m := <-inbox:
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
	send := func(kind protocol.Kind, body any) error { return w.Send(0, kind, body) }
	go func() {
		if _, err := wait(protocol.Hello); err != nil {
			fail(err)
			return
		}
		rows := doc.GetElementByID("bench-rows")
		var results []string
		for i, c := range cases {
			status.SetTextContent(fmt.Sprintf("running %d of %d", i+1, len(cases)))
			s := settings.Default()
			s.Topology, s.LR = c.net, 1e-3
			s.Mode, _ = nn.ParseMode(c.mode)
			err := send(protocol.Start, protocol.Command{Query: s.Values(settings.Default()).Encode(), DataBase: protocol.DataFolder})
			if err == nil {
				_, err = wait(protocol.Built)
			}
			if err != nil {
				fail(fmt.Errorf("%s %s: %w", c.net, c.mode, err))
				return
			}
			cmd := protocol.BenchCommand{Warmup: 5, Steps: 30, Repeats: 3}
			if strings.HasPrefix(c.net, "CONV") {
				cmd = protocol.BenchCommand{Warmup: 1, Steps: 3, Repeats: 3}
			}
			var m protocol.Message
			if err = send(protocol.Bench, cmd); err == nil {
				m, err = wait(protocol.Timing)
			}
			if err != nil {
				fail(fmt.Errorf("%s %s: %w", c.net, c.mode, err))
				return
			}
			var res protocol.BenchResult
			if err := m.Decode(&res); err != nil {
				fail(err)
				return
			}
			tr := doc.CreateElement("tr")
			runs := make([]string, len(res.Runs))
			for j, r := range res.Runs {
				runs[j] = fmt.Sprintf("%.0f", r)
			}
			for _, text := range []string{c.net, c.mode, fmt.Sprintf("%.0f", res.SamplesPerSecond), strings.Join(runs, ", ")} {
				td := doc.CreateElement("td")
				td.SetTextContent(text)
				tr.AppendChild(td)
			}
			rows.AppendChild(tr)
			results = append(results, fmt.Sprintf(`{"net":%q,"mode":%q,"samples_per_s":%.1f,"kernels":%q}`, c.net, c.mode, res.SamplesPerSecond, res.Kernels))
		}
		doc.GetElementByID("bench-table").SetAttribute("data-results", "["+strings.Join(results, ",")+"]")
		status.SetTextContent("done")
		status.SetAttribute("data-state", "done")
		w.Stop()
	}()
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
