package browsertest

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// firefox is a Firefox driven over WebDriver BiDi, the protocol Firefox speaks
// itself (no geckodriver): commands and events as JSON over one WebSocket.
type firefox struct {
	conn    net.Conn
	context string // the tab's browsing context

	mu      sync.Mutex
	next    int
	waiting map[int]chan bidiReply
	errors  []string
	closed  error
}

type bidiReply struct {
	Type    string          `json:"type"` // success, error, event
	ID      int             `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// firefoxPrefs keep a fresh profile from doing anything but show the page.
const firefoxPrefs = `user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("browser.newtabpage.enabled", false);
`

// bidiListening is how Firefox says where its BiDi server listens.
var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://[^\s]+)`)

func launchFirefox(t *testing.T, bin string, w, h int) (*firefox, error) {
	profile := t.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxPrefs), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0",
		fmt.Sprintf("--width=%d", w), fmt.Sprintf("--height=%d", h), "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := bidiListening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var addr string
	select {
	case addr = <-found:
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("%s did not say where WebDriver BiDi listens within 30 s", bin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, _, err := ws.Dial(ctx, addr+"/session")
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", addr, err)
	}
	f := &firefox{conn: conn, waiting: map[int]chan bidiReply{}}
	t.Cleanup(func() { _ = conn.Close() })
	go f.read()
	if _, err := f.call("session.new", map[string]any{"capabilities": map[string]any{}}); err != nil {
		return nil, err
	}
	var tree struct {
		Contexts []struct{ Context string } `json:"contexts"`
	}
	if err := f.callInto("browsingContext.getTree", map[string]any{}, &tree); err != nil {
		return nil, err
	}
	if len(tree.Contexts) == 0 {
		return nil, fmt.Errorf("firefox has no tab")
	}
	f.context = tree.Contexts[0].Context
	if _, err := f.call("session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}); err != nil {
		return nil, err
	}
	_, err = f.call("browsingContext.setViewport", map[string]any{"context": f.context, "viewport": map[string]int{"width": w, "height": h}})
	return f, err
}

// read dispatches what Firefox sends: replies to their callers, log entries to the
// record.
func (f *firefox) read() {
	for {
		msg, err := wsutil.ReadServerText(f.conn)
		f.mu.Lock()
		if err != nil {
			f.closed = fmt.Errorf("the connection to Firefox: %w", err)
			for id, c := range f.waiting {
				close(c)
				delete(f.waiting, id)
			}
			f.mu.Unlock()
			return
		}
		var r bidiReply
		if json.Unmarshal(msg, &r) == nil {
			if r.Type == "event" && r.Method == "log.entryAdded" {
				var e struct {
					Level, Text string
					Type        string
				}
				if json.Unmarshal(r.Params, &e) == nil && e.Level == "error" {
					f.errors = append(f.errors, e.Type+": "+e.Text)
				}
			} else if c, ok := f.waiting[r.ID]; ok {
				c <- r
				delete(f.waiting, r.ID)
			}
		}
		f.mu.Unlock()
	}
}

func (f *firefox) call(method string, params any) (json.RawMessage, error) {
	f.mu.Lock()
	if f.closed != nil {
		f.mu.Unlock()
		return nil, f.closed
	}
	f.next++
	id := f.next
	c := make(chan bidiReply, 1)
	f.waiting[id] = c
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err == nil {
		err = wsutil.WriteClientText(f.conn, msg)
	}
	f.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r, ok := <-c:
		if !ok {
			return nil, fmt.Errorf("%s: %w", method, f.closed)
		}
		if r.Type == "error" {
			return nil, fmt.Errorf("%s: %s: %s", method, r.Error, r.Message)
		}
		return r.Result, nil
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("%s: no answer from Firefox within 60 s", method)
	}
}

func (f *firefox) callInto(method string, params, out any) error {
	res, err := f.call(method, params)
	if err != nil {
		return err
	}
	return json.Unmarshal(res, out)
}

func (f *firefox) navigate(url string) error {
	_, err := f.call("browsingContext.navigate", map[string]any{"context": f.context, "url": url, "wait": "complete"})
	return err
}

func (f *firefox) eval(expr string, out any) error {
	var res struct {
		Type   string
		Result struct {
			Type  string
			Value json.RawMessage
		}
		ExceptionDetails struct{ Text string } `json:"exceptionDetails"`
	}
	err := f.callInto("script.evaluate", map[string]any{
		"expression":   "(async () => JSON.stringify(await (" + expr + ")))()",
		"target":       map[string]string{"context": f.context},
		"awaitPromise": true,
	}, &res)
	if err != nil {
		return err
	}
	return decodeEvaluated(res.Type == "exception", res.ExceptionDetails.Text, res.Result.Type, res.Result.Value, out)
}

// decodeEvaluated decodes what JSON.stringify made of an evaluated value: a string,
// or undefined (a value JSON has no word for, read as null).
func decodeEvaluated(thrown bool, exception, typ string, value json.RawMessage, out any) error {
	if thrown {
		return fmt.Errorf("the page threw: %s", exception)
	}
	if out == nil {
		return nil
	}
	text := "null"
	if typ == "string" {
		if err := json.Unmarshal(value, &text); err != nil {
			return err
		}
	}
	return json.Unmarshal([]byte(text), out)
}

func (f *firefox) actions(source map[string]any) error {
	_, err := f.call("input.performActions", map[string]any{"context": f.context, "actions": []any{source}})
	return err
}

func (f *firefox) click(x, y float64) error { return f.actions(mouseClick(x, y)) }

func (f *firefox) key(key string) error { return f.actions(keyPress(key)) }

func (f *firefox) drag(path [][2]float64) error { return f.actions(mouseDrag(path)) }

// mouseClick, mouseDrag and keyPress are WebDriver input sources (the same in BiDi
// and classic WebDriver).
func mouseClick(x, y float64) map[string]any { return mouseDrag([][2]float64{{x, y}}) }

func mouseDrag(path [][2]float64) map[string]any {
	move := func(p [2]float64) map[string]any {
		return map[string]any{"type": "pointerMove", "x": int(p[0]), "y": int(p[1]), "origin": "viewport", "duration": 10}
	}
	actions := []map[string]any{move(path[0]), {"type": "pointerDown", "button": 0}}
	for _, p := range path[1:] {
		actions = append(actions, move(p))
	}
	actions = append(actions, map[string]any{"type": "pointerUp", "button": 0})
	return map[string]any{"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"}, "actions": actions}
}

func keyPress(key string) map[string]any {
	return map[string]any{"type": "key", "id": "keyboard",
		"actions": []map[string]any{{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}}}
}

func (f *firefox) screenshot() ([]byte, error) {
	var res struct{ Data string }
	if err := f.callInto("browsingContext.captureScreenshot", map[string]any{"context": f.context}, &res); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(res.Data)
}

func (f *firefox) logged() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}
