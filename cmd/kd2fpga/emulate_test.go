package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
	"codeberg.org/sbinet/npyio/npz"

	"kd2fpga/models"
	"kd2fpga/quantize"
)

// example returns the path of an example model.
func example(name string) string {
	return filepath.Join("..", "..", "models", "examples", name, "model.hcl")
}

// randomInputs returns n random samples for m: features of unit scale,
// and for particle inputs a pT-like first feature and some padding.
func randomInputs(m *models.Model, n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, seed))
	F := m.Input.Shape[len(m.Input.Shape)-1]
	x := make([]float64, n*inputLen(m))
	for i := 0; i < len(x); i += F {
		if len(m.Input.Shape) == 2 && r.IntN(4) == 0 {
			continue // a padding particle
		}
		for f := range F {
			x[i+f] = r.NormFloat64()
		}
		if len(m.Input.Shape) == 2 {
			x[i] = r.Float64() * 0.3
		}
	}
	return x
}

// inputLen returns the values per sample of m's input.
func inputLen(m *models.Model) int {
	n := 1
	for _, d := range m.Input.Shape {
		n *= d
	}
	return n
}

// shaped nests x as [n][...shape] slices, which npyio writes with that
// shape.
func shaped(x []float64, n int, shape []int) any {
	if len(shape) == 1 {
		return rows(x, n, shape[0])
	}
	per := shape[0] * shape[1]
	out := make([][][]float64, n)
	for i := range out {
		out[i] = rows(x[i*per:(i+1)*per], shape[0], shape[1])
	}
	return out
}

// writeNPZFile writes arrays into a .npz file.
func writeNPZFile(t *testing.T, path string, arrays map[string]any) {
	t.Helper()
	w, err := npz.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x", "y"} {
		if v, ok := arrays[name]; ok {
			if err := w.Write(name+".npy", v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// readNPYFile reads a .npy file of float64 or int64 values.
func readNPYFile[T float64 | int64](t *testing.T, path string) ([]T, []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var v []T
	if err := r.Read(&v); err != nil {
		t.Fatal(err)
	}
	return v, r.Header.Descr.Shape
}

func TestEmulateCommand(t *testing.T) {
	m, err := models.Load(example("deepset_small"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	x := randomInputs(m, n, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "x.npy")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := npyio.Write(f, shaped(x, n, m.Input.Shape)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want, err := p.Emulate(x, n, quantize.Options{})
	if err != nil {
		t.Fatal(err)
	}

	// values, raw words, float.
	out := filepath.Join(dir, "y.npy")
	stdout, err := runApp(t, "emulate", "--model", example("deepset_small"), "--input", in, "--output", out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "40 samples, outputs [40 2]") {
		t.Errorf("summary %q", stdout)
	}
	if y, shape := readNPYFile[float64](t, out); !reflect.DeepEqual(y, want.Y) ||
		!reflect.DeepEqual(shape, []int{n, 2}) {
		t.Errorf("values %v %v, want the emulator's %v", shape, y[:4], want.Y[:4])
	}
	if _, err := runApp(t, "emulate", "--model", example("deepset_small"), "--input", in,
		"--output", out, "--raw"); err != nil {
		t.Fatal(err)
	}
	if raw, _ := readNPYFile[int64](t, out); !reflect.DeepEqual(raw, want.Raw) {
		t.Errorf("raw words %v, want %v", raw[:4], want.Raw[:4])
	}
	if _, err := runApp(t, "emulate", "--model", example("deepset_small"), "--input", in,
		"--output", out, "--float"); err != nil {
		t.Fatal(err)
	}
	if y, _ := readNPYFile[float64](t, out); !reflect.DeepEqual(y, quantize.Float(m, x, n)) {
		t.Errorf("float outputs differ from quantize.Float")
	}
}

func TestEmulateCommandErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "x.npy")
	f, _ := os.Create(in)
	npyio.Write(f, [][]float64{{1, 2, 3}}) // three features; jet_mlp reads 16
	f.Close()
	out := filepath.Join(dir, "y.npy")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--input", in, "--output", out}, "shape [1 3], want [N 16]"},
		{[]string{"--input", in, "--output", out, "--float", "--raw"}, "exclude each other"},
		{[]string{"--input", filepath.Join(dir, "none.npy"), "--output", out}, "no such file"},
		{[]string{"--input", in, "--output", filepath.Join(dir, "no", "y.npy")}, "does not exist"},
	}
	for _, c := range cases {
		args := append([]string{"emulate", "--model", example("jet_mlp")}, c.args...)
		_, err := runApp(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line with %q", c.args, err, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: an output file was written", c.args)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the input", len(entries))
	}
}

// TestHelpShowsExamples checks that every command of this file's family
// explains itself with an example.
func TestHelpShowsExamples(t *testing.T) {
	for _, cmd := range []string{"emulate", "evaluate", "profile"} {
		out, err := runApp(t, cmd, "--help")
		if err != nil || !strings.Contains(out, "Example:") ||
			!strings.Contains(out, "kd2fpga "+cmd+" --model") {
			t.Errorf("%s --help: %v\n%s", cmd, err, out)
		}
	}
}
