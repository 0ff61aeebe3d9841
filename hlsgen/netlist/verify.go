package netlist

import (
	"errors"
	"fmt"
)

// Verify checks the invariants every pass must keep, and returns the
// problems found (at most 20), joined:
//
//   - nodes are in topological order and numbered by their position;
//   - every width lies in 1..MaxWidth and every interval inside its width;
//   - each kind has its operands, and arithmetic nodes are wide enough
//     for every combination of their operands' intervals (nothing wraps);
//   - concatenations take bits that exist, tables have one entry per
//     index pattern, inside the node's interval;
//   - once scheduled, an operand is valid in the stage of its reader
//     (registers read the stage before), constants excepted.
func Verify(n *Netlist) error {
	var errs []error
	bad := func(m *Node, format string, args ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Errorf("node %d (%s): %s", m.ID, m.Kind, fmt.Sprintf(format, args...)))
		}
	}
	results := make([]bool, len(n.Regions)+1) // a region's result seen
	for i, m := range n.Nodes {
		if m.ID != i {
			bad(m, "numbered %d at position %d", m.ID, i)
			continue
		}
		verifyNode(n, m, bad)

		// Eval runs a region at its first result: every hold comes first
		if r := m.Region; r > 0 && r <= len(n.Regions) {
			switch m.Kind {
			case KAcc, KCollect:
				results[r] = true
			case KHold:
				if results[r] {
					bad(m, "hold after a result of region %d", r)
				}
			}
		}
	}
	for _, o := range n.Outputs {
		if c := o.Node; c.IsConst() {
			if c.Value < o.Format.MinRaw() || c.Value > o.Format.MaxRaw() {
				bad(c, "constant output outside %s", o.Format)
			}
		} else if o.Node.Width != o.Format.Width || o.Node.Signed != o.Format.Signed {
			bad(o.Node, "output of %d bits (signed %v) for format %s", o.Node.Width, o.Node.Signed, o.Format)
		}
		if n.Scheduled() && !o.Node.IsConst() && o.Node.Stage != n.stages {
			bad(o.Node, "output in stage %d, latency %d", o.Node.Stage, n.stages)
		}
	}
	return errors.Join(errs...)
}

// arity gives the number of operands of each kind (-1: any).
var arity = [...]int{
	KInput: 0, KConst: 0, KBits: -1, KAdd: 2, KSub: 2, KMulConst: 1, KMul: 2,
	KAnd: 2, KOr: 2, KXor: 2, KOrReduce: 1, KLess: 2, KLessEq: 2, KMux: 3,
	KROM: 1, KReg: 1, KCounter: 0, KHold: 1, KStep: -1, KAcc: 2, KCollect: 2,
}

