package netfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"net/url"
	"slices"
	"time"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/tensor"
)

// Magic is the first bytes of every network file.
const Magic = "LWFNET"

// Version is the format version Write writes.
const Version = 1

// knownVersions lists the format versions Read understands.
var knownVersions = []int{1}

// MaxHeader bounds the JSON header's length in bytes. Read refuses a longer claim
// before reading it; Write refuses to write one (a very long note or settings).
const MaxHeader = 1 << 20

// DType is the element type of every stored tensor: little-endian IEEE-754 float32.
const DType = "f32"

// chunk is the number of values read or written at a time.
const chunk = 1 << 14

// Meta is what a file says about the run that trained its network. Every field is
// optional; the zero Meta is valid.
type Meta struct {
	Created  string `json:"created"`  // when the file was written, RFC 3339, e.g. 2025-07-01T12:00:00Z
	Dataset  string `json:"dataset"`  // the data set trained on, e.g. MNIST
	Samples  int    `json:"samples"`  // training samples seen
	Epochs   int    `json:"epochs"`   // epochs completed
	Note     string `json:"note"`     // free text
	Settings string `json:"settings"` // the run's settings as URL parameters, e.g. train-mode=DFA&lr=0.001
}

// Check reports the first field that is not valid: a Created time that is not RFC
// 3339, negative counts, Settings that are not URL parameters.
func (m Meta) Check() error {
	if m.Created != "" {
		if _, err := time.Parse(time.RFC3339, m.Created); err != nil {
			return fmt.Errorf("created %q is not an RFC 3339 time such as 2025-07-01T12:00:00Z", m.Created)
		}
	}
	if m.Samples < 0 {
		return fmt.Errorf("samples %d: must not be negative", m.Samples)
	}
	if m.Epochs < 0 {
		return fmt.Errorf("epochs %d: must not be negative", m.Epochs)
	}
	if _, err := url.ParseQuery(m.Settings); err != nil {
		return fmt.Errorf("settings %q are not URL parameters: %w", m.Settings, err)
	}
	return nil
}

// header is the JSON header of a file.
type header struct {
	Config  config         `json:"config"`
	Meta    Meta           `json:"meta"`
	Tensors []storedTensor `json:"tensors"`
}

// storedTensor describes one stored tensor.
type storedTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

// config is nn.Config with its choices spelt as the command line spells them.
type config struct {
	Topology      string  `json:"topology"`
	InputSide     int     `json:"input_side"`
	InputChannels int     `json:"input_channels"`
	Labels        int     `json:"labels"`
	Mode          string  `json:"mode"`
	ConvAct       string  `json:"conv_act"`
	HiddenAct     string  `json:"hidden_act"`
	OutputAct     string  `json:"output_act"`
	Loss          string  `json:"loss"`
	Dropout       float64 `json:"dropout"`
	FCZeroInit    bool    `json:"fc_zero_init"`
	FreezeConv    bool    `json:"freeze_conv"`
	Seed          uint64  `json:"seed"`
}

func configOf(c nn.Config) config {
	return config{
		Topology: c.Topology, InputSide: c.InputSide, InputChannels: c.InputChannels, Labels: c.Labels,
		Mode: c.Mode.String(), ConvAct: c.ConvAct.String(), HiddenAct: c.HiddenAct.String(),
		OutputAct: c.OutputAct.String(), Loss: c.Loss.String(),
		Dropout: c.Dropout, FCZeroInit: c.FCZeroInit, FreezeConv: c.FreezeConv, Seed: c.Seed,
	}
}

