package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/internal/tools"
	"kd2fpga/models"
	"kd2fpga/sim"
	"kd2fpga/testbench"
)

// testVectors is the number of vectors every design is simulated with.
const testVectors = 1000

// hdlSims are the HDL simulators every design is checked in.
var hdlSims = []string{sim.GHDL, sim.Verilator, sim.Icarus}

// convertForTest converts a model into a fresh folder with extra flags
// and returns the folder.
func convertForTest(t *testing.T, model string, vectors int, flags ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "proj")
	args := append([]string{"convert", "--model", model, "--out", out,
		"--vectors", fmt.Sprint(vectors)}, flags...)
	if _, err := runApp(t, args...); err != nil {
		t.Fatal(err)
	}
	return out
}

// randomStudent returns a small random network: a flat or a particle
// input of random formats, dense layers of random precision with random
// activations, batch norms, a pooling for particles and maybe a softmax.
// Its target has the given reuse factor.
func randomStudent(r *rand.Rand, name string, particles bool, reuse int) *models.Model {
	format := func(minW, maxW int) fixedpoint.Format {
		f := fixedpoint.Format{Signed: r.IntN(5) != 0, Width: minW + r.IntN(maxW-minW+1)}
		f.Int = r.IntN(f.Width+2) - 1
		f.Quant = fixedpoint.Quant(r.IntN(int(fixedpoint.RndConv) + 1))
		f.Overflow = fixedpoint.Overflow(r.IntN(int(fixedpoint.SatSym) + 1))
		return f
	}
	spec := func(minW, maxW int) models.Spec {
		return models.Spec{Set: true, Format: format(minW, maxW)}
	}
	// constants must fit their formats, batch norms folded in: signed,
	// with integer bits for values up to about 3.5
	constant := func(minW, maxW int) models.Spec {
		s := spec(minW, maxW)
		s.Format.Signed, s.Format.Int = true, 3
		return s
	}
	values := func(n int, lo, hi float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = lo + (hi-lo)*r.Float64()
		}
		return v
	}

	m := &models.Model{
		Name: name,
		Target: models.Target{Part: "xcvu13p-flga2577-2-e", ClockNs: 2 + 4*r.Float64(),
			Reuse: reuse, Strategy: "latency", Particles: "replicate"},
	}
	nf := 2 + r.IntN(3)
	m.Input = models.Input{Name: "x", Shape: []int{nf}, Type: spec(4, 10)}
	if particles {
		m.Input.Shape = []int{2 + r.IntN(3), nf}
	}
	m.Precision.Accum = models.Spec{Set: true, Auto: true}

	prev, width := "x", nf
	add := func(l *models.Layer) {
		l.Input, prev = prev, l.Name
		m.Layers = append(m.Layers, l)
	}
	for k := range 2 + r.IntN(2) {
		if particles && k == 1 {
			add(&models.Layer{Name: "pool", Kind: models.Pool,
				Pool: []models.PoolOp{models.PoolSum, models.PoolMax,
					models.PoolWeightedSum}[r.IntN(3)],
				WeightFeature: r.IntN(nf), Precision: models.Precision{Result: spec(8, 14)}})
		}
		units := 2 + r.IntN(4)
		w := make([][]float64, units)
		for j := range w {
			w[j] = values(width, -1.5, 1.5)
		}
		add(&models.Layer{Name: fmt.Sprint("fc", k), Kind: models.Dense, Units: units, Weight: w,
			Bias:      values(units, -0.5, 0.5),
			Precision: models.Precision{Weight: constant(4, 8), Bias: constant(5, 10), Result: spec(5, 12)}})
		width = units
		act := []models.Kind{models.ReLU, models.LeakyReLU, models.Sigmoid, models.Tanh}[r.IntN(4)]
		a := &models.Layer{Name: fmt.Sprint("act", k), Kind: act, Slope: 0.25 * r.Float64(),
			Precision: models.Precision{Result: spec(5, 10)}}
		if act == models.Sigmoid || act == models.Tanh {
			a.Precision.Table = spec(6, 12)
		}
		add(a)
		if r.IntN(2) == 0 {
			add(&models.Layer{Name: fmt.Sprint("bn", k), Kind: models.BatchNorm,
				Gamma: values(width, 0.5, 1.5), Beta: values(width, -0.5, 0.5),
				Mean: values(width, -0.5, 0.5), Var: values(width, 0.5, 1.5), Eps: 1e-5,
				Precision: models.Precision{Result: spec(6, 12)}})
		}
	}
	if r.IntN(2) == 0 {
		add(&models.Layer{Name: "softmax", Kind: models.Softmax,
			Precision: models.Precision{Result: spec(6, 10)}})
	}
	m.Output = prev
	return m
}

