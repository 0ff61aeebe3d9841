package hlsgen

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"text/template"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/templates"
)

// rtlDesign is what the VHDL and Verilog templates print for one
// scheduled netlist. Everything in it is decided in Go: the templates lay
// out declarations and statements whose operands are already spelled.
type rtlDesign struct {
	Top         string
	Model       string // the model name, comment-safe
	Description string // the model description, comment-safe
	InWidth     int
	OutWidth    int
	InHi        int // InWidth - 1
	OutHi       int // OutWidth - 1
	LatHi       int // Latency - 1
	ShiftHi     int // Latency - 2: the valid bits that shift up
	Latency     int
	II          int
	ClockNs     string
	InLayout    []string // one comment line per input element
	Layout      []string // one comment line per output element

	// Nodes yields the declared nodes in order; Stages the register
	// stages, each with the registers it loads.
	Nodes  iter.Seq[*rtlNode]
	Stages []rtlStage
	// ROMs are the distinct lookup tables, declared once each.
	ROMs []*rtlROM
	// Outputs are the output elements, least significant first: their
	// bit ranges and the spelled value.
	Outputs []rtlOutput
}

// rtlStage is the registers loaded at the end of one clock stage.
type rtlStage struct {
	Stage int
	Regs  iter.Seq[*rtlNode]
}

// rtlROM is the contents of one lookup table.
type rtlROM struct {
	Name    string
	Hi      int      // entry width - 1
	IndexW  int      // index width
	IndexHi int      // IndexW - 1
	Last    int      // the last entry's index
	Entries []string // one literal per index pattern
}

// rtlCase is one choice of a step multiplexer.
type rtlCase struct {
	Label string // the counter value
	Value string
}

// rtlOutput is one element of the output bus.
type rtlOutput struct {
	Hi, Lo int
	Value  string
}

// rtlNode is one node as a template prints it: its name and width and
// its operands spelled in the target language (extended, when the
// operation needs it, to the width Go decided).
type rtlNode struct {
	Kind    string // the netlist kind, such as "add"
	Name    string
	Width   int
	Hi      int    // Width - 1
	Comment string // a layer heading printed before the node, or ""
	Stage   int

	A, B, C string   // operands
	Parts   []string // KBits: the pieces, most significant first
	Offset  int      // KInput: the bit offset in in_data
	OffHi   int      // KInput: Offset + Width - 1

	// the loops' registers (see netlist.Region)
	Start     int       // counter, hold: the valid bit whose rise loads it
	Idle      string    // counter, acc, collect: the counter's idle value
	Zero, One string    // counter: 0 and 1 at its width; acc: the first step
	Step      string    // collect: the step it loads
	Cases     []rtlCase // step: the value of each step
	Max       bool      // acc: a maximum, not a sum
	AccS      string    // acc: the accumulator as an operand (signed for a maximum)
}

// spelling is what differs between the languages: how an operand is
// written in each context.
type spelling interface {
	// arith spells x as an unsigned vector of w bits holding x's two's
	// complement word, sign- or zero-extended as x needs, or cut to its
	// low w bits (arithmetic modulo 2^w, or a value known to fit).
	arith(x string, n *netlist.Node, w int) string
	// signedOp spells x as a signed number of w > width bits (so that an
	// unsigned x keeps its value).
	signedOp(x string, n *netlist.Node, w int) string
	// vector spells x extended (or cut) to w bits as a plain bit vector.
	vector(x string, n *netlist.Node, w int) string
	// literal spells the w-bit two's complement word of v in a vector
	// context; arithLit and signedLit in the arithmetic contexts.
	literal(v int64, w int) string
	arithLit(v int64, w int) string
	signedLit(v int64, w int) string
	// part spells one piece of a concatenation.
	part(p netlist.Part, src string) string
}

// namer gives every node a signal name: the sanitised name of its layer,
// then an underscore, a letter for its kind and its number. Node numbers
// are unique, and the suffix after the last underscore is always a
// letter and digits, so two nodes never share a name; fixed names (ports,
// the valid pipeline, the top) never end that way.
type namer struct {
	top      string
	prefixes []string
	roms     map[*netlist.ROM]string
}

func newNamer(n *netlist.Netlist, top string) *namer {
	taken := map[string]bool{strings.ToLower(top): true}
	nm := &namer{top: top, roms: make(map[*netlist.ROM]string)}
	for _, l := range n.Layers {
		nm.prefixes = append(nm.prefixes, Identifier(l.Name, taken))
	}
	return nm
}

// kindLetter is the letter of each node kind in signal names.
var kindLetter = map[netlist.Kind]string{
	netlist.KInput: "i", netlist.KBits: "b", netlist.KAdd: "a", netlist.KSub: "s",
	netlist.KMulConst: "k", netlist.KMul: "m", netlist.KAnd: "l", netlist.KOr: "l",
	netlist.KXor: "l", netlist.KOrReduce: "o", netlist.KLess: "c", netlist.KLessEq: "c",
	netlist.KMux: "x", netlist.KROM: "t", netlist.KReg: "r",
}

