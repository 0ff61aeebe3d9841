package report

import (
	"fmt"
	"math"
	"math/bits"
	"strings"

	"kd2fpga/hlsgen/netlist"
)

// LayerEstimate is the analytic estimate of one layer of a netlist.
type LayerEstimate struct {
	Name string // the model layer, or "input" and "output" for the buses
	Kind string // the plan op kind, such as "dense"
	// Resources holds the layer's estimated primitives, its pipeline
	// registers included.
	Resources Resources
	// FirstStage and LastStage are the clock stages the layer's logic
	// occupies (-1 for a layer of wiring only); Cycles is the number of
	// stages it adds to the latency after the layers before it.
	FirstStage, LastStage, Cycles int
	// Multipliers counts the constant and variable multiplications, DSPs
	// or not; Adders the additions, subtractions and comparisons.
	Multipliers, Adders int
}

// Estimate is the analytic resource estimate of a scheduled netlist.
type Estimate struct {
	Layers []LayerEstimate
	// Control is the valid pipeline: one flip-flop per register stage.
	Control Resources
	Total   Resources
}

// Calibration scales the raw LUT, flip-flop and carry counts of the
// per-node rules to Yosys' figures: each factor is the geometric mean of
// Yosys' count over the rules' count on four small networks and the
// deepset_small example. On the whole calibration table of
// docs/performance.md ("Resources": those five, a small network with a
// reuse factor, and the jet_mlp, mlp_student and sigmoid_tanh examples)
// the scaled estimate falls within 0.69 to 1.4 of Yosys for LUTs and
// 0.88 to 1.09 for flip-flops. The rules overcount because synthesis
// removes and merges logic they do not model. DSPs are not scaled.
var Calibration = struct{ LUT, FF, Carry float64 }{LUT: 0.67, FF: 0.82, Carry: 0.43}

// EstimateNetlist estimates the primitives that Yosys' synth_xilinx
// (family xcup, -nowidelut) makes of the Verilog kd2fpga prints for the
// scheduled netlist n, node by node, and adds them up per layer. The
// rules are in docs/performance.md ("Resources"); in short:
//
//   - an adder, subtractor or comparator of w bits: w LUTs and ceil(w/4)
//     CARRY4;
//   - a multiplication by a constant C into a w-bit product: nothing when
//     C is a power of two (a shift); below 9 product bits, a shift-and-add
//     network of LUTs; otherwise DSP48E2 slices (see mulConstCost);
//   - a multiplexer of w bits: w LUTs; a one-bit gate: one LUT; an OR
//     reduction of w bits: a tree of LUT6;
//   - a ROM of 2^k entries: per output bit that is not constant, one LUT
//     for k <= 6, else 2^(k-6) LUT6 and a tree of 4:1 multiplexer LUTs;
//   - a register: one flip-flop per bit; the valid pipeline one per stage;
//   - in a loop (a reuse factor, shared particles): a held operand or a
//     collected result is a register; an accumulator an adder (or, for a
//     maximum, a comparator), a multiplexer and a register; the step
//     counter an incrementer and its register; the per-step choice of an
//     operand a multiplexer tree, or a small ROM when every choice is a
//     constant (see stepCost).
//
// Wires, constants and concatenations cost nothing. The rules ignore what
// synthesis removes (unused bits, duplicated logic) and what it packs
// together (adders into DSP post-adders, logic into fewer LUTs);
// Calibration accounts for that on average. It panics if n is not
// scheduled.
func EstimateNetlist(n *netlist.Netlist) *Estimate {
	if !n.Scheduled() {
		panic("report: EstimateNetlist of an unscheduled netlist")
	}
	e := &Estimate{Layers: make([]LayerEstimate, len(n.Layers))}
	for i, l := range n.Layers {
		e.Layers[i] = LayerEstimate{Name: l.Name, Kind: l.Kind, FirstStage: -1, LastStage: -1}
	}

	// every node, charged to its layer (constants belong to none and
	// cost nothing); a per-step choice identical to an earlier one is
	// the same logic, which synthesis merges
	raw := make([]Resources, len(e.Layers))
	steps := make(map[string]bool)
	for _, m := range n.Nodes {
		if m.Layer < 0 || m.Layer >= len(e.Layers) {
			continue
		}
		l := &e.Layers[m.Layer]
		if m.Kind == netlist.KStep {
			key := stepKey(m)
			if steps[key] {
				continue
			}
			steps[key] = true
		}
		raw[m.Layer].Add(raw[m.Layer], nodeCost(m))
		switch m.Kind {
		case netlist.KMulConst, netlist.KMul:
			l.Multipliers++
		case netlist.KAdd, netlist.KSub, netlist.KLess, netlist.KLessEq, netlist.KAcc:
			l.Adders++
		}
		if logicKind(m.Kind) {
			if l.FirstStage < 0 || m.Stage < l.FirstStage {
				l.FirstStage = m.Stage
			}
			l.LastStage = max(l.LastStage, m.Stage)
		}
	}

	// the cycles each layer adds, in layer order
	done := 0
	for i := range e.Layers {
		l := &e.Layers[i]
		if l.LastStage > done {
			l.Cycles = l.LastStage - done
			done = l.LastStage
		}
	}
	// the input register and the output register belong to the buses
	if len(e.Layers) > 0 {
		e.Layers[0].Cycles++
		e.Layers[len(e.Layers)-1].Cycles += n.Latency() - 1 - done
	}

	// the calibrated sums
	for i := range e.Layers {
		e.Layers[i].Resources = calibrate(raw[i])
	}
	e.Control = Resources{FF: n.Latency()}
	e.Total = e.Control
	for _, l := range e.Layers {
		e.Total.Add(e.Total, l.Resources)
	}
	return e
}

