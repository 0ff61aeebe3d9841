package hlsgen

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/hlsgen/netlist/nettest"
	"kd2fpga/internal/tools"
	"kd2fpga/models"
	"kd2fpga/quantize"
	"kd2fpga/report"
	"kd2fpga/testbench"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tinyModel is a small model with rounding, saturation, a table and a
// softmax, the subject of the golden files.
const tinyModel = `
model "tiny" {
  description = "golden-file model */ -- with comment terminators"
  layout = "pytorch"
  target {
    clock_ns = 2.5
  }
  precision {
    default = "ap_fixed<8,3>"
    accum   = "ap_fixed<14,6>"
    table   = "ap_ufixed<6,0>"
    table_index = "ap_fixed<5,3,AP_RND,AP_SAT>"
  }
  input "x" {
    shape = [3]
    type  = "ap_fixed<6,2>"
  }
  layer "fc1" {
    type  = "dense"
    units = 2
    precision {
      result = "ap_fixed<7,3,AP_RND_CONV,AP_SAT_SYM>"
    }
  }
  layer "act1" {
    type = "leaky_relu"
    slope = 0.125
  }
  layer "out" {
    type  = "dense"
    units = 2
    precision {
      result = "ap_fixed<6,3,AP_TRN_ZERO,AP_WRAP_SM,1>"
    }
  }
  layer "softmax" {
    type = "softmax"
  }
}
`

// tinyPlan returns the plan of tinyModel.
func tinyPlan(t testing.TB) *quantize.Plan {
	t.Helper()
	arrays := map[string]models.Array{
		"fc1.weight": {Data: []float64{0.5, -1.25, 0.75, 1.5, 0.25, -0.5}, Shape: []int{2, 3}},
		"fc1.bias":   {Data: []float64{0.125, -0.375}, Shape: []int{2}},
		"out.weight": {Data: []float64{1, -0.5, -0.75, 1.25}, Shape: []int{2, 2}},
		"out.bias":   {Data: []float64{0, 0.25}, Shape: []int{2}},
	}
	m, err := models.Parse("tiny.hcl", []byte(tinyModel), models.MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// build lowers and schedules a plan, verifying between passes.
func build(t testing.TB, p *quantize.Plan) *netlist.Netlist {
	t.Helper()
	n, err := netlist.Build(p, netlist.Options{Check: netlist.Verify})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./hlsgen/ -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./hlsgen/ -update rewrites it)", name)
	}
}

// write prints n in both languages into dir, and returns the paths.
func write(t testing.TB, n *netlist.Netlist, top, dir string) (vhd, v string) {
	t.Helper()
	var a, b bytes.Buffer
	if err := WriteVHDL(&a, n, top); err != nil {
		t.Fatal(err)
	}
	if err := WriteVerilog(&b, n, top); err != nil {
		t.Fatal(err)
	}
	vhd, v = filepath.Join(dir, top+".vhd"), filepath.Join(dir, top+".v")
	if err := os.WriteFile(vhd, a.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return vhd, v
}

// TestGolden checks the text printed for the tiny model, which must
// also be deterministic.
func TestGolden(t *testing.T) {
	n := build(t, tinyPlan(t))
	top := Identifier(n.Name, nil)
	for _, lang := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{top + ".vhd.golden", func(b *bytes.Buffer) error { return WriteVHDL(b, n, top) }},
		{top + ".v.golden", func(b *bytes.Buffer) error { return WriteVerilog(b, n, top) }},
	} {
		var first, second bytes.Buffer
		if err := lang.write(&first); err != nil {
			t.Fatal(err)
		}
		if err := lang.write(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("%s: two printings differ", lang.file)
		}
		if strings.Contains(first.String(), "*/ --") {
			t.Errorf("%s: a comment terminator from the model reached the output", lang.file)
		}
		golden(t, lang.file, first.Bytes())
	}
}

