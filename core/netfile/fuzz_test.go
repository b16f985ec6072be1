package netfile

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/nn"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the seed corpus under testdata/fuzz/FuzzRead")

const corpusDir = "testdata/fuzz/FuzzRead"

// seedFiles returns the seed corpus of FuzzRead by name: files of tiny networks that
// Read accepts ("valid-…") and broken ones it refuses ("bad-…").
func seedFiles(t testing.TB) map[string][]byte {
	t.Helper()
	tiny := func(topology string, side, channels int, mode nn.Mode) nn.Config {
		return smallConfig(topology, side, channels, 2, mode)
	}
	fc := encode(t, newNet[float32](t, tiny("FC_2_FC_2", 1, 1, nn.BP)), Meta{})
	conv := encode(t, newNet[float32](t, tiny("CONV_1_2_1_0_FC_2", 3, 1, nn.DRTP)), Meta{
		Created: "2025-07-01T12:00:00Z", Dataset: "MNIST", Samples: 60000, Epochs: 1,
		Note: "seed", Settings: "train-mode=DRTP&topology=CONV_1_2_1_0_FC_2"})
	fa := encode(t, newNet[float32](t, tiny("CONV_1_2_1_1_FC_2_FC_2", 2, 2, nn.FA)), Meta{Note: "fa"})
	h, data := parts(t, fc)
	h.Config.Topology = "FC_3_FC_2"
	wrongShape := assembleHeader(t, h, data)
	version2 := append([]byte(nil), fc...)
	version2[len(Magic)] = 2
	return map[string][]byte{
		"valid-fc-bp":      fc,
		"valid-conv-drtp":  conv,
		"valid-conv-fa":    fa,
		"bad-truncated":    conv[:len(conv)/2],
		"bad-version-2":    version2,
		"bad-wrong-shape":  wrongShape,
		"bad-nan":          patchFloat(fc, 1, float32(math.NaN())),
		"bad-trailing":     append(append([]byte(nil), fa...), "more"...),
		"bad-wrong-magic":  append([]byte("LWFNEX"), fc[6:]...),
		"bad-huge-header":  append(append([]byte(Magic), Version, 0xff, 0xff, 0xff, 0x7f), fc[11:]...),
		"bad-bit-flipped":  append(append([]byte(nil), fc[:len(fc)-9]...), append([]byte{fc[len(fc)-9] ^ 1}, fc[len(fc)-8:]...)...),
		"bad-empty-header": assemble(Version, []byte("{}"), nil),
	}
}

// TestSeedCorpus checks the checked-in seeds: valid ones read, broken ones do not.
// go test -run TestSeedCorpus -update-corpus ./core/netfile/ rewrites them.
func TestSeedCorpus(t *testing.T) {
	if *updateCorpus {
		require.NoError(t, os.MkdirAll(corpusDir, 0o755))
		for name, file := range seedFiles(t) {
			text := "go test fuzz v1\n[]byte(" + strconv.Quote(string(file)) + ")\n"
			require.NoError(t, os.WriteFile(filepath.Join(corpusDir, name), []byte(text), 0o644))
		}
	}
	entries, err := os.ReadDir(corpusDir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
			require.NoError(t, err)
			file := corpusBytes(t, string(text))
			_, _, err = Read[float32](bytes.NewReader(file))
			switch {
			case strings.HasPrefix(e.Name(), "valid-"):
				assert.NoError(t, err)
			case strings.HasPrefix(e.Name(), "bad-"):
				assert.Error(t, err)
			}
		})
	}
}

// corpusBytes reads a seed file of one []byte value.
func corpusBytes(t testing.TB, text string) []byte {
	t.Helper()
	lines := strings.SplitN(strings.TrimSpace(text), "\n", 2)
	require.Len(t, lines, 2)
	require.Equal(t, "go test fuzz v1", lines[0])
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	require.True(t, ok, lines[1])
	lit, ok = strings.CutSuffix(lit, ")")
	require.True(t, ok, lines[1])
	s, err := strconv.Unquote(lit)
	require.NoError(t, err)
	return []byte(s)
}

// FuzzRead checks that Read never panics, that it accepts or refuses an input whatever
// reader hands it over, and that a network it accepts is no larger than the input and
// writes back to a file that reads to the same network. Each input is also tried with
// its last four bytes replaced by the checksum of the rest, so that mutations reach the
// checks that follow the checksum's.
func FuzzRead(f *testing.F) {
	for _, file := range seedFiles(f) {
		f.Add(file)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkRead(t, in)
		if len(in) >= 4 {
			fixed := binary.LittleEndian.AppendUint32(bytes.Clone(in[:len(in)-4]), crc32.ChecksumIEEE(in[:len(in)-4]))
			checkRead(t, fixed)
		}
	})
}

func checkRead(t *testing.T, in []byte) {
	net, meta, err := Read[float32](bytes.NewReader(in))
	_, _, errStream := Read[float32](stream{bytes.NewReader(in)})
	require.Equal(t, err == nil, errStream == nil, "bytes: %v; stream: %v", err, errStream)
	if err != nil {
		require.True(t, strings.HasPrefix(err.Error(), "netfile: "), err.Error())
		require.True(t, strings.HasPrefix(errStream.Error(), "netfile: "), errStream.Error())
		return
	}
	values := 0
	for _, p := range net.Params() {
		values += p.Size()
	}
	require.LessOrEqual(t, 4*values, len(in), fmt.Sprintf("%d values from %d bytes", values, len(in)))

	var buf bytes.Buffer
	require.NoError(t, Write(&buf, net, meta))
	again, metaAgain, err := Read[float32](bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	require.Equal(t, meta, metaAgain)
	require.Equal(t, net.Config(), again.Config())
	assertSameParams(t, net, again)
}
