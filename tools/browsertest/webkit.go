package browsertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// webkit is WebKitGTK's MiniBrowser driven by WebKitWebDriver over classic WebDriver
// (HTTP and JSON), under its own Xvfb display where the test has none.
type webkit struct {
	base string // the session's URL
}

// miniBrowsers are where Debian's WebKitGTK keeps its MiniBrowser.
var miniBrowsers = []string{"/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser"}

// freePort returns a TCP port nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// xvfb is one virtual display that the WebKit tests share, stopped when they end
// (TestMain).
var xvfb struct {
	once    sync.Once
	cmd     *exec.Cmd
	display string
	err     error
}

// stopXvfb stops the display the tests started, if any.
func stopXvfb() {
	if xvfb.cmd != nil {
		_ = xvfb.cmd.Process.Kill()
		_ = xvfb.cmd.Wait()
	}
}

// display returns an X display for WebKit: the test's own, or an Xvfb started once.
func display() (string, error) {
	if d := os.Getenv("DISPLAY"); d != "" {
		return d, nil
	}
	xvfb.once.Do(func() {
		bin, err := exec.LookPath("Xvfb")
		if err != nil {
			xvfb.err = fmt.Errorf("WebKit needs a display, and no Xvfb is installed (apt-get install xvfb)")
			return
		}
		for n := 99; n < 120; n++ {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				continue
			}
			cmd := exec.Command(bin, fmt.Sprintf(":%d", n), "-screen", "0", "1920x1200x24", "-nolisten", "tcp")
			if err := cmd.Start(); err != nil {
				xvfb.err = err
				return
			}
			for range 50 {
				if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
					xvfb.display, xvfb.cmd = fmt.Sprintf(":%d", n), cmd
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			_ = cmd.Process.Kill()
		}
		xvfb.err = fmt.Errorf("no Xvfb display could be started")
	})
	return xvfb.display, xvfb.err
}

func launchWebKit(t *testing.T, driverBin string, w, h int) (*webkit, error) {
	mini := ""
	for _, p := range miniBrowsers {
		if _, err := os.Stat(p); err == nil {
			mini = p
		}
	}
	if mini == "" {
		return nil, fmt.Errorf("no WebKitGTK MiniBrowser in %v (apt-get install webkit2gtk-driver)", miniBrowsers)
	}
	disp, err := display()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(driverBin, fmt.Sprintf("--port=%d", port))
	cmd.Env = append(os.Environ(), "DISPLAY="+disp, "XDG_CACHE_HOME="+filepath.Join(t.TempDir(), "cache"),
		"XDG_DATA_HOME="+filepath.Join(t.TempDir(), "data"), "WEBKIT_DISABLE_COMPOSITING_MODE=1")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	root := fmt.Sprintf("http://127.0.0.1:%d", port)
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"webkitgtk:browserOptions": map[string]any{"binary": mini, "args": []string{"--automation"}},
	}}}
	var session struct {
		SessionID string `json:"sessionId"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		err = classicCall(http.MethodPost, root+"/session", caps, &session)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("a WebKitWebDriver session: %w", err)
	}
	k := &webkit{base: root + "/session/" + session.SessionID}
	t.Cleanup(func() { _ = classicCall(http.MethodDelete, k.base, nil, nil) })
	if err := k.fitViewport(w, h); err != nil {
		return nil, err
	}
	return k, nil
}

// fitViewport sizes the window so that its viewport is w×h: the window's frame and
// toolbar take what they take.
func (k *webkit) fitViewport(w, h int) error {
	width, height := w, h
	for range 3 {
		if err := classicCall(http.MethodPost, k.base+"/window/rect", map[string]int{"width": width, "height": height}, nil); err != nil {
			return fmt.Errorf("sizing the window: %w", err)
		}
		var inner []int
		if err := k.eval(`[innerWidth, innerHeight]`, &inner); err != nil {
			return err
		}
		if len(inner) != 2 || (inner[0] == w && inner[1] == h) {
			return nil
		}
		width, height = width+w-inner[0], height+h-inner[1]
	}
	return nil
}

// classicCall makes one WebDriver request and decodes its value into out.
func classicCall(method, url string, body, out any) error {
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, in)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	client := http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var reply struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return fmt.Errorf("WebDriver %s: HTTP %d, %w", url, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		_ = json.Unmarshal(reply.Value, &e)
		return fmt.Errorf("WebDriver: %s: %s", e.Error, e.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(reply.Value, out)
}

// navigate loads url and installs errorHook in it: classic WebDriver has no log.
func (k *webkit) navigate(url string) error {
	if err := classicCall(http.MethodPost, k.base+"/url", map[string]string{"url": url}, nil); err != nil {
		return err
	}
	return k.eval(errorHook, nil)
}

// errorHook records the page's uncaught errors and console errors where the driver
// cannot (classic WebDriver), from when it is installed on.
const errorHook = `(() => {
	if (window.__lwfErrors) return;
	const errs = window.__lwfErrors = [];
	addEventListener("error", (e) => errs.push("exception: " + e.message));
	addEventListener("unhandledrejection", (e) => errs.push("unhandled rejection: " + e.reason));
	const log = console.error.bind(console);
	console.error = (...a) => { errs.push("console.error: " + a.join(" ")); log(...a); };
})()`

// eval runs expr through Execute Script, which awaits a promise the script returns.
func (k *webkit) eval(expr string, out any) error {
	var text *string
	err := classicCall(http.MethodPost, k.base+"/execute/sync", map[string]any{
		"script": "return (async () => JSON.stringify(await (" + expr + ")))()", "args": []any{},
	}, &text)
	if err != nil {
		return err
	}
	typ, value := "undefined", json.RawMessage(nil)
	if text != nil {
		typ = "string"
		value, _ = json.Marshal(*text)
	}
	return decodeEvaluated(false, "", typ, value, out)
}

func (k *webkit) actions(source map[string]any) error {
	return classicCall(http.MethodPost, k.base+"/actions", map[string]any{"actions": []any{source}}, nil)
}

func (k *webkit) click(x, y float64) error { return k.actions(mouseClick(x, y)) }

func (k *webkit) drag(path [][2]float64) error { return k.actions(mouseDrag(path)) }

func (k *webkit) key(key string) error { return k.actions(keyPress(key)) }

func (k *webkit) screenshot() ([]byte, error) {
	var data string
	if err := classicCall(http.MethodGet, k.base+"/screenshot", nil, &data); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(data)
}

// logged reads what errorHook (installed after each navigation, so it misses what
// happened before) has seen.
func (k *webkit) logged() []string {
	var errs []string
	_ = k.eval(`window.__lwfErrors || []`, &errs)
	return errs
}
