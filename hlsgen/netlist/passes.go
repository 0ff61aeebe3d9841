package netlist

import (
	"fmt"

	"kd2fpga/quantize"
)

// Pass is one step of the flow after lowering: a plain function over the
// netlist.
type Pass struct {
	Name string
	Run  func(n *Netlist, opt *Options) error
}

// Passes is the ordered table of passes Build runs after Lower. Prune
// must come before Schedule, which places registers on what remains.
var Passes = []Pass{
	{"prune", func(n *Netlist, _ *Options) error { Prune(n); return nil }},
	{"schedule", func(n *Netlist, opt *Options) error { return ScheduleWith(n, opt.ClockNs, *opt.Delays) }},
}

// Build lowers a plan and runs every pass of Passes. When opt.Check is
// set it is called after lowering and after each pass (the tests pass
// Verify) and its error stops the flow, naming the pass.
func Build(p *quantize.Plan, opt Options) (*Netlist, error) {
	opt.defaults(p)
	n, err := Lower(p, opt)
	if err != nil {
		return nil, err
	}
	check := func(pass string) error {
		if opt.Check == nil {
			return nil
		}
		if err := opt.Check(n); err != nil {
			return fmt.Errorf("netlist: after %s: %w", pass, err)
		}
		return nil
	}
	if err := check("lower"); err != nil {
		return nil, err
	}
	for _, pass := range Passes {
		if err := pass.Run(n, &opt); err != nil {
			return nil, fmt.Errorf("%s: %w", pass.Name, err)
		}
		if err := check(pass.Name); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Prune removes the nodes no output reads (inputs stay: they are the
// bus) and the regions left empty, and renumbers the rest in their order.
func Prune(n *Netlist) {
	live := make([]bool, len(n.Nodes))
	for _, o := range n.Outputs {
		live[o.Node.ID] = true
	}
	for _, in := range n.Inputs {
		live[in.Node.ID] = true
	}
	for i := len(n.Nodes) - 1; i >= 0; i-- {
		if live[i] {
			for _, a := range n.Nodes[i].Args {
				live[a.ID] = true
			}
		}
	}
	kept := n.Nodes[:0]
	used := make([]bool, len(n.Regions)+1)
	for i, m := range n.Nodes {
		if live[i] {
			m.ID = len(kept)
			kept = append(kept, m)
			used[m.Region] = true
		}
	}
	clear(n.Nodes[len(kept):])
	n.Nodes = kept

	// a region whose results nobody reads is gone, and with it its II
	renumber := make([]int, len(n.Regions)+1)
	var regions []Region
	for r := 1; r <= len(n.Regions); r++ {
		if used[r] {
			regions = append(regions, n.Regions[r-1])
			renumber[r] = len(regions)
		}
	}
	n.Regions = regions
	for _, m := range n.Nodes {
		m.Region = renumber[m.Region]
	}
}
