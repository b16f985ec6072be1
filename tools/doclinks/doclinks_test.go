package doclinks

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMarkdownLinksPointAtFiles checks every relative link and image of the
// repository's Markdown files: each must name a file or folder that exists.
func TestMarkdownLinksPointAtFiles(t *testing.T) {
	root := projectRoot(t)
	files, err := markdownFiles(t, root)
	require.NoError(t, err)
	require.Contains(t, files, "README.md", "the walk found no README: it looks in the wrong place")
	fsys := os.DirFS(root)
	checked := 0
	for _, name := range files {
		text, err := fs.ReadFile(fsys, name)
		require.NoError(t, err)
		problems := check(fsys, name, string(text))
		for _, p := range problems {
			assert.Fail(t, "a broken link", p.String())
		}
		checked++
	}
	t.Logf("%d Markdown files checked", checked)
}

// TestLinks is the extractor on small texts: what it must find, and what it must
// leave alone (code, and text that only looks like a link).
func TestLinks(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []link
	}{
		{"a link", "See [the CLI](docs/cli.md).", []link{{1, "docs/cli.md"}}},
		{"an image", "![The page](docs/page.png)", []link{{1, "docs/page.png"}}},
		{"two on a line, with a fragment",
			"[a](a.md#part) and [b](../b.md)", []link{{1, "a.md#part"}, {1, "../b.md"}}},
		{"an image inside a link", "[![badge](img/b.svg)](docs/x.md)",
			[]link{{1, "img/b.svg"}, {1, "docs/x.md"}}},
		{"a title", `[a](a.md "The title")`, []link{{1, "a.md"}}},
		{"angle brackets", "[a](<a file.md>)", []link{{1, "a file.md"}}},
		{"parentheses in the target", "[w](https://en.wikipedia.org/wiki/Go_(language))",
			[]link{{1, "https://en.wikipedia.org/wiki/Go_(language)"}}},
		{"text over two lines", "[the long\ntext](long.md)", []link{{2, "long.md"}}},
		{"a reference definition", "[cli]: docs/cli.md\n", []link{{1, "docs/cli.md"}}},
		{"a footnote is not a link", "[^1]: a note\n", nil},
		{"line numbers", "# Title\n\ntext\n[a](a.md)\n", []link{{4, "a.md"}}},
		{"inline code", "`[a](not-a-link.md)` but [b](b.md)", []link{{1, "b.md"}}},
		{"double backticks", "``x ` [a](no.md)`` [b](b.md)", []link{{1, "b.md"}}},
		{"an unclosed backtick", "a ` then [b](b.md)", []link{{1, "b.md"}}},
		{"a fenced block", "```go\nf[i](x)\n[a](no.md)\n```\n[b](b.md)", []link{{5, "b.md"}}},
		{"a tilde fence", "~~~\n[a](no.md)\n~~~\n", nil},
		{"a longer fence closes only on its length", "````\n```\n[a](no.md)\n````\n[b](b.md)", []link{{5, "b.md"}}},
		{"an indented block", "text\n\n    [a](no.md)\n    more\n\n[b](b.md)", []link{{6, "b.md"}}},
		{"an indented line in a paragraph is text", "text\n    [a](a.md)", []link{{2, "a.md"}}},
		{"a list's indented paragraph is text", "- item\n\n    [a](a.md)", []link{{3, "a.md"}}},
		{"brackets that are not a link", "[0, 1) and f(x) and [x] (y)", nil},
		{"an empty target", "[a]()", nil},
		{"no closing parenthesis", "[a](b.md and more", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, links(tt.text))
		})
	}
}

