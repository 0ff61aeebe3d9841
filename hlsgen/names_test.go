package hlsgen

import (
	"regexp"
	"strings"
	"testing"
)

func TestIdentifier(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fc1", "fc1"},
		{"Dense_1", "dense_1"},
		{"my layer", "my_layer"},
		{"__x__y__", "x_y"},
		{"1st", "n1st"},
		{"", "x"},
		{"--", "x"},
		{"signal", "signal_x"},
		{"MODULE", "module_x"},
		{"always_ff", "always_ff_x"},
		{"class", "class_x"},
		{"clk", "clk_x"},
		{"out_data", "out_data_x"},
		{"a\"; drop; --", "a_drop"},
		{"x */ y", "x_y"},
		{"ünïcode", "n_code"},
		{strings.Repeat("long", 40), strings.Repeat("long", 11)},
	}
	for _, tt := range tests {
		if got := Identifier(tt.in, nil); got != tt.want {
			t.Errorf("Identifier(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestIdentifierLegal checks the shape of every identifier and their
// uniqueness without case.
func TestIdentifierLegal(t *testing.T) {
	legal := regexp.MustCompile(`^[a-z]([a-z0-9]|_[a-z0-9])*$`)
	taken := map[string]bool{}
	seen := map[string]bool{}
	inputs := []string{"a", "A", "a", "a_2", "A_2", "begin", "Begin", "x", "", "_", "9", "a__b", "a_b"}
	for _, in := range inputs {
		id := Identifier(in, taken)
		if !legal.MatchString(id) || len(id) > MaxIdentifier || Reserved(id) {
			t.Errorf("Identifier(%q) = %q is not a legal name", in, id)
		}
		if seen[strings.ToLower(id)] {
			t.Errorf("Identifier(%q) = %q was given before", in, id)
		}
		seen[strings.ToLower(id)] = true
	}
}

func TestCommentText(t *testing.T) {
	for _, in := range []string{"a */ b", "a -- b", "x\ny\r\n-- z", "/* c */", "///", "----", "a\\",
		"\x00\x1b[31m"} {
		got := CommentText(in)
		for _, bad := range []string{"*/", "/*", "//", "--", "\n", "\r", "\\", "\x00", "\x1b"} {
			if strings.Contains(got, bad) {
				t.Errorf("CommentText(%q) = %q contains %q", in, got, bad)
			}
		}
	}
}
