package urlstate

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site/early.js sets the view's classes before the page is drawn, from the link's
// present, embed and signals switches: it must read them as parseSwitch does, or the page
// would be drawn in one layout and then jump to another.
func TestEarlyJSReadsTheSwitchesAsTheLinkDoes(t *testing.T) {
	src, err := os.ReadFile("../../site/early.js")
	require.NoError(t, err)
	m := regexp.MustCompile(`\[("[^\]]*")\]\.includes\(v\.toLowerCase\(\)\)`).FindSubmatch(src)
	require.NotNil(t, m, "early.js's list of the values that turn a switch on")
	var on []string
	require.NoError(t, json.Unmarshal([]byte("["+string(m[1])+"]"), &on))
	for _, v := range on {
		got, err := parseSwitch(v)
		assert.NoError(t, err, v)
		assert.True(t, got, "early.js takes %q for on", v)
	}
	for _, v := range []string{"", "1", "true", "on", "yes", "TRUE", "Yes"} {
		got, _ := parseSwitch(v)
		assert.True(t, got)
		assert.Contains(t, on, strings.ToLower(v), "early.js misses %q", v)
	}
	for _, name := range []string{"present", "embed", "signals"} {
		assert.Contains(t, string(src), `"`+name+`"`)
	}
}
