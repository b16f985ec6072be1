package layering

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/nofeedback/lwf/"

// TestFloorsStayApart lists each package's dependencies with the go command and
// checks what they must not reach.
func TestFloorsStayApart(t *testing.T) {
	tests := []struct {
		pkg    string
		wasm   bool     // built for the browser
		denied []string // import paths, or prefixes ending in /
	}{
		{"./core/...", false, []string{module + "wasm/", module + "tools/", "syscall/js", "os/exec"}},
		{"./core/data", false, []string{module + "core/nn", module + "core/optim", module + "core/train"}},
		{"./wasm/worker", true, []string{module + "wasm/ui", module + "wasm/client", "honnef.co/go/js/dom/v2"}},
		{"./wasm/ui", true, []string{module + "wasm/engine", module + "wasm/worker", module + "wasm/render", module + "wasm/benchpage"}},
		{"./wasm/benchpage", true, []string{module + "wasm/ui", module + "wasm/engine", module + "wasm/worker"}},
		{"./wasm/client", true, []string{module + "wasm/engine", module + "wasm/ui", "honnef.co/go/js/dom/v2"}},
		{"./wasm/engine", false, []string{module + "wasm/ui", module + "wasm/worker", "syscall/js"}},
		{"./wasm/protocol", false, []string{module + "wasm/engine", "syscall/js"}},
		{"./wasm/urlstate", false, []string{module + "wasm/ui", module + "wasm/worker", module + "wasm/engine", module + "wasm/client", "syscall/js"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", tt.pkg)
			cmd.Dir = "../.."
			cmd.Env = os.Environ()
			if tt.wasm {
				cmd.Env = append(cmd.Env, "GOOS=js", "GOARCH=wasm")
			}
			out, err := cmd.Output()
			require.NoError(t, err, "go list -deps %s", tt.pkg)
			deps := strings.Fields(string(out))
			require.NotEmpty(t, deps)
			for _, dep := range deps {
				for _, no := range tt.denied {
					hit := dep == no || (strings.HasSuffix(no, "/") && strings.HasPrefix(dep, no))
					assert.False(t, hit, "%s depends on %s", tt.pkg, dep)
				}
			}
		})
	}
}
