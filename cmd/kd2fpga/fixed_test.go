package main

import (
	"bytes"
	"strings"
	"testing"
)

// runFixedCmd runs "kd2fpga fixed ARGS..." in-process with stdin as its
// standard input and returns what it printed.
func runFixedCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	app := newApp()
	var out bytes.Buffer
	app.Writer = &out
	app.ErrWriter = &out
	app.Reader = strings.NewReader(stdin)
	err := app.Run(append([]string{"kd2fpga", "fixed"}, args...))
	return out.String(), err
}

func TestFixedCommand(t *testing.T) {
	const typ = "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		// the example of the issue: 1.3*32 = 41.6 rounds to 42 = 1.3125,
		// -9 saturates to the minimum, -128 = -4
		{"issue example", "", []string{typ, "1.3", "-9"}, "1.3\t42\t1.3125\n-9\t-128\t-4\n"},
		{"stdin", "1.3\n\n  -9  \n", []string{typ}, "1.3\t42\t1.3125\n-9\t-128\t-4\n"},
		{"status", "", []string{"--status", typ, "1.3", "-9", "0.5"},
			"1.3\t42\t1.3125\tinexact\n-9\t-128\t-4\tsaturated\n0.5\t16\t0.5\texact\n"},
		// hex float 0x1.8p-1 = 0.75 is 192 in ap_ufixed<8,0>; unsigned
		// words print unsigned
		{"unsigned hex", "", []string{"ap_ufixed<8,0>", "0x1.8p-1", "0.99999"},
			"0x1.8p-1\t192\t0.75\n0.99999\t255\t0.99609375\n"},
		// int<4> wraps: 9 = 0b1001 is -7; -inf converts as -2^1024
		{"int wraps", "", []string{"--status", "int<4>", "9", "-inf"},
			"9\t-7\t-7\twrapped\n-inf\t0\t0\twrapped\n"},
	} {
		got, err := runFixedCmd(t, c.stdin, c.args...)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestFixedCommandErrors(t *testing.T) {
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"ap_fixed<0,3>", "1"}, `fixed: format "ap_fixed<0,3>": width 0 is below 1`},
		{"", []string{"ap_fixed<8,3>", "1", "abc"},
			`fixed: value "abc" is not a decimal or hex float`},
		{"1\n2\nx1\n", []string{"ap_fixed<8,3>"},
			`fixed: stdin:3: value "x1" is not a decimal or hex float`},
		{"", []string{"ap_fixed<8,3>", "nan"}, `fixed: value "nan" is not a number`},
		{"", []string{"ap_fixed<8,3>", "1e999"},
			`fixed: value "1e999" is beyond the range of a double`},
		{"", nil, "fixed: missing TYPE (usage: kd2fpga fixed TYPE [VALUE...])"},
	} {
		out, err := runFixedCmd(t, c.stdin, c.args...)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %s", c.args, err, c.want)
		}
		// values given as arguments are all checked before any is printed
		if c.stdin == "" && out != "" {
			t.Errorf("%q: printed %q before failing", c.args, out)
		}
	}
}

func TestFixedHelpShowsExample(t *testing.T) {
	out, err := runFixedCmd(t, "", "--help")
	if err != nil || !strings.Contains(out, "Example:") ||
		!strings.Contains(out, "kd2fpga fixed 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>' 1.3 -9") {
		t.Errorf("help without the example: %v\n%s", err, out)
	}
}
