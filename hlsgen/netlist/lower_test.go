package netlist_test

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/hlsgen/netlist/nettest"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// exampleModels lists the example models shipped with kd2fpga.
func exampleModels(t testing.TB) []string {
	paths, err := filepath.Glob("../../models/examples/*/model.hcl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example models: %v", err)
	}
	return paths
}

// loadPlan loads and quantizes a model file.
func loadPlan(t testing.TB, path string) *quantize.Plan {
	t.Helper()
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkAgainstRun compares Eval with the golden emulator on n inputs.
func checkAgainstRun(t *testing.T, p *quantize.Plan, nl *netlist.Netlist, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	in := make([]int64, p.Input.Len())
	want := make([]int64, p.Output().Len())
	var e netlist.Evaluator
	for i := range n {
		nettest.RandomInput(rng, p, in)
		p.Run(in, want, nil)
		got := e.Eval(nl, in)
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("%s: vector %d, output %d: netlist %d, emulator %d (input %v)",
					p.Name, i, k, got[k], want[k], in)
			}
		}
	}
}

func buildChecked(t *testing.T, p *quantize.Plan) *netlist.Netlist {
	t.Helper()
	nl, err := netlist.Build(p, netlist.Options{Check: netlist.Verify})
	if err != nil {
		t.Fatal(err)
	}
	return nl
}

// TestExamplesMatchEmulator runs every example model's netlist against
// quantize's emulator, bit for bit.
func TestExamplesMatchEmulator(t *testing.T) {
	for _, path := range exampleModels(t) {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			p := loadPlan(t, path)
			nl := buildChecked(t, p)
			// thousands of vectors, fewer for the large models
			cost := 0
			for _, m := range nl.Nodes {
				cost++
				if m.Region > 0 {
					cost += nl.Regions[m.Region-1].Steps
				}
			}
			n := min(max(20_000_000/cost, 10), 2000)
			checkAgainstRun(t, p, nl, n, 1)
			t.Logf("%d nodes, latency %d, II %d", len(nl.Nodes), nl.Latency(), nl.II())
		})
	}
}

// TestSharedParticles builds the Deep Set example with one copy of its
// per-particle network shared by the particles, and compares it with the
// emulator.
func TestSharedParticles(t *testing.T) {
	m, err := models.Load("../../models/examples/deepset_small/model.hcl")
	if err != nil {
		t.Fatal(err)
	}
	m.Target.Particles = "share"
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	nl := buildChecked(t, p)
	if P := p.Input.Particles(); nl.II() != P {
		t.Errorf("II %d, want %d (one particle per cycle)", nl.II(), P)
	}
	checkAgainstRun(t, p, nl, 1000, 5)
}

// TestTooWide checks that a value beyond 62 bits is refused with the
// position of the layer at fault.
func TestTooWide(t *testing.T) {
	src := `model "wide" {
  layout = "pytorch"
  precision {
    default = "ap_fixed<40,20>"
    accum   = "ap_fixed<60,30>"
  }
  input "x" {
    shape = [2]
  }
  layer "fc" {
    type  = "dense"
    units = 1
    precision {
      weight = "ap_fixed<32,8>"
    }
  }
}
`
	arrays := map[string]models.Array{
		"fc.weight": {Data: []float64{101.23456789, -2.3456789}, Shape: []int{1, 2}},
		"fc.bias":   {Data: []float64{0.5}, Shape: []int{1}},
	}
	m, err := models.Parse("wide.hcl", []byte(src), models.MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Skipf("quantize refuses the model: %v", err)
	}
	_, err = netlist.Build(p, netlist.Options{})
	if err == nil {
		t.Fatal("a 72-bit product was accepted")
	}
	if want := `wide.hcl:10,3: layer "fc": `; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
}
