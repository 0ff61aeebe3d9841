// Package sim runs the testbenches of a project folder written by
// kd2fpga convert in the HDL simulators (GHDL, Verilator, Icarus Verilog)
// and the HLS C simulation, and reads back what they report. It is the
// last stage of the flow: it proves that the firmware computes, bit for
// bit, what the golden emulator computed for the same vectors.
//
// Every runner builds in a scratch folder of its own under the project
// (DIR/sim/<simulator>), never beside the sources, runs the testbench,
// and parses its KD2FPGA MISMATCH and KD2FPGA RESULT lines
// (docs/firmware.md) into a Result; its KD2FPGA PROGRESS lines are
// passed to Options.Progress as they arrive. A missing result line, a
// non-zero exit, a mismatch or a latency other than the scheduled one is
// an error; the error carries the last lines the tool printed.
//
// The project's conversion summary, kd2fpga.json, is described by
// Summary; the runners read the design name, bus widths, latency and
// file names from it.
package sim
