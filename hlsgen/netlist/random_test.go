package netlist_test

import (
	"math/rand/v2"
	"testing"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/hlsgen/netlist/nettest"
	"kd2fpga/quantize"
)

// TestRandomModelsMatchEmulator compares the netlists of random models
// with the emulator, and checks that the models covered every op kind and
// both kinds of loops.
func TestRandomModelsMatchEmulator(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 150
	if testing.Short() {
		n = 30
	}
	kinds := map[quantize.OpKind]int{}
	loops := map[string]int{}
	for i := range n {
		p, err := nettest.RandomPlan(rng)
		if err != nil {
			t.Fatal(err)
		}
		nl, err := netlist.Build(p, netlist.Options{Check: netlist.Verify})
		if err != nil {
			t.Fatalf("model %d: %v", i, err)
		}
		checkAgainstRun(t, p, nl, 300, uint64(i))

		for _, op := range p.Ops {
			kinds[op.Kind]++
		}
		for _, r := range nl.Regions {
			loops[nl.Layers[r.Layer].Kind]++
		}
	}
	if testing.Short() {
		return
	}
	for k := quantize.OpDense; k <= quantize.OpFlatten; k++ {
		if kinds[k] == 0 {
			t.Errorf("no random model has a %s op", k)
		}
	}
	if loops["dense"] == 0 || loops["particles"] == 0 {
		t.Errorf("loops built: %v, want reuse (dense) and shared particles", loops)
	}
	t.Logf("ops %v, loops %v", kinds, loops)
}
