//go:build js && wasm

package ui

import (
	"fmt"
	"math"
	"strings"
	"syscall/js"

	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// bindKeep wires "Keep this run" and the user's own data.
func (p *page) bindKeep() {
	doc := js.Global().Get("document")
	p.onClick("save-network", func() { p.main().send(protocol.Save, nil) })
	p.onClick("export-csv", func() { download("lwf-metrics.csv", "text/csv", p.metricsCSV()) })
	p.onClick("export-png", p.exportPNG)
	networkFile := doc.Call("getElementById", "network-file")
	p.onClick("open-network", func() { networkFile.Call("click") })
	networkFile.Call("addEventListener", "change", bridge.FuncOf(func(js.Value, []js.Value) any {
		files := networkFile.Get("files")
		if files.Length() == 1 {
			p.openNetwork(files.Index(0))
		}
		networkFile.Set("value", "")
		return nil
	}))
	dataFiles := doc.Call("getElementById", "data-files")
	p.onClick("pick-data", func() { dataFiles.Call("click") })
	dataFiles.Call("addEventListener", "change", bridge.FuncOf(func(js.Value, []js.Value) any {
		p.useFiles(dataFiles.Get("files"))
		dataFiles.Set("value", "")
		return nil
	}))
	body := doc.Get("body")
	for _, name := range []string{"dragenter", "dragover"} {
		body.Call("addEventListener", name, bridge.FuncOf(func(_ js.Value, args []js.Value) any {
			args[0].Call("preventDefault")
			body.Get("classList").Call("add", "dragging")
			return nil
		}))
	}
	body.Call("addEventListener", "dragleave", bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		if !args[0].Get("relatedTarget").Truthy() {
			body.Get("classList").Call("remove", "dragging")
		}
		return nil
	}))
	body.Call("addEventListener", "drop", bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		args[0].Call("preventDefault")
		body.Get("classList").Call("remove", "dragging")
		files := args[0].Get("dataTransfer").Get("files")
		if files.Length() == 1 && strings.HasSuffix(files.Index(0).Get("name").String(), ".lwfnet") {
			p.openNetwork(files.Index(0))
		} else {
			p.useFiles(files)
		}
		return nil
	}))
}

// download hands the browser a file to save.
func download(name, kind string, content any) {
	var blob js.Value
	switch c := content.(type) {
	case string:
		blob = js.Global().Get("Blob").New([]any{c}, map[string]any{"type": kind})
	case js.Value:
		blob = js.Global().Get("Blob").New([]any{c}, map[string]any{"type": kind})
	}
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := js.Global().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Call("click")
	var revoke js.Func
	revoke = bridge.FuncOf(func(js.Value, []js.Value) any {
		defer bridge.Release(revoke)
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	})
	js.Global().Call("setTimeout", revoke, 10000)
}

// metricsCSV writes every point the page holds (see writeMetricsCSV).
func (p *page) metricsCSV() string {
	runs := make([]runMetrics, len(p.runs))
	for i, r := range p.runs {
		runs[i] = runMetrics{mode: r.mode, steps: r.steps, train: r.train, test: r.test, align: r.align}
	}
	return writeMetricsCSV(runs)
}

