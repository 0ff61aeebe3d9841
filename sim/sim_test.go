package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/internal/tools"
	"kd2fpga/testbench"
)

// The toy design of testdata/toy.vhd and toy.v: a signed 4-bit a and an
// unsigned 6-bit b in, the signed 8-bit a + b and the signed 5-bit -a out,
// three cycles later.
var (
	toyIn  = testbench.Bus{Formats: []fixedpoint.Format{fixedpoint.Fixed(4, 4), fixedpoint.UFixed(6, 6)}}
	toyOut = testbench.Bus{Formats: []fixedpoint.Format{fixedpoint.Fixed(8, 8), fixedpoint.Fixed(5, 5)}}
)

const toyLatency = 3

// toyVectors returns n random vectors of the toy and its outputs.
func toyVectors(n int) (in, out [][]int64) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		a, b := int64(rng.IntN(16)-8), int64(rng.IntN(64))
		in = append(in, []int64{a, b})
		out = append(out, []int64{a + b, -a})
	}
	return in, out
}

// sharedToy is the toy project with 1000 vectors at II 1 that several
// tests run, so that Verilator builds it once.
var sharedToy struct {
	once sync.Once
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedToy.dir != "" {
		os.RemoveAll(sharedToy.dir)
	}
	os.Exit(code)
}

// toyShared returns the shared toy project.
func toyShared(t *testing.T) string {
	sharedToy.once.Do(func() {
		dir, err := os.MkdirTemp("", "toy")
		if err != nil {
			t.Fatal(err)
		}
		sharedToy.dir = dir
		writeToy(t, dir, 1000, 1, toyLatency, nil)
	})
	return sharedToy.dir
}

// toyProject writes a project folder for the toy design, as convert
// would, with n vectors applied every ii cycles and the given scheduled
// latency. edit, when not nil, changes the design sources (toy.vhd and
// toy.v).
func toyProject(t *testing.T, n, ii, latency int, edit func(file, src string) string) string {
	t.Helper()
	dir := t.TempDir()
	writeToy(t, dir, n, ii, latency, edit)
	return dir
}

// writeToy writes the toy project into dir (see toyProject).
func writeToy(t *testing.T, dir string, n, ii, latency int, edit func(file, src string) string) {
	t.Helper()
	for _, sub := range []string{"vhdl", "verilog", "tb"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// the design, possibly edited
	for _, f := range []string{"toy.vhd", "toy.v"} {
		src, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			src = []byte(edit(f, string(src)))
		}
		sub := map[string]string{"toy.vhd": "vhdl", "toy.v": "verilog"}[f]
		write(sub+"/"+f, src)
	}

	// the testbenches and vectors
	d := testbench.Design{Top: "toy", InWidth: toyIn.Width(), OutWidth: toyOut.Width(),
		Latency: latency, II: ii, Vectors: n}
	var vhd, sv strings.Builder
	if err := testbench.WriteVHDL(&vhd, d); err != nil {
		t.Fatal(err)
	}
	if err := testbench.WriteSV(&sv, d); err != nil {
		t.Fatal(err)
	}
	write("tb/tb_toy.vhd", []byte(vhd.String()))
	write("tb/tb_toy.sv", []byte(sv.String()))
	in, out := toyVectors(n)
	if err := testbench.WriteHexFile(filepath.Join(dir, "tb/input.hex"), in, toyIn); err != nil {
		t.Fatal(err)
	}
	if err := testbench.WriteHexFile(filepath.Join(dir, "tb/expected.hex"), out, toyOut); err != nil {
		t.Fatal(err)
	}

	sum := &Summary{
		Generator: "kd2fpga", Name: "toy", Top: "toy",
		Latency: latency, II: ii,
		Input:   Port{Shape: []int{2}, Width: toyIn.Width()},
		Output:  Port{Shape: []int{2}, Width: toyOut.Width()},
		Vectors: VectorSet{Count: n, Seed: 1, In: "tb/input.hex", Expected: "tb/expected.hex"},
		Files: Files{
			VHDL: []string{"vhdl/toy.vhd"}, Verilog: []string{"verilog/toy.v"},
			VHDLBench: "tb/tb_toy.vhd", SVBench: "tb/tb_toy.sv",
		},
	}
	if err := WriteSummary(dir, sum); err != nil {
		t.Fatal(err)
	}
}

// hdlSimulators are the simulators of the toy, which has no HLS project.
var hdlSimulators = []string{GHDL, Verilator, Icarus}

func TestToyMatches(t *testing.T) {
	dir := toyShared(t)
	for _, s := range hdlSimulators {
		t.Run(s, func(t *testing.T) {
			tools.Require(t, Tools(s)...)
			r, err := Run(context.Background(), s, dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Vectors != 1000 || r.Mismatches != 0 || r.Latency != toyLatency || r.II != 1 {
				t.Errorf("result %+v", r)
			}
			if r.ExitCode != 0 {
				t.Errorf("exit code %d", r.ExitCode)
			}
			if r.RunCPU <= 0 {
				t.Errorf("the run's CPU time is %v", r.RunCPU)
			}
			// the scratch folder holds the build, the sources nothing new;
			// with no one told of the progress the testbench keeps quiet
			log, err := os.ReadFile(filepath.Join(dir, "sim", s, "sim.log"))
			if err != nil {
				t.Error(err)
			}
			if strings.Contains(string(log), progressPrefix) {
				t.Errorf("progress lines without a Progress callback:\n%s", log)
			}
		})
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "tb"))
	if len(entries) != 4 {
		t.Errorf("tb/ holds %d files after the runs, want the 4 written", len(entries))
	}
}