// saveModel writes m into a fresh folder and returns the model file.
func saveModel(t *testing.T, m *models.Model) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.hcl")
	if err := models.Save(m, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkProject runs every HDL simulator (and the C simulation when the
// ap_fixed headers are there) on a project and requires every output to
// match and the latency to be the scheduled one.
func checkProject(t *testing.T, dir string) {
	s, err := sim.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	// what `kd2fpga report` says of the project, to hold against what
	// the simulators measure
	rep, err := projectReport(context.Background(), io.Discard, dir, s, false)
	if err != nil {
		t.Fatal(err)
	}
	cycles := 0
	for _, l := range rep.Layers {
		cycles += l.Cycles
	}
	if cycles != rep.Latency {
		t.Errorf("the report's layers add up to %d cycles, its latency is %d", cycles, rep.Latency)
	}
	sims := hdlSims
	if sim.APTypesInclude() != "" {
		sims = append(sims[:len(sims):len(sims)], sim.CSim)
	}
	for _, name := range sims {
		t.Run(name, func(t *testing.T) {
			tools.Require(t, sim.Tools(name)...)
			r, err := sim.Run(context.Background(), name, dir, sim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Vectors != s.Vectors.Count || r.Mismatches != 0 {
				t.Errorf("%d vectors, %d mismatches", r.Vectors, r.Mismatches)
			}
			if name != sim.CSim && (r.Latency != s.Latency || r.II != s.II) {
				t.Errorf("latency %d, II %d; scheduled %d, %d", r.Latency, r.II, s.Latency, s.II)
			}
			if name != sim.CSim && (r.Latency != rep.Latency || r.II != rep.II ||
				rep.LatencyNs != float64(r.Latency)*s.Target.ClockNs) {
				t.Errorf("measured latency %d, II %d; the report says %d (%g ns), II %d",
					r.Latency, r.II, rep.Latency, rep.LatencyNs, rep.II)
			}
			t.Logf("%v (build %v, run %v)", r, r.Build.Round(1e6), r.Run.Round(1e6))
		})
	}
}

// TestFirmwareMatchesEmulator is the acceptance test of the firmware:
// the example models and random ones, at reuse factors 1 and more, the
// random Deep Sets also with their per-particle network shared,
// converted and simulated on 1000 vectors in GHDL, Verilator and Icarus
// Verilog, must give exactly the emulator's outputs at the scheduled
// latency.
func TestFirmwareMatchesEmulator(t *testing.T) {
	type tc struct {
		name  string
		model func(t *testing.T) string
		flags []string
	}
	cases := []tc{
		{"jet_mlp", func(*testing.T) string { return example("jet_mlp") }, nil},
		{"deepset_small", func(*testing.T) string { return example("deepset_small") }, nil},
		{"sigmoid_tanh", func(*testing.T) string { return example("sigmoid_tanh") }, nil}, // II 2
	}
	for seed := range uint64(4) {
		particles, reuse := seed%2 == 1, 1+int(seed/2)*2
		name := fmt.Sprintf("random%d_reuse%d", seed, reuse)
		model := func(t *testing.T) string {
			r := rand.New(rand.NewPCG(seed, 2024))
			return saveModel(t, randomStudent(r, name, particles, reuse))
		}
		cases = append(cases, tc{name, model, nil})
		if particles {
			// the per-particle network shared over the particles
			cases = append(cases, tc{name + "_share", model, []string{"--particles", "share"}})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkProject(t, convertForTest(t, c.model(t), testVectors, c.flags...))
		})
	}
}

// TestSimulateCatchesMismatch corrupts one expected vector and requires
// every simulator to report exactly that mismatch and to fail, and the
// simulate command to exit with an error.
func TestSimulateCatchesMismatch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	dir := convertForTest(t, saveModel(t, randomStudent(r, "corrupt", false, 1)), 300)
	s, err := sim.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}

	// flip the lowest bit of vector 123 of the expected file
	const bad = 123
	path := filepath.Join(dir, s.Vectors.Expected)
	raw, _ := os.ReadFile(path)
	lines := strings.Split(string(raw), "\n")
	good := lines[bad]
	last := good[len(good)-1]
	flipped := string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", last))^1])
	lines[bad] = good[:len(good)-1] + flipped
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	want := sim.Mismatch{Sample: bad, Expected: lines[bad], Got: good}

	for _, name := range hdlSims {
		t.Run(name, func(t *testing.T) {
			tools.Require(t, sim.Tools(name)...)
			res, err := sim.Run(context.Background(), name, dir, sim.Options{})
			if !errors.Is(err, sim.ErrMismatch) {
				t.Fatalf("err = %v, want a mismatch", err)
			}
			if res.Mismatches != 1 || len(res.FirstMismatches) != 1 || res.FirstMismatches[0] != want {
				t.Errorf("%d mismatches %+v, want exactly %+v", res.Mismatches, res.FirstMismatches, want)
			}
			if res.ExitCode == 0 {
				t.Error("the testbench exited with status 0")
			}
		})
	}

	tools.Require(t, sim.Tools(sim.Icarus)...)
	out, err := runApp(t, "simulate", dir, "--sim", "iverilog")
	if err == nil || !strings.Contains(out,
		fmt.Sprintf("1 of %d outputs differ, the first at vector %d", 300, bad)) {
		t.Errorf("simulate: err = %v, output:\n%s", err, out)
	}
}

