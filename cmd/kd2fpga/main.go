// Command kd2fpga turns small quantization-aware neural networks, such as
// the distilled jet-tagging students of the Level-1 trigger, into
// bit-exact FPGA firmware, and emulates, simulates and reports on them.
package main

import (
	"fmt"
	"os"

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