// TestToyProgress checks that a run of 1000 vectors reports, through the
// Progress callback, each hundred outputs the testbench compared.
func TestToyProgress(t *testing.T) {
	dir := toyShared(t)
	var want []string
	for n := 100; n <= 1000; n += 100 {
		want = append(want, fmt.Sprintf("%d of 1000 vectors compared", n))
	}
	for _, s := range hdlSimulators {
		t.Run(s, func(t *testing.T) {
			tools.Require(t, Tools(s)...)
			var steps []string
			progress := func(sim, step string) {
				if sim != s {
					t.Errorf("step %q of %s", step, sim)
				}
				steps = append(steps, step)
			}
			if _, err := Run(context.Background(), s, dir, Options{Progress: progress}); err != nil {
				t.Fatal(err)
			}
			// the steps of the run follow its start
			i := slices.Index(steps, "running 1000 vectors")
			if i < 0 || !slices.Equal(steps[i+1:], want) {
				t.Errorf("steps %q, want \"running 1000 vectors\" then %q", steps, want)
			}
		})
	}
}

// TestToyII applies a vector every third cycle.
func TestToyII(t *testing.T) {
	dir := toyProject(t, 100, 3, toyLatency, nil)
	for _, s := range []string{GHDL, Icarus} {
		t.Run(s, func(t *testing.T) {
			tools.Require(t, Tools(s)...)
			r, err := Run(context.Background(), s, dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.II != 3 || r.Latency != toyLatency || r.Vectors != 100 {
				t.Errorf("result %+v", r)
			}
		})
	}
}

// TestToyMismatch corrupts one expected vector and checks that every
// simulator reports exactly that mismatch and fails.
func TestToyMismatch(t *testing.T) {
	const n, bad = 200, 37
	dir := toyShared(t)

	// a copy of the vectors with one bit of one expected output flipped
	vec := filepath.Join(t.TempDir(), "vectors")
	os.Mkdir(vec, 0o755)
	in, out := toyVectors(n)
	good := toyOut.Hex(out[bad])
	out[bad][1] ^= 4
	want := Mismatch{Sample: bad, Expected: toyOut.Hex(out[bad]), Got: good}
	testbench.WriteHexFile(filepath.Join(vec, "input.hex"), in, toyIn)
	testbench.WriteHexFile(filepath.Join(vec, "expected.hex"), out, toyOut)

	for _, s := range hdlSimulators {
		t.Run(s, func(t *testing.T) {
			tools.Require(t, Tools(s)...)
			r, err := Run(context.Background(), s, dir, Options{VectorDir: vec, Vectors: n})
			if !errors.Is(err, ErrMismatch) {
				t.Fatalf("err = %v, want ErrMismatch", err)
			}
			if r.Mismatches != 1 || len(r.FirstMismatches) != 1 || r.FirstMismatches[0] != want {
				t.Errorf("mismatches %d %+v, want 1 %+v", r.Mismatches, r.FirstMismatches, want)
			}
			if r.ExitCode == 0 {
				t.Error("exit code 0 despite a mismatch")
			}
			if r.Vectors != n || r.II != 1 || r.Latency != toyLatency {
				t.Errorf("result %+v", r)
			}
		})
	}
}

// TestToyFailures checks that a design that differs from its schedule,
// one that never answers and one that answers without input all fail, and that
// fewer vectors than the count is caught before running.
func TestToyFailures(t *testing.T) {
	// a design whose valid never rises, and one whose valid is always high
	valid := func(vhd, v string) func(file, src string) string {
		return func(file, src string) string {
			if file == "toy.vhd" {
				return strings.Replace(src, "out_valid <= v3;", "out_valid <= "+vhd+";", 1)
			}
			return strings.Replace(src, "assign out_valid = v3;", "assign out_valid = "+v+";", 1)
		}
	}
	never, always := valid("'0'", "1'b0"), valid("'1'", "1'b1")
	cases := []struct {
		name    string
		latency int
		edit    func(file, src string) string
		want    error
		message string
	}{
		{"latency", toyLatency - 1, nil, ErrLatency, "latency 3 and II 1 measured, 2 and 1 scheduled"},
		{"never", toyLatency, never, ErrFailed, "timeout: 0 of 50 outputs"},
		{"always", toyLatency, always, ErrFailed, "output(s) that no input produced"},
	}
	for _, c := range cases {
		dir := toyProject(t, 50, 1, c.latency, c.edit)
		for _, s := range []string{GHDL, Icarus} {
			t.Run(c.name+"/"+s, func(t *testing.T) {
				tools.Require(t, Tools(s)...)
				_, err := Run(context.Background(), s, dir, Options{})
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.message) {
					t.Errorf("err = %v, want %v with %q", err, c.want, c.message)
				}
			})
		}
	}

	dir := toyProject(t, 50, 1, toyLatency, nil)
	_, err := RunGHDL(context.Background(), dir, Options{Vectors: 51})
	if err == nil || !strings.Contains(err.Error(), "50 vectors, want 51") {
		t.Errorf("too few vectors: err = %v", err)
	}
}

