package browsertest

import (
	"os"
	"testing"
)

// TestMain stops what the tests started for the whole run (the WebKit tests' Xvfb).
// Started by loadCores, the test binary is the process that keeps the cores busy.
func TestMain(m *testing.M) {
	if os.Getenv(spinEnv) != "" {
		spin()
	}
	code := m.Run()
	stopXvfb()
	os.Exit(code)
}
