package report

import (
	"testing"

	"kd2fpga/hlsgen/netlist"
)

// TestMulConstCost checks the multiplier rule against what Yosys 0.23
// made of single registered multiplications x * C, x and the product of
// w bits, C printed as a w-bit literal (docs/reports.md lists them).
func TestMulConstCost(t *testing.T) {
	tests := []struct {
		w   int
		c   int64
		dsp int
		lut int // -1: not compared (Yosys' LUTs differ from the rule)
	}{
		{8, 3, 0, 7},
		{8, 77, 0, 13},
		{9, 3, 1, 0},
		{12, 3, 1, 0},
		{12, -77, 1, 0},
		{16, 77, 1, 0},
		{16, -77, 1, 0},
		{16, -1, 1, 0},
		{16, -4, 1, 0},
		{16, 4, 0, 0},
		{16, 1, 0, 0},
		{12, -2048, 0, 0},
		{10, 1000, 0, -1}, // 7 product bits after the shift: LUTs
		{18, 77, 1, 0},
		{18, -77, 2, -1},
		{19, -77, 2, -1},
		{20, 77, 1, 0},
		{20, -77, 2, -1},
		{24, 77, 1, 0},
		{24, -3, 2, 7},
		{27, 77, 2, 10},
		{28, 77, 2, 11},
		{28, 3, 2, 11},
		{28, -77, 3, 22}, // Yosys: 21 LUTs
		{36, -77, 4, -1}, // Yosys: 5 DSPs, the rule's one miss
	}
	for _, tt := range tests {
		got := mulConstCost(tt.w, tt.w, tt.c)
		if got.DSP != tt.dsp || tt.lut >= 0 && got.LUT != tt.lut {
			t.Errorf("w %d, c %d: %v, want %d DSP and %d LUT", tt.w, tt.c, got, tt.dsp, tt.lut)
		}
	}

	// a zero-extended operand of 6 bits into a 20-bit product by a
	// negative constant: 6 x 20 bits, one DSP
	if got := mulConstCost(20, 6, -77); got.DSP != 1 {
		t.Errorf("narrow operand: %v", got)
	}
}

func TestSmallCosts(t *testing.T) {
	if got := adderCost(9); got != (Resources{LUT: 9, Carry: 3}) {
		t.Errorf("adderCost(9) = %v", got)
	}
	for _, tt := range []struct{ n, k, want int }{
		{1, 6, 0}, {6, 6, 1}, {7, 6, 3}, {36, 6, 7}, {16, 4, 5},
	} {
		if got := lutTree(tt.n, tt.k); got != tt.want {
			t.Errorf("lutTree(%d, %d) = %d, want %d", tt.n, tt.k, got, tt.want)
		}
	}
	// 4-bit entries whose top bit never changes: 3 live bits; an 8-bit
	// index needs 4 LUT6 and one 4:1 multiplexer per bit
	rom := &netlist.ROM{Entries: []int64{1, 2, 7, 0}}
	if got := romCost(8, 4, rom); got.LUT != 3*(4+1) {
		t.Errorf("romCost = %v", got)
	}
	if got := romCost(5, 4, rom); got.LUT != 3 {
		t.Errorf("small romCost = %v", got)
	}
	if got := mulCost(6, 6, 6); got.DSP != 0 || got.LUT != 21 {
		t.Errorf("mulCost(6) = %v", got)
	}
	if got := mulCost(20, 20, 20); got.DSP != 2 {
		t.Errorf("mulCost(20) = %v", got)
	}
}

// TestLoopCosts checks the rules for the nodes of a loop (a reuse factor
// or shared particles).
func TestLoopCosts(t *testing.T) {
	counter := &netlist.Node{Kind: netlist.KCounter, Width: 2, Value: 4}
	konst := func(v int64) *netlist.Node { return &netlist.Node{Kind: netlist.KConst, Value: v} }
	held := &netlist.Node{Kind: netlist.KHold, Width: 7}
	tests := []struct {
		name string
		node *netlist.Node
		want Resources
	}{
		{"counter", counter, Resources{LUT: 2, FF: 2, Carry: 1}},
		{"hold", held, Resources{FF: 7}},
		{"collect", &netlist.Node{Kind: netlist.KCollect, Width: 5}, Resources{FF: 5}},
		{"sum", &netlist.Node{Kind: netlist.KAcc, Width: 10, Value: netlist.AccSum},
			Resources{LUT: 10 + 10, FF: 10, Carry: 3}},
		{"max", &netlist.Node{Kind: netlist.KAcc, Width: 10, Value: netlist.AccMax},
			Resources{LUT: 11 + 10, FF: 10, Carry: 3}},
		// constant choices are a ROM of the counter: of the 4 bits, only
		// the two low ones vary (1, 2, 3, 0)
		{"constant step", &netlist.Node{Kind: netlist.KStep, Width: 4,
			Args: []*netlist.Node{counter, konst(1), konst(2), konst(3), konst(0)}},
			Resources{LUT: 2}},
		// a choice among three operands: one 4:1 multiplexer per bit
		{"operand step", &netlist.Node{Kind: netlist.KStep, Width: 7,
			Args: []*netlist.Node{counter, held, held, konst(0)}}, Resources{LUT: 7}},
	}
	for _, tt := range tests {
		if got := nodeCost(tt.node); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEstimateNetlistUnscheduled(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for an unscheduled netlist")
		}
	}()
	EstimateNetlist(&netlist.Netlist{})
}
