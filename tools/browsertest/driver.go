package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// An Engine is a browser engine the page is tested in: Chromium (through chromedp),
// Firefox (WebDriver BiDi, its own remote protocol) and WebKit, Safari's engine
// (WebKitGTK's WebKitWebDriver, classic WebDriver).
type Engine string

// The engines.
const (
	ChromiumEngine Engine = "Chromium"
	FirefoxEngine  Engine = "Firefox"
	WebKitEngine   Engine = "WebKit"
)

// Engines are the engines the lecture's tests run in.
var Engines = []Engine{ChromiumEngine, FirefoxEngine, WebKitEngine}

// driver is what a test does with a browser, whichever engine it is.
type driver interface {
	navigate(url string) error
	// eval evaluates a JavaScript expression in the page (awaiting a promise) and
	// decodes its value, as JSON, into out (nil: ignored).
	eval(expr string, out any) error
	// click presses and releases the mouse's main button at (x, y), in CSS pixels of
	// the viewport.
	click(x, y float64) error
	// drag presses the mouse's main button at the path's first point, moves it
	// through the others and releases it at the last.
	drag(path [][2]float64) error
	// key presses and releases a key (a WebDriver key value) where the focus is.
	key(key string) error
	screenshot() ([]byte, error)
	// logged returns the console errors and uncaught exceptions seen so far.
	logged() []string
}

// The WebDriver key values of the keys the tests press.
const (
	KeyArrowLeft  = "\uE012"
	KeyArrowRight = "\uE014"
	KeyPageDown   = "\uE00F"
	KeyEscape     = "\uE00C"
	KeySpace      = " "
)

// installs says where each engine is found: an environment variable naming it, the
// names it goes by on PATH (its browser, or for WebKit its driver), and what apt
// installs for it.
var installs = map[Engine]struct {
	env      string
	names    []string
	packages string
}{
	ChromiumEngine: {"CHROMIUM", []string{"chromium", "chromium-browser", "google-chrome", "chrome"}, "chromium"},
	FirefoxEngine:  {"FIREFOX", []string{"firefox-esr", "firefox"}, "firefox-esr"},
	WebKitEngine:   {"WEBKIT_WEBDRIVER", []string{"WebKitWebDriver"}, "webkit2gtk-driver xvfb"},
}

// engineBinary returns the path of an engine's browser (or its driver), or "".
func engineBinary(e Engine) string {
	in := installs[e]
	if p := os.Getenv(in.env); p != "" {
		return p
	}
	for _, name := range in.names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// RequireEngine skips the test when the browser tests are not asked for or the
// engine is not installed; with REQUIRE_BROWSER=1 a missing engine fails instead.
func RequireEngine(t *testing.T, e Engine) string {
	t.Helper()
	skipUnlessAsked(t)
	bin := engineBinary(e)
	if bin == "" {
		if os.Getenv("REQUIRE_BROWSER") != "" {
			t.Fatalf("no %s found (apt-get install %s), and REQUIRE_BROWSER is set", e, installs[e].packages)
		}
		t.Skipf("SKIPPED: no %s found (apt-get install %s)", e, installs[e].packages)
	}
	return bin
}

// LaunchEngine starts a browser of engine e for the test's lifetime, with a fresh
// profile and a viewport of w×h CSS pixels.
func LaunchEngine(t *testing.T, e Engine, siteURL string, w, h int) *Browser {
	t.Helper()
	bin := RequireEngine(t, e)
	switch e {
	case FirefoxEngine:
		d, err := launchFirefox(t, bin, w, h)
		if err != nil {
			t.Fatalf("starting Firefox: %v", err)
		}
		return &Browser{engine: e, d: d}
	case WebKitEngine:
		d, err := launchWebKit(t, bin, w, h)
		if err != nil {
			t.Fatalf("starting WebKit: %v", err)
		}
		return &Browser{engine: e, d: d}
	}
	return Launch(t, bin, siteURL, w, h)
}

// chromium is the driver of a Chromium the harness started (Launch).
type chromium struct{ b *Browser }

func (c chromium) run(actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(c.b.Ctx, 20*time.Second)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}

func (c chromium) navigate(url string) error { return c.run(chromedp.Navigate(url)) }

func (c chromium) eval(expr string, out any) error {
	return c.run(chromedp.Evaluate(expr, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
}

func (c chromium) click(x, y float64) error { return c.run(chromedp.MouseClickXY(x, y)) }

func (c chromium) drag(path [][2]float64) error {
	var actions []chromedp.Action
	for i, p := range path {
		typ := input.MouseMoved
		switch i {
		case 0:
			typ = input.MousePressed
		case len(path) - 1:
			typ = input.MouseReleased
		}
		actions = append(actions, chromedp.ActionFunc(func(ctx context.Context) error {
			return input.DispatchMouseEvent(typ, p[0], p[1]).WithButton(input.Left).WithButtons(1).WithClickCount(1).Do(ctx)
		}))
	}
	return c.run(actions...)
}

func (c chromium) key(key string) error {
	if k, ok := chromiumKeys[key]; ok {
		key = k
	}
	return c.run(chromedp.KeyEvent(key))
}

// chromiumKeys are chromedp's names of the WebDriver keys.
var chromiumKeys = map[string]string{KeyArrowLeft: kb.ArrowLeft, KeyArrowRight: kb.ArrowRight, KeyPageDown: kb.PageDown, KeyEscape: kb.Escape}

func (c chromium) screenshot() ([]byte, error) {
	var png []byte
	err := c.run(chromedp.CaptureScreenshot(&png))
	return png, err
}

func (c chromium) logged() []string {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	return append([]string(nil), c.b.errors...)
}

// centre returns the middle of the first element sel matches, scrolled into view, in
// viewport coordinates.
func centre(d driver, sel string) (x, y float64, err error) {
	var at []float64
	err = d.eval(fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) return null;
		e.scrollIntoView({block: "center", inline: "center"});
		const r = e.getBoundingClientRect();
		return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];
	})()`, sel), &at)
	if err != nil {
		return 0, 0, err
	}
	if len(at) != 2 {
		return 0, 0, fmt.Errorf("no element matches %s", sel)
	}
	return at[0], at[1], nil
}

// String is e as a subtest's name.
func (e Engine) String() string { return strings.ToLower(string(e)) }
