package netlist

import (
	"fmt"
	"math"
	"math/bits"
)

// Delays is the delay model Schedule places registers with: rough
// figures, in nanoseconds, for an UltraScale+ device after placement,
// routing included. docs/firmware.md ("Pipelining") explains them.
type Delays struct {
	// Margin is taken from the clock period: clock-to-out, setup and
	// clock uncertainty of the registers bounding a stage.
	Margin float64
	// An adder, subtractor or comparator of w bits takes AddBase +
	// AddPerBit*w (a LUT level into the carry chain, then the chain).
	AddBase, AddPerBit float64
	// LUT is one level of logic: a multiplexer, a gate, a few bits of an
	// OR reduction.
	LUT float64
	// ROM is a lookup table with an index of up to 8 bits; each further
	// index bit adds ROMPerBit.
	ROM, ROMPerBit float64
	// A table with an index of more than BlockROMBits bits is a block
	// RAM: its index is a register (the first node of a stage), and its
	// data comes BlockROM after the clock edge.
	BlockROMBits int
	BlockROM     float64
	// Mul is a multiplication of two variables in a DSP block.
	Mul float64
}

// DefaultDelays is the delay model of Schedule, calibrated so that the
// 16-64-32-32-5 jet tagger takes about as many cycles at 200 MHz as the
// published hls4ml designs.
var DefaultDelays = Delays{
	Margin:  0.6,
	AddBase: 0.4, AddPerBit: 0.02,
	LUT: 0.35,
	ROM: 1.0, ROMPerBit: 0.3,
	BlockROMBits: 10, BlockROM: 2.0,
	Mul: 2.5,
}

// blockROM reports whether m is a table large enough for a block RAM.
func (d *Delays) blockROM(m *Node) bool {
	return m.Kind == KROM && m.Args[0].Width > d.BlockROMBits
}

// adder returns the delay of a w-bit carry chain.
func (d *Delays) adder(w int) float64 { return d.AddBase + d.AddPerBit*float64(w) }

// Delay returns the combinational delay of node m in nanoseconds.
func (d *Delays) Delay(m *Node) float64 {
	switch m.Kind {
	case KAdd, KSub:
		return d.adder(m.Width)
	case KLess, KLessEq:
		return d.adder(max(m.Args[0].Width, m.Args[1].Width) + 1)
	case KMulConst:
		// a shift-and-add network of the factor's signed digits: a tree
		// of adders, one level per doubling of the digit count
		k := CSDDigits(m.Value)
		levels := bits.Len(uint(k - 1))
		if m.Value < 0 && k == 1 {
			levels = 1 // a negation
		}
		return float64(levels) * d.adder(m.Width)
	case KMul:
		return d.Mul
	case KAnd, KOr, KXor, KMux:
		return d.LUT
	case KOrReduce:
		// six inputs per LUT level
		w, levels := m.Args[0].Width, 0
		for ; w > 1; w = (w + 5) / 6 {
			levels++
		}
		return float64(levels) * d.LUT
	case KROM:
		if d.blockROM(m) {
			return d.BlockROM
		}
		return d.ROM + d.ROMPerBit*float64(max(m.Args[0].Width-8, 0))
	case KStep:
		// a LUT6 selects among four inputs; one level per factor four
		levels := 0
		for k := len(m.Args) - 1; k > 1; k = (k + 3) / 4 {
			levels++
		}
		return float64(levels) * d.LUT
	case KAcc:
		if m.Value == AccMax {
			return d.adder(m.Width+1) + d.LUT
		}
		return d.adder(m.Width)
	case KCollect:
		return d.LUT
	}
	return 0 // wiring: inputs, constants, concatenations, registers
}

// CSDDigits returns the number of nonzero digits of c in canonical signed
// digit form: the number of terms a shift-and-add multiplier by c adds.
func CSDDigits(c int64) int {
	u := absU(c)
	n := 0
	for u != 0 {
		if u&1 == 0 {
			u >>= 1
			continue
		}
		n++
		if u&3 == 3 {
			u++ // a run of ones: one digit +1 above, -1 here
		} else {
			u--
		}
		u >>= 1
	}
	return n
}

// Schedule pipelines a lowered netlist for a clock of clockNs
// nanoseconds with DefaultDelays. See ScheduleWith.
func Schedule(n *Netlist, clockNs float64) error {
	return ScheduleWith(n, clockNs, DefaultDelays)
}