func verifyNode(n *Netlist, m *Node, bad func(*Node, string, ...any)) {
	// shape and operands
	if m.Width < 1 || m.Width > MaxWidth {
		bad(m, "width %d", m.Width)
		return
	}
	if lo, hi := rangeOf(m.Width, m.Signed); m.Min > m.Max || m.Min < lo || m.Max > hi {
		bad(m, "interval [%d, %d] outside its %d bits (signed %v)", m.Min, m.Max, m.Width, m.Signed)
	}
	if int(m.Kind) >= len(arity) {
		bad(m, "unknown kind")
		return
	}
	if a := arity[m.Kind]; a >= 0 && len(m.Args) != a {
		bad(m, "%d operands, want %d", len(m.Args), a)
		return
	}
	for _, a := range m.Args {
		if a.ID >= m.ID || n.Nodes[a.ID] != a {
			bad(m, "operand %d is not an earlier node", a.ID)
			return
		}
		if n.Scheduled() && !a.IsConst() && a.Stage != operandStage(m) {
			bad(m, "stage %d reads node %d of stage %d", operandStage(m), a.ID, a.Stage)
		}
		// a region is entered through holds and left through its results
		out := a.Kind == KAcc || a.Kind == KCollect
		switch {
		case a.IsConst():
		case m.Kind == KHold && a.Region != 0 && !out:
			bad(m, "holds node %d of region %d", a.ID, a.Region)
		case m.Kind != KHold && a.Region != m.Region && !(out && a.Region != 0 && m.Region == 0):
			bad(m, "in region %d reads node %d of region %d", m.Region, a.ID, a.Region)
		}
	}

	// what each kind needs
	span := func(i int, f func(x, y int64) int64) (int64, int64) {
		a, c := m.Args[0], m.Args[1]
		vs := []int64{f(a.Min, c.Min), f(a.Min, c.Max), f(a.Max, c.Min), f(a.Max, c.Max)}
		lo, hi := vs[0], vs[0]
		for _, v := range vs {
			lo, hi = min(lo, v), max(hi, v)
		}
		return lo, hi
	}
	var lo, hi int64
	exact := true
	switch m.Kind {
	case KInput:
		if m.Value < 0 || int(m.Value) >= len(n.Inputs) || n.Inputs[m.Value].Node != m {
			bad(m, "input element %d", m.Value)
		}
		exact = false
	case KConst:
		lo, hi = m.Value, m.Value
	case KAdd:
		lo, hi = span(0, func(x, y int64) int64 { return x + y })
	case KSub:
		lo, hi = span(0, func(x, y int64) int64 { return x - y })
	case KMul:
		lo, hi = span(0, func(x, y int64) int64 { return x * y })
	case KMulConst:
		a := m.Args[0]
		lo, hi = min(a.Min*m.Value, a.Max*m.Value), max(a.Min*m.Value, a.Max*m.Value)
	case KAnd, KOr, KXor, KOrReduce, KLess, KLessEq:
		if m.Width != 1 || m.Signed {
			bad(m, "a condition of %d bits", m.Width)
		}
		if m.Kind <= KXor {
			for _, a := range m.Args {
				if a.Width != 1 || a.Signed {
					bad(m, "logic on %d bits", a.Width)
				}
			}
		}
		exact = false
	case KMux:
		if s := m.Args[0]; s.Width != 1 || s.Signed {
			bad(m, "selector of %d bits", s.Width)
		}
		exact = false
	case KBits:
		w := 0
		for _, p := range m.Parts {
			if p.Rep > 1 && p.Hi != p.Lo {
				bad(m, "repeats a slice of %d bits", p.Hi-p.Lo+1)
			}
			if p.Arg >= len(m.Args) || p.Lo < 0 || p.Hi < p.Lo ||
				p.Arg >= 0 && p.Hi >= m.Args[p.Arg].Width {
				bad(m, "part [%d:%d] of operand %d", p.Hi, p.Lo, p.Arg)
			}
			w += p.Width()
		}
		if w != m.Width {
			bad(m, "parts of %d bits in a %d-bit node", w, m.Width)
		}
		exact = false
	case KROM:
		if len(m.ROM.Entries) != 1<<m.Args[0].Width {
			bad(m, "%d entries for a %d-bit index", len(m.ROM.Entries), m.Args[0].Width)
		}
		for _, e := range m.ROM.Entries {
			if e < m.Min || e > m.Max {
				bad(m, "entry %d outside [%d, %d]", e, m.Min, m.Max)
				break
			}
		}
		exact = false
	case KReg, KHold:
		lo, hi = m.Args[0].Min, m.Args[0].Max
	case KCounter:
		lo, hi = 0, m.Value
		if m.Region == 0 {
			bad(m, "outside a region")
		}
	case KStep, KAcc, KCollect:
		if c := m.Args[0]; c.Kind != KCounter && c.Kind != KReg {
			bad(m, "counted by a %s", c.Kind)
		}
		if m.Kind == KStep {
			if r := m.Region; r < 1 || r > len(n.Regions) || len(m.Args)-1 != n.Regions[r-1].Steps {
				bad(m, "%d choices in region %d", len(m.Args)-1, r)
			}
		}
		exact = false
	}
	if m.Kind >= KCounter && (m.Region < 1 || m.Region > len(n.Regions)) {
		bad(m, "in region %d of %d", m.Region, len(n.Regions))
	}
	if exact && !m.Narrowed && (lo < m.Min || hi > m.Max) {
		bad(m, "interval [%d, %d] misses results in [%d, %d]", m.Min, m.Max, lo, hi)
	}
}