// testPlans returns the small plans the tool tests compile: the tiny
// model and random ones (of fixed seeds).
func testPlans(t testing.TB, random int) []*quantize.Plan {
	t.Helper()
	ps := []*quantize.Plan{tinyPlan(t)}
	rng := rand.New(rand.NewPCG(11, 12))
	// a loop of each kind first: a reuse factor, shared particles
	shapes := []nettest.Shape{{Reuse: 3}, {Share: true, Reuse: 1}}
	for i := range random {
		var sh nettest.Shape
		if i < len(shapes) {
			sh = shapes[i]
		}
		p, err := nettest.RandomPlanWith(rng, sh)
		for try := 0; err == nil && i < len(shapes) && try < 50; try++ {
			// a loop whose results matter (random weights can make the
			// output constant)
			n, berr := netlist.Build(p, netlist.Options{})
			if berr == nil && len(n.Regions) > 0 && n.Latency() > 4 {
				break
			}
			p, err = nettest.RandomPlanWith(rng, sh)
		}
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// run runs a tool in dir and fails the test with its output on error or,
// when clean is set, on any output at all (a warning).
func run(t testing.TB, dir string, clean bool, name string, args ...string) string {
	t.Helper()
	path := name
	if !filepath.IsAbs(name) {
		var err error
		if path, err = tools.Find(name); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	if clean && len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("%s %s warns:\n%s", name, strings.Join(args, " "), out)
	}
	return string(out)
}

// TestToolsAccept compiles the generated HDL of small models with every
// tool: GHDL (VHDL-2008), Verilator's lint with all warnings on, Icarus
// Verilog and Yosys's front end and checks; no tool may warn.
func TestToolsAccept(t *testing.T) {
	plans := testPlans(t, 8)
	dir := t.TempDir()
	type file struct{ vhd, v, top string }
	var files []file
	for i, p := range plans {
		top := fmt.Sprintf("dut%d", i)
		vhd, v := write(t, build(t, p), top, dir)
		files = append(files, file{vhd, v, top})
	}
	t.Run("ghdl", func(t *testing.T) {
		tools.Require(t, "ghdl")
		for _, f := range files {
			run(t, dir, true, "ghdl", "-a", "--std=08", "--workdir="+dir, f.vhd)
			run(t, dir, false, "ghdl", "-e", "--std=08", "--workdir="+dir, f.top)
		}
	})
	t.Run("verilator", func(t *testing.T) {
		tools.Require(t, "verilator")
		for _, f := range files {
			run(t, dir, true, "verilator", "--lint-only", "-Wall", f.v)
		}
	})
	t.Run("iverilog", func(t *testing.T) {
		tools.Require(t, "iverilog")
		for _, f := range files {
			run(t, dir, true, "iverilog", "-g2012", "-o", filepath.Join(dir, f.top+".vvp"), f.v)
		}
	})
	t.Run("yosys", func(t *testing.T) {
		tools.Require(t, "yosys")
		for _, f := range files {
			run(t, dir, true, "yosys", "-q", "-p",
				fmt.Sprintf("read_verilog %s; hierarchy -check -top %s; proc; check -assert", f.v, f.top))
		}
	})
}

var resultLine = regexp.MustCompile(`KD2FPGA RESULT vectors=(\d+) mismatches=(\d+) latency=(\d+) ii=(\d+)`)

// checkResult parses a testbench's result line and checks it.
func checkResult(t testing.TB, out string, vectors int, n *netlist.Netlist) {
	t.Helper()
	m := resultLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no result line in:\n%s", out)
	}
	got := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if got(1) != vectors || got(2) != 0 || got(3) != n.Latency() {
		t.Fatalf("%s (want %d vectors, 0 mismatches, latency %d)\n%s", m[0], vectors, n.Latency(), out)
	}

	// the latency `kd2fpga report` gives, in total and layer by layer,
	// is the one the testbench measured
	r := report.New(report.Info{ClockNs: 1}, nil, n)
	cycles := 0
	for _, l := range r.Layers {
		cycles += l.Cycles
	}
	if r.Latency != got(3) || cycles != got(3) || r.II != got(4) {
		t.Errorf("%s: the report says latency %d (layers adding up to %d) and II %d",
			m[0], r.Latency, cycles, r.II)
	}
}

// bench is a design ready to simulate: its HDL, the vector files and the
// testbenches of package testbench, in dir.
type bench struct {
	dir, top    string
	vhd, v      string // the design
	tbVHD, tbSV string // the testbenches
	vectors     int
	n           *netlist.Netlist
}

// newBench writes n's HDL, vectors of p and the testbenches into a
// temporary folder.
func newBench(t *testing.T, p *quantize.Plan, n *netlist.Netlist, top string, vectors int,
	seed uint64) *bench {
	t.Helper()
	b := &bench{dir: t.TempDir(), top: top, vectors: vectors, n: n}
	b.vhd, b.v = write(t, n, top, b.dir)
	vs := testbench.Generate(p, vectors, seed, nil)
	if err := testbench.WriteHexFile(filepath.Join(b.dir, "input.hex"), vs.In,
		testbench.BusOf(p.Input)); err != nil {
		t.Fatal(err)
	}
	if err := testbench.WriteHexFile(filepath.Join(b.dir, "expected.hex"), vs.Out,
		testbench.BusOf(p.Output())); err != nil {
		t.Fatal(err)
	}
	d := testbench.Design{Top: top, InWidth: n.InWidth, OutWidth: n.OutWidth,
		Latency: n.Latency(), II: n.II(), Vectors: vectors}
	var tbv, tbs bytes.Buffer
	if err := testbench.WriteVHDL(&tbv, d); err != nil {
		t.Fatal(err)
	}
	if err := testbench.WriteSV(&tbs, d); err != nil {
		t.Fatal(err)
	}
	b.tbVHD, b.tbSV = filepath.Join(b.dir, "tb_"+top+".vhd"), filepath.Join(b.dir, "tb_"+top+".sv")
	for path, text := range map[string][]byte{b.tbVHD: tbv.Bytes(), b.tbSV: tbs.Bytes()} {
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// ghdl simulates the VHDL design.
func (b *bench) ghdl(t *testing.T) {
	tools.Require(t, "ghdl")
	run(t, b.dir, false, "ghdl", "-a", "--std=08", b.vhd, b.tbVHD)
	out := run(t, b.dir, false, "ghdl", "--elab-run", "--std=08", "tb_"+b.top, "--ieee-asserts=disable")
	checkResult(t, out, b.vectors, b.n)
}

// icarus simulates the Verilog design with Icarus Verilog.
func (b *bench) icarus(t *testing.T) {
	tools.Require(t, "iverilog", "vvp")
	run(t, b.dir, false, "iverilog", "-g2012", "-o", "sim.vvp", "-s", "tb_"+b.top, b.v, b.tbSV)
	out := run(t, b.dir, false, "vvp", "-n", "sim.vvp")
	checkResult(t, out, b.vectors, b.n)
}

// verilator simulates the Verilog design with Verilator.
func (b *bench) verilator(t *testing.T) {
	tools.Require(t, "verilator", "make", "g++")
	run(t, b.dir, false, "verilator", "--binary", "-Wno-fatal", "--top-module", "tb_"+b.top,
		"-Mdir", "obj", b.v, b.tbSV)
	out := run(t, b.dir, false, filepath.Join(b.dir, "obj", "Vtb_"+b.top))
	checkResult(t, out, b.vectors, b.n)
}

// TestSimulation runs the generated HDL of small models against the
// emulator's vectors in GHDL and Icarus Verilog (and, for the model
// with shared particles, Verilator), with the self-checking testbenches
// of package testbench: every output bit must match, and the measured
// latency must be the scheduled one.
func TestSimulation(t *testing.T) {
	for i, p := range testPlans(t, 3) {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			n := build(t, p)
			t.Logf("%s: latency %d, II %d, %d regions", p.Name, n.Latency(), n.II(), len(n.Regions))
			b := newBench(t, p, n, fmt.Sprintf("dut%d", i), 300, uint64(i))
			t.Run("ghdl", b.ghdl)
			t.Run("iverilog", b.icarus)
			if i == 2 {
				// Verilator takes half a minute to build: one model, with a loop
				t.Run("verilator", b.verilator)
			}
		})
	}
}

// TestSimulateExamples runs the example models (all but the paper's
// large MLP, and the Deep Set also with its per-particle network shared)
// in GHDL against the emulator.
func TestSimulateExamples(t *testing.T) {
	paths, err := filepath.Glob("../models/examples/*/model.hcl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example models: %v", err)
	}
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path))
		for _, share := range []bool{false, true} {
			if name == "mlp_paper" || share && name != "deepset_small" {
				continue
			}
			t.Run(fmt.Sprintf("%s/share=%v", name, share), func(t *testing.T) {
				tools.Require(t, "ghdl")
				t.Parallel()
				m, err := models.Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if share {
					m.Target.Particles = "share"
				}
				p, err := quantize.Build(m)
				if err != nil {
					t.Fatal(err)
				}
				n := build(t, p)
				newBench(t, p, n, Identifier(p.Name, nil), 200, 1).ghdl(t)
			})
		}
	}
}

