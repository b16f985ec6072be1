package browsertest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// spinEnv, set in the test binary's environment, makes it a process that keeps every
// core busy until it is killed (TestMain checks it first).
const spinEnv = "LWF_SPIN"

// spin keeps every core busy, forever.
func spin() {
	for range runtime.NumCPU() - 1 {
		go spinOne()
	}
	spinOne()
}

func spinOne() {
	for x := 1.0; ; {
		x = x*1.0000001 + 1e-9
	}
}

// loadCores starts another process that keeps every core busy until the test ends:
// a lecturer's laptop with other work running.
func loadCores(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), spinEnv+"=1")
	require.NoError(t, cmd.Start(), "starting the process that loads the cores")
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}

// clickAction is one thing a lecturer does to the page, and how the test sees that it
// took effect once.
type clickAction struct {
	name string
	// can says whether the action does anything in the page's state now.
	can func(b *Browser, t *testing.T) bool
	// do does it, and returns the check that it took effect, once.
	do func(b *Browser, t *testing.T) (what string, took func() bool)
}

// TestEveryClickTakesEffectOnce: on a busy machine (another process keeps both cores
// busy) and while MNIST is still arriving on a slow link, 100 clicks and keys in each
// engine, spread over Play, Pause, Step, Reset, a change of the paper's experiment,
// Save network, the space bar and P, each take effect, and once: a click that
// nothing answers fails at once (Browser.Click clicks once), and Play or the space
// bar flips the button once, Step trains one batch, not two.
func TestEveryClickTakesEffectOnce(t *testing.T) {
	site := Serve(t, Dist(t))
	loadCores(t)
	inEachEngine(t, func(t *testing.T, e Engine) {
		site.Throttle(1_000_000) // about 11 s for MNIST: the first clicks come while it arrives
		defer site.Throttle(0)
		b := openIn(t, e, site, "", 1280, 720)
		b.WaitFor(t, "the page's controls", 60*time.Second, func() bool {
			var ok bool
			b.Eval(t, `!!document.getElementById("preset") && !document.getElementById("play").disabled`, &ok)
			return ok
		})
		b.catchDownloads(t)
		r := rand.New(rand.NewPCG(1, uint64(len(e)))) // the same clicks in every run
		actions := lecturerActions()
		counts, arriving := map[string]int{}, 0
		for i := 0; i < 100; {
			a := actions[r.IntN(len(actions))]
			if !a.can(b, t) {
				time.Sleep(50 * time.Millisecond) // (a run still loading: try another)
				continue
			}
			var progress bool
			b.Eval(t, `!document.getElementById("progress").hidden`, &progress)
			if progress {
				arriving++
			}
			what, took := a.do(b, t)
			b.WaitFor(t, fmt.Sprintf("click %d (%s): %s", i+1, a.name, what), 20*time.Second, took)
			counts[a.name]++
			i++
		}
		t.Logf("%s: %v, %d while the data arrived", e, counts, arriving)
		require.NotZero(t, arriving, "no click while the data arrived")
		for _, a := range actions {
			require.NotZero(t, counts[a.name], "no %s among the clicks", a.name)
		}
		require.Empty(t, b.Errors())
	})
}