// nnConfig reads the names back; nn.Config.Check judges the rest.
func (c config) nnConfig() (nn.Config, error) {
	cfg := nn.Config{
		Topology: c.Topology, InputSide: c.InputSide, InputChannels: c.InputChannels, Labels: c.Labels,
		Dropout: c.Dropout, FCZeroInit: c.FCZeroInit, FreezeConv: c.FreezeConv, Seed: c.Seed,
	}
	var err error
	if cfg.Mode, err = nn.ParseMode(c.Mode); err != nil {
		return cfg, err
	}
	if cfg.ConvAct, err = nn.ParseHiddenActivation(c.ConvAct); err != nil {
		return cfg, fmt.Errorf("conv_act: %w", err)
	}
	if cfg.HiddenAct, err = nn.ParseHiddenActivation(c.HiddenAct); err != nil {
		return cfg, fmt.Errorf("hidden_act: %w", err)
	}
	if cfg.OutputAct, err = nn.ParseOutputActivation(c.OutputAct); err != nil {
		return cfg, fmt.Errorf("output_act: %w", err)
	}
	if cfg.Loss, err = nn.ParseLoss(c.Loss); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Write writes net to w: its configuration, every parameter (the fixed feedback
// matrices included) as float32 in PyTorch's order, and meta. It refuses a network
// holding NaN or ±Inf, or, in float64, values beyond float32's range, and writes
// nothing then.
func Write[F tensor.Float](w io.Writer, net *nn.Network[F], meta Meta) error {
	if net == nil {
		return errors.New("netfile: no network to write")
	}
	if err := meta.Check(); err != nil {
		return fmt.Errorf("netfile: meta: %w", err)
	}
	params := net.Params()
	h := header{Config: configOf(net.Config()), Meta: meta, Tensors: make([]storedTensor, len(params))}
	for i, p := range params {
		if err := checkStorable(p); err != nil {
			return err
		}
		h.Tensors[i] = storedTensor{Name: p.Name, Shape: p.Shape, DType: DType}
	}
	js, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("netfile: header: %w", err)
	}
	if len(js) > MaxHeader {
		return fmt.Errorf("netfile: header of %d bytes is more than the limit of %d (is the note or the settings very long?)", len(js), MaxHeader)
	}

	crc := crc32.NewIEEE()
	cw := io.MultiWriter(w, crc)
	buf := make([]byte, 0, 4*chunk)
	buf = append(buf, Magic...)
	buf = append(buf, Version)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(js)))
	if _, err := cw.Write(buf); err != nil {
		return fmt.Errorf("netfile: %w", err)
	}
	if _, err := cw.Write(js); err != nil {
		return fmt.Errorf("netfile: %w", err)
	}
	for _, p := range params {
		for v := p.Torch(); len(v) > 0; {
			k := min(len(v), chunk)
			buf = buf[:0]
			for _, x := range v[:k] {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(x)))
			}
			if _, err := cw.Write(buf); err != nil {
				return fmt.Errorf("netfile: %w", err)
			}
			v = v[k:]
		}
	}
	if _, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32())); err != nil {
		return fmt.Errorf("netfile: %w", err)
	}
	return nil
}

// checkStorable refuses a parameter that float32 cannot hold or that has diverged.
func checkStorable[F tensor.Float](p *nn.Param[F]) error {
	bad, beyond := 0, 0
	for _, x := range p.Value {
		f := float64(float32(x))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			bad++
			if g := float64(x); !math.IsNaN(g) && !math.IsInf(g, 0) {
				beyond++
			}
		}
	}
	switch {
	case beyond > 0:
		return fmt.Errorf("netfile: %s holds %d value(s) beyond float32's range", p.Name, beyond)
	case bad > 0:
		return fmt.Errorf("netfile: %s holds %d non-finite value(s) (NaN or ±Inf): the run diverged, there is no network to keep", p.Name, bad)
	}
	return nil
}