// calibrate scales raw rule counts by Calibration.
func calibrate(r Resources) Resources {
	scale := func(n int, f float64) int { return int(math.Round(float64(n) * f)) }
	r.LUT = scale(r.LUT, Calibration.LUT)
	r.FF = scale(r.FF, Calibration.FF)
	r.Carry = scale(r.Carry, Calibration.Carry)
	r.LUTRAM = scale(r.LUTRAM, Calibration.LUT)
	return r
}

// logicKind reports whether a node of kind k computes something (as
// opposed to wiring, constants and registers).
func logicKind(k netlist.Kind) bool {
	switch k {
	case netlist.KInput, netlist.KConst, netlist.KBits, netlist.KReg:
		return false
	}
	return true
}

// nodeCost returns the estimated primitives of one node.
func nodeCost(m *netlist.Node) Resources {
	w := m.Width
	switch m.Kind {
	case netlist.KAdd, netlist.KSub:
		return adderCost(w)
	case netlist.KLess, netlist.KLessEq:
		return adderCost(max(m.Args[0].Width, m.Args[1].Width) + 1)
	case netlist.KMulConst:
		return mulConstCost(w, dataBits(m.Args[0], w), m.Value)
	case netlist.KMul:
		return mulCost(w, dataBits(m.Args[0], w), dataBits(m.Args[1], w))
	case netlist.KMux:
		return Resources{LUT: w}
	case netlist.KAnd, netlist.KOr, netlist.KXor:
		return Resources{LUT: 1}
	case netlist.KOrReduce:
		return Resources{LUT: lutTree(m.Args[0].Width, 6)}
	case netlist.KROM:
		return romCost(m.Args[0].Width, w, m.ROM)
	case netlist.KReg, netlist.KHold, netlist.KCollect:
		return Resources{FF: w}
	case netlist.KCounter:
		r := adderCost(w)
		r.FF = w
		return r
	case netlist.KAcc:
		if m.Value == netlist.AccMax {
			r := adderCost(w + 1) // the comparison
			r.LUT += w            // the choice
			r.FF = w
			return r
		}
		r := adderCost(w)
		r.LUT += w // the first step loads the operand instead of the sum
		r.FF = w
		return r
	case netlist.KStep:
		return stepCost(m)
	}
	return Resources{}
}

// stepKey identifies what a KStep node computes: its width and its
// operands, constants by value.
func stepKey(m *netlist.Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", m.Width)
	for _, a := range m.Args {
		if a.IsConst() {
			fmt.Fprintf(&b, " =%d", a.Value)
		} else {
			fmt.Fprintf(&b, " n%d", a.ID)
		}
	}
	return b.String()
}

// stepCost returns the LUTs of a KStep node: the operand of each step of
// a loop, chosen by the step counter. When every choice is a constant
// (the weights of a reused multiplier) it is a ROM indexed by the
// counter; otherwise each bit is a multiplexer of the choices, a tree of
// 4:1 multiplexers of one LUT6 each.
func stepCost(m *netlist.Node) Resources {
	choices := m.Args[1:]
	consts := make([]int64, 0, len(choices))
	for _, a := range choices {
		if !a.IsConst() {
			break
		}
		consts = append(consts, a.Value)
	}
	if len(consts) == len(choices) {
		return romCost(m.Args[0].Width, m.Width, &netlist.ROM{Entries: consts})
	}
	return Resources{LUT: m.Width * lutTree(len(choices), 4)}
}