func (nm *namer) name(m *netlist.Node) string {
	p := "net"
	if m.Layer >= 0 && m.Layer < len(nm.prefixes) {
		p = nm.prefixes[m.Layer]
	}
	return p + "_" + kindLetter[m.Kind] + strconv.Itoa(m.ID)
}

// newRTLDesign gathers what both languages print.
func newRTLDesign(n *netlist.Netlist, top string, sp spelling) (*rtlDesign, error) {
	if !n.Scheduled() {
		return nil, fmt.Errorf("hlsgen: netlist %s is not scheduled", n.Name)
	}
	if top == "" || Identifier(top, nil) != top {
		return nil, fmt.Errorf("hlsgen: top name %q is not a legal identifier (see Identifier)", top)
	}
	nm := newNamer(n, top)
	d := &rtlDesign{
		Top: top, Model: CommentText(n.Name), Description: CommentText(n.Description),
		InWidth: n.InWidth, OutWidth: n.OutWidth, InHi: n.InWidth - 1, OutHi: n.OutWidth - 1,
		Latency: n.Latency(), LatHi: n.Latency() - 1,
		ShiftHi: n.Latency() - 2, II: n.II(),
		ClockNs: strconv.FormatFloat(n.ClockNs, 'g', -1, 64),
	}
	off := 0
	for k, in := range n.Inputs {
		d.InLayout = append(d.InLayout, fmt.Sprintf("element %d: bits %d..%d, %s",
			k, off+in.Format.Width-1, off, in.Format))
		off += in.Format.Width
	}
	for k, o := range n.Outputs {
		w := o.Format.Width
		d.Layout = append(d.Layout, fmt.Sprintf("element %d: bits %d..%d, %s",
			k, o.Offset+w-1, o.Offset, o.Format))
		v := nm.name(o.Node)
		if o.Node.IsConst() {
			v = sp.literal(o.Node.Value, w)
		}
		d.Outputs = append(d.Outputs, rtlOutput{Hi: o.Offset + w - 1, Lo: o.Offset, Value: v})
	}

	// the tables, named after their first reader (the suffix keeps the
	// name apart from every node's)
	for _, m := range n.Nodes {
		if m.Kind != netlist.KROM || nm.roms[m.ROM] != "" {
			continue
		}
		r := &rtlROM{Name: nm.name(m) + "_tab", Hi: m.Width - 1, IndexW: m.Args[0].Width,
			IndexHi: m.Args[0].Width - 1, Last: len(m.ROM.Entries) - 1}
		for _, e := range m.ROM.Entries {
			r.Entries = append(r.Entries, sp.literal(e, m.Width))
		}
		nm.roms[m.ROM] = r.Name
		d.ROMs = append(d.ROMs, r)
	}

	// the nodes, spelled on the fly so that a large design streams
	d.Nodes = func(yield func(*rtlNode) bool) {
		layer := -2
		for _, m := range n.Nodes {
			if m.IsConst() {
				continue
			}
			r := spell(m, nm, sp)
			if m.Layer != layer && m.Kind != netlist.KReg {
				layer = m.Layer
				if layer >= 0 && layer < len(n.Layers) {
					l := n.Layers[layer]
					r.Comment = CommentText(fmt.Sprintf("layer %s (%s)", l.Name, l.Kind))
				}
			}
			if !yield(r) {
				return
			}
		}
	}
	for s := 1; s <= n.Latency(); s++ {
		d.Stages = append(d.Stages, rtlStage{Stage: s, Regs: func(yield func(*rtlNode) bool) {
			for _, m := range n.Nodes {
				if m.Kind == netlist.KReg && m.Stage == s {
					if !yield(spell(m, nm, sp)) {
						return
					}
				}
			}
		}})
	}
	return d, nil
}