// TestLocalTarget says which targets name a file of the repository, and which path.
func TestLocalTarget(t *testing.T) {
	tests := []struct {
		target string
		want   string
		ok     bool
	}{
		{"docs/cli.md", "docs/cli.md", true},
		{"../README.md", "../README.md", true},
		{"cli.md#flags", "cli.md", true},
		{"page.html?x=1#top", "page.html", true},
		{"a%20file.md", "a file.md", true},
		{"/docs/cli.md", "/docs/cli.md", true},
		{"#an-anchor", "", false},
		{"http://example.com/a.md", "", false},
		{"https://example.com/a.md", "", false},
		{"HTTPS://example.com", "", false},
		{"mailto:someone@example.com", "", false},
		{"?only-a-query", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			got, ok := localTarget(tt.target)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestCheckFindsBrokenLinks makes sure the check can fail: a small repository in
// memory, with links that resolve and links that do not.
func TestCheckFindsBrokenLinks(t *testing.T) {
	fsys := fstest.MapFS{
		"README.md":     {Data: []byte("[docs](docs/guide.md)\n")},
		"docs/guide.md": {},
		"docs/page.png": {},
		"core/nn/a.go":  {},
	}
	text := strings.Join([]string{
		"# Guide",
		"[home](../README.md) ![page](page.png) [code](../core/nn/a.go#L3) [folder](../core/nn)",
		"[root-relative](/docs/guide.md) [anchor](#guide) [web](https://example.com/none.md)",
		"[gone](missing.md#part)",
		"```",
		"[in code](nothing.md)",
		"```",
		"![gone too](img/none.png) [outside](../../elsewhere.md)",
		"[not at the root](/missing/too.md)",
	}, "\n")
	got := check(fsys, "docs/guide.md", text)
	want := []problem{
		{"docs/guide.md", 4, "missing.md#part", "docs/missing.md does not exist"},
		{"docs/guide.md", 8, "img/none.png", "docs/img/none.png does not exist"},
		{"docs/guide.md", 8, "../../elsewhere.md", "it points outside the repository"},
		{"docs/guide.md", 9, "/missing/too.md", "missing/too.md does not exist"},
	}
	assert.Equal(t, want, got)
	require.NotEmpty(t, got)
	assert.Equal(t, "docs/guide.md:4: missing.md#part: docs/missing.md does not exist", got[0].String())

	assert.Empty(t, check(fsys, "README.md", "[docs](docs/guide.md)\n"))
}

// link is a link or image of a Markdown text: the line its target is on, and the
// target as written.
type link struct {
	line   int
	target string
}

// problem is a link whose target does not exist.
type problem struct {
	file   string
	line   int
	target string
	why    string
}

func (p problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.file, p.line, p.target, p.why)
}

// check returns the links of the Markdown file name (its text given) whose targets,
// resolved from the file's folder (or from the root for a target starting with /),
// name nothing in fsys.
func check(fsys fs.FS, name, text string) []problem {
	var out []problem
	for _, l := range links(text) {
		p, ok := localTarget(l.target)
		if !ok {
			continue
		}
		var full string
		if rest, rooted := strings.CutPrefix(p, "/"); rooted {
			full = path.Clean(rest)
		} else {
			full = path.Join(path.Dir(name), p)
		}
		if full == ".." || strings.HasPrefix(full, "../") {
			out = append(out, problem{name, l.line, l.target, "it points outside the repository"})
			continue
		}
		if !fs.ValidPath(full) {
			out = append(out, problem{name, l.line, l.target, "not a path of the repository"})
			continue
		}
		if _, err := fs.Stat(fsys, full); err != nil {
			out = append(out, problem{name, l.line, l.target, full + " does not exist"})
		}
	}
	return out
}

// localTarget returns the path a link's target names in the repository, without its
// #fragment or ?query, and false for a target that names no file here: a web or mail
// address, or an anchor of the same page.
func localTarget(target string) (string, bool) {
	lower := strings.ToLower(target)
	for _, scheme := range []string{"http:", "https:", "mailto:"} {
		if strings.HasPrefix(lower, scheme) {
			return "", false
		}
	}
	p, _, _ := strings.Cut(target, "#")
	p, _, _ = strings.Cut(p, "?")
	if p == "" {
		return "", false
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	return p, true
}

// refDefinition is a reference definition, [label]: target (not a footnote, [^1]:).
var refDefinition = regexp.MustCompile(`^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*(<[^>]*>|\S+)`)

// links returns the targets of a Markdown text's inline links and images,
// [text](target) and ![alt](target), and of its reference definitions, outside code
// blocks and code spans.
func links(text string) []link {
	var (
		out       []link
		fence     string // the fence of the code block the line is in, or ""
		prevBlank = true // the line before was blank (or there was none)
		inCode    bool   // in an indented code block
		inList    bool   // in a list: an indented line after a blank line is its text
	)
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		trimmed := strings.TrimLeft(line, " \t")
		if fence != "" {
			if isFence(trimmed) && trimmed[0] == fence[0] && len(fenceRun(trimmed)) >= len(fence) &&
				strings.TrimSpace(trimmed[len(fenceRun(trimmed)):]) == "" {
				fence = ""
			}
			continue
		}
		if trimmed == "" {
			prevBlank = true
			continue
		}
		ind := indent(line)
		if ind >= 4 && (inCode || (prevBlank && !inList)) {
			inCode, prevBlank = true, false
			continue
		}
		inCode = false
		if isFence(trimmed) {
			fence, prevBlank = fenceRun(trimmed), false
			continue
		}
		if ind < 4 {
			if isListItem(trimmed) {
				inList = true
			} else if prevBlank && ind == 0 {
				inList = false
			}
		}
		prevBlank = false
		line = blankCodeSpans(line)
		if m := refDefinition.FindStringSubmatch(line); m != nil {
			out = append(out, link{n, strings.Trim(m[2], "<>")})
			continue
		}
		for _, target := range inlineTargets(line) {
			out = append(out, link{n, target})
		}
	}
	return out
}

// inlineTargets returns the target of each "](target)" and "](target "title")" on
// a line.
func inlineTargets(line string) []string {
	var out []string
	for rest := line; ; {
		i := strings.Index(rest, "](")
		if i < 0 {
			return out
		}
		rest = strings.TrimLeft(rest[i+2:], " \t")
		var target string
		if strings.HasPrefix(rest, "<") {
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				continue
			}
			target, rest = rest[1:end], rest[end+1:]
		} else {
			depth, end := 0, len(rest)
		scan:
			for j, r := range rest {
				switch {
				case r == '(':
					depth++
				case r == ')' && depth == 0, r == ' ', r == '\t':
					end = j
					break scan
				case r == ')':
					depth--
				}
			}
			target, rest = rest[:end], rest[end:]
		}
		// What follows the target: the closing parenthesis, or a title before it.
		if after := strings.TrimLeft(rest, " \t"); target != "" && after != "" && strings.ContainsRune(`)"'(`, rune(after[0])) {
			out = append(out, target)
		}
	}
}

// blankCodeSpans replaces each code span of a line (text between backtick runs of the
// same length) with spaces; a run without its match is left as it is.
func blankCodeSpans(line string) string {
	b := []byte(line)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		run := 1
		for i+run < len(b) && b[i+run] == '`' {
			run++
		}
		end := -1
		for j := i + run; j < len(b); {
			if b[j] != '`' {
				j++
				continue
			}
			k := 1
			for j+k < len(b) && b[j+k] == '`' {
				k++
			}
			if k == run {
				end = j + k
				break
			}
			j += k
		}
		if end < 0 {
			i += run
			continue
		}
		for k := i; k < end; k++ {
			b[k] = ' '
		}
		i = end
	}
	return string(b)
}

