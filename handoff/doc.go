// Package handoff writes what a firmware engineer needs to take a
// converted design into AMD's tools and into a build system: a Vivado
// script that implements the design out of context and writes the reports
// kd2fpga reads back, a script that packages it as an IP (optionally
// behind an AXI4-Stream wrapper), the clock constraint, and a FuseSoC core
// file.
//
// It sits at the end of the flow, beside the writers of the project
// folder (docs/firmware.md): Write adds vivado/, the wrapper
// verilog/<top>_axis.v and <top>.core to the folder, reading only the
// Project description (FromSummary builds it from kd2fpga.json). Convert
// calls it for every project; `kd2fpga report --handoff` calls it again
// to change the scripts' default language or packaged top. The
// scripts name every file relative to their own location, so the folder
// can be moved or copied to a machine with Vivado.
//
// The output of build.tcl, reports/utilization.rpt and
// reports/timing_summary.rpt, is exactly where `kd2fpga report` looks for
// Vivado's figures (package report parses them). docs/reports.md
// describes the whole round trip.
package handoff
