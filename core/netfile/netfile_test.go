package netfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/tensor"
	"github.com/nofeedback/lwf/core/train"
)

// smallConfig returns a small network's configuration: BCE on a sigmoid output, tanh
// elsewhere.
func smallConfig(topology string, side, channels, labels int, mode nn.Mode) nn.Config {
	cfg := nn.DefaultConfig()
	cfg.Topology, cfg.InputSide, cfg.InputChannels, cfg.Labels, cfg.Mode = topology, side, channels, labels, mode
	cfg.Seed = 7
	return cfg
}

// The small networks of the tests: FC only, one conv block, two conv blocks.
var smallNetworks = []struct {
	name string
	cfg  func(nn.Mode) nn.Config
}{
	{"FC", func(m nn.Mode) nn.Config { return smallConfig("FC_5_FC_3", 2, 1, 3, m) }},
	{"CONV", func(m nn.Mode) nn.Config { return smallConfig("CONV_2_3_1_1_FC_4_FC_3", 4, 2, 3, m) }},
	{"CONV2", func(m nn.Mode) nn.Config { return smallConfig("CONV_3_3_1_1_CONV_2_2_1_0_FC_3", 8, 1, 3, m) }},
}

// variants change a configuration's options beyond the topology and the rule.
var variants = []struct {
	name string
	edit func(*nn.Config)
}{
	{"defaults", func(*nn.Config) {}},
	{"freeze-conv fc-zero-init", func(c *nn.Config) { c.FreezeConv, c.FCZeroInit = true, true }},
	{"CE relu dropout seed", func(c *nn.Config) {
		c.Loss, c.OutputAct, c.HiddenAct, c.ConvAct = nn.CE, nn.None, nn.ReLU, nn.Sigmoid
		c.Dropout, c.Seed = 0.3, math.MaxUint64
	}},
}

func newNet[F tensor.Float](t testing.TB, cfg nn.Config) *nn.Network[F] {
	t.Helper()
	net, err := nn.New[F](cfg)
	require.NoError(t, err)
	return net
}

func encode[F tensor.Float](t testing.TB, net *nn.Network[F], meta Meta) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, net, meta))
	return buf.Bytes()
}

// stream hides the Len method of a reader, as a file or a network connection would.
type stream struct{ io.Reader }

func randomInputs[F tensor.Float](net *nn.Network[F], rows int, seed uint64) []F {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]F, rows*net.InputSize())
	for i := range x {
		x[i] = F(rng.Float64()*2 - 1)
	}
	return x
}

func outputs[F tensor.Float](t testing.TB, net *nn.Network[F], x []F, rows int) []F {
	t.Helper()
	y, err := net.Forward(x, rows, false)
	require.NoError(t, err)
	return append([]F(nil), y...)
}

func bits32(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = math.Float32bits(x)
	}
	return out
}

