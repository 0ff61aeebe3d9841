// Command kd2fpga turns small quantization-aware neural networks, such as
// the distilled jet-tagging students of the Level-1 trigger, into
// bit-exact FPGA firmware, and emulates, simulates and reports on them.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

func main() {
	app := newApp()
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "kd2fpga:", err)
		os.Exit(1)
	}
}

// newApp builds the command tree; tests run it in-process.
func newApp() *cli.App {
	return &cli.App{
		Name:  "kd2fpga",
		Usage: "convert small quantized neural networks into bit-exact FPGA firmware",
		Description: "kd2fpga loads a trained student network (HCL description plus .npz\n" +
			"weights), emulates it bit-exactly in ap_fixed arithmetic, writes HLS C++,\n" +
			"VHDL and Verilog with testbenches, and simulates them against the emulator.",
		HideHelpCommand: true,
		Commands: []*cli.Command{
			fixedCommand(),
			emulateCommand(),
			evaluateCommand(),
			profileCommand(),
			jetsCommand(),
			teacherCommand(),
			distillCommand(),
			examplesCommand(),
			reportCommand(),
			convertCommand(),
			simulateCommand(),
		},
	}
}

// trailingFlags sets the flags written after the positional arguments
// ("report DIR --json", "simulate DIR --sim ghdl"), which the flag
// package leaves among the arguments, and returns the positional
// arguments. A boolean flag takes no value unless it is written
// --flag=value.
func trailingFlags(c *cli.Context) ([]string, error) {
	boolean := map[string]bool{}
	for _, f := range c.Command.Flags {
		if _, ok := f.(*cli.BoolFlag); ok {
			for _, n := range f.Names() {
				boolean[n] = true
			}
		}
	}
	var pos []string
	args := c.Args().Slice()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case hasValue:
		case boolean[name]:
			value = "true"
		case i+1 == len(args):
			return nil, fmt.Errorf("flag %s needs a value", a)
		default:
			i++
			value = args[i]
		}
		if err := c.Set(name, value); err != nil {
			return nil, fmt.Errorf("flag %s: %w", a, err)
		}
	}
	return pos, nil
}
