//go:build js && wasm

package worker

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"time"

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
	w.mark("fetching MNIST")
	dl := &download{w: w, what: "MNIST", files: len(mnistFiles)}
	files := make([][]byte, len(mnistFiles))
	errs := make([]error, len(mnistFiles))
	var wg sync.WaitGroup
	for i, f := range mnistFiles {
		wg.Add(1)
		go func() { // each waits on the browser, which streams all four together
			defer wg.Done()
			files[i], errs[i] = dl.read(w.cmd.DataBase + f)
			w.mark(f + " in")
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
	w.mark("MNIST read")
	return trainSet, testSet, nil
}

// download reads several responses and reports their progress as one: in bytes of
// inflated data, once the header of every file has told its length.
type download struct {
	w      *worker
	what   string
	files  int // the files being read
	counts     // of all of them
	posted time.Time
}

// progressEvery spaces the progress messages: a download arrives in hundreds of
// chunks, and the page need not hear of each.
const progressEvery = 50 * time.Millisecond

// read fetches url and returns its body. A gzip file (named .gz) is inflated by the
// browser's DecompressionStream as it arrives, natively and overlapping the
// download; should that fail (a host that already decompressed it, say), the file
// is fetched again and returned as it is, for the data reader to inflate in Go.
func (d *download) read(url string) ([]byte, error) {
	if strings.HasSuffix(url, ".gz") && js.Global().Get("DecompressionStream").Truthy() {
		var a counts
		b, err := d.body(url, true, &a)
		if err == nil {
			return b, nil
		}
		d.undo(a) // that attempt counts for nothing
	}
	return d.body(url, false, &counts{})
}

// body fetches url and reads its body chunk by chunk, inflated on the way if asked,
// counting what it adds to the download's counts in a.
// The length of the whole comes from the IDX header of an inflated body, else from
// the response's Content-Length.
func (d *download) body(url string, inflate bool, a *counts) ([]byte, error) {
	resp, err := bridge.Await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("%s: fetching %s: %w", d.what, url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("%s: fetching %s: HTTP %d %s", d.what, url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	stream := resp.Get("body")
	var raw []byte
	sized := false
	size := func(n int64) { // the length of the whole file is known
		sized = true
		d.note(a, counts{total: n, sized: 1})
		raw = slices.Grow(raw, max(int(n)-len(raw), 0))
	}
	if inflate {
		stream = stream.Call("pipeThrough", js.Global().Get("DecompressionStream").New("gzip"))
	} else if n, err := strconv.ParseInt(resp.Get("headers").Call("get", "Content-Length").String(), 10, 64); err == nil && n >= 0 && n <= 1<<31 {
		size(n)
	}
	reader := stream.Call("getReader")
	for {
		r, err := bridge.Await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", d.what, url, err)
		}
		if r.Get("done").Bool() {
			if !sized { // too short to tell: it is what it is
				size(int64(len(raw)))
			}
			return raw, nil
		}
		chunk := r.Get("value")
		n := chunk.Length()
		raw = slices.Grow(raw, n)
		js.CopyBytesToGo(raw[len(raw):len(raw)+n], chunk)
		raw = raw[:len(raw)+n]
		d.note(a, counts{loaded: int64(n)})
		if !sized {
			if n, ok := data.IDXLength(raw); ok {
				size(n)
			}
		}
		d.progress()
	}
}

// progress tells the page how far the download is, at most every progressEvery.
func (d *download) progress() {
	if d.sized < d.files || time.Since(d.posted) < progressEvery {
		return
	}
	d.posted = time.Now()
	d.w.post(protocol.Progress, protocol.ProgressEvent{What: d.what, Loaded: min(d.loaded, d.total), Total: d.total})
}