// ScheduleWith assigns every node to a clock stage, as soon as possible:
// a node joins the stage of its latest operand unless the delay
// accumulated in that stage plus its own would exceed the clock period
// less the margin, in which case it starts the next stage. The input bus
// is registered first (stage 1 is the first to compute) and the outputs
// last, so the latency is the last stage plus one. Registers are then
// inserted wherever a node reads an operand of an earlier stage (a chain
// of them, shared by all readers, when it is several stages earlier).
func ScheduleWith(n *Netlist, clockNs float64, d Delays) error {
	if n.Scheduled() {
		return fmt.Errorf("netlist: %s is already scheduled", n.Name)
	}
	budget := clockNs - d.Margin
	if math.IsNaN(budget) || budget <= 0 {
		return fmt.Errorf("netlist: clock period %g ns leaves no time for logic", clockNs)
	}

	// the holds of each region
	holds := make([][]*Node, len(n.Regions)+1)
	for _, m := range n.Nodes {
		if m.Kind == KHold {
			holds[m.Region] = append(holds[m.Region], m)
		}
	}

	// stages and arrival times, in topological order
	arrival := make([]float64, len(n.Nodes))
	last := 1
	for _, m := range n.Nodes {
		switch m.Kind {
		case KConst:
			m.Stage = -1
			continue
		case KInput:
			m.Stage = 0
			continue
		case KCounter:
			// a region starts when all its operands have arrived; its
			// counter and holds are registers loaded then
			load := 1
			for _, h := range holds[m.Region] {
				load = max(load, h.Args[0].Stage)
			}
			for _, r := range append(holds[m.Region], m) {
				r.Load, r.Stage = load, load+1
			}
			last = max(last, m.Stage)
			continue
		case KHold:
			continue
		}
		s := 1
		for _, a := range m.Args {
			s = max(s, a.Stage)
		}
		var t float64
		for _, a := range m.Args {
			if a.Stage == s {
				t = max(t, arrival[a.ID])
			}
		}
		dm := d.Delay(m)
		if t > 0 && (t+dm > budget || d.blockROM(m)) {
			s, t = s+1, 0
		}
		m.Stage, arrival[m.ID] = s, t+dm
		if m.Kind == KAcc || m.Kind == KCollect {
			// a register loaded once per step: complete once the last
			// step has passed
			m.Load, m.Stage, arrival[m.ID] = s, s+n.Regions[m.Region-1].Steps, 0
		}
		last = max(last, m.Stage)
	}
	n.ClockNs = clockNs
	n.stages = last + 1

	// registers where a reader is in a later stage than its operand
	regs := make(map[*Node][]*Node)
	delayed := func(a *Node, stage int) *Node {
		chain := regs[a]
		for len(chain) < stage-a.Stage {
			prev := a
			if len(chain) > 0 {
				prev = chain[len(chain)-1]
			}
			r := &Node{Kind: KReg, Args: []*Node{prev}, Width: a.Width, Signed: a.Signed,
				Min: a.Min, Max: a.Max, Layer: a.Layer, Stage: prev.Stage + 1}
			if a.Kind != KAcc && a.Kind != KCollect {
				r.Region = a.Region // a region's results are read outside it
			}
			chain = append(chain, r)
			regs[a] = chain
		}
		return chain[stage-a.Stage-1]
	}
	nodes := make([]*Node, 0, len(n.Nodes)*2)
	emit := func(m *Node) {
		m.ID = len(nodes)
		nodes = append(nodes, m)
	}
	for _, m := range n.Nodes {
		for i, a := range m.Args {
			if want := operandStage(m); !a.IsConst() && a.Stage < want {
				before := len(regs[a])
				m.Args[i] = delayed(a, want)
				for _, r := range regs[a][before:] {
					emit(r)
				}
			}
		}
		emit(m)
	}
	for i, o := range n.Outputs {
		if o.Node.IsConst() || o.Node.Stage == n.stages {
			continue
		}
		a := o.Node
		before := len(regs[a])
		n.Outputs[i].Node = delayed(a, n.stages)
		for _, r := range regs[a][before:] {
			emit(r)
		}
	}
	n.Nodes = nodes
	return nil
}

// operandStage returns the stage in which m reads its operands: its own,
// or for a register loaded on a condition, the stage it loads from.
func operandStage(m *Node) int {
	switch m.Kind {
	case KHold, KAcc, KCollect:
		return m.Load
	case KReg:
		return m.Stage - 1
	}
	return m.Stage
}
