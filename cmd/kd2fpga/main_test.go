package main

import (
	"strings"
	"testing"
)

// TestEveryCommandShowsExample checks that --help of every command the
// tool lists, those added later included, shows an example of the
// command itself. Hidden commands, run for users by make, are exempt.
func TestEveryCommandShowsExample(t *testing.T) {
	cmds := newApp().Commands
	if len(cmds) == 0 {
		t.Fatal("the tool has no commands")
	}
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		out, err := runApp(t, c.Name, "--help")
		if err != nil {
			t.Errorf("%s --help: %v", c.Name, err)
			continue
		}
		_, example, ok := strings.Cut(out, "Example:")
		if !ok || !strings.Contains(example, "kd2fpga "+c.Name+" ") {
			t.Errorf("%s --help shows no example of kd2fpga %s:\n%s", c.Name, c.Name, out)
		}
	}
}