// isFence says whether a line (its indentation removed) opens or closes a fenced code
// block: three or more backticks or tildes.
func isFence(trimmed string) bool { return len(fenceRun(trimmed)) >= 3 }

// fenceRun returns the run of backticks or tildes a line starts with.
func fenceRun(trimmed string) string {
	if trimmed == "" || (trimmed[0] != '`' && trimmed[0] != '~') {
		return ""
	}
	n := 1
	for n < len(trimmed) && trimmed[n] == trimmed[0] {
		n++
	}
	return trimmed[:n]
}

// listItem is the start of a list item: a bullet, or a number with . or ).
var listItem = regexp.MustCompile(`^([-*+]|[0-9]{1,9}[.)])([ \t]|$)`)

func isListItem(trimmed string) bool { return listItem.MatchString(trimmed) }

// indent returns a line's indentation in columns, a tab counting 4.
func indent(line string) int {
	n := 0
	for _, r := range line {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4 - n%4
		default:
			return n
		}
	}
	return n
}

// markdownFiles returns the repository's Markdown files, as slash paths from root:
// those git tracks (and that exist), and those in the work tree outside results/,
// dist/, node_modules and hidden folders such as .cache/.
func markdownFiles(t *testing.T, root string) ([]string, error) {
	t.Helper()
	seen := map[string]bool{}
	cmd := exec.Command("git", "ls-files", "-z", "--", "*.md")
	cmd.Dir = root
	if out, err := cmd.Output(); err != nil {
		t.Logf("git ls-files: %v; checking the work tree's files only", err)
	} else {
		for _, name := range strings.Split(string(out), "\x00") {
			if name == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(name))); err == nil {
				seen[name] = true
			}
		}
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			name := d.Name()
			top := !strings.Contains(rel, "/")
			if strings.HasPrefix(name, ".") || name == "node_modules" ||
				(top && slices.Contains([]string{"results", "dist", "dist.part"}, name)) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.EqualFold(path.Ext(rel), ".md") {
			seen[rel] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	files := make([]string, 0, len(seen))
	for name := range seen {
		files = append(files, name)
	}
	slices.Sort(files)
	return files, nil
}

// projectRoot returns the folder of go.mod above the test.
func projectRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}
