// Package doclinks holds the test that keeps the Markdown files' relative links and
// images pointing at files that exist: the README, CONTRIBUTING.md, BENCHMARKS.md and
// the pages of docs/ link to each other and into the code, and a moved or renamed
// file must not leave a link behind.
package doclinks
