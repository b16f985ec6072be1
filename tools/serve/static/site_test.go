package static

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSitePolicy: the pages declare the policy the server sends (GitHub Pages sends
// no headers), less frame-ancestors, which browsers ignore in a meta tag; they run no
// inline script and load nothing from another origin.
func TestSitePolicy(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("..", "..", "..", "site", "*.html"))
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	want := strings.TrimSuffix(ContentSecurityPolicy, "; frame-ancestors *")
	require.NotEqual(t, want, ContentSecurityPolicy)
	assert.Contains(t, want, "script-src 'self' 'wasm-unsafe-eval'")
	assert.NotContains(t, ContentSecurityPolicy, "unsafe-inline")
	meta := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	script := regexp.MustCompile(`<script([^>]*)>`)
	for _, page := range pages {
		raw, err := os.ReadFile(page)
		require.NoError(t, err)
		html := string(raw)
		m := meta.FindStringSubmatch(html)
		require.NotNil(t, m, "%s declares its policy", page)
		assert.Equal(t, want, m[1], page)
		for _, s := range script.FindAllStringSubmatch(html, -1) {
			assert.Contains(t, s[1], `src="`, "%s: no inline script", page)
		}
		assert.NotRegexp(t, `(src|href)="(https?:)?//`, html, "%s loads nothing from another origin", page)
	}
}
