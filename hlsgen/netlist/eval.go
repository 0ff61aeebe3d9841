package netlist

import "fmt"

// Eval runs the netlist on one input vector, the raw words of the plan
// input in bus order, and returns the raw words of the output, as the
// hardware computes them once the pipeline has filled. Registers pass
// their operand through.
//
// Eval panics if a node's value leaves the interval its width was sized
// for, or if len(in) does not match the input bus: both are bugs of the
// lowering, never of the input.
func Eval(n *Netlist, in []int64) []int64 {
	var e Evaluator
	return e.Eval(n, in)
}

// Evaluator runs a netlist on many inputs, reusing its value buffer.
type Evaluator struct {
	vals    []int64
	net     *Netlist
	count   int
	regions [][]*Node // the nodes of each region, in order
	consts  []*Node
	done    []bool
}

// prepare sizes the buffers and lists the regions' nodes of n.
func (e *Evaluator) prepare(n *Netlist) {
	if cap(e.vals) < len(n.Nodes) {
		e.vals = make([]int64, len(n.Nodes))
	}
	if e.net == n && e.count == len(n.Nodes) {
		return
	}
	e.net, e.count = n, len(n.Nodes)
	e.regions = make([][]*Node, len(n.Regions)+1)
	e.done = make([]bool, len(n.Regions)+1)
	e.consts = e.consts[:0]
	for _, m := range n.Nodes {
		if m.IsConst() {
			e.consts = append(e.consts, m)
		}
		if m.Region > 0 {
			e.regions[m.Region] = append(e.regions[m.Region], m)
		}
	}
}

// runRegion runs the steps of region r: its nodes in order, once per
// step, the accumulators and collectors gathering over the steps.
func (e *Evaluator) runRegion(n *Netlist, r int) {
	vals := e.vals
	steps := n.Regions[r-1].Steps
	for t := range steps {
		for _, m := range e.regions[r] {
			var v int64
			arg := func(i int) int64 { return vals[m.Args[i].ID] }
			switch m.Kind {
			case KCounter:
				v = int64(t)
			case KHold:
				v = arg(0)
			case KAcc:
				v = arg(1)
				if t > 0 && m.Value == AccSum {
					v += vals[m.ID]
				} else if t > 0 {
					v = max(v, vals[m.ID])
				}
			case KCollect:
				v = vals[m.ID]
				if t == int(m.Value) {
					v = arg(1)
				} else if t == 0 {
					v = m.Min // not loaded yet: any value of its range
				}
			default:
				v = compute(m, arg)
			}
			check(n, m, v)
			vals[m.ID] = v
		}
	}
}

// check panics if v lies outside m's interval.
func check(n *Netlist, m *Node, v int64) {
	if v < m.Min || v > m.Max {
		panic(fmt.Sprintf("netlist: node %d (%s, layer %q) = %d outside [%d, %d]",
			m.ID, m.Kind, layerName(n, m), v, m.Min, m.Max))
	}
}

// Eval is Eval with e's buffers.
func (e *Evaluator) Eval(n *Netlist, in []int64) []int64 {
	if len(in) != len(n.Inputs) {
		panic(fmt.Sprintf("netlist: Eval with %d inputs, want %d", len(in), len(n.Inputs)))
	}
	e.prepare(n)
	clear(e.done)
	vals := e.vals[:len(n.Nodes)]
	for _, c := range e.consts {
		vals[c.ID] = c.Value // a region may read a constant numbered after its first result
	}
	arg := func(m *Node, i int) int64 { return vals[m.Args[i].ID] }
	for _, m := range n.Nodes {
		if m.Region > 0 {
			// a region runs when its first result is needed, once all its
			// operands are known
			if (m.Kind == KAcc || m.Kind == KCollect) && !e.done[m.Region] {
				e.runRegion(n, m.Region)
				e.done[m.Region] = true
			}
			continue
		}
		var v int64
		switch m.Kind {
		case KInput:
			v = in[m.Value]
		default:
			v = compute(m, func(i int) int64 { return arg(m, i) })
		}
		check(n, m, v)
		vals[m.ID] = v
	}
	out := make([]int64, len(n.Outputs))
	for i, o := range n.Outputs {
		out[i] = vals[o.Node.ID]
	}
	return out
}

func layerName(n *Netlist, m *Node) string {
	if m.Layer >= 0 && m.Layer < len(n.Layers) {
		return n.Layers[m.Layer].Name
	}
	return ""
}

// compute returns the value of m given the values of its operands. It is
// the single definition of what each node kind computes: Eval and the
// constant folding of the lowering both use it.
func compute(m *Node, arg func(int) int64) int64 {
	b2i := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	switch m.Kind {
	case KConst:
		return m.Value
	case KBits:
		var u uint64
		for _, p := range m.Parts {
			var piece uint64
			w := p.Hi - p.Lo + 1
			if p.Arg < 0 {
				piece = p.Bits & mask(w)
			} else {
				piece = uint64(arg(p.Arg)>>p.Lo) & mask(w)
				if p.Not {
					piece = ^piece & mask(w)
				}
			}
			for r := 0; r < max(p.Rep, 1); r++ {
				u = u<<w | piece
			}
		}
		return fromPattern(u, m.Width, m.Signed)
	case KAdd:
		return arg(0) + arg(1)
	case KSub:
		return arg(0) - arg(1)
	case KMulConst:
		return arg(0) * m.Value
	case KMul:
		return arg(0) * arg(1)
	case KAnd:
		return arg(0) & arg(1)
	case KOr:
		return arg(0) | arg(1)
	case KXor:
		return arg(0) ^ arg(1)
	case KOrReduce:
		return b2i(arg(0) != 0)
	case KLess:
		return b2i(arg(0) < arg(1))
	case KLessEq:
		return b2i(arg(0) <= arg(1))
	case KMux:
		if arg(0) != 0 {
			return arg(1)
		}
		return arg(2)
	case KROM:
		x := m.Args[0]
		return m.ROM.Entries[uint64(arg(0))&mask(x.Width)]
	case KReg:
		return arg(0)
	case KStep:
		return arg(1 + int(arg(0)))
	}
	panic(fmt.Sprintf("netlist: compute of %s", m.Kind))
}
