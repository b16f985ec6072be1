//go:build js && wasm

package worker

import (
	"bytes"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/engine"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/internal/startup"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// fetchData generates the synthetic set the settings name; MNIST comes from the
// loader (mnistLoad) and the user's own files from the page.
func (w *worker) fetchData(s settings.Settings) (engine.Data, error) {
	switch s.Dataset {
	case settings.Regression:
		w.post(protocol.Progress, protocol.ProgressEvent{What: "Generating the regression set"})
		train, test := data.RegressionSets(s.Seed)
		return engine.Data{Train: train, Test: test}, nil
	case settings.Classification:
		w.post(protocol.Progress, protocol.ProgressEvent{What: "Generating the classification set"})
		train, test := data.ClassificationSets(s.Seed)
		return engine.Data{Train: train, Test: test}, nil
	}
	return engine.Data{}, fmt.Errorf("dataset: %s is not served with the page; train it with the command line (go run ./tools/train --dataset %s --data FOLDER)", s.Dataset, s.Dataset)
}

// mnistLoad is MNIST arriving in the page's layout (wasm/protocol), one file at a
// time: the run is built once the first part of the training images and the quick
// test subset are in, and trains on while the rest arrives (data.Assembly).
type mnistLoad struct {
	w    *worker
	get  *fetcher
	base string // the data folder's URL

	mu      sync.Mutex
	next    int // the next file of files() to fetch
	running bool
	err     error // what stopped the last attempt; Retry goes on from next
	// first is closed once the run can be built; arrived has a value after every
	// file that brings samples.
	first   chan struct{}
	arrived chan struct{}
	stopped chan struct{} // a value each time the loader stops on an error

	trainLabels, testLabels []uint8
	train, test             *data.Assembly
	quickImages             []byte
	quick                   *data.Set
}

func newMNISTLoad(w *worker, base string) *mnistLoad {
	return &mnistLoad{w: w, get: newFetcher(w), base: base, first: make(chan struct{}),
		arrived: make(chan struct{}, 1), stopped: make(chan struct{}, 1)}
}

// file is one file of the page's MNIST and what its bytes become.
type file struct {
	name, what string
	use        func(m *mnistLoad, b []byte) error
}

// files lists the page's MNIST files in the order they are fetched; the parts of
// the training images are known once its labels are in.
func (m *mnistLoad) files() []file {
	parts := data.Parts(60000)
	if m.trainLabels != nil {
		parts = data.Parts(len(m.trainLabels))
	}
	early := map[string]file{
		protocol.TrainLabels:        {protocol.TrainLabels, "MNIST training labels", (*mnistLoad).useTrainLabels},
		protocol.TestLabels:         {protocol.TestLabels, "MNIST test labels", (*mnistLoad).useTestLabels},
		protocol.TrainImagesPart(0): {protocol.TrainImagesPart(0), fmt.Sprintf("MNIST training images, part 1 of %d", parts), trainPart(0)},
		protocol.QuickImages:        {protocol.QuickImages, "MNIST test images", func(m *mnistLoad, b []byte) error { m.quickImages = b; return nil }},
		protocol.QuickLabels:        {protocol.QuickLabels, "MNIST test images", (*mnistLoad).useQuick},
	}
	var fs []file
	for _, name := range protocol.EarlyFiles {
		fs = append(fs, early[name])
	}
	for p := 1; p < parts; p++ {
		fs = append(fs, file{protocol.TrainImagesPart(p), fmt.Sprintf("MNIST training images, part %d of %d", p+1, parts), trainPart(p)})
	}
	return append(fs, file{protocol.TestImages, "MNIST test images", (*mnistLoad).useTestImages})
}

func (m *mnistLoad) useTrainLabels(b []byte) (err error) {
	if m.trainLabels, err = data.ReadIDXLabels(bytes.NewReader(b), "MNIST training labels"); err != nil {
		return err
	}
	m.train, err = data.NewAssembly("MNIST", 28, m.trainLabels)
	return err
}

func (m *mnistLoad) useTestLabels(b []byte) (err error) {
	if m.testLabels, err = data.ReadIDXLabels(bytes.NewReader(b), "MNIST test labels"); err != nil {
		return err
	}
	m.test, err = data.NewAssembly("MNIST", 28, m.testLabels)
	return err
}

func trainPart(p int) func(m *mnistLoad, b []byte) error {
	return func(m *mnistLoad, b []byte) error {
		images, err := data.ReadIDXImages(bytes.NewReader(b), fmt.Sprintf("MNIST training images, part %d", p+1))
		if err != nil {
			return err
		}
		return m.train.Add(p, images)
	}
}

func (m *mnistLoad) useQuick(labels []byte) (err error) {
	m.quick, err = data.ParseIDXPair(m.quickImages, labels, "MNIST")
	m.quickImages = nil
	return err
}

func (m *mnistLoad) useTestImages(b []byte) error {
	images, err := data.ReadIDXImages(bytes.NewReader(b), "MNIST test images")
	if err != nil {
		return err
	}
	for p := range data.Parts(images.N) {
		if err := m.test.Add(p, images.Part(p)); err != nil {
			return err
		}
	}
	return nil
}

// start fetches what is missing, in the background, unless it is under way already.
func (m *mnistLoad) start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running || m.next >= len(m.files()) {
		return
	}
	m.running, m.err = true, nil
	select {
	case <-m.stopped: // of an earlier attempt
	default:
	}
	go m.run()
}

