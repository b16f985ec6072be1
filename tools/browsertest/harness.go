// Package browsertest drives real browsers against the built site (dist/), served
// in-process by the project's own static server: it is how the page is tested as a
// user sees it. Chromium is driven with chromedp; the tests a lecture depends on run
// in Firefox (WebDriver BiDi) and WebKit (WebKitWebDriver) too (driver.go).
package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/nofeedback/lwf/tools/serve/static"
)

// Chromium returns the path of a Chromium or Chrome binary, or "".
func Chromium() string { return engineBinary(ChromiumEngine) }

// Require skips the test when the browser tests are not asked for (LWF_BROWSER=1) or
// no Chromium is installed; with REQUIRE_BROWSER=1 a missing Chromium fails instead.
func Require(t *testing.T) string {
	t.Helper()
	return RequireEngine(t, ChromiumEngine)
}

// skipUnlessAsked skips the test unless the browser tests are asked for
// (LWF_BROWSER=1, set by make test-browser after it has built dist/).
func skipUnlessAsked(t *testing.T) {
	t.Helper()
	if os.Getenv("LWF_BROWSER") == "" {
		t.Skip("browser tests run with LWF_BROWSER=1 (make test-browser)")
	}
}

// Dist returns the built site's folder, dist/ at the project's root. Like Require, it
// skips the test when the browser tests are not asked for: a plain go test ./... on a
// fresh checkout has no dist/ yet.
func Dist(t *testing.T) string {
	t.Helper()
	skipUnlessAsked(t)
	dist := filepath.Join(projectRoot(t), "dist")
	if _, err := os.Stat(filepath.Join(dist, "lwf.wasm")); err != nil {
		t.Fatalf("no built site in %s: run make dist first", dist)
	}
	return dist
}

// projectRoot returns the folder of go.mod above the test.
func projectRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod above " + wd)
		}
	}
}

// NPMPackage returns the folder of an npm package at an exact version, which npm
// installs once from its registry into the project's .cache/npm. Without npm the
// test is skipped, or fails with REQUIRE_BROWSER=1.
func NPMPackage(t *testing.T, name, version string) string {
	t.Helper()
	dir := filepath.Join(projectRoot(t), ".cache", "npm", name+"@"+version)
	pkg := filepath.Join(dir, "node_modules", name)
	if _, err := os.Stat(filepath.Join(pkg, "package.json")); err == nil {
		return pkg
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("REQUIRE_BROWSER") != "" {
			t.Fatalf("this test needs npm's %s@%s, and no npm is installed (apt-get install npm)", name, version)
		}
		t.Skipf("SKIPPED: this test needs npm's %s@%s, and no npm is installed (apt-get install npm)", name, version)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, npm, "install", "--prefix", dir, "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
		name+"@"+version).CombinedOutput()
	if err != nil {
		t.Fatalf("npm install %s@%s: %v\n%s", name, version, err, out)
	}
	return pkg
}

// Site is the built site served on a local address, with a record of every request.
type Site struct {
	URL        string
	srv        *httptest.Server
	mu         sync.Mutex
	requests   []string
	encodeData atomic.Bool
	noRanges   atomic.Bool
	down       atomic.Bool
	rate       atomic.Int64      // bytes per second of the data files, 0: as fast as it goes
	cuts       map[string]int64  // path: cut its next response after this many bytes
	mounts     map[string]string // name: a folder served at /__test__/mount/name/
	missing    atomic.Value      // string: a path answered 404
}