// writeRowsNPY writes rows of float64 values shaped [len(rows), shape...].
func writeRowsNPY(t *testing.T, path string, rows [][]float64, shape []int) {
	t.Helper()
	dims := fmt.Sprint(len(rows))
	for _, d := range shape {
		dims += fmt.Sprintf(", %d", d)
	}
	header := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", dims)
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad) + "\n"
	buf := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	buf = append(buf, header...)
	for _, row := range rows {
		for _, x := range row {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSimulateNewVectors simulates other vectors than the project's:
// another count and seed, and user inputs from a .npy file.
func TestSimulateNewVectors(t *testing.T) {
	tools.Require(t, sim.Tools(sim.Icarus)...)
	dir := convertForTest(t, example("deepset_small"), 20)
	before := readTree(t, filepath.Join(dir, "tb"))

	out, err := runApp(t, "simulate", dir, "--sim", "iverilog", "--vectors", "60", "--seed", "9")
	if err != nil || !strings.Contains(out, "iverilog   60 ") {
		t.Fatalf("err = %v, output:\n%s", err, out)
	}
	// the run told how far it was, every tenth of the vectors
	for _, want := range []string{
		"iverilog: running 60 vectors\niverilog: 6 of 60 vectors compared\n",
		"iverilog: 54 of 60 vectors compared\niverilog: 60 of 60 vectors compared\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("simulate output lacks %q:\n%s", want, out)
		}
	}

	// five user inputs, the second all padding
	m, err := models.Load(example("deepset_small"))
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]float64, 5)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range rows {
		rows[i] = make([]float64, inputLen(m))
		for k := range rows[i] {
			if i != 1 {
				rows[i][k] = r.NormFloat64()
			}
		}
	}
	npy := filepath.Join(t.TempDir(), "x.npy")
	writeRowsNPY(t, npy, rows, m.Input.Shape)
	out, err = runApp(t, "simulate", "--sim", "iverilog", "--input", npy, dir)
	if err != nil || !strings.Contains(out, "iverilog   5 ") {
		t.Fatalf("err = %v, output:\n%s", err, out)
	}

	// the vectors went to sim/vectors, tb/ is untouched
	d, err := buildDesign(filepath.Join(dir, "model", "model.hcl"), models.Target{})
	if err != nil {
		t.Fatal(err)
	}
	v := testbench.Generate(d.plan, 5, 1, rows)
	got, err := testbench.ReadHexFile(filepath.Join(dir, "sim", "vectors", "input.hex"),
		testbench.BusOf(d.plan.Input))
	if err != nil || fmt.Sprint(got) != fmt.Sprint(v.In) {
		t.Errorf("sim/vectors/input.hex holds %v (%v), want %v", got, err, v.In)
	}
	after := readTree(t, filepath.Join(dir, "tb"))
	for name, data := range before {
		if string(after[name]) != string(data) {
			t.Errorf("tb/%s changed", name)
		}
	}
}