// dataError is a download that did not succeed, which Retry may mend.
type dataError struct{ err error }

func (e *dataError) Error() string { return e.err.Error() + ". Check the connection, then press Retry" }
func (e *dataError) Unwrap() error { return e.err }

func (m *mnistLoad) run() {
	m.w.mark("fetching MNIST")
	for {
		m.mu.Lock()
		fs := m.files()
		if m.next >= len(fs) {
			m.running = false
			m.mu.Unlock()
			m.w.mark("MNIST in")
			m.w.post(protocol.Progress, protocol.ProgressEvent{})
			return
		}
		f := fs[m.next]
		m.mu.Unlock()
		b, err := m.get.file(m.base+f.name, f.what, m.built())
		if err == nil {
			err = f.use(m, b)
		}
		m.mu.Lock()
		if err != nil {
			err = &dataError{err}
			m.running, m.err = false, err
			m.mu.Unlock()
			select {
			case m.stopped <- struct{}{}:
			default:
			}
			if m.built() { // else the start that waits for it says so
				m.w.fail(err, false)
			}
			return
		}
		m.next++
		m.mu.Unlock()
		if f.name == protocol.QuickLabels {
			m.w.mark("first part of MNIST in")
			close(m.first)
		}
		select {
		case m.arrived <- struct{}{}:
		default:
		}
		if m.built() {
			m.report()
		}
	}
}

// built reports whether the run can be built: the first part and the quick subset are in.
func (m *mnistLoad) built() bool {
	select {
	case <-m.first:
		return true
	default:
		return false
	}
}

// report tells the page how much of the training set is in, while it trains.
func (m *mnistLoad) report() {
	s := m.train.Set()
	if s.Whole() && m.test.Set().Whole() {
		return // the last file's end says so (an empty event)
	}
	m.w.post(protocol.Progress, protocol.ProgressEvent{What: "MNIST training images", Loaded: int64(s.Arrived()),
		Total: int64(s.Len()), Samples: true})
}

// wait returns the data once the run can be built, or the error that stopped the
// download before (Retry, or a new start, goes on from there).
func (m *mnistLoad) wait() (engine.Data, error) {
	m.start()
	for {
		select {
		case <-m.first:
			return engine.Data{Train: m.train.Set(), Test: m.test.Set(), Quick: m.quick}, nil
		case <-m.stopped:
			m.mu.Lock()
			err, running := m.err, m.running
			m.mu.Unlock()
			if err != nil && !running && !m.built() {
				return engine.Data{}, err
			}
		}
	}
}

// whole waits for every file (a benchmark times whole epochs).
func (m *mnistLoad) whole() error {
	for {
		m.mu.Lock()
		done, err, running := m.next >= len(m.files()), m.err, m.running
		m.mu.Unlock()
		switch {
		case done:
			return nil
		case err != nil && !running:
			return err
		}
		select {
		case <-m.arrived:
		case <-m.stopped:
		}
	}
}

// fetcher gets the page's data files: from the data cache when a visit before this
// one fetched them, else from the network, resuming with Range requests where a
// link dropped, and keeps what it fetched in the cache for the next visit.
type fetcher struct {
	w     *worker
	cache js.Value // undefined where the browser has none (an insecure origin)
}

