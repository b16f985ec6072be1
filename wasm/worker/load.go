//go:build js && wasm

package worker

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
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

// mnistFiles are the four MNIST files: training images and labels, test images and
// labels.
var mnistFiles = []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}

// loadMNIST fetches and decompresses the four MNIST files at once, reporting their
// progress as one.
func (w *worker) loadMNIST() (trainSet, testSet *data.Set, err error) {
	dl := &download{w: w, what: "MNIST"}
	files := make([][]byte, len(mnistFiles))
	errs := make([]error, len(mnistFiles))
	var wg sync.WaitGroup
	for i, f := range mnistFiles {
		wg.Add(1)
		go func() { // each waits on the browser, which streams all four together
			defer wg.Done()
			files[i], errs[i] = dl.read(w.cmd.DataBase + f)
		}()
	}
	wg.Wait()

	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	if trainSet, err = data.ParseIDXPair(files[0], files[1], "MNIST"); err != nil {
		return nil, nil, err
	}
	if testSet, err = data.ParseIDXPair(files[2], files[3], "MNIST"); err != nil {
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

// read fetches url and returns its body as it is (gzipped or not: the data reader
// inflates it, in Go, which is faster here than the browser's DecompressionStream).
// The chunks are counted as they arrive, for the progress bar.
func (d *download) read(url string) ([]byte, error) {
	resp, err := bridge.Await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("%s: fetching %s: %w", d.what, url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("%s: fetching %s: HTTP %d %s", d.what, url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	size, _ := strconv.ParseInt(resp.Get("headers").Call("get", "Content-Length").String(), 10, 64)
	d.total += size
	raw := make([]byte, 0, max(size, 0))
	reader := resp.Get("body").Call("getReader")
	for {
		r, err := bridge.Await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", d.what, url, err)
		}
		if r.Get("done").Bool() {
			return raw, nil
		}
		chunk := r.Get("value")
		n := chunk.Length()
		raw = slices.Grow(raw, n)
		js.CopyBytesToGo(raw[len(raw):len(raw)+n], chunk)
		raw = raw[:len(raw)+n]
		d.loaded += int64(n)
		d.w.post(protocol.Progress, protocol.ProgressEvent{What: d.what, Loaded: d.loaded, Total: d.total})
	}
}
