package netlist_test

import (
	"math/rand/v2"
	"testing"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/hlsgen/netlist/nettest"
)

// TestScheduleBudget checks, on random models and clocks, that no stage
// holds a path longer than the clock period less the margin (unless a
// single node is longer by itself), that the latency is the last stage
// plus the output register, and that a faster clock never needs fewer
// stages on the same netlist.
func TestScheduleBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	d := netlist.DefaultDelays
	for i := range 40 {
		p, err := nettest.RandomPlan(rng)
		if err != nil {
			t.Fatal(err)
		}
		prev := 0
		for _, clock := range []float64{10, 5, 3, 2} {
			n, err := netlist.Build(p, netlist.Options{ClockNs: clock, Check: netlist.Verify})
			if err != nil {
				t.Fatal(err)
			}
			budget := clock - d.Margin
			arrival := make([]float64, len(n.Nodes))
			last := 0
			for _, m := range n.Nodes {
				if m.IsConst() || m.Kind == netlist.KInput || m.Kind == netlist.KReg ||
					m.Kind == netlist.KHold || m.Kind == netlist.KCounter {
					last = max(last, m.Stage)
					continue
				}
				var a float64
				for _, x := range m.Args {
					if x.Stage == m.Stage && x.Kind != netlist.KAcc && x.Kind != netlist.KCollect {
						a = max(a, arrival[x.ID])
					}
				}
				dm := d.Delay(m)
				arrival[m.ID] = a + dm
				if a+dm > budget && dm <= budget {
					t.Fatalf("model %d, %g ns: node %d (%s) ends at %.2f ns in stage %d, budget %.2f",
						i, clock, m.ID, m.Kind, a+dm, m.Stage, budget)
				}
				last = max(last, m.Stage)
			}
			// (a design whose outputs are all constant has no output
			// registers, but keeps the input and output stages)
			if last = max(last, 2); n.Latency() != last {
				t.Errorf("model %d, %g ns: latency %d, last stage %d", i, clock, n.Latency(), last)
			}
			if n.Latency() < prev {
				t.Errorf("model %d: %g ns gives latency %d, a slower clock %d", i, clock, n.Latency(), prev)
			}
			prev = n.Latency()
		}
	}
}
