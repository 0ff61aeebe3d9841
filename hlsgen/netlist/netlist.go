package netlist

import (
	"fmt"
	"math/bits"

	"kd2fpga/fixedpoint"
)

// MaxWidth is the widest wire a netlist holds. Every value is evaluated in
// an int64, and two bits of headroom keep the interval arithmetic of the
// lowering free of overflow.
const MaxWidth = 62

// Kind is the kind of a Node.
type Kind uint8

// The node kinds. Operands are Node.Args; arithmetic is exact: the
// lowering sizes every node so that its result never wraps.
const (
	KInput    Kind = iota // element Value of the input bus, at bit offset Offset
	KConst                // the constant Value
	KBits                 // concatenation of Parts, most significant first
	KAdd                  // Args[0] + Args[1]
	KSub                  // Args[0] - Args[1]
	KMulConst             // Args[0] * Value, Value a constant (see CSD)
	KMul                  // Args[0] * Args[1]
	KAnd                  // 1 bit: Args[0] & Args[1]
	KOr                   // 1 bit: Args[0] | Args[1]
	KXor                  // 1 bit: Args[0] ^ Args[1]
	KOrReduce             // 1 bit: whether any bit of Args[0] is set
	KLess                 // 1 bit: Args[0] < Args[1], as numbers
	KLessEq               // 1 bit: Args[0] <= Args[1], as numbers
	KMux                  // Args[0] ? Args[1] : Args[2] (Args[0] one bit)
	KROM                  // ROM.Entries[bit pattern of Args[0]]
	KReg                  // Args[0] delayed by one clock cycle

	// The sequential nodes of a region (see Region): a loop that runs
	// Steps clock cycles per input.
	KCounter // the step counter: 0 .. Steps-1 while running, Steps when idle
	KHold    // Args[0], captured when an input reaches stage Load
	KStep    // Args[1+t] in step t, t the value of the counter Args[0]
	KAcc     // the sum (Value 0) or maximum (Value 1) of Args[1] over the steps
	KCollect // Args[1] of step Value
)

// The accumulation modes of a KAcc node.
const (
	AccSum = 0
	AccMax = 1
)

var kindNames = [...]string{
	KInput: "input", KConst: "const", KBits: "bits", KAdd: "add", KSub: "sub",
	KMulConst: "mulconst", KMul: "mul", KAnd: "and", KOr: "or", KXor: "xor",
	KOrReduce: "orreduce", KLess: "less", KLessEq: "lesseq", KMux: "mux",
	KROM: "rom", KReg: "reg", KCounter: "counter", KHold: "hold", KStep: "step",
	KAcc: "acc", KCollect: "collect",
}

// String returns the lower-case name of k, such as "add".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Node is one wire of the netlist and the operation that drives it. Its
// value is an integer of Width bits, two's complement when Signed, that
// always lies in [Min, Max]: the lowering derives the width from that
// interval, and Eval checks it.
type Node struct {
	ID     int
	Kind   Kind
	Width  int
	Signed bool
	Min    int64
	Max    int64

	Args  []*Node
	Value int64  // KConst: the value; KMulConst: the factor; KInput: the element
	Parts []Part // KBits
	ROM   *ROM   // KROM

	// Narrowed marks an arithmetic node whose interval is narrower than
	// its operands' intervals allow, because the lowering knows they are
	// correlated (a rounding increment never carries past the ceiling).
	// Eval checks the interval all the same.
	Narrowed bool
	// Offset is the bit offset of a KInput element in the input bus.
	Offset int
	// Region is the 1-based index in Netlist.Regions of the loop the
	// node belongs to, 0 for the ordinary, fully pipelined logic.
	Region int
	// Load is, for KCounter, KHold, KAcc and KCollect, the stage whose
	// values the node loads: its operands are valid in that stage (a
	// counter starts when an input reaches it). Set by Schedule.
	Load int
	// Layer indexes Netlist.Layers: the plan op the node implements.
	Layer int
	// Stage is the clock cycle, counted from the input bus, in which the
	// node's value is valid; set by Schedule. Constants have stage -1.
	Stage int
}

// IsConst reports whether n is a constant.
func (n *Node) IsConst() bool { return n.Kind == KConst }

