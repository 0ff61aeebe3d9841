package netlist

import (
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
)

// TestVerifyCatches breaks a valid netlist in several ways and checks
// that Verify names each problem.
func TestVerifyCatches(t *testing.T) {
	src := fixedpoint.Fixed(8, 3)
	dst := fixedpoint.Format{Signed: true, Width: 5, Int: 2, Quant: fixedpoint.RndConv,
		Overflow: fixedpoint.Sat}
	find := func(n *Netlist, k Kind) *Node {
		for _, m := range n.Nodes {
			if m.Kind == k {
				return m
			}
		}
		t.Fatalf("no %s node", k)
		return nil
	}
	tests := []struct {
		name  string
		spoil func(n *Netlist)
		want  string
	}{
		{"narrow adder", func(n *Netlist) { a := find(n, KAdd); a.Max = a.Min; a.Narrowed = false },
			"misses results"},
		{"order", func(n *Netlist) { m := find(n, KAdd); m.Args[0] = n.Nodes[len(n.Nodes)-1] },
			"not an earlier node"},
		{"width", func(n *Netlist) { find(n, KMux).Width = 0 }, "width 0"},
		{"interval", func(n *Netlist) { find(n, KMux).Max = 1 << 20 }, "outside its"},
		{"slice", func(n *Netlist) { find(n, KBits).Parts[0].Hi = 40 }, "part [40"},
		{"numbering", func(n *Netlist) { n.Nodes[1].ID = 7 }, "numbered 7"},
		{"logic", func(n *Netlist) { find(n, KAnd).Args[0] = n.Inputs[0].Node }, "logic on 8 bits"},
	}
	for _, tt := range tests {
		n := castNetlist(t, src, dst)
		if err := Verify(n); err != nil {
			t.Fatalf("valid netlist: %v", err)
		}
		tt.spoil(n)
		err := Verify(n)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Verify = %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}