// exportPNG draws every canvas of the views where it stands on the page into one
// picture, under a line that says what ran.
func (p *page) exportPNG() {
	doc := js.Global().Get("document")
	views := doc.Call("querySelector", ".views")
	box := views.Call("getBoundingClientRect")
	dpr := math.Max(1, js.Global().Get("devicePixelRatio").Float())
	const head = 40.0
	out := doc.Call("createElement", "canvas")
	out.Set("width", int(box.Get("width").Float()*dpr))
	out.Set("height", int((box.Get("height").Float()+head)*dpr))
	ctx := out.Call("getContext", "2d")
	ctx.Call("scale", dpr, dpr)
	ctx.Set("fillStyle", "#ffffff")
	ctx.Call("fillRect", 0, 0, box.Get("width").Float(), box.Get("height").Float()+head)
	ctx.Set("fillStyle", ink)
	ctx.Set("font", "16px "+font)
	r := p.main()
	acc := "–"
	if r.snap.HasTest {
		acc = number(r.snap.TestAccuracy, 2) + "%"
	}
	ctx.Call("fillText", fmt.Sprintf("%s on %s, %s: %d samples seen, test accuracy %s", p.modeNames(), p.state.Settings.Topology,
		p.state.Settings.Dataset, r.snap.Samples, acc), 12, 26)
	canvases := views.Call("querySelectorAll", "canvas")
	for i := 0; i < canvases.Length(); i++ {
		c := canvases.Index(i)
		rect := c.Call("getBoundingClientRect")
		if rect.Get("width").Float() < 1 {
			continue
		}
		ctx.Call("drawImage", c, rect.Get("x").Float()-box.Get("x").Float(), rect.Get("y").Float()-box.Get("y").Float()+head,
			rect.Get("width").Float(), rect.Get("height").Float())
	}
	var done js.Func
	done = bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		defer bridge.Release(done)
		if len(args) > 0 && args[0].Truthy() {
			download("lwf-view.png", "image/png", args[0])
		}
		return nil
	})
	out.Call("toBlob", done, "image/png")
}

func (p *page) modeNames() string {
	names := make([]string, len(p.runs))
	for i, r := range p.runs {
		names[i] = r.mode.String()
	}
	return strings.Join(names, " vs ")
}

// openNetwork sends a saved network to the main run's worker, which goes on from it;
// a race ends.
func (p *page) openNetwork(file js.Value) {
	name := file.Get("name").String()
	go func() {
		buf, err := bridge.Await(file.Call("arrayBuffer"))
		if err != nil {
			p.showError(fmt.Sprintf("%s: %v", name, err))
			return
		}
		p.state.Race = nil
		if p.setupRuns() {
			p.dispatch(Action{Kind: NewWorkers, N: len(p.runs)})
		}
		r := p.main()
		r.loaded = true
		for _, c := range p.dispatch(Action{Kind: OpenNetwork, Run: r.index}) {
			r.clear()
			cmd := protocol.LoadCommand{Name: name, DataBase: protocol.DataFolder, Autoplay: c.Autoplay}
			if err := r.worker.SendRaw(c.Gen, protocol.Load, cmd, buf); err != nil {
				r.fail(fmt.Sprintf("%s: %v", name, err))
			}
		}
	}()
}

// useFiles sends the user's four IDX files to every run's worker.
func (p *page) useFiles(files js.Value) {
	found := make([]js.Value, len(idxRoles))
	var missing, names []string
	for i := 0; i < files.Length(); i++ {
		f := files.Index(i)
		names = append(names, f.Get("name").String())
		if j := idxRole(f.Get("name").String()); j >= 0 && found[j].IsUndefined() {
			found[j] = f
		}
	}
	for j, f := range found {
		if f.IsUndefined() {
			missing = append(missing, idxRoles[j].what)
		}
	}
	if len(missing) > 0 {
		p.showError(fmt.Sprintf("Your data needs four IDX files; got %s, missing the %s.", strings.Join(names, ", "), strings.Join(missing, ", the ")))
		return
	}
	go func() {
		bufs := make([]js.Value, len(found))
		for j, f := range found {
			buf, err := bridge.Await(f.Call("arrayBuffer"))
			if err != nil {
				p.showError(fmt.Sprintf("%s: %v", f.Get("name").String(), err))
				return
			}
			bufs[j] = buf
		}
		label := "your files"
		p.clearError()
		note := p.doc.GetElementByID("data-note")
		note.SetTextContent("Training on your files (" + strings.Join(names, ", ") + "). Reload the page for MNIST again.")
		note.RemoveAttribute("hidden")
		for _, r := range p.runs {
			for _, c := range p.dispatch(Action{Kind: UseFiles, Run: r.index}) {
				copies := make([]js.Value, len(bufs))
				for j, b := range bufs {
					copies[j] = b.Call("slice", 0) // each worker takes its own
				}
				r.clear()
				cmd := protocol.DataCommand{Name: label, Query: p.state.WorkerQuery(r.mode), Autoplay: c.Autoplay}
				if err := r.worker.SendRaw(c.Gen, protocol.UseData, cmd, copies...); err != nil {
					r.fail(fmt.Sprintf("your files: %v", err))
				}
			}
		}
	}()
}
