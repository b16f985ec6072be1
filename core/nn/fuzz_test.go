package nn

import (
	"testing"
)

// FuzzParseTopology: any string parses or gives an error, and what parses writes back
// to a string that parses to the same blocks.
func FuzzParseTopology(f *testing.F) {
	for _, s := range []string{"FC_500_FC_10", "CONV_32_5_1_2_FC_1000_FC_10", "CONV_2_3_1_0_CONV_3_3_2_1_FC_4", "FC", "FC_-1", "CONV_1_1_1", "fc_10_", "FC_1048576_FC_10", "FC_99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		specs, err := ParseTopology(s)
		if err != nil {
			return
		}
		again, err := ParseTopology(FormatTopology(specs))
		if err != nil || len(again) != len(specs) {
			t.Fatalf("%q parsed to %v, which writes back to %q: %v", s, specs, FormatTopology(specs), err)
		}
		for i := range specs {
			if specs[i] != again[i] {
				t.Fatalf("%q: block %d is %v, then %v", s, i, specs[i], again[i])
			}
		}
	})
}

// FuzzConfig: any topology on any input either is refused or describes a network
// within the limits, without allocating it.
func FuzzConfig(f *testing.F) {
	f.Add("CONV_32_5_1_2_FC_1000_FC_10", 28, 1, 10, uint8(DRTP))
	f.Add("FC_10", 1, 1, 10, uint8(FA))
	f.Add("CONV_8_40_1_0_FC_10", 28, 1, 10, uint8(BP))
	f.Add("FC_1048576_FC_1048576_FC_10", 28, 1, 10, uint8(DFA))
	f.Fuzz(func(t *testing.T, topology string, side, channels, labels int, mode uint8) {
		cfg := DefaultConfig()
		cfg.Topology, cfg.InputSide, cfg.InputChannels, cfg.Labels, cfg.Mode = topology, side, channels, labels, Mode(mode%6)
		if err := cfg.Check(); err != nil {
			return
		}
		tensors, err := cfg.Tensors()
		if err != nil {
			t.Fatalf("Check passed %+v, Tensors failed: %v", cfg, err)
		}
		total := 0
		for _, ts := range tensors {
			total += ts.Size()
		}
		if total > maxParams {
			t.Fatalf("%+v: %d parameters, past the limit of %d", cfg, total, maxParams)
		}
		if _, err := cfg.Costs(); err != nil {
			t.Fatalf("%+v: Costs: %v", cfg, err)
		}
	})
}
