package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// BlockKind tells a convolutional block from a fully-connected one.
type BlockKind int

// The two kinds of block of a topology string.
const (
	FCBlock BlockKind = iota
	ConvBlock
)

// BlockSpec is one item of a topology string: FC_{units} or
// CONV_{channels}_{kernel}_{stride}_{padding}.
type BlockSpec struct {
	Kind     BlockKind
	Units    int // FC: output units
	Channels int // CONV: output channels
	Kernel   int // CONV: kernel side
	Stride   int // CONV: stride
	Padding  int // CONV: zero padding on each side
}

// String writes the block back in topology syntax.
func (b BlockSpec) String() string {
	if b.Kind == ConvBlock {
		return fmt.Sprintf("CONV_%d_%d_%d_%d", b.Channels, b.Kernel, b.Stride, b.Padding)
	}
	return fmt.Sprintf("FC_%d", b.Units)
}

// maxTopologyNumber bounds every number of a topology string, so that a typo cannot
// ask for an absurd network before the memory estimate even runs.
const maxTopologyNumber = 1 << 20

// ParseTopology reads a topology string such as CONV_32_5_1_2_FC_1000_FC_10. Every
// CONV block comes before every FC block and the last block is FC: it is the output
// layer.
func ParseTopology(s string) ([]BlockSpec, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("topology: empty (want blocks such as FC_500_FC_10)")
	}
	tokens := strings.Split(s, "_")
	var specs []BlockSpec
	for i := 0; i < len(tokens); {
		item := tokens[i]
		var want []string
		switch strings.ToUpper(item) {
		case "FC":
			want = []string{"units"}
		case "CONV":
			want = []string{"channels", "kernel", "stride", "padding"}
		default:
			return nil, fmt.Errorf("topology %q: unknown item %q at position %d (want FC or CONV)", s, item, len(specs)+1)
		}
		if i+len(want) >= len(tokens) {
			return nil, fmt.Errorf("topology %q: %s at position %d needs %d number(s) (%s)",
				s, strings.ToUpper(item), len(specs)+1, len(want), strings.Join(want, ", "))
		}
		nums := make([]int, len(want))
		for j, what := range want {
			tok := tokens[i+1+j]
			v, err := strconv.Atoi(tok)
			if err != nil {
				return nil, fmt.Errorf("topology %q: %s of %s at position %d is %q, not a whole number",
					s, what, strings.ToUpper(item), len(specs)+1, tok)
			}
			min := 1
			if what == "padding" {
				min = 0
			}
			if v < min || v > maxTopologyNumber {
				return nil, fmt.Errorf("topology %q: %s of %s at position %d is %d (want %d to %d)",
					s, what, strings.ToUpper(item), len(specs)+1, v, min, maxTopologyNumber)
			}
			nums[j] = v
		}
		if len(want) == 1 {
			specs = append(specs, BlockSpec{Kind: FCBlock, Units: nums[0]})
		} else {
			if len(specs) > 0 && specs[len(specs)-1].Kind == FCBlock {
				return nil, fmt.Errorf("topology %q: CONV at position %d follows an FC block (convolutions come first)", s, len(specs)+1)
			}
			specs = append(specs, BlockSpec{Kind: ConvBlock, Channels: nums[0], Kernel: nums[1], Stride: nums[2], Padding: nums[3]})
		}
		i += 1 + len(want)
	}
	if specs[len(specs)-1].Kind != FCBlock {
		return nil, fmt.Errorf("topology %q: the last block must be FC (the output layer)", s)
	}
	return specs, nil
}

// FormatTopology writes blocks back as a topology string.
func FormatTopology(specs []BlockSpec) string {
	parts := make([]string, len(specs))
	for i, b := range specs {
		parts[i] = b.String()
	}
	return strings.Join(parts, "_")
}
