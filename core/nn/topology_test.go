package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTopology(t *testing.T) {
	tests := []struct {
		in      string
		want    []BlockSpec
		wantErr string
	}{
		{in: "FC_500_FC_10", want: []BlockSpec{{Kind: FCBlock, Units: 500}, {Kind: FCBlock, Units: 10}}},
		{in: "fc_7", want: []BlockSpec{{Kind: FCBlock, Units: 7}}},
		{in: "CONV_32_5_1_2_FC_1000_FC_10", want: []BlockSpec{
			{Kind: ConvBlock, Channels: 32, Kernel: 5, Stride: 1, Padding: 2},
			{Kind: FCBlock, Units: 1000}, {Kind: FCBlock, Units: 10}}},
		{in: "CONV_2_3_1_0_CONV_3_3_2_1_FC_4", want: []BlockSpec{
			{Kind: ConvBlock, Channels: 2, Kernel: 3, Stride: 1, Padding: 0},
			{Kind: ConvBlock, Channels: 3, Kernel: 3, Stride: 2, Padding: 1},
			{Kind: FCBlock, Units: 4}}},
		{in: "", wantErr: "empty"},
		{in: "   ", wantErr: "empty"},
		{in: "FC", wantErr: "needs 1 number"},
		{in: "FC_10_", wantErr: `unknown item ""`},
		{in: "FC_x", wantErr: `units of FC at position 1 is "x", not a whole number`},
		{in: "FC_1.5", wantErr: "not a whole number"},
		{in: "FC_0", wantErr: "units of FC at position 1 is 0"},
		{in: "FC_-3", wantErr: "is -3"},
		{in: "FC_99999999", wantErr: "is 99999999"},
		{in: "FC_500_LSTM_10", wantErr: `unknown item "LSTM" at position 2`},
		{in: "CONV_32_5_1", wantErr: "needs 4 number(s) (channels, kernel, stride, padding)"},
		{in: "CONV_32_5_0_2_FC_10", wantErr: "stride of CONV at position 1 is 0"},
		{in: "CONV_32_0_1_2_FC_10", wantErr: "kernel of CONV at position 1 is 0"},
		{in: "CONV_32_5_1_-1_FC_10", wantErr: "padding of CONV at position 1 is -1"},
		{in: "FC_100_CONV_32_5_1_2_FC_10", wantErr: "CONV at position 2 follows an FC block"},
		{in: "CONV_32_5_1_2", wantErr: "last block must be FC"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTopology(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFormatTopologyRoundTrips(t *testing.T) {
	for _, s := range []string{"FC_500_FC_10", "CONV_32_5_1_2_FC_1000_FC_10", "CONV_2_3_1_0_CONV_3_3_2_1_FC_4"} {
		specs, err := ParseTopology(s)
		require.NoError(t, err)
		assert.Equal(t, s, FormatTopology(specs))
	}
}

func TestParseNames(t *testing.T) {
	for _, m := range Modes() {
		got, err := ParseMode(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	m, err := ParseMode("drtp")
	require.NoError(t, err)
	assert.Equal(t, DRTP, m)
	for _, m := range Modes() { // as messages carry it
		text, err := m.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, m.String(), string(text))
		var back Mode
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, m, back)
	}
	_, err = Mode(9).MarshalText()
	assert.ErrorContains(t, err, "unknown train mode 9")
	assert.ErrorContains(t, new(Mode).UnmarshalText([]byte("backprop")), `unknown train mode "backprop"`)

	bad := []struct {
		name string
		err  error
		want string
	}{
		{"mode", second(ParseMode("backprop")), `unknown train mode "backprop"`},
		{"loss", second(ParseLoss("L1")), `unknown loss "L1" (want one of MSE, BCE, CE)`},
		{"hidden none", second(ParseHiddenActivation("none")), `unknown activation "none" (want one of tanh, sigmoid, relu)`},
		{"output relu", second(ParseOutputActivation("relu")), `unknown activation "relu" (want one of sigmoid, tanh, none)`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			assert.Contains(t, tt.err.Error(), tt.want)
		})
	}
}

func second[T any](_ T, err error) error { return err }