// adderCost is a w-bit carry chain: a LUT per bit feeding CARRY4 cells.
func adderCost(w int) Resources {
	return Resources{LUT: w, Carry: (w + 3) / 4}
}

// lutTree returns the number of k-input LUTs that reduce n signals to
// one.
func lutTree(n, k int) int {
	luts := 0
	for n > 1 {
		m := (n + k - 1) / k
		luts += m
		n = m
	}
	return luts
}

// dataBits returns the bits of operand a that a w-bit product printed by
// kd2fpga depends on: the operand is extended to w bits, with zeros when
// unsigned (which Yosys strips again) or copies of its sign bit (which
// it keeps).
func dataBits(a *netlist.Node, w int) int {
	if a.Signed {
		return w
	}
	return min(a.Width, w)
}

// The DSP48E2 multiplier is 27 x 18 bits, signed: Yosys (mul2dsp with
// DSP_SIGNEDONLY) gives each unsigned slice of an operand one extra sign
// bit, so a slice holds dspA data bits on the A port and dspB on the B
// port. Products narrower than dspMinProduct bits stay in LUTs
// (DSP_Y_MINWIDTH).
const (
	dspA          = 26
	dspB          = 17
	dspMinProduct = 9
)

// mulConstCost returns what Yosys makes of a w-bit product x * c, printed
// as kd2fpga prints it: both operands extended to w bits, c as a w-bit
// literal, x holding xBits bits that matter (dataBits). Trailing zero
// bits of c are a free shift; an odd part of 1 is a plain shift.
// Otherwise the w' = w - shift low product bits need a multiplier: below
// 9 bits Yosys builds shift-and-add logic (one adder per set bit of the
// odd part, each as wide as the bits above its shift), from 9 bits on it
// uses DSP slices (dspCost).
func mulConstCost(w, xBits int, c int64) Resources {
	u := uint64(c)
	if w < 64 {
		u &= 1<<w - 1
	}
	if u == 0 {
		return Resources{}
	}
	shift := bits.TrailingZeros64(u)
	odd, wp := u>>shift, w-shift
	if odd == 1 {
		return Resources{}
	}
	if wp < dspMinProduct {
		var r Resources
		for p := 1; p < wp; p++ {
			if odd>>p&1 == 1 {
				r.LUT += wp - p
			}
		}
		r.Carry = (wp + 3) / 4
		return r
	}
	return dspCost(wp, min(xBits, wp), bits.Len64(odd))
}

// mulCost returns what Yosys makes of a w-bit product of two variables
// of a and b significant bits, both printed extended to w bits.
func mulCost(w, a, b int) Resources {
	if w < dspMinProduct {
		// an array of partial product bits
		return Resources{LUT: w * (w + 1) / 2, Carry: w}
	}
	return dspCost(w, a, b)
}

// dspCost counts the DSP slices of a product of w bits of operands of a
// and b data bits: the operands are cut in slices of dspA and dspB bits,
// and every pair of slices whose partial product lands below bit w needs
// a DSP (the better of the two ways round). Adding the partial products
// takes LUTs above the lowest slice.
func dspCost(w, a, b int) Resources {
	pairs := func(a, b int) int {
		n := 0
		for i := 0; i < a; i += dspA {
			for j := 0; j < b; j += dspB {
				if i+j < w {
					n++
				}
			}
		}
		return n
	}
	n := min(pairs(a, b), pairs(b, a))
	r := Resources{DSP: n}
	if n > 1 {
		r.LUT = (n - 1) * max(w-dspB, 1)
		r.Carry = (n - 1) * (max(w-dspB, 1) + 3) / 4
	}
	return r
}

// romCost returns the LUTs of a ROM with a k-bit index and w-bit entries:
// an output bit that is the same in every entry is a constant; the others
// need a LUT each (k <= 6) or 2^(k-6) LUT6 and a tree of 4:1 multiplexers
// (one LUT6 each, as -nowidelut has no MUXF7/F8) to choose among them.
func romCost(k, w int, rom *netlist.ROM) Resources {
	live := w
	if rom != nil && len(rom.Entries) > 0 {
		var ones, zeros uint64
		zeros = ^uint64(0)
		for _, e := range rom.Entries {
			ones |= uint64(e)
			zeros &= uint64(e)
		}
		varying := ones &^ zeros
		if w < 64 {
			varying &= 1<<w - 1
		}
		live = bits.OnesCount64(varying)
	}
	perBit := 1
	if k > 6 {
		leaves := 1 << (k - 6)
		perBit = leaves + lutTree(leaves, 4)
	}
	return Resources{LUT: live * perBit}
}