// Read reads a network file and rebuilds the network in precision F. It checks
// everything it reads (see the package documentation) and returns an error starting
// with "netfile: " for the first problem; errors of a file that ends too early wrap
// io.ErrUnexpectedEOF. It allocates for the network only once the file has supplied
// every value, so its memory is bounded by a small multiple of the input's size.
func Read[F tensor.Float](r io.Reader) (*nn.Network[F], Meta, error) {
	crc := crc32.NewIEEE()
	in := io.TeeReader(r, crc) // all but the checksum goes through in
	if err := readStart(in); err != nil {
		return nil, Meta{}, err
	}
	h, cfg, err := readHeader(r, in)
	if err != nil {
		return nil, Meta{}, err
	}
	// The tensors the header lists must be the network's, before the network exists.
	want, err := cfg.Tensors()
	if err != nil {
		return nil, Meta{}, fmt.Errorf("netfile: network config: %w", err)
	}
	index, total, err := match(h.Tensors, want, cfg)
	if err != nil {
		return nil, Meta{}, err
	}
	if left, ok := remaining(r); ok && 4*int64(total)+4 > left {
		return nil, Meta{}, fmt.Errorf("netfile: truncated: the header announces %d values (%d bytes and a 4-byte checksum) but only %d bytes follow: %w",
			total, 4*int64(total), left, io.ErrUnexpectedEOF)
	}
	values, err := readValues[F](in, h.Tensors, want, index)
	if err == nil {
		err = readEnd(r, crc.Sum32())
	}
	if err == nil {
		err = checkFinite(values, h.Tensors)
	}
	if err != nil {
		return nil, Meta{}, err
	}
	net, err := nn.New[F](cfg)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("netfile: network config: %w", err)
	}
	params := net.Params() // in the order of cfg.Tensors(): nn declares both alike
	for i, v := range values {
		if err := params[index[i]].SetTorch(v); err != nil {
			return nil, Meta{}, fmt.Errorf("netfile: %w", err)
		}
		values[i] = nil
	}
	return net, h.Meta, nil
}

// readStart reads the magic bytes and the format's version.
func readStart(in io.Reader) error {
	var start [len(Magic)]byte
	n, err := io.ReadFull(in, start[:])
	switch {
	case n == 0 && err == io.EOF:
		return errors.New("netfile: empty input, not a network file")
	case !bytes.HasPrefix([]byte(Magic), start[:n]):
		return fmt.Errorf("netfile: not a network file: it starts with %q, not %q", start[:n], Magic)
	case err != nil:
		return readErr("the magic bytes", err)
	}
	var version [1]byte
	if _, err := io.ReadFull(in, version[:]); err != nil {
		return readErr("the version", err)
	}
	if v := int(version[0]); !slices.Contains(knownVersions, v) {
		return fmt.Errorf("netfile: format version %d is not supported (known versions: %s)", v, versionList())
	}
	return nil
}

// readHeader reads the JSON header, its length checked before anything is
// allocated for it (against the bytes left in r, where r knows), and checks its
// meta and the network's config.
func readHeader(r, in io.Reader) (header, nn.Config, error) {
	var h header
	var word [4]byte
	if _, err := io.ReadFull(in, word[:]); err != nil {
		return h, nn.Config{}, readErr("the header length", err)
	}
	size := binary.LittleEndian.Uint32(word[:])
	if size > MaxHeader {
		return h, nn.Config{}, fmt.Errorf("netfile: header length %d bytes is more than the limit of %d", size, MaxHeader)
	}
	if left, ok := remaining(r); ok && int64(size) > left {
		return h, nn.Config{}, fmt.Errorf("netfile: truncated: header length %d bytes is more than the %d bytes left: %w", size, left, io.ErrUnexpectedEOF)
	}
	js, err := io.ReadAll(io.LimitReader(in, int64(size)))
	if err != nil {
		return h, nn.Config{}, readErr("the header", err)
	}
	if len(js) < int(size) {
		return h, nn.Config{}, readErr("the header", io.ErrUnexpectedEOF)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return h, nn.Config{}, fmt.Errorf("netfile: malformed header JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return h, nn.Config{}, errors.New("netfile: malformed header JSON: more follows the object")
	}
	if err := h.Meta.Check(); err != nil {
		return h, nn.Config{}, fmt.Errorf("netfile: header meta: %w", err)
	}
	cfg, err := h.Config.nnConfig()
	if err != nil {
		return h, nn.Config{}, fmt.Errorf("netfile: header config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return h, nn.Config{}, fmt.Errorf("netfile: network config: %w", err)
	}
	return h, cfg, nil
}

// readValues reads the values of each listed tensor, a chunk at a time, so that
// memory grows only with what the input holds.
func readValues[F tensor.Float](in io.Reader, listed []storedTensor, want []nn.TensorSpec, index []int) ([][]F, error) {
	values := make([][]F, len(listed))
	buf := make([]byte, 4*chunk)
	for i, t := range listed {
		n := want[index[i]].Size()
		v := make([]F, 0, min(n, chunk))
		for len(v) < n {
			k := min(n-len(v), chunk)
			got, err := io.ReadFull(in, buf[:4*k])
			if err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return nil, fmt.Errorf("netfile: truncated in the data of %s: %d of its %d values present: %w",
						t.Name, len(v)+got/4, n, io.ErrUnexpectedEOF)
				}
				return nil, fmt.Errorf("netfile: reading the data of %s: %w", t.Name, err)
			}
			for j := range k {
				v = append(v, F(math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:]))))
			}
		}
		values[i] = v
	}
	return values, nil
}

