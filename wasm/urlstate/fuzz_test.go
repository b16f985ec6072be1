package urlstate

import (
	"testing"
)

// FuzzParseQuery: any link gives a state or an error that names the problem, and a
// state writes back to a link that reads as the same state.
func FuzzParseQuery(f *testing.F) {
	for _, q := range []string{"", "?train-mode=BP&topology=FC_500_FC_10&lr=0.001", "train-mode=BP,DRTP&autoplay=1&embed",
		"preset=mnist-conv&train-mode=FA", "lr=%zz", "lr=1e309", "seed=18446744073709551615", "dropout=0.99999&batch-size=1000000",
		"train-mode=BP,FA,DFA,sDFA,DRTP,shallow", "topology=CONV_1_1_1_0_FC_10&dataset=regression_synth&loss=MSE"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		st, _, err := ParseQuery(q)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: an error without a message", q)
			}
			return
		}
		back, warnings, err := ParseQuery(st.Query())
		if err != nil || len(warnings) > 0 {
			t.Fatalf("%q read as a state that writes back to %q, which reads with %v, %v", q, st.Query(), warnings, err)
		}
		if back.Query() != st.Query() || back.Autoplay != st.Autoplay || back.Embed != st.Embed || len(back.Race) != len(st.Race) {
			t.Fatalf("%q: %+v, then %+v", q, st, back)
		}
	})
}