// spell returns node m with its operands spelled.
func spell(m *netlist.Node, nm *namer, sp spelling) *rtlNode {
	r := &rtlNode{Kind: m.Kind.String(), Name: nm.name(m), Width: m.Width, Hi: m.Width - 1,
		Stage: m.Stage}
	arg := func(i int) (string, *netlist.Node) {
		a := m.Args[i]
		return nm.name(a), a
	}
	arith := func(i, w int) string {
		s, a := arg(i)
		if a.IsConst() {
			return sp.arithLit(a.Value, w)
		}
		return sp.arith(s, a, w)
	}
	vector := func(i, w int) string {
		s, a := arg(i)
		if a.IsConst() {
			return sp.literal(a.Value, w)
		}
		return sp.vector(s, a, w)
	}
	switch m.Kind {
	case netlist.KInput:
		r.Offset, r.OffHi = m.Offset, m.Offset+m.Width-1
	case netlist.KAdd, netlist.KSub, netlist.KMul:
		r.A, r.B = arith(0, m.Width), arith(1, m.Width)
	case netlist.KMulConst:
		r.A, r.B = arith(0, m.Width), sp.arithLit(m.Value, m.Width)
	case netlist.KAnd, netlist.KOr, netlist.KXor, netlist.KOrReduce, netlist.KReg:
		for i := range m.Args {
			s, _ := arg(i)
			if i == 0 {
				r.A = s
			} else {
				r.B = s
			}
		}
	case netlist.KLess, netlist.KLessEq:
		// both sides as signed numbers one bit wider than the wider
		// unsigned operand needs
		w := 0
		for _, a := range m.Args {
			w = max(w, a.Width+b2i(!a.Signed))
		}
		for i := range 2 {
			s, a := arg(i)
			v := sp.signedLit(a.Value, w)
			if !a.IsConst() {
				v = sp.signedOp(s, a, w)
			}
			if i == 0 {
				r.A = v
			} else {
				r.B = v
			}
		}
	case netlist.KMux:
		r.A, _ = arg(0)
		r.B, r.C = vector(1, m.Width), vector(2, m.Width)
	case netlist.KBits:
		for _, p := range m.Parts {
			src := ""
			if p.Arg >= 0 {
				src = nm.name(m.Args[p.Arg])
			}
			r.Parts = append(r.Parts, sp.part(p, src))
		}
	case netlist.KROM:
		r.A, _ = arg(0)
		r.B = nm.roms[m.ROM]
	case netlist.KCounter:
		r.Start = m.Load - 1
		r.Idle = sp.literal(m.Value, m.Width)
		r.Zero, r.One = sp.literal(0, m.Width), sp.literal(1, m.Width)
	case netlist.KHold:
		r.Start = m.Load - 1
		r.A, _ = arg(0)
	case netlist.KStep:
		c := m.Args[0]
		r.A = nm.name(c)
		for t := range len(m.Args) - 1 {
			r.Cases = append(r.Cases, rtlCase{sp.literal(int64(t), c.Width), vector(1+t, m.Width)})
		}
	case netlist.KAcc, netlist.KCollect:
		c := m.Args[0]
		steps := counterOf(c).Value
		r.A = nm.name(c)
		r.Idle = sp.literal(steps, c.Width)
		r.Zero = sp.literal(0, c.Width)
		switch {
		case m.Kind == netlist.KCollect:
			r.Step = sp.literal(m.Value, c.Width)
			r.B = vector(1, m.Width)
		case m.Value == netlist.AccMax:
			r.Max = true
			x, a := arg(1)
			r.B = vector(1, m.Width)
			r.C = sp.signedOp(x, a, m.Width+1)
			if a.IsConst() {
				r.C = sp.signedLit(a.Value, m.Width+1)
			}
			r.AccS = sp.signedOp(r.Name, m, m.Width+1)
		default:
			r.B = arith(1, m.Width)
			r.AccS = sp.arith(r.Name, m, m.Width)
		}
	}
	return r
}

// counterOf returns the counter a (possibly delayed) counter copy comes
// from.
func counterOf(c *netlist.Node) *netlist.Node {
	for c.Kind == netlist.KReg {
		c = c.Args[0]
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pattern returns the w-bit two's complement word of v.
func pattern(v int64, w int) uint64 {
	if w >= 64 {
		return uint64(v)
	}
	return uint64(v) & (1<<w - 1)
}

// binary spells the w-bit word of v in binary, most significant first.
func binary(v int64, w int) string {
	s := strconv.FormatUint(pattern(v, w), 2)
	return strings.Repeat("0", w-len(s)) + s
}

// rtlTemplates parses the templates of one language.
func rtlTemplates(dir string) (*template.Template, error) {
	t, err := template.New(dir).ParseFS(templates.FS, dir+"/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("hlsgen: %w", err)
	}
	return t, nil
}

// writeRTL prints d with t: the template "head", then for each pass over
// the nodes the template named by the pass's prefix and the node's kind
// (passes[i] is executed on d before pass i when it is not empty),
// then "tail". Dispatching on the kind here keeps the per-node cost low
// on designs of a million nodes.
func writeRTL(w io.Writer, t *template.Template, d *rtlDesign, passes []rtlPass) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	exec := func(name string, data any) error {
		if err := t.ExecuteTemplate(bw, name, data); err != nil {
			return fmt.Errorf("hlsgen: %w", err)
		}
		return nil
	}
	if err := exec("head", d); err != nil {
		return err
	}
	for _, p := range passes {
		if p.before != "" {
			if err := exec(p.before, d); err != nil {
				return err
			}
		}
		for r := range d.Nodes {
			name := p.prefix + r.Kind
			if p.fixed != "" {
				name = p.fixed
			}
			if err := exec(name, r); err != nil {
				return err
			}
		}
	}
	if err := exec("tail", d); err != nil {
		return err
	}
	return bw.Flush()
}

// rtlPass is one pass of writeRTL over the nodes: the template executed
// on the design first (if any), then per node the template fixed, or
// prefix followed by the node's kind.
type rtlPass struct {
	before string
	fixed  string
	prefix string
}
