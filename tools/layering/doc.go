// Package layering holds the test that keeps the project's floors apart (see the
// README's "What exists"): each floor uses only the floors below it.
package layering
