//go:build !js

package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// CacheDir returns the folder where this machine keeps the data set name (such as
// "mnist"): $LWF_DATA/name, or lwf/name in the user's cache directory
// (~/.cache/lwf/name on Linux, as torchvision keeps its data sets). It only names
// the folder; tools/internal/mnist fills it.
func CacheDir(name string) (string, error) {
	if root := os.Getenv("LWF_DATA"); root != "" {
		return filepath.Join(root, name), nil
	}
	root, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data: no folder for %s: %w (set LWF_DATA to a folder)", name, err)
	}
	return filepath.Join(root, "lwf", name), nil
}
