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

// fetchData fetches or generates the data set the settings name.
func (w *worker) fetchData(s settings.Settings) (trainSet, testSet *data.Set, err error) {
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

// mnistFiles are the four MNIST files, in the order they are needed.
var mnistFiles = []string{"t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz"}

// loadMNIST fetches the four MNIST files at once and reports their progress as one.
func (w *worker) loadMNIST() (trainSet, testSet *data.Set, err error) {
	dl := &download{w: w, what: "MNIST"}
	var responses []js.Value
	for _, f := range mnistFiles { // every request leaves before the first is read
		responses = append(responses, js.Global().Call("fetch", w.cmd.DataBase+f))
	}
	files := make([][]byte, len(mnistFiles))
	for i, f := range mnistFiles {
		if files[i], err = dl.read(responses[i], w.cmd.DataBase+f); err != nil {
			return nil, nil, err
		}
	}
	if testSet, err = data.ParseIDXPair(files[1], files[0], "MNIST"); err != nil {
		return nil, nil, err
	}
	if trainSet, err = data.ParseIDXPair(files[3], files[2], "MNIST"); err != nil {
		return nil, nil, err
	}
	return trainSet, testSet, nil
}

// download reads several responses and reports their progress as one.
type download struct {
	w             *worker
	what          string
	loaded, total int64
}

// read waits for one response, reads its body, and gunzips it with the browser's
// DecompressionStream where there is one (the data reader gunzips otherwise).
func (d *download) read(pending js.Value, url string) ([]byte, error) {
	resp, err := bridge.Await(pending)
	if err != nil {
		return nil, fmt.Errorf("%s: fetching %s: %w", d.what, url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("%s: fetching %s: HTTP %d %s", d.what, url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	size, _ := strconv.ParseInt(resp.Get("headers").Call("get", "Content-Length").String(), 10, 64)
	d.total += size
	reader := resp.Get("body").Call("getReader")
	chunks := js.Global().Get("Array").New()
	for {
		r, err := bridge.Await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", d.what, url, err)
		}
		if r.Get("done").Bool() {
			break
		}
		chunk := r.Get("value")
		chunks.Call("push", chunk)
		d.loaded += int64(chunk.Length())
		d.w.post(protocol.Progress, protocol.ProgressEvent{What: d.what, Loaded: d.loaded, Total: d.total})
	}
	blob := js.Global().Get("Blob").New(chunks)
	if ds := js.Global().Get("DecompressionStream"); ds.Truthy() {
		stream := blob.Call("stream").Call("pipeThrough", ds.New("gzip"))
		buf, err := bridge.Await(js.Global().Get("Response").New(stream).Call("arrayBuffer"))
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not a valid gzip file: %w", d.what, url, err)
		}
		return bridge.Bytes(buf), nil
	}
	buf, err := bridge.Await(blob.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.what, err)
	}
	return bridge.Bytes(buf), nil
}