// Stop takes the site off the network, as a lecture hall's Wi-Fi might.
func (s *Site) Stop() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Serve starts the static server on dist for the test's lifetime.
func Serve(t *testing.T, dir string) *Site {
	t.Helper()
	h, err := static.Handler(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := static.Precompress(h); err != nil { // as make serve and static hosts do
		t.Fatal(err)
	}
	s := &Site{cuts: map[string]int64{}, mounts: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			drop(w) // as a link that is down: no answer
			return
		}
		note := rangeNote(r)
		if s.noRanges.Load() {
			r.Header.Del("Range")
		}
		if m, _ := s.missing.Load().(string); m != "" && r.URL.Path == m {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path+note)
		cut, isCut := s.cuts[r.URL.Path]
		delete(s.cuts, r.URL.Path)
		s.mu.Unlock()
		if strings.Contains(r.URL.Path, "/data/") {
			w = &linkWriter{ResponseWriter: w, site: s, cut: cut, isCut: isCut}
		}
		if s.encodeData.Load() && strings.HasSuffix(r.URL.Path, ".gz") {
			w.Header().Set("Content-Encoding", "gzip")
		}
		if page, ok := testPages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
			return
		}
		if dir, ok := strings.CutPrefix(r.URL.Path, mountPrefix); ok {
			s.mu.Lock()
			root, found := s.mounts[strings.SplitN(dir, "/", 2)[0]]
			s.mu.Unlock()
			if found {
				http.StripPrefix(mountPrefix+strings.SplitN(dir, "/", 2)[0], http.FileServer(http.Dir(root))).ServeHTTP(w, r)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL, s.srv = srv.URL, srv
	return s
}

// EncodeData makes the server send the data's .gz files with Content-Encoding: gzip,
// as a host does that lets the browser decompress them: the page then receives the
// IDX files already inflated.
func (s *Site) EncodeData() { s.encodeData.Store(true) }

// SlidePath and DeckPath are pages of the test server, not of the site: a slide that
// embeds the trainer in a 16:9 iframe, as a lecturer's slides do, and a reveal.js
// deck of three slides whose second is the trainer (reveal.js mounted as "reveal").
const (
	SlidePath = "/__test__/slide.html"
	DeckPath  = "/__test__/deck.html"
)

// testPages are the test server's own pages.
var testPages = map[string]string{SlidePath: slide, DeckPath: deck}

// mountPrefix is where Mount serves folders.
const mountPrefix = "/__test__/mount/"

// Mount serves dir at /__test__/mount/name/ (a test page's library).
func (s *Site) Mount(name, dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mounts[name] = dir
}

const deck = `<!doctype html><html><head><meta charset="utf-8"><title>Deck</title>
<link rel="stylesheet" href="mount/reveal/dist/reveal.css"><link rel="stylesheet" href="mount/reveal/dist/theme/white.css"></head>
<body><div class="reveal"><div class="slides">
<section><h2>Learning without feedback</h2></section>
<section><iframe id="demo" title="DRTP demo" src="../?embed=1" style="width:960px;height:540px;border:0"></iframe></section>
<section><h2>Questions</h2></section>
</div></div>
<script src="mount/reveal/dist/reveal.js"></script>
<script>Reveal.initialize({hash: true, transition: "none", width: 1000, height: 600});</script>
</body></html>`

const slide = `<!doctype html><html><head><meta charset="utf-8"><title>Slide</title></head>
<body style="margin:0;background:#333">
<iframe id="slide" title="DRTP demo" style="width:960px;height:540px;border:0;display:block"
 src="../?embed=1&amp;autoplay=1"></iframe></body></html>`

// NoRanges makes the server ignore Range requests, as some hosts do: it answers
// with the whole file.
func (s *Site) NoRanges() { s.noRanges.Store(true) }

// CutOnce cuts the next response for path after n bytes of its body, as a link that
// drops does.
func (s *Site) CutOnce(path string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cuts[path] = n
}

// SetMissing answers 404 for path ("" for none), as a host missing a file does.
func (s *Site) SetMissing(path string) { s.missing.Store(path) }

// SetDown takes the link down (every request is dropped unanswered, every download
// under way is cut) or brings it back.
func (s *Site) SetDown(down bool) { s.down.Store(down) }

// Throttle sends the data files at about bytesPerSecond (0: at full speed).
func (s *Site) Throttle(bytesPerSecond int64) { s.rate.Store(bytesPerSecond) }

// linkWriter sends a data file as the site's link allows: throttled, cut once, or cut
// when the link goes down.
type linkWriter struct {
	http.ResponseWriter
	site  *Site
	cut   int64
	isCut bool
	sent  int64
}

func (w *linkWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		if w.site.down.Load() || (w.isCut && w.sent >= w.cut) {
			drop(w.ResponseWriter)
			return written, http.ErrAbortHandler
		}
		n := min(len(b), 16<<10)
		if w.isCut {
			n = min(n, int(w.cut-w.sent))
		}
		if rate := w.site.rate.Load(); rate > 0 {
			time.Sleep(time.Duration(float64(n) / float64(rate) * float64(time.Second)))
		}
		m, err := w.ResponseWriter.Write(b[:n])
		written, w.sent, b = written+m, w.sent+int64(m), b[n:]
		if err != nil {
			return written, err
		}
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
	}
	return written, nil
}

// drop closes the response's connection without a proper end.
func drop(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

// rangeNote is " range=…" for a Range request, for the record of requests.
func rangeNote(r *http.Request) string {
	if v := r.Header.Get("Range"); v != "" {
		return " range=" + v
	}
	return ""
}

// Requests returns the paths requested so far (a Range request with " range=…").
func (s *Site) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Browser is one headless browser with one tab, and what its pages logged. Ctx is
// Chromium's (chromedp), nil in the other engines.
type Browser struct {
	Ctx      context.Context
	engine   Engine
	d        driver
	mu       sync.Mutex
	errors   []string
	foreign  []string // requests to hosts other than the site's
	siteHost string
}

// Launch starts Chromium for the test's lifetime, with a window of w×h CSS pixels.
// Console errors, uncaught exceptions and requests to any host but siteURL's are
// recorded.
func Launch(t *testing.T, bin, siteURL string, w, h int) *Browser {
	t.Helper()
	// The profile is removed by hand: Chromium may still write to it for a moment
	// after it is told to close, which t.TempDir's cleanup reports as a failure.
	profile, err := os.MkdirTemp("", "lwf-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(w, h),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	u, _ := url.Parse(siteURL)
	b := &Browser{Ctx: ctx, engine: ChromiumEngine, siteHost: u.Host}
	b.d = chromium{b}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value))
			}
			text := strings.Join(parts, " ")
			switch {
			case e.Type == runtime.APITypeError:
				b.record(&b.errors, "console.error: "+text)
			case strings.Contains(text, "panic:") || strings.Contains(text, "fatal error:"):
				b.record(&b.errors, "Go: "+text) // Go prints its panics with console.log
			}
		case *runtime.EventExceptionThrown:
			b.record(&b.errors, "exception: "+e.ExceptionDetails.Error())
		case *network.EventRequestWillBeSent:
			if r, err := url.Parse(e.Request.URL); err == nil && (r.Scheme == "http" || r.Scheme == "https") && r.Host != b.siteHost {
				b.record(&b.foreign, e.Request.URL)
			}
		}
	})
	if err := chromedp.Run(ctx, network.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("sizing the window: %v", err)
	}
	return b
}