// TestSimulateMissingSimulator checks that a requested simulator that is
// missing fails with install advice, and that --sim all skips it.
func TestSimulateMissingSimulator(t *testing.T) {
	dir := convertForTest(t, example("sigmoid_tanh"), 10)
	t.Setenv("KD2FPGA_GHDL", filepath.Join(t.TempDir(), "no-ghdl"))
	t.Setenv("KD2FPGA_VERILATOR", filepath.Join(t.TempDir(), "no-verilator"))
	t.Setenv(sim.APTypesEnv, "")
	t.Setenv("XILINX_HLS", "")

	out, err := runApp(t, "simulate", dir, "--sim", "ghdl")
	if err == nil || !strings.Contains(out, "KD2FPGA_GHDL") {
		t.Errorf("--sim ghdl without ghdl: err = %v, output:\n%s", err, out)
	}

	// with nothing installed, --sim all simulates nothing and says so,
	// which is not a failure (make demo with Go alone)
	for _, env := range []string{"KD2FPGA_IVERILOG", "KD2FPGA_VVP", "KD2FPGA_CXX"} {
		t.Setenv(env, filepath.Join(t.TempDir(), "none"))
	}
	out, err = runApp(t, "simulate", dir, "--sim", "all")
	if err != nil || !strings.Contains(out, "nothing was simulated") ||
		!strings.Contains(out, "apt-get install iverilog") {
		t.Errorf("--sim all with nothing installed: err = %v, output:\n%s", err, out)
	}
	for _, env := range []string{"KD2FPGA_IVERILOG", "KD2FPGA_VVP", "KD2FPGA_CXX"} {
		os.Unsetenv(env)
	}

	tools.Require(t, sim.Tools(sim.Icarus)...)
	out, err = runApp(t, "simulate", dir, "--sim", "all")
	if err != nil {
		t.Fatalf("--sim all: %v\n%s", err, out)
	}
	for _, want := range []string{"ghdl", "skipped", "KD2FPGA_VERILATOR", "apt-get install",
		"no ap_fixed headers (set AP_TYPES_INCLUDE", "iverilog   10 "} {
		if !strings.Contains(out, want) {
			t.Errorf("--sim all output lacks %q:\n%s", want, out)
		}
	}

	if _, err := runApp(t, "simulate", dir, "--sim", "modelsim"); err == nil {
		t.Error("an unknown simulator was accepted")
	}
	if _, err := runApp(t, "simulate", t.TempDir()); err == nil ||
		!strings.Contains(err.Error(), "kd2fpga convert") {
		t.Errorf("a folder without summary: err = %v", err)
	}
}
