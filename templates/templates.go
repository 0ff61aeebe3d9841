// Package templates holds the text/template files of kd2fpga's back ends
// (HLS C++, VHDL, Verilog, testbenches, project READMEs), embedded in the
// binary. The templates only print: every value they show is computed in
// Go by the package that executes them.
package templates

import "embed"

// FS holds every template file, by path relative to this folder, such as
// "tb/tb.vhd.tmpl".
//
//go:embed *
var FS embed.FS