func bits64(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

// assertSameParams checks that got holds want's tensors with the same flags and
// values, want's values first rounded to float32.
func assertSameParams[F, G tensor.Float](t *testing.T, want *nn.Network[F], got *nn.Network[G]) {
	t.Helper()
	wp, gp := want.Params(), got.Params()
	require.Len(t, gp, len(wp))
	for i, p := range wp {
		q := gp[i]
		assert.Equal(t, p.Name, q.Name)
		assert.Equal(t, p.Shape, q.Shape, p.Name)
		assert.Equal(t, p.Role.Fixed(), q.Role.Fixed(), p.Name)
		assert.Equal(t, p.Frozen, q.Frozen, p.Name)
		assert.Equal(t, p.Learns(), q.Learns(), p.Name)
		w, g := p.Torch(), q.Torch()
		require.Len(t, g, len(w), p.Name)
		wantBits, gotBits := make([]uint32, len(w)), make([]uint32, len(g))
		for j := range w {
			wantBits[j] = math.Float32bits(float32(w[j]))
			gotBits[j] = math.Float32bits(float32(g[j]))
			if float64(g[j]) != float64(float32(g[j])) {
				t.Fatalf("%s[%d] = %v is not a float32 value", p.Name, j, g[j])
			}
		}
		assert.Equal(t, wantBits, gotBits, p.Name)
	}
}

func TestRoundTripIsExactInFloat32(t *testing.T) {
	for _, sn := range smallNetworks {
		for _, mode := range nn.Modes() {
			for _, v := range variants {
				t.Run(sn.name+"/"+mode.String()+"/"+v.name, func(t *testing.T) {
					cfg := sn.cfg(mode)
					v.edit(&cfg)
					net := newNet[float32](t, cfg)
					meta := Meta{Created: "2025-07-01T12:00:00Z", Dataset: "MNIST", Samples: 600, Epochs: 1,
						Note: "a <note> & \"quotes\"\n", Settings: "train-mode=" + mode.String() + "&lr=0.001"}
					file := encode(t, net, meta)

					got, gotMeta, err := Read[float32](bytes.NewReader(file))
					require.NoError(t, err)
					assert.Equal(t, cfg, got.Config())
					assert.Equal(t, meta, gotMeta)
					assertSameParams(t, net, got)
					for _, p := range got.Params() {
						assert.Equal(t, bits32(net.Param(p.Name).Torch()), bits32(p.Torch()), p.Name)
					}
					x := randomInputs(net, 5, 1)
					assert.Equal(t, bits32(outputs(t, net, x, 5)), bits32(outputs(t, got, x, 5)))

					// The file names the rule's feedback matrices and no others.
					var feedback []string
					for _, p := range got.Params() {
						if strings.HasSuffix(p.Name, "feedback") {
							feedback = append(feedback, p.Name)
							assert.True(t, p.Role.Fixed(), p.Name)
						}
					}
					switch mode {
					case nn.BP, nn.Shallow:
						assert.Empty(t, feedback)
					case nn.FA:
						require.NotEmpty(t, feedback)
						for _, name := range feedback {
							assert.Regexp(t, `\.(fc|conv)\.feedback$`, name)
						}
					default:
						require.NotEmpty(t, feedback)
						for _, name := range feedback {
							assert.Regexp(t, `\.hook\.feedback$`, name)
						}
					}

					// Reading a stream gives the same network.
					again, _, err := Read[float32](stream{bytes.NewReader(file)})
					require.NoError(t, err)
					assertSameParams(t, net, again)

					// Writing what was read gives the same file.
					assert.Equal(t, file, encode(t, got, gotMeta))
				})
			}
		}
	}
}

func TestRoundTripOfFloat64GoesThroughFloat32(t *testing.T) {
	for _, sn := range smallNetworks {
		for _, mode := range nn.Modes() {
			t.Run(sn.name+"/"+mode.String(), func(t *testing.T) {
				cfg := sn.cfg(mode)
				cfg.FreezeConv = true
				net := newNet[float64](t, cfg)
				got, _, err := Read[float64](bytes.NewReader(encode(t, net, Meta{})))
				require.NoError(t, err)
				assert.Equal(t, cfg, got.Config())
				assertSameParams(t, net, got)

				// got computes what net computes once its values are rounded to float32.
				rounded := newNet[float64](t, cfg)
				for _, p := range rounded.Params() {
					v := net.Param(p.Name).Torch()
					for i := range v {
						v[i] = float64(float32(v[i]))
					}
					require.NoError(t, p.SetTorch(v))
					assert.Equal(t, bits64(v), bits64(got.Param(p.Name).Torch()), p.Name)
				}
				x := randomInputs(net, 4, 2)
				assert.Equal(t, bits64(outputs(t, rounded, x, 4)), bits64(outputs(t, got, x, 4)))

				// A float32 file loads into float64 exactly, and back.
				net32 := newNet[float32](t, cfg)
				file := encode(t, net32, Meta{})
				got64, _, err := Read[float64](bytes.NewReader(file))
				require.NoError(t, err)
				assertSameParams(t, net32, got64)
				assert.Equal(t, file, encode(t, got64, Meta{}))
			})
		}
	}
}

func TestTrainedNetworkRoundTrips(t *testing.T) {
	for _, sn := range smallNetworks {
		for _, mode := range []nn.Mode{nn.BP, nn.FA, nn.DRTP} {
			t.Run(sn.name+"/"+mode.String(), func(t *testing.T) {
				cfg := sn.cfg(mode)
				net := newNet[float32](t, cfg)
				tr, err := train.New(net, optim.Adam, 0.01)
				require.NoError(t, err)
				const rows = 8
				rng := rand.New(rand.NewPCG(3, 4))
				before := net.Params()[len(net.Params())-1].Torch()
				for step := range 5 {
					b := data.Batch[float32]{X: randomInputs(net, rows, uint64(step)), N: rows,
						T: make([]float32, rows*cfg.Labels), Labels: make([]int, rows)}
					for i := range rows {
						b.Labels[i] = rng.IntN(cfg.Labels)
						b.T[i*cfg.Labels+b.Labels[i]] = 1
					}
					_, err := tr.TrainBatch(b, false)
					require.NoError(t, err)
				}
				require.NotEqual(t, before, net.Params()[len(net.Params())-1].Torch(), "training changed nothing")

				meta := Meta{Samples: 5 * rows, Dataset: "random"}
				got, gotMeta, err := Read[float32](bytes.NewReader(encode(t, net, meta)))
				require.NoError(t, err)
				assert.Equal(t, meta, gotMeta)
				assertSameParams(t, net, got)
				x := randomInputs(net, rows, 99)
				assert.Equal(t, bits32(outputs(t, net, x, rows)), bits32(outputs(t, got, x, rows)))
			})
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	cfg := smallNetworks[0].cfg(nn.DRTP)
	tests := []struct {
		name string
		edit func(*nn.Network[float64])
		meta Meta
		want string
	}{
		{"NaN", func(n *nn.Network[float64]) { n.Params()[0].Value[3] = math.NaN() }, Meta{}, "layers.0.fc.weight holds 1 non-finite value(s) (NaN or ±Inf): the run diverged"},
		{"Inf", func(n *nn.Network[float64]) { n.Params()[1].Value[0] = math.Inf(-1) }, Meta{}, "layers.0.fc.bias holds 1 non-finite value(s)"},
		{"beyond float32", func(n *nn.Network[float64]) { n.Params()[1].Value[0] = 1e300 }, Meta{}, "layers.0.fc.bias holds 1 value(s) beyond float32's range"},
		{"created", func(*nn.Network[float64]) {}, Meta{Created: "yesterday"}, `meta: created "yesterday" is not an RFC 3339 time`},
		{"samples", func(*nn.Network[float64]) {}, Meta{Samples: -1}, "meta: samples -1"},
		{"epochs", func(*nn.Network[float64]) {}, Meta{Epochs: -2}, "meta: epochs -2"},
		{"settings", func(*nn.Network[float64]) {}, Meta{Settings: "lr=%zz"}, "meta: settings \"lr=%zz\" are not URL parameters"},
		{"long note", func(*nn.Network[float64]) {}, Meta{Note: strings.Repeat("x", MaxHeader)}, "is more than the limit of 1048576 (is the note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net := newNet[float64](t, cfg)
			tt.edit(net)
			var buf bytes.Buffer
			err := Write(&buf, net, tt.meta)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "netfile: "), err.Error())
			assert.Zero(t, buf.Len(), "wrote before refusing")
		})
	}
	var buf bytes.Buffer
	assert.ErrorContains(t, Write[float32](&buf, nil, Meta{}), "netfile: no network")
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteReportsWriterErrors(t *testing.T) {
	net := newNet[float32](t, smallNetworks[1].cfg(nn.FA))
	size := len(encode(t, net, Meta{}))
	for _, n := range []int{0, 5, 11, 200, size - 10, size - 2} {
		err := Write(&failingWriter{n: n}, net, Meta{})
		require.ErrorIs(t, err, errDiskFull, "failing after %d bytes", n)
		assert.ErrorContains(t, err, "netfile: ")
	}
}

// parts splits a valid file into its header and its data, checksum dropped.
func parts(t testing.TB, file []byte) (header, []byte) {
	t.Helper()
	size := binary.LittleEndian.Uint32(file[7:])
	var h header
	require.NoError(t, json.Unmarshal(file[11:11+size], &h))
	return h, file[11+size : len(file)-4]
}

// assemble builds a file: magic, version, header, data and a correct checksum.
func assemble(version byte, js, data []byte) []byte {
	file := append([]byte(Magic), version)
	file = binary.LittleEndian.AppendUint32(file, uint32(len(js)))
	file = append(file, js...)
	file = append(file, data...)
	return binary.LittleEndian.AppendUint32(file, crc32.ChecksumIEEE(file))
}

func assembleHeader(t testing.TB, h header, data []byte) []byte {
	t.Helper()
	js, err := json.Marshal(h)
	require.NoError(t, err)
	return assemble(Version, js, data)
}

// patchFloat sets value i of the data of a file to v and fixes the checksum.
func patchFloat(file []byte, i int, v float32) []byte {
	size := binary.LittleEndian.Uint32(file[7:])
	out := append([]byte(nil), file...)
	binary.LittleEndian.PutUint32(out[11+int(size)+4*i:], math.Float32bits(v))
	binary.LittleEndian.PutUint32(out[len(out)-4:], crc32.ChecksumIEEE(out[:len(out)-4]))
	return out
}

func TestReadRefusesBadFiles(t *testing.T) {
	net := newNet[float32](t, smallNetworks[1].cfg(nn.DRTP)) // conv, hook feedback
	valid := encode(t, net, Meta{Dataset: "MNIST"})
	h, data := parts(t, valid)
	edit := func(f func(*header)) []byte {
		h2, _ := parts(t, valid)
		f(&h2)
		return assembleHeader(t, h2, data)
	}
	withLength := func(n uint32) []byte {
		out := append([]byte(nil), valid...)
		binary.LittleEndian.PutUint32(out[7:], n)
		return out
	}
	huge := h
	huge.Config.Topology = "FC_100000_FC_3"
	huge.Config.InputSide, huge.Config.InputChannels = 16, 1
	huge.Tensors = []storedTensor{
		{"layers.0.fc.weight", []int{100000, 256}, DType}, {"layers.0.fc.bias", []int{100000}, DType},
		{"layers.0.hook.feedback", []int{3, 100000}, DType},
		{"layers.1.fc.weight", []int{3, 100000}, DType}, {"layers.1.fc.bias", []int{3}, DType},
	}
	js := valid[11 : len(valid)-4-len(data)]
	unknown := bytes.Replace(js, []byte(`"meta":{`), []byte(`"meta":{"optimizer":"adam",`), 1)
	require.NotEqual(t, js, unknown)
	flipped := append([]byte(nil), valid...)
	flipped[len(flipped)-4-len(data)/2] ^= 0x10

	tests := []struct {
		name   string
		file   []byte
		want   string // for a bytes.Reader
		stream string // for a reader that cannot tell its length, if different
	}{
		{"empty", nil, "netfile: empty input, not a network file", ""},
		{"wrong magic", append([]byte("PK\x03\x04zip"), valid[6:]...), `netfile: not a network file: it starts with "PK\x03\x04zi", not "LWFNET"`, ""},
		{"short wrong magic", []byte("LWX"), `not a network file: it starts with "LWX"`, ""},
		{"version 99", assemble(99, []byte("{}"), nil), "netfile: format version 99 is not supported (known versions: 1)", ""},
		{"version 0", assemble(0, []byte("{}"), nil), "format version 0 is not supported", ""},
		{"header of 2^31 bytes", withLength(1 << 31), "netfile: header length 2147483648 bytes is more than the limit of 1048576", ""},
		{"header longer than the file", withLength(uint32(len(valid))), "netfile: truncated: header length", "netfile: truncated in the header"},
		{"header length 0", assemble(Version, nil, nil), "netfile: malformed header JSON: EOF", ""},
		{"malformed JSON", assemble(Version, []byte(`{"config": {`), nil), "netfile: malformed header JSON", ""},
		{"JSON not an object", assemble(Version, []byte(`[1, 2]`), nil), "netfile: malformed header JSON", ""},
		{"two JSON objects", assemble(Version, []byte(`{} {}`), nil), "netfile: malformed header JSON: more follows the object", ""},
		{"unknown field", assemble(Version, unknown, data), `netfile: malformed header JSON: json: unknown field "optimizer"`, ""},
		{"unknown mode", edit(func(h *header) { h.Config.Mode = "backprop" }), `netfile: header config: unknown train mode "backprop"`, ""},
		{"unknown activation", edit(func(h *header) { h.Config.HiddenAct = "gelu" }), `netfile: header config: hidden_act: unknown activation "gelu"`, ""},
		{"unknown loss", edit(func(h *header) { h.Config.Loss = "hinge" }), `netfile: header config: unknown loss "hinge"`, ""},
		{"config nn refuses", edit(func(h *header) { h.Config.Labels = 7 }), "netfile: network config: topology \"CONV_2_3_1_1_FC_4_FC_3\" ends with FC_3 but the data has 7 labels", ""},
		{"config too big for nn", edit(func(h *header) { h.Config.Topology = "FC_1000000_FC_1000000_FC_3" }), "netfile: network config: topology \"FC_1000000_FC_1000000_FC_3\" needs 1e+12 parameters, more than the limit", ""},
		{"bad topology", edit(func(h *header) { h.Config.Topology = "FC_x" }), "netfile: network config: topology \"FC_x\"", ""},
		{"bad meta", edit(func(h *header) { h.Meta.Created = "2025-13-01" }), `netfile: header meta: created "2025-13-01" is not an RFC 3339 time`, ""},
		{"topology needs more than the data holds", assembleHeader(t, huge, data),
			"netfile: truncated: the header announces 26300003 values (105200012 bytes and a 4-byte checksum) but only 792 bytes follow",
			"netfile: truncated in the data of layers.0.fc.weight: 198 of its 25600000 values present"},
		{"extra tensor", edit(func(h *header) { h.Tensors = append(h.Tensors, storedTensor{"layers.9.fc.weight", []int{1}, DType}) }),
			`netfile: tensor "layers.9.fc.weight" is not part of the network (CONV_2_3_1_1_FC_4_FC_3 trained with DRTP)`, ""},
		{"missing tensor", edit(func(h *header) { h.Tensors = h.Tensors[:len(h.Tensors)-1] }),
			`netfile: tensor "layers.2.fc.bias" is missing (the network CONV_2_3_1_1_FC_4_FC_3 trained with DRTP has it)`, ""},
		{"feedback of another rule", edit(func(h *header) { h.Config.Mode = "FA" }), `netfile: tensor "layers.0.hook.feedback" is not part of the network (CONV_2_3_1_1_FC_4_FC_3 trained with FA)`, ""},
		{"wrong shape", edit(func(h *header) { h.Tensors[0].Shape = []int{2, 2, 3, 3, 1} }),
			`netfile: tensor "layers.0.conv.weight" has shape [2 2 3 3 1], the network's is [2 2 3 3]`, ""},
		{"transposed shape", edit(func(h *header) { h.Tensors[3].Shape = []int{8, 4} }),
			`netfile: tensor "layers.1.fc.weight" has shape [8 4], the network's is [4 8]`, ""},
		{"listed twice", edit(func(h *header) { h.Tensors[1] = h.Tensors[0] }), `netfile: tensor "layers.0.conv.weight" is listed twice`, ""},
		{"dtype", edit(func(h *header) { h.Tensors[2].DType = "f16" }), `netfile: tensor "layers.0.hook.feedback" has dtype "f16", want "f32"`, ""},
		{"data short of the header", assemble(Version, js, data[:len(data)-8]),
			"netfile: truncated: the header announces 197 values (788 bytes and a 4-byte checksum) but only 784 bytes follow",
			"netfile: truncated in the data of layers.2.fc.bias: 2 of its 3 values present"},
		{"flipped data byte", flipped, "netfile: checksum mismatch: the file says", ""},
		{"flipped checksum", append(append([]byte(nil), valid[:len(valid)-1]...), valid[len(valid)-1]^1), "(the file is corrupted)", ""},
		{"trailing garbage", append(append([]byte(nil), valid...), 0), "netfile: trailing bytes after the checksum", ""},
		{"a second file", append(append([]byte(nil), valid...), valid...), "netfile: trailing bytes after the checksum", ""},
		{"NaN", patchFloat(valid, 5, float32(math.NaN())), "netfile: layers.0.conv.weight element 5 is NaN: the network diverged during training", ""},
		{"Inf", patchFloat(valid, len(data)/4-1, float32(math.Inf(1))), "netfile: layers.2.fc.bias element 2 is +Inf: the network diverged", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []struct {
				name string
				r    io.Reader
				want string
			}{{"bytes", bytes.NewReader(tt.file), tt.want}, {"stream", stream{bytes.NewReader(tt.file)}, tt.stream}} {
				if r.want == "" {
					r.want = tt.want
				}
				got, _, err := Read[float32](r.r)
				require.Error(t, err, r.name)
				assert.Nil(t, got, r.name)
				assert.Contains(t, err.Error(), r.want, r.name)
			}
		})
	}
}