// Part is a piece of a KBits concatenation: bits Hi..Lo of the operand
// Args[Arg], each complemented when Not, the slice repeated Rep times; or,
// when Arg is negative, the constant Bits of width Hi-Lo+1. Hi and Lo
// always lie inside the operand's width: the lowering spells sign
// extension as a repeated top bit.
type Part struct {
	Arg    int
	Hi, Lo int
	Not    bool
	Rep    int
	Bits   uint64
}

// Width returns the number of bits p contributes.
func (p Part) Width() int { return (p.Hi - p.Lo + 1) * max(p.Rep, 1) }

// ROM is the content of a lookup table, indexed by the unsigned bit
// pattern of its index wire: it has 2^width(index) entries, the raw
// values of the node it drives.
type ROM struct {
	Entries []int64
}

// Output is one element of the output bus: its node and the format its
// raw word is printed in (the node is sign- or zero-extended to
// Format.Width bits).
type Output struct {
	Node   *Node
	Format fixedpoint.Format
	Offset int // bit offset in the output bus
}

// Input is one element of the input bus.
type Input struct {
	Node   *Node
	Format fixedpoint.Format
}

// Layer is what the netlist keeps of a plan op, for names and comments.
type Layer struct {
	Name string // the model layer name, unsanitised
	Kind string // the op kind, such as "dense"
}

// Region is a loop: hardware that one input uses for Steps consecutive
// clock cycles, so that a new input may come only every Steps cycles
// (the design's II is the largest Steps). A dense layer with a reuse
// factor R is a region of R steps whose multipliers each compute R
// products; a per-particle network shared by P particles is a region of P
// steps, one particle per step.
//
// KHold nodes capture the region's operands when an input reaches their
// stage; a KCounter counts the steps; KStep nodes select, per step, what
// the step works on; the ordinary nodes of the region (pipelined like any
// others) compute one step; KAcc and KCollect nodes gather the steps'
// results, complete Steps cycles after the first step reached them.
type Region struct {
	Steps int
	Layer int // the layer the region implements
}

// Netlist is a lowered and, after Schedule, pipelined design.
type Netlist struct {
	Name    string
	Nodes   []*Node // in topological order: every operand comes first
	Inputs  []Input
	Outputs []Output
	Layers  []Layer
	Regions []Region

	// Description is the model's description, for comments.
	Description string

	InWidth, OutWidth int // bus widths in bits

	// ClockNs is the clock period the schedule was made for; stages is
	// the number of register stages from the input bus to the output
	// register, 0 before Schedule.
	ClockNs float64
	stages  int
}

// Latency returns the number of clock cycles from an input to its output
// (the number of register stages, input and output registers included).
// It is 0 until Schedule has run.
func (n *Netlist) Latency() int { return n.stages }

// II returns the initiation interval: a new input may be presented every
// II clock cycles. It is the largest number of steps of a region, 1
// without regions.
func (n *Netlist) II() int {
	ii := 1
	for _, r := range n.Regions {
		ii = max(ii, r.Steps)
	}
	return ii
}

// Scheduled reports whether Schedule has placed the registers.
func (n *Netlist) Scheduled() bool { return n.stages > 0 }

// shapeOf returns the narrowest width and signedness holding [lo, hi].
func shapeOf(lo, hi int64) (width int, signed bool) {
	if lo >= 0 {
		return max(bits.Len64(uint64(hi)), 1), false
	}
	w := max(signedLen(lo), signedLen(hi))
	return w, true
}

// signedLen returns the two's complement width holding v.
func signedLen(v int64) int {
	if v < 0 {
		return bits.Len64(uint64(^v)) + 1
	}
	return bits.Len64(uint64(v)) + 1
}

// rangeOf returns the interval of every word of the given shape.
func rangeOf(width int, signed bool) (lo, hi int64) {
	if signed {
		return -1 << (width - 1), 1<<(width-1) - 1
	}
	return 0, 1<<width - 1
}

// fromPattern interprets the low width bits of u as a value of the shape.
func fromPattern(u uint64, width int, signed bool) int64 {
	u &= mask(width)
	if signed && u>>(width-1) != 0 {
		u |= ^mask(width)
	}
	return int64(u)
}

// mask returns the low w bits set.
func mask(w int) uint64 {
	if w >= 64 {
		return ^uint64(0)
	}
	return 1<<w - 1
}

// bit returns bit i of v, sign-extended beyond its width.
func bit(v int64, i int) uint64 {
	if i >= 63 {
		i = 63
	}
	return uint64(v>>i) & 1
}