// progressEvery spaces the progress messages: a download arrives in hundreds of
// chunks, and the page need not hear of each.
const progressEvery = 50 * time.Millisecond

// The network's retries: the first after retryFirst, each wait twice the last up to
// retryMost, until the link has given nothing for giveUpAfter.
// An attempt that has given nothing for stallAfter is cut and retried: a link can
// stop without saying so.
const (
	retryFirst  = 500 * time.Millisecond
	retryMost   = 8 * time.Second
	giveUpAfter = 3 * time.Minute
	stallAfter  = 10 * time.Second
)

func newFetcher(w *worker) *fetcher {
	f := &fetcher{w: w, cache: js.Undefined()}
	if caches := js.Global().Get("caches"); caches.Truthy() {
		if c, err := bridge.Await(caches.Call("open", protocol.DataCache)); err == nil {
			f.cache = c
		}
	}
	return f
}

// file returns the content of url, inflated when it is gzip, saying how it goes
// (what names it for the page; background: the run trains meanwhile).
func (f *fetcher) file(url, what string, background bool) ([]byte, error) {
	raw, fromCache, partial := f.early(url, what, background)
	if raw.IsUndefined() {
		raw, fromCache = f.cached(url)
	}
	if raw.IsUndefined() || partial {
		var first []byte // of a download cut before the program ran
		if partial {
			first = bridge.Bytes(raw)
		}
		var err error
		if raw, err = f.download(url, what, background, first); err != nil {
			return nil, err
		}
	}
	if !fromCache && !f.cache.IsUndefined() {
		// Kept for the next visit; a cache that refuses (full, private browsing)
		// costs that visit a download, nothing more.
		_, _ = bridge.Await(f.cache.Call("put", url, js.Global().Get("Response").New(raw)))
	}
	return inflate(raw, url)
}

// early returns url's bytes when worker.js began fetching them before the program
// ran: the whole file (from the data cache or the network: fromCache says which), or
// its first bytes where the download was cut (partial), saying how it goes
// meanwhile. It returns undefined where worker.js began nothing for url or got
// nothing of it: the file is the loader's to fetch.
func (f *fetcher) early(url, what string, background bool) (raw js.Value, fromCache, partial bool) {
	entry, ok := startup.TakeEarlyData(url)
	if !ok {
		return js.Undefined(), false, false
	}
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := bridge.Await(entry.Get("done"))
		done <- result{v, err}
	}()
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			if r.err != nil || r.v.Type() != js.TypeObject {
				return js.Undefined(), false, false
			}
			return r.v.Get("bytes"), r.v.Get("cached").Truthy(), r.v.Get("partial").Truthy()
		case <-tick.C:
			if !background {
				f.w.post(protocol.Progress, protocol.ProgressEvent{What: what,
					Loaded: int64(entry.Get("loaded").Int()), Total: int64(entry.Get("total").Int())})
			}
		}
	}
}

// cached returns url's bytes from the data cache, if they are there.
func (f *fetcher) cached(url string) (js.Value, bool) {
	if f.cache.IsUndefined() {
		return js.Undefined(), false
	}
	resp, err := bridge.Await(f.cache.Call("match", url))
	if err != nil || !resp.Truthy() {
		return js.Undefined(), false
	}
	buf, err := bridge.Await(resp.Call("arrayBuffer"))
	if err != nil {
		return js.Undefined(), false
	}
	return js.Global().Get("Uint8Array").New(buf), true
}

// download fetches url from the network, from byte len(got) on (got: the file's
// first bytes, if some came before). Where the link drops it waits and asks for
// the rest (a Range request); a host that answers with the whole file instead, or one
// that compresses on the way (whose byte offsets are not the file's), is read again
// from the start. It gives up when the link has given nothing for giveUpAfter.
func (f *fetcher) download(url, what string, background bool, got []byte) (js.Value, error) {
	var total int64 = -1
	lastByte := time.Now()
	wait := retryFirst
	var posted time.Time
	progress := func(retrying bool) {
		if !retrying && time.Since(posted) < progressEvery {
			return
		}
		posted = time.Now()
		if background && !retrying {
			return // the page shows the training set's samples, not this file's bytes
		}
		f.w.post(protocol.Progress, protocol.ProgressEvent{What: what, Loaded: int64(len(got)), Total: max(total, 0), Retrying: retrying})
	}
	for {
		n, err := f.attempt(url, &got, &total, progress)
		if n > 0 {
			lastByte, wait = time.Now(), retryFirst
		}
		if err == nil {
			return bridge.ToJS(got), nil
		}
		if !err.retry {
			return js.Undefined(), fmt.Errorf("%s: fetching %s: %w", what, url, err.err)
		}
		if time.Since(lastByte) > giveUpAfter {
			return js.Undefined(), fmt.Errorf("%s: fetching %s: the connection has given nothing for %v (%v)", what, url, giveUpAfter, err.err)
		}
		progress(true)
		time.Sleep(wait)
		wait = min(2*wait, retryMost)
	}
}

