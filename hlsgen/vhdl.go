package hlsgen

import (
	"fmt"
	"io"

	"kd2fpga/hlsgen/netlist"
)

// WriteVHDL prints a scheduled netlist as a synthesizable VHDL-2008
// entity named top (architecture rtl), with the ports of
// docs/firmware.md. It uses ieee.numeric_std only: every signal is a
// std_logic_vector of its exact width, arithmetic runs on unsigned
// vectors of the result's width after an explicit extension (resize of a
// signed operand for sign extension), and a wrapping cast is a slice,
// never a resize. The text streams to w.
func WriteVHDL(w io.Writer, n *netlist.Netlist, top string) error {
	d, err := newRTLDesign(n, top, vhdlSpelling{})
	if err != nil {
		return err
	}
	t, err := rtlTemplates("vhdl")
	if err != nil {
		return err
	}
	return writeRTL(w, t, d, []rtlPass{{fixed: "decl"}, {before: "begin", prefix: "stmt_"}})
}

// vhdlSpelling spells operands in VHDL-2008 with numeric_std.
type vhdlSpelling struct{}

func (vhdlSpelling) arith(x string, n *netlist.Node, w int) string {
	switch {
	case n.Width > w:
		// the operation's result is narrower: arithmetic modulo 2^w and
		// a selected value within the result's range need only the low
		// w bits
		return fmt.Sprintf("unsigned(%s(%d downto 0))", x, w-1)
	case n.Signed && n.Width < w:
		return fmt.Sprintf("unsigned(resize(signed(%s), %d))", x, w)
	case n.Width < w:
		return fmt.Sprintf("resize(unsigned(%s), %d)", x, w)
	}
	return "unsigned(" + x + ")"
}

func (vhdlSpelling) signedOp(x string, n *netlist.Node, w int) string {
	if n.Signed {
		return fmt.Sprintf("resize(signed(%s), %d)", x, w)
	}
	return fmt.Sprintf("signed(resize(unsigned(%s), %d))", x, w)
}

func (s vhdlSpelling) vector(x string, n *netlist.Node, w int) string {
	switch {
	case n.Width == w:
		return x
	case n.Width > w:
		return fmt.Sprintf("%s(%d downto 0)", x, w-1)
	}
	return "std_logic_vector(" + s.arith(x, n, w) + ")"
}

func (vhdlSpelling) literal(v int64, w int) string {
	return `"` + binary(v, w) + `"`
}

func (s vhdlSpelling) arithLit(v int64, w int) string {
	return "unsigned'(" + s.literal(v, w) + ")"
}

func (s vhdlSpelling) signedLit(v int64, w int) string {
	return "signed'(" + s.literal(v, w) + ")"
}

func (vhdlSpelling) part(p netlist.Part, src string) string {
	w := p.Hi - p.Lo + 1
	if p.Arg < 0 {
		return `"` + binary(int64(p.Bits), w) + `"`
	}
	s := fmt.Sprintf("%s(%d downto %d)", src, p.Hi, p.Lo)
	if p.Rep > 1 {
		// replication of a single bit: the sign extension of a one-bit
		// signed vector (the lowering only repeats single bits)
		s = fmt.Sprintf("std_logic_vector(resize(signed(%s), %d))", s, p.Rep*w)
	}
	if p.Not {
		s = "(not " + s + ")"
	}
	return s
}
