// Package layering holds the tests of the code's shape: each floor uses only the
// floors below it (see docs/architecture.md), and no function outside the tests is
// over 80 lines.
package layering