func TestReadRefusesEveryPrefix(t *testing.T) {
	for _, sn := range smallNetworks[:2] {
		t.Run(sn.name, func(t *testing.T) {
			file := encode(t, newNet[float32](t, sn.cfg(nn.FA)), Meta{Note: "prefix"})
			for n := range len(file) {
				for _, r := range []io.Reader{bytes.NewReader(file[:n]), stream{bytes.NewReader(file[:n])}} {
					got, _, err := Read[float64](r)
					require.Error(t, err, "prefix of %d bytes", n)
					assert.Nil(t, got)
					if n == 0 {
						assert.EqualError(t, err, "netfile: empty input, not a network file")
					} else {
						assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "prefix of %d bytes: %v", n, err)
						assert.Contains(t, err.Error(), "netfile: truncated")
					}
				}
			}
			_, _, err := Read[float64](bytes.NewReader(file))
			require.NoError(t, err)
		})
	}
}

func TestReadOfAShortFileAllocatesLittle(t *testing.T) {
	// A header for 25.9 million values (104 MB) followed by none of them.
	h := header{Config: configOf(smallConfig("FC_100000_FC_3", 16, 1, 3, nn.DRTP))}
	want, err := smallConfig("FC_100000_FC_3", 16, 1, 3, nn.DRTP).Tensors()
	require.NoError(t, err)
	for _, s := range want {
		h.Tensors = append(h.Tensors, storedTensor{s.Name, s.Shape, DType})
	}
	file := assembleHeader(t, h, make([]byte, 1000))
	for _, r := range []func() io.Reader{
		func() io.Reader { return bytes.NewReader(file) },
		func() io.Reader { return stream{bytes.NewReader(file)} },
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, _, err := Read[float64](r())
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(2<<20), "bytes allocated reading a %d-byte file", len(file))
	}
}
