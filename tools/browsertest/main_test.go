package browsertest

import (
	"os"
	"testing"
)

// TestMain stops what the tests started for the whole run (the WebKit tests' Xvfb).
func TestMain(m *testing.M) {
	code := m.Run()
	stopXvfb()
	os.Exit(code)
}