// readEnd reads the checksum, which must be sum, and then nothing.
func readEnd(r io.Reader, sum uint32) error {
	var word [4]byte
	if _, err := io.ReadFull(r, word[:]); err != nil {
		return readErr("the checksum", err)
	}
	if stored := binary.LittleEndian.Uint32(word[:]); stored != sum {
		return fmt.Errorf("netfile: checksum mismatch: the file says %08x, its contents give %08x (the file is corrupted)", stored, sum)
	}
	switch n, err := io.ReadFull(r, word[:1]); {
	case n > 0:
		return errors.New("netfile: trailing bytes after the checksum")
	case err != io.EOF:
		return fmt.Errorf("netfile: reading past the checksum: %w", err)
	}
	return nil
}

// checkFinite refuses a value that is NaN or infinite: a run that diverged.
func checkFinite[F tensor.Float](values [][]F, listed []storedTensor) error {
	for i, v := range values {
		for j, x := range v {
			if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("netfile: %s element %d is %v: the network diverged during training, so the file holds no usable network",
					listed[i].Name, j, f)
			}
		}
	}
	return nil
}

// match checks the header's tensors against the network's: each listed once, with
// its shape and dtype, none missing. It returns the position in want of each listed
// tensor and the number of values they hold.
func match(listed []storedTensor, want []nn.TensorSpec, cfg nn.Config) (index []int, total int, err error) {
	pos := make(map[string]int, len(want))
	for i, t := range want {
		pos[t.Name] = i
	}
	seen := make([]bool, len(want))
	index = make([]int, len(listed))
	for i, t := range listed {
		j, ok := pos[t.Name]
		switch {
		case !ok:
			return nil, 0, fmt.Errorf("netfile: tensor %q is not part of the network (%s trained with %s)", t.Name, cfg.Topology, cfg.Mode)
		case seen[j]:
			return nil, 0, fmt.Errorf("netfile: tensor %q is listed twice", t.Name)
		case !slices.Equal(t.Shape, want[j].Shape):
			return nil, 0, fmt.Errorf("netfile: tensor %q has shape %v, the network's is %v", t.Name, t.Shape, want[j].Shape)
		case t.DType != DType:
			return nil, 0, fmt.Errorf("netfile: tensor %q has dtype %q, want %q", t.Name, t.DType, DType)
		}
		seen[j], index[i] = true, j
		total += want[j].Size()
	}
	for j, ok := range seen {
		if !ok {
			return nil, 0, fmt.Errorf("netfile: tensor %q is missing (the network %s trained with %s has it)", want[j].Name, cfg.Topology, cfg.Mode)
		}
	}
	return index, total, nil
}

// remaining returns how many bytes r has left, when r can tell (bytes.Reader,
// bytes.Buffer, strings.Reader).
func remaining(r io.Reader) (int64, bool) {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len()), true
	}
	return 0, false
}

// readErr describes a failed read of part of a file: truncated when the input ended.
func readErr(what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("netfile: truncated in %s: %w", what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("netfile: reading %s: %w", what, err)
}

func versionList() string {
	s := ""
	for i, v := range knownVersions {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(v)
	}
	return s
}
