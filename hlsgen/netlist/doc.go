// Package netlist is kd2fpga's hardware IR: a quantize.Plan lowered to a
// directed acyclic graph of integer wires, each with an exact width,
// signedness and interval of raw values, plus the pipeline registers that
// Schedule places. It sits between the quantizer and the RTL printers of
// package hlsgen: every width, every bit of rounding and saturation logic
// and every register stage is decided here, in Go, so that the VHDL and
// Verilog printers only spell the nodes out.
//
// The flow is an ordered table of passes (see Passes): Lower builds the
// graph from the Plan, Prune drops what no output reads, Schedule assigns
// clock stages and inserts registers. Verify checks the invariants of the
// graph and runs between passes in the tests.
//
// Multiplications by constants stay KMulConst nodes until the printers,
// which leave them to synthesis (DSP blocks or LUTs). A later pass can
// make a design multiplierless, as da4ml does, by replacing them with
// shift-and-add networks: the factor's canonical signed digits (CSDDigits
// counts them) become KBits shifts and KAdd/KSub nodes, and the products
// of one input by a whole column of weights can share their partial sums.
// Such a pass keeps every value exact, so Eval and the tests hold it to
// the same results; the delay model already costs a KMulConst as that
// adder tree.
//
// Eval interprets a netlist in Go, bit for bit as the hardware computes
// it, and checks at every node that the value stays inside the interval
// its width was derived from. The tests compare it with the quantizer's
// golden emulator (quantize.Plan.Run), which catches lowering mistakes
// before any HDL simulator runs.
package netlist