// BenchmarkWritePaperMLP prints the largest example, the paper's MLP
// student (512-512-512-2 with reuse 16), in both languages.
func BenchmarkWritePaperMLP(b *testing.B) {
	m, err := models.Load("../models/examples/mlp_paper/model.hcl")
	if err != nil {
		b.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		b.Fatal(err)
	}
	n := build(b, p)
	b.ResetTimer()
	for b.Loop() {
		if err := WriteVerilog(io.Discard, n, "mlp_paper"); err != nil {
			b.Fatal(err)
		}
		if err := WriteVHDL(io.Discard, n, "mlp_paper"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExamplesAccept compiles every example model's HDL: GHDL analyses
// all of them; Verilator (lint, all warnings) and Icarus compile all but
// the paper's MLP, whose 60 MB of Verilog take them minutes. With -short
// only the examples of less than 1 MB of Verilog go through them, and
// the paper's MLP is skipped.
func TestExamplesAccept(t *testing.T) {
	paths, err := filepath.Glob("../models/examples/*/model.hcl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example models: %v", err)
	}
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path))
		t.Run(name, func(t *testing.T) {
			if name == "mlp_paper" && testing.Short() {
				t.Skip("the paper's MLP takes a while (-short)")
			}
			t.Parallel()
			m, err := models.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := quantize.Build(m)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			top := Identifier(p.Name, nil)
			vhd, v := write(t, build(t, p), top, dir)
			tools.Require(t, "ghdl")
			run(t, dir, true, "ghdl", "-a", "--std=08", "--workdir="+dir, vhd)
			if name == "mlp_paper" || testing.Short() && fileSize(t, v) > 1<<20 {
				return
			}
			tools.Require(t, "verilator", "iverilog")
			run(t, dir, true, "verilator", "--lint-only", "-Wall", v)
			run(t, dir, true, "iverilog", "-g2012", "-o", filepath.Join(dir, "a.vvp"), v)
		})
	}
}

// fileSize returns the size of a file in bytes.
func fileSize(t testing.TB, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
