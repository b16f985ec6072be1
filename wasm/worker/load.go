//go:build js && wasm

package worker

import (
	"fmt"
	"strconv"
	"syscall/js"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// load fetches or generates the data set the settings name.
func (w *worker) load(s settings.Settings) (trainSet, testSet *data.Set, err error) {
	switch s.Dataset {
	case settings.MNIST:
		return w.loadMNIST()
	case settings.Regression:
		w.post(protocol.Progress, protocol.ProgressEvent{What: "Generating the regression set"})
		trainSet, testSet = data.RegressionSets(s.Seed)
	case settings.Classification:
		w.post(protocol.Progress, protocol.ProgressEvent{What: "Generating the classification set"})
		trainSet, testSet = data.ClassificationSets(s.Seed)
	default:
		return nil, nil, fmt.Errorf("dataset: %s is not served with the page; train it with the command line (go run ./tools/train --dataset %s --data FOLDER)", s.Dataset, s.Dataset)
	}
	return trainSet, testSet, nil
}

// loadMNIST fetches the four MNIST files, the test set first.
func (w *worker) loadMNIST() (trainSet, testSet *data.Set, err error) {
	files := []struct{ images, labels, what string }{
		{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "MNIST test set"},
		{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "MNIST training set"},
	}
	var sets [2]*data.Set
	for i, f := range files {
		images, err := w.fetch(w.cmd.DataBase+f.images, f.what+" images")
		if err != nil {
			return nil, nil, err
		}
		labels, err := w.fetch(w.cmd.DataBase+f.labels, f.what+" labels")
		if err != nil {
			return nil, nil, err
		}
		if sets[i], err = data.ParseIDXPair(images, labels, "MNIST"); err != nil {
			return nil, nil, err
		}
	}
	return sets[1], sets[0], nil
}

// fetch downloads a file, reporting progress, and gunzips it with the browser's
// DecompressionStream where there is one (the data reader gunzips otherwise).
func (w *worker) fetch(url, what string) ([]byte, error) {
	resp, err := bridge.Await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("%s: fetching %s: %w", what, url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("%s: fetching %s: HTTP %d %s", what, url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	total, _ := strconv.ParseInt(resp.Get("headers").Call("get", "Content-Length").String(), 10, 64)
	reader := resp.Get("body").Call("getReader")
	chunks := js.Global().Get("Array").New()
	var loaded int64
	for {
		r, err := bridge.Await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", what, url, err)
		}
		if r.Get("done").Bool() {
			break
		}
		chunk := r.Get("value")
		chunks.Call("push", chunk)
		loaded += int64(chunk.Length())
		w.post(protocol.Progress, protocol.ProgressEvent{What: what, Loaded: loaded, Total: total})
	}
	blob := js.Global().Get("Blob").New(chunks)
	if ds := js.Global().Get("DecompressionStream"); ds.Truthy() {
		stream := blob.Call("stream").Call("pipeThrough", ds.New("gzip"))
		buf, err := bridge.Await(js.Global().Get("Response").New(stream).Call("arrayBuffer"))
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not a valid gzip file: %w", what, url, err)
		}
		return bridge.Bytes(buf), nil
	}
	buf, err := bridge.Await(blob.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return bridge.Bytes(buf), nil
}