func (b *Browser) record(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

// Errors returns the console errors and exceptions seen so far.
func (b *Browser) Errors() []string { return b.d.logged() }

// Foreign returns the requests made to hosts other than the site's (Chromium only:
// the other engines' drivers do not show requests).
func (b *Browser) Foreign() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.foreign...)
}

// Engine says which engine b is.
func (b *Browser) Engine() Engine { return b.engine }

// Run runs chromedp actions with a timeout (Chromium only).
func (b *Browser) Run(t *testing.T, timeout time.Duration, actions ...chromedp.Action) {
	t.Helper()
	if b.engine != ChromiumEngine {
		t.Fatalf("%s: chromedp actions need Chromium", b.engine)
	}
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("browser: %v (errors logged: %v)", err, b.Errors())
	}
}

// Navigate loads url in the tab and waits for it.
func (b *Browser) Navigate(t *testing.T, url string) {
	t.Helper()
	if err := b.d.navigate(url); err != nil {
		t.Fatalf("%s: opening %s: %v", b.engine, url, err)
	}
}

// Text returns the text of the element matching sel, once there is one.
func (b *Browser) Text(t *testing.T, sel string) string {
	t.Helper()
	if b.engine == ChromiumEngine {
		var s string
		b.Run(t, 10*time.Second, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeReady))
		return strings.TrimSpace(s)
	}
	var s *string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b.Eval(t, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? null`, sel), &s)
		if s != nil {
			return strings.TrimSpace(*s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no element matches %s within 10 s", b.engine, sel)
		}
	}
}

// Eval evaluates a JavaScript expression (a test's probe, never page code),
// awaiting it if it is a promise.
func (b *Browser) Eval(t *testing.T, expr string, out any) {
	t.Helper()
	if err := b.d.eval(expr, out); err != nil {
		t.Fatalf("%s: evaluating %.60q: %v (errors logged: %v)", b.engine, expr, err, b.Errors())
	}
}

// Key presses and releases key (a WebDriver key value, such as KeyArrowRight) where
// the focus is.
func (b *Browser) Key(t *testing.T, key string) {
	t.Helper()
	if err := b.d.key(key); err != nil {
		t.Fatalf("%s: pressing %q: %v", b.engine, key, err)
	}
}

// WaitFor polls cond every 100 ms until it holds or timeout passes.
func (b *Browser) WaitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: waited %v for %s (page: %s; errors logged: %v)", b.engine, timeout, what, b.pageState(), b.Errors())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click clicks the middle of sel with the mouse.
func (b *Browser) click(t *testing.T, sel string) {
	t.Helper()
	if b.engine == ChromiumEngine {
		b.Run(t, 5*time.Second, chromedp.Click(sel, chromedp.ByQuery))
		return
	}
	x, y, err := centre(b.d, sel)
	if err == nil {
		err = b.d.click(x, y)
	}
	if err != nil {
		t.Fatalf("%s: clicking %s: %v", b.engine, sel, err)
	}
}

// Drag draws path with the mouse's main button pressed, in CSS pixels of the viewport.
func (b *Browser) Drag(t *testing.T, path [][2]float64) {
	t.Helper()
	if err := b.d.drag(path); err != nil {
		t.Fatalf("%s: dragging the mouse: %v", b.engine, err)
	}
}

// ClickAt clicks the mouse's main button at (x, y), in CSS pixels of the viewport.
func (b *Browser) ClickAt(t *testing.T, x, y float64) {
	t.Helper()
	if err := b.d.click(x, y); err != nil {
		t.Fatalf("%s: clicking at (%.0f, %.0f): %v", b.engine, x, y, err)
	}
}

// Click clicks sel with the mouse, once, and waits until took says the page
// answered: a click that nothing answers within ten seconds fails the test with the
// page's state. (A second click would hide the very bug a lecturer meets.)
func (b *Browser) Click(t *testing.T, sel string, took func() bool) {
	t.Helper()
	b.click(t, sel)
	b.WaitFor(t, "an answer to the click on "+sel, 10*time.Second, took)
}

// pageState describes, for a failure message, what the page shows: its status,
// batches, epoch, progress and error.
func (b *Browser) pageState() string {
	var s string
	err := b.d.eval(`["status", "metric-step", "metric-epoch", "metric-test-accuracy", "progress", "error"]
		.map(id => { const e = document.getElementById(id); return id + "=" + JSON.stringify(e ? e.textContent : null); }).join(" ")
		+ ["play", "step"].map(id => { const e = document.getElementById(id); return " " + id + (e && e.disabled ? " disabled" : " enabled"); }).join("")
		+ " focus=" + (document.activeElement ? document.activeElement.id || document.activeElement.tagName : "none") + " scrollY=" + Math.round(scrollY)`, &s)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	return s
}

// Screenshot saves a PNG of the whole viewport to path.
func (b *Browser) Screenshot(t *testing.T, path string) {
	t.Helper()
	png, err := b.d.screenshot()
	if err != nil {
		t.Fatalf("%s: a screenshot: %v", b.engine, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ScreenshotOf saves a PNG of the first element sel matches, scrolled into view
// (Chromium only).
func (b *Browser) ScreenshotOf(t *testing.T, sel, path string) {
	t.Helper()
	var png []byte
	b.Run(t, 20*time.Second, chromedp.ScrollIntoView(sel, chromedp.ByQuery), chromedp.Screenshot(sel, &png, chromedp.ByQuery))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// NodeCount is a helper for assertions about elements.
func NodeCount(nodes []*cdp.Node) int { return len(nodes) }

// Describe formats a duration for logs.
func Describe(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
