package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"

	"kd2fpga/models"
	"kd2fpga/sim"
)

// brokenModel is a copy of an example model with one fault put in.
type brokenModel struct {
	name string
	// hcl and weights are the files of the copy
	hcl, weights []byte
	// line is the line of the model file the error must name, or 0 for
	// any line; layer is the layer it must name, or ""
	line  int
	layer string
	// want is a fragment of the message
	want string
}

// lineOf returns the line of src at which the first old starts.
func lineOf(t *testing.T, src, old string) int {
	t.Helper()
	i := strings.Index(src, old)
	if i < 0 {
		t.Fatalf("no %q in the model", old)
	}
	return strings.Count(src[:i], "\n") + 1
}

// replaceOnce replaces the first old in src, which must hold it.
func replaceOnce(t *testing.T, src, old, repl string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("no %q in the model", old)
	}
	return strings.Replace(src, old, repl, 1)
}

// nanWeights returns the arrays of the .npz file at path, rewritten with
// element [row, col] of array name set to NaN.
func nanWeights(t *testing.T, path, name string, row, col int) []byte {
	t.Helper()
	arrays, err := models.OpenArrays(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "weights.npz")
	w, err := npz.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range arrays.Names() {
		data, shape, err := arrays.Array(n)
		if err != nil {
			t.Fatal(err)
		}
		var v any = data
		if len(shape) == 2 {
			if n == name {
				data[row*shape[1]+col] = math.NaN()
			}
			v = rows(data, shape[0], shape[1])
		}
		if err := w.Write(n+".npy", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// brokenModels returns copies of the jet_mlp example, each with one of
// the faults a user makes: bad syntax, a file cut short, an unknown layer
// type, weights of the wrong shape, a NaN weight, a weights file cut
// short.
func brokenModels(t *testing.T) []brokenModel {
	path := example("jet_mlp")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	weights, err := os.ReadFile(filepath.Join(filepath.Dir(path), "weights.npz"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	layerLine := func(name string) int { return lineOf(t, src, fmt.Sprintf("layer %q", name)) }
	relu := m.Layers[1].Name // the first activation
	if m.Layers[1].Kind != models.ReLU {
		t.Fatalf("layer %s of jet_mlp is no relu", relu)
	}

	return []brokenModel{
		{name: "syntax", hcl: []byte(replaceOnce(t, src, "units = 32", "units = ")), weights: weights,
			line: lineOf(t, src, "units = 32")},
		{name: "truncated model", hcl: raw[:strings.LastIndexByte(src[:len(src)/2], '\n')+1],
			weights: weights, want: "unclosed"},
		{name: "unknown layer", hcl: []byte(replaceOnce(t, src, `type = "relu"`, `type = "rleu"`)),
			weights: weights, line: lineOf(t, src, `type = "relu"`), layer: relu,
			want: `unknown type "rleu"`},
		{name: "wrong shape", hcl: []byte(replaceOnce(t, src, "shape = [16]", "shape = [15]")),
			weights: weights, line: layerLine(m.Layers[0].Name), layer: m.Layers[0].Name, want: "has shape"},
		{name: "nan weight", hcl: raw, weights: nanWeights(t, filepath.Join(filepath.Dir(path),
			"weights.npz"),
			m.Layers[2].Name+".weight", 1, 6), line: layerLine(m.Layers[2].Name), layer: m.Layers[2].Name,
			want: "has NaN at index [1 6]"},
		{name: "truncated weights", hcl: raw, weights: weights[:len(weights)/2],
			line: lineOf(t, src, "weights "), want: "weights.npz"},
	}
}

// write puts the broken model into dir and returns its model file.
func (b brokenModel) write(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.hcl")
	if err := os.WriteFile(path, b.hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "weights.npz"), b.weights, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// check requires err to be the one line that says what is wrong with b,
// where, in which layer.
func (b brokenModel) check(t *testing.T, err error, modelPath string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error of more than one line:\n%s", msg)
	}
	at := regexp.MustCompile(regexp.QuoteMeta(modelPath) + `:(\d+),\d+: `).FindStringSubmatch(msg)
	switch {
	case at == nil:
		t.Errorf("error %q names no position in %s", msg, modelPath)
	case b.line != 0 && at[1] != fmt.Sprint(b.line):
		t.Errorf("error %q is at line %s, want %d", msg, at[1], b.line)
	}
	if b.layer != "" && !strings.Contains(msg, fmt.Sprintf("layer %q", b.layer)) {
		t.Errorf("error %q does not name layer %q", msg, b.layer)
	}
	if !strings.Contains(msg, b.want) {
		t.Errorf("error %q lacks %q", msg, b.want)
	}
}

// emptyAfter fails unless dir holds no entry.
func emptyAfter(t *testing.T, dir, what string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left %s behind", what, e.Name())
	}
}

// TestBadModels gives each broken model to emulate, convert and simulate
// (which reads the project's copy of the model when it makes new
// vectors): each must fail with one line naming the file, the line and
// the layer, and write nothing.
func TestBadModels(t *testing.T) {
	m, err := models.Load(example("jet_mlp"))
	if err != nil {
		t.Fatal(err)
	}
	x := filepath.Join(t.TempDir(), "x.npy")
	writeRowsNPY(t, x, [][]float64{make([]float64, inputLen(m))}, m.Input.Shape)
	project := convertForTest(t, example("jet_mlp"), 3)
	summary, err := os.ReadFile(filepath.Join(project, sim.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}

	for _, b := range brokenModels(t) {
		t.Run(b.name, func(t *testing.T) {
			path := b.write(t, t.TempDir())
			out := t.TempDir()

			_, err := runApp(t, "emulate", "--model", path, "--input", x,
				"--output", filepath.Join(out, "y.npy"))
			b.check(t, err, path)
			emptyAfter(t, out, "emulate")

			_, err = runApp(t, "convert", "--model", path, "--out", filepath.Join(out, "proj"))
			b.check(t, err, path)
			emptyAfter(t, out, "convert")

			// a project whose model copy is the broken model
			proj := filepath.Join(out, "proj")
			copied := b.write(t, filepath.Join(proj, "model"))
			if err := os.WriteFile(filepath.Join(proj, sim.SummaryFile), summary, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = runApp(t, "simulate", proj, "--sim", "iverilog", "--vectors", "7")
			b.check(t, err, copied)
			if _, err := os.Stat(filepath.Join(proj, "sim")); err == nil {
				t.Error("simulate wrote into the project")
			}
		})
	}
}

// TestBadSimulateInputs gives simulate inputs that cannot be simulated:
// a NaN, a file cut short, the wrong shape. Each is one line of error
// naming the file, and no vectors are written.
func TestBadSimulateInputs(t *testing.T) {
	proj := convertForTest(t, example("sigmoid_tanh"), 3)
	m, err := models.Load(example("sigmoid_tanh"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := make([][]float64, 4)
	for i := range good {
		good[i] = make([]float64, inputLen(m))
		for k := range good[i] {
			good[i][k] = float64(k-i) / 8
		}
	}
	nan := filepath.Join(dir, "nan.npy")
	good[2][3] = math.NaN()
	writeRowsNPY(t, nan, good, m.Input.Shape)
	good[2][3] = 0
	short := filepath.Join(dir, "short.npy")
	writeRowsNPY(t, short, good, m.Input.Shape)
	raw, _ := os.ReadFile(short)
	os.WriteFile(short, raw[:len(raw)-12], 0o644)
	wide := filepath.Join(dir, "wide.npy")
	writeRowsNPY(t, wide, good, []int{inputLen(m) / 2, 2})

	for _, c := range []struct{ path, want string }{
		{nan, "input 2, value 3 is NaN"},
		{short, "truncated"},
		{wide, "want [N " + fmt.Sprint(inputLen(m)) + "]"},
	} {
		_, err := runApp(t, "simulate", proj, "--sim", "iverilog", "--input", c.path)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), c.path) ||
			!strings.Contains(err.Error(), c.want) {
			t.Errorf("--input %s: err = %v, want one line naming the file with %q",
				filepath.Base(c.path), err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(proj, "sim", "vectors")); err == nil {
		t.Error("vectors were written for bad inputs")
	}
}

// TestBadEmulateInputs gives emulate inputs cut short or holding a NaN:
// one line of error naming the file, and no output.
func TestBadEmulateInputs(t *testing.T) {
	m, err := models.Load(example("jet_mlp"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	x := make([][]float64, 3)
	for i := range x {
		x[i] = make([]float64, inputLen(m))
	}
	short := filepath.Join(dir, "short.npy")
	writeRowsNPY(t, short, x, m.Input.Shape)
	raw, _ := os.ReadFile(short)
	os.WriteFile(short, raw[:len(raw)-20], 0o644)
	nan := filepath.Join(dir, "nan.npy")
	x[1][5] = math.NaN()
	writeRowsNPY(t, nan, x, m.Input.Shape)

	out := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{short, short + ": truncated"},
		{nan, "sample 1, input 5 is NaN"},
	} {
		_, err := runApp(t, "emulate", "--model", example("jet_mlp"), "--input", c.path,
			"--output", filepath.Join(out, "y.npy"))
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one line with %q", filepath.Base(c.path), err, c.want)
		}
	}
	emptyAfter(t, out, "emulate")
}

// TestSimulateMissingSimulatorError checks that a missing simulator that
// was asked for fails with one line that says which, and how to install
// it or point kd2fpga at it.
func TestSimulateMissingSimulatorError(t *testing.T) {
	proj := convertForTest(t, example("sigmoid_tanh"), 3)
	t.Setenv("KD2FPGA_GHDL", filepath.Join(t.TempDir(), "no-ghdl"))
	t.Setenv("KD2FPGA_IVERILOG", filepath.Join(t.TempDir(), "no-iverilog"))
	_, err := runApp(t, "simulate", proj, "--sim", "ghdl,iverilog")
	if err == nil {
		t.Fatal("simulate without the simulators succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"ghdl could not run", "apt-get install ghdl", "KD2FPGA_GHDL",
		"iverilog could not run", "apt-get install iverilog", "KD2FPGA_IVERILOG"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error of more than one line:\n%s", msg)
	}
}

// TestConvertFailsMidway makes convert fail after it has begun writing:
// a part name the HLS writer refuses is found only after the VHDL and
// Verilog are written. Neither the folder nor its temporary may remain,
// and an existing project replaced with --force must survive.
func TestConvertFailsMidway(t *testing.T) {
	dir := t.TempDir()
	bad := []string{"--part", `xcvu13p"; exec rm -rf ~ ;#`, "--vectors", "2"}
	_, err := runApp(t, append([]string{"convert", "--model", example("sigmoid_tanh"),
		"--out", filepath.Join(dir, "new")}, bad...)...)
	if err == nil || !strings.Contains(err.Error(), "is not a part name") {
		t.Fatalf("err = %v, want the HLS writer's refusal", err)
	}
	emptyAfter(t, dir, "a failed convert")

	old := convertForTest(t, example("sigmoid_tanh"), 2)
	before := readTree(t, old)
	_, err = runApp(t, append([]string{"convert", "--model", example("sigmoid_tanh"),
		"--out", old, "--force"}, bad...)...)
	if err == nil {
		t.Fatal("convert --force with a bad part succeeded")
	}
	after := readTree(t, old)
	if len(after) != len(before) {
		t.Errorf("the project held %d files, after the failure %d", len(before), len(after))
	}
	for name, data := range before {
		if string(after[name]) != string(data) {
			t.Errorf("%s changed", name)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(old))
	if len(entries) != 1 {
		t.Errorf("beside the project: %d entries, want the project alone", len(entries))
	}
}

// TestConvertRefusesFile checks that --out naming a file is refused,
// with --force too, and the file kept.
func TestConvertRefusesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte("mine"), 0o644)
	for _, force := range []bool{false, true} {
		args := []string{"convert", "--model", example("sigmoid_tanh"), "--out", path, "--vectors", "2"}
		if force {
			args = append(args, "--force")
		}
		_, err := runApp(t, args...)
		if err == nil || !strings.Contains(err.Error(), "is not a folder") {
			t.Errorf("force %v: err = %v", force, err)
		}
		if raw, err := os.ReadFile(path); err != nil || string(raw) != "mine" {
			t.Errorf("force %v: the file was replaced", force)
		}
	}
}

// TestConvertTellsDescription checks that convert repeats what the
// model says of itself (the examples say that their weights are not
// trained), every word of it.
func TestConvertTellsDescription(t *testing.T) {
	m, err := models.Load(example("deepset_small"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Description == "" {
		t.Fatal("the example has no description")
	}
	out, err := runApp(t, "convert", "--model", example("deepset_small"),
		"--out", filepath.Join(t.TempDir(), "p"), "--vectors", "2")
	if err != nil {
		t.Fatal(err)
	}
	_, told, ok := strings.Cut(out, "  model: ")
	if !ok || strings.Join(strings.Fields(told), " ") != strings.Join(strings.Fields(m.Description), " ") {
		t.Errorf("convert does not tell the description %q:\n%s", m.Description, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 78 && strings.HasPrefix(line, "    ") {
			t.Errorf("description line of %d columns: %q", len(line), line)
		}
	}
}

func TestWrapWords(t *testing.T) {
	for _, c := range []struct {
		prefix, text string
		width        int
		want         string
	}{
		{"> ", "a bb ccc dddd", 8, "> a bb\n  ccc\n  dddd\n"},
		{"> ", "a bb ccc dddd", 80, "> a bb ccc dddd\n"},
		{"", "  spaced\n\tout  ", 10, "spaced out\n"},
		{"> ", "averyveryverylongword x", 5, "> averyveryverylongword\n  x\n"},
	} {
		if got := wrapWords(c.prefix, c.text, c.width, "  "); got != c.want {
			t.Errorf("wrapWords(%q, %q, %d) = %q, want %q", c.prefix, c.text, c.width, got, c.want)
		}
	}
}