// fetchError is a failed attempt; retry says whether another may do better.
type fetchError struct {
	err   error
	retry bool
}

// attempt asks for url from byte len(*got) on and appends what comes. It returns the
// bytes it added.
func (f *fetcher) attempt(url string, got *[]byte, total *int64, progress func(bool)) (int, *fetchError) {
	init := js.Global().Get("Object").New()
	abort := js.Global().Get("AbortController").New()
	init.Set("signal", abort.Get("signal"))
	stall := time.AfterFunc(stallAfter, func() { abort.Call("abort") })
	defer stall.Stop()
	if len(*got) > 0 {
		headers := js.Global().Get("Object").New()
		headers.Set("Range", fmt.Sprintf("bytes=%d-", len(*got)))
		init.Set("headers", headers)
		init.Set("cache", "no-store") // the rest from the host, not pieced together by the browser's cache
	}
	resp, err := bridge.Await(js.Global().Call("fetch", url, init))
	if err != nil {
		return 0, &fetchError{err: err, retry: true} // no answer: the link is down
	}
	status := resp.Get("status").Int()
	headers := resp.Get("headers")
	header := func(name string) string {
		if v := headers.Call("get", name); v.Type() == js.TypeString {
			return v.String()
		}
		return ""
	}
	recoded := header("Content-Encoding") != "" // the body's bytes are not the file's
	switch {
	case status == 206 && !recoded && resumesAt(header("Content-Range"), len(*got)):
	case status == 200:
		*got = (*got)[:0] // the whole file, from the start
		*total = -1
		if n, ok := contentLength(header("Content-Length")); ok && !recoded {
			*total = n
		}
	case status == 206 || status == 416:
		*got = (*got)[:0] // not the rest asked for: start again
		return 0, &fetchError{err: fmt.Errorf("HTTP %d for the rest of the file", status), retry: true}
	case status == 408 || status == 429 || status >= 500:
		return 0, &fetchError{err: fmt.Errorf("HTTP %d %s", status, resp.Get("statusText").String()), retry: true}
	default:
		return 0, &fetchError{err: fmt.Errorf("HTTP %d %s", status, resp.Get("statusText").String())}
	}
	if recoded {
		*got = (*got)[:0]
	}
	reader := resp.Get("body").Call("getReader")
	added := 0
	for {
		r, err := bridge.Await(reader.Call("read"))
		if err != nil {
			if recoded {
				*got = (*got)[:0] // no resuming inside a recoded body
			}
			return added, &fetchError{err: err, retry: true}
		}
		if r.Get("done").Bool() {
			return added, nil
		}
		stall.Reset(stallAfter)
		chunk := r.Get("value")
		n := chunk.Length()
		*got = append(*got, make([]byte, n)...)
		js.CopyBytesToGo((*got)[len(*got)-n:], chunk)
		added += n
		progress(false)
	}
}

// inflate returns a file's content: gzip is inflated by the browser's
// DecompressionStream, natively; anything else (a host that already decompressed
// it) is returned as it is, for the data reader.
func inflate(raw js.Value, url string) ([]byte, error) {
	gz := raw.Length() >= 2 && raw.Index(0).Int() == 0x1f && raw.Index(1).Int() == 0x8b
	if !gz || !js.Global().Get("DecompressionStream").Truthy() {
		return bridge.Bytes(raw), nil
	}
	stream := js.Global().Get("Blob").New([]any{raw}).Call("stream").
		Call("pipeThrough", js.Global().Get("DecompressionStream").New("gzip"))
	buf, err := bridge.Await(js.Global().Get("Response").New(stream).Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("inflating %s: %w", url, err)
	}
	return bridge.Bytes(buf), nil
}
