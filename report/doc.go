// Package report says what a converted design costs, in the figures a
// trigger engineer decides from: latency in cycles and nanoseconds at the
// target clock, the initiation interval and throughput, whether the
// latency fits the budget, and the LUTs, flip-flops, DSP slices and block
// RAMs per layer with their share of the FPGA.
//
// It sits at the end of kd2fpga's flow, after convert: New reads the
// scheduled netlist (package hlsgen/netlist) and the quantize.Plan it was
// lowered from, and estimates the resources node by node with rules
// calibrated against Yosys (EstimateNetlist; docs/performance.md). Beside
// the estimate it places the figures of the tools that synthesize the
// design:
//
//   - Yosys, which kd2fpga runs itself (Synthesize: synth_xilinx for
//     UltraScale+, then stat -json and ltp);
//   - Vivado, from the text of report_utilization and
//     report_timing_summary that the handoff script vivado/build.tcl
//     writes (ParseUtilization, ParseTimingSummary);
//   - Vitis HLS, from csynth.xml (ParseCsynth).
//
// The parsers accept the documented layouts and fail, naming the file,
// the line where they can and what is missing, on anything else. The
// device table (LookupDevice) gives the percentages for the common
// UltraScale+ parts of the Level-1 trigger.
//
// A Report renders as text (WriteText), JSON (WriteJSON) or one
// self-contained HTML page with embedded plots (WriteHTML). Every output
// is deterministic. The package never logs: Synthesize sends Yosys' log
// to SynthOptions.Log when asked.
package report