// lecturerActions are the clicks and keys of TestEveryClickTakesEffectOnce.
func lecturerActions() []clickAction {
	pressed := func(b *Browser, t *testing.T) bool {
		var on bool
		b.Eval(t, `document.getElementById("play").getAttribute("aria-pressed") === "true"`, &on)
		return on
	}
	enabled := func(id string) func(b *Browser, t *testing.T) bool {
		return func(b *Browser, t *testing.T) bool {
			var on bool
			b.Eval(t, fmt.Sprintf(`!document.getElementById(%q).disabled`, id), &on)
			return on
		}
	}
	// flips is the check of Play and of the space bar: the button shows the other
	// state, and still does a little later (a second toggle would undo it).
	flips := func(b *Browser, t *testing.T) (string, func() bool) {
		want := !pressed(b, t)
		var since time.Time
		return fmt.Sprintf("Play pressed=%v, and staying so", want), func() bool {
			if pressed(b, t) != want {
				since = time.Time{}
				return false
			}
			if since.IsZero() {
				since = time.Now()
			}
			return time.Since(since) > 300*time.Millisecond
		}
	}
	// present: the projector's view, which hides the settings and Keep this run.
	present := func(b *Browser, t *testing.T) bool {
		var on bool
		b.Eval(t, `document.documentElement.classList.contains("present")`, &on)
		return on
	}
	blur := func(b *Browser, t *testing.T) {
		b.Eval(t, `document.activeElement && document.activeElement.blur(), true`, nil)
	}
	downloads := func(b *Browser, t *testing.T) int {
		var n int
		b.Eval(t, `window.__lwfDownloads.length`, &n)
		return n
	}
	built := func(b *Browser, t *testing.T) bool {
		s := b.Text(t, "#status")
		return s == "ready" || s == "paused" || s == "training"
	}
	presets := []struct{ name, topology string }{{"mnist-500", "FC_500_FC_10"}, {"mnist-1000", "FC_1000_FC_10"}}
	return []clickAction{
		{"Play/Pause", enabled("play"), func(b *Browser, t *testing.T) (string, func() bool) {
			what, took := flips(b, t)
			b.click(t, "#play")
			return what, took
		}},
		{"Step", enabled("step"), func(b *Browser, t *testing.T) (string, func() bool) {
			before := b.number(t, "#metric-step")
			b.click(t, "#step")
			var since time.Time
			return fmt.Sprintf("batches %.0f after %.0f, and staying so", before+1, before), func() bool {
				if b.number(t, "#metric-step") != before+1 {
					require.LessOrEqual(t, b.number(t, "#metric-step"), before+1, "one Step trained more than one batch")
					since = time.Time{}
					return false
				}
				if since.IsZero() {
					since = time.Now()
				}
				return time.Since(since) > 300*time.Millisecond
			}
		}},
		{"Reset", func(b *Browser, t *testing.T) bool {
			return built(b, t) && (pressed(b, t) || b.number(t, "#metric-step") > 0)
		},
			func(b *Browser, t *testing.T) (string, func() bool) {
				b.click(t, "#reset")
				return "Play released, no batch trained and the run built again", func() bool {
					return !pressed(b, t) && b.Text(t, "#metric-step") == "0" && b.Text(t, "#status") == "ready"
				}
			}},
		{"an experiment", func(b *Browser, t *testing.T) bool { return built(b, t) && !present(b, t) }, func(b *Browser, t *testing.T) (string, func() bool) {
			var now string
			b.Eval(t, `document.getElementById("preset").value`, &now)
			next := presets[0]
			if now == next.name {
				next = presets[1]
			}
			b.Eval(t, fmt.Sprintf(`(() => { const s = document.getElementById("preset"); s.focus(); s.value = %q;
				s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, next.name), nil)
			return "the network " + next.topology + " built", func() bool {
				var topology string
				b.Eval(t, `document.getElementById("setting-topology").value`, &topology)
				return topology == next.topology && built(b, t)
			}
		}},
		{"Save network", func(b *Browser, t *testing.T) bool {
			return built(b, t) && !present(b, t) && enabled("save-network")(b, t)
		},
			func(b *Browser, t *testing.T) (string, func() bool) {
				n := downloads(b, t)
				b.click(t, "#save-network")
				var since time.Time
				return fmt.Sprintf("download %d, and no other", n+1), func() bool {
					got := downloads(b, t)
					require.LessOrEqual(t, got, n+1, "one click saved the network twice")
					if got != n+1 {
						return false
					}
					if since.IsZero() {
						since = time.Now()
					}
					return time.Since(since) > 300*time.Millisecond
				}
			}},
		{"the space bar", enabled("play"), func(b *Browser, t *testing.T) (string, func() bool) {
			blur(b, t)
			what, took := flips(b, t)
			b.Key(t, KeySpace)
			return what, took
		}},
		{"P", func(*Browser, *testing.T) bool { return true }, func(b *Browser, t *testing.T) (string, func() bool) {
			blur(b, t)
			was := present(b, t)
			b.Key(t, "p")
			return fmt.Sprintf("the projector's view %v", !was), func() bool { return present(b, t) == !was }
		}},
	}
}