func TestParse(t *testing.T) {
	out := `analysis done
KD2FPGA MISMATCH sample=4 expected=F20A got=020A
[625000] KD2FPGA ERROR timeout: 3 of 4 outputs after 99 cycles
KD2FPGA RESULT vectors=20 mismatches=1 latency=3 ii=2
simulation finished @435ns with status 1
`
	var r Result
	if err := r.Parse(out); err != nil {
		t.Fatal(err)
	}
	want := Mismatch{Sample: 4, Expected: "f20a", Got: "020a"}
	if r.Vectors != 20 || r.Mismatches != 1 || r.Latency != 3 || r.II != 2 ||
		len(r.FirstMismatches) != 1 || r.FirstMismatches[0] != want ||
		len(r.Errors) != 1 || r.Errors[0] != "timeout: 3 of 4 outputs after 99 cycles" {
		t.Errorf("parsed %+v", r)
	}

	bad := []string{
		"nothing",
		"KD2FPGA RESULT vectors=1 mismatches=0 latency=1 ii=1\n" +
			"KD2FPGA RESULT vectors=1 mismatches=0 latency=1 ii=1",
		"KD2FPGA RESULT vectors=1 mismatches=0 latency=1",
		"KD2FPGA RESULT vectors=x mismatches=0 latency=1 ii=1",
		"KD2FPGA MISMATCH sample=1 expected=0\nKD2FPGA RESULT vectors=1 mismatches=1 latency=1 ii=1",
	}
	for _, b := range bad {
		var r Result
		if err := r.Parse(b); err == nil {
			t.Errorf("Parse(%q) succeeded", b)
		}
	}
}

// TestLineWriter writes output in pieces, one line split across two
// writes, and checks that each line is passed on as soon as it ends, that
// the well-formed PROGRESS lines become steps, and that the output is
// collected intact.
func TestLineWriter(t *testing.T) {
	var steps []string
	j := &job{name: GHDL, vectors: 1000, opts: Options{
		Progress: func(sim, step string) { steps = append(steps, sim+": "+step) },
	}}
	var lines []string
	w := &lineWriter{line: func(l string) {
		lines = append(lines, l)
		j.watch(l)
	}}
	writes := []struct {
		text  string
		lines int // lines passed on after it
	}{
		{"analysis done\nKD2FPGA PROGRESS received=100\n", 2},
		{"KD2FPGA PROGRESS rece", 2},
		{"ived=200\n[625000] KD2FPGA PROGRESS received=300\r\n", 4},
		{"", 4},
		{"KD2FPGA PROGRESS received=x\nKD2FPGA PROGRESS received=4 got=1\n", 6},
		{"KD2FPGA RESULT vectors=1000 mismatches=0 latency=3 ii=1\nexit", 7},
	}
	var all strings.Builder
	for k, wr := range writes {
		all.WriteString(wr.text)
		if n, err := w.Write([]byte(wr.text)); n != len(wr.text) || err != nil {
			t.Fatalf("write %d: %d, %v; want %d, nil", k, n, err, len(wr.text))
		}
		if len(lines) != wr.lines {
			t.Errorf("after write %d: %d lines passed on, want %d", k, len(lines), wr.lines)
		}
	}

	wantLines := []string{
		"analysis done",
		"KD2FPGA PROGRESS received=100",
		"KD2FPGA PROGRESS received=200",
		"[625000] KD2FPGA PROGRESS received=300\r",
		"KD2FPGA PROGRESS received=x",
		"KD2FPGA PROGRESS received=4 got=1",
		"KD2FPGA RESULT vectors=1000 mismatches=0 latency=3 ii=1",
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("lines %q, want %q", lines, wantLines)
	}
	wantSteps := []string{
		"ghdl: 100 of 1000 vectors compared",
		"ghdl: 200 of 1000 vectors compared",
		"ghdl: 300 of 1000 vectors compared",
	}
	if !slices.Equal(steps, wantSteps) {
		t.Errorf("steps %q, want %q", steps, wantSteps)
	}

	// everything written is there, and parses as before
	if got := w.buf.String(); got != all.String() {
		t.Errorf("collected %q, want %q", got, all.String())
	}
	var r Result
	if err := r.Parse(w.buf.String()); err != nil || r.Vectors != 1000 || r.Latency != 3 {
		t.Errorf("parsed %+v, %v", r, err)
	}
}

func TestRunUnknown(t *testing.T) {
	if _, err := Run(context.Background(), "modelsim", t.TempDir(), Options{}); err == nil ||
		!strings.Contains(err.Error(), "unknown simulator") {
		t.Errorf("err = %v", err)
	}
}
