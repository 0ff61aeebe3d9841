// Package testbench makes the test vectors and the self-checking
// testbenches of the generated firmware. It sits after quantize (whose
// emulator computes the expected outputs) and beside hlsgen (which writes
// the design under test), and before sim, which runs the testbenches.
//
// The vectors are raw fixed-point words packed into buses as
// docs/firmware.md lays them out (element 0 in the least significant
// bits) and stored one per line in hexadecimal. The VHDL-2008 and
// SystemVerilog testbenches read those files, drive one vector every II
// cycles, compare every output bit and end with the KD2FPGA RESULT line
// and an exit status that says whether the design matched the emulator.
package testbench
