package hlsgen

import (
	"fmt"
	"io"
	"strconv"

	"kd2fpga/hlsgen/netlist"
)

// WriteVerilog prints a scheduled netlist as a synthesizable Verilog-2005
// module named top, with the ports of docs/firmware.md. Every wire is
// declared with its exact width and every operand is extended explicitly
// to the width of the operation, so that no expression mixes signed and
// unsigned operands or relies on context sizing; Verilator, Icarus and
// Yosys read the result. The text streams to w.
func WriteVerilog(w io.Writer, n *netlist.Netlist, top string) error {
	d, err := newRTLDesign(n, top, verilogSpelling{})
	if err != nil {
		return err
	}
	t, err := rtlTemplates("verilog")
	if err != nil {
		return err
	}
	return writeRTL(w, t, d, []rtlPass{{}})
}

// verilogSpelling spells operands in Verilog. All wires are plain
// unsigned vectors; signedness exists only where a comparison needs it,
// through $signed on an operand already extended to the compared width.
type verilogSpelling struct{}

// ext spells x sign- or zero-extended, or truncated, to w bits.
func (verilogSpelling) ext(x string, n *netlist.Node, w int) string {
	k := w - n.Width
	switch {
	case k == 0:
		return x
	case k < 0:
		// the operation's result is narrower: arithmetic modulo 2^w and
		// a selected value within the result's range need only the low
		// w bits
		if w == 1 {
			return x + "[0]"
		}
		return fmt.Sprintf("%s[%d:0]", x, w-1)
	case n.Signed && n.Width == 1:
		return fmt.Sprintf("{%d{%s[0]}}", w, x)
	case n.Signed:
		return fmt.Sprintf("{{%d{%s[%d]}}, %s}", k, x, n.Width-1, x)
	}
	return fmt.Sprintf("{%d'd0, %s}", k, x)
}

func (s verilogSpelling) arith(x string, n *netlist.Node, w int) string {
	return s.ext(x, n, w)
}

func (s verilogSpelling) signedOp(x string, n *netlist.Node, w int) string {
	return "$signed(" + s.ext(x, n, w) + ")"
}

func (s verilogSpelling) vector(x string, n *netlist.Node, w int) string {
	return s.ext(x, n, w)
}

func (verilogSpelling) literal(v int64, w int) string {
	return strconv.Itoa(w) + "'h" + strconv.FormatUint(pattern(v, w), 16)
}

func (s verilogSpelling) arithLit(v int64, w int) string { return s.literal(v, w) }

func (s verilogSpelling) signedLit(v int64, w int) string {
	return "$signed(" + s.literal(v, w) + ")"
}

func (verilogSpelling) part(p netlist.Part, src string) string {
	w := p.Hi - p.Lo + 1
	var s string
	switch {
	case p.Arg < 0:
		return strconv.Itoa(w) + "'b" + binary(int64(p.Bits), w)
	case p.Hi == p.Lo:
		s = fmt.Sprintf("%s[%d]", src, p.Lo)
	default:
		s = fmt.Sprintf("%s[%d:%d]", src, p.Hi, p.Lo)
	}
	if p.Not {
		s = "~" + s
	}
	if p.Rep > 1 {
		s = fmt.Sprintf("{%d{%s}}", p.Rep, s)
	}
	return s
}
