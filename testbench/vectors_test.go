package testbench

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kd2fpga/models"
	"kd2fpga/quantize"
)

// plan builds the plan of an example model.
func plan(t *testing.T, name string) *quantize.Plan {
	t.Helper()
	m, err := models.Load(filepath.Join("..", "models", "examples", name, "model.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGenerateParticles(t *testing.T) {
	p := plan(t, "deepset_small")
	in := p.Input
	np, nf := in.Particles(), in.Features()
	v := Generate(p, 200, 5, nil)
	if v.Len() != 200 || len(v.Out) != 200 {
		t.Fatalf("%d inputs, %d outputs", v.Len(), len(v.Out))
	}

	// the edge cases come first
	for k, f := range in.Formats {
		if v.In[0][k] != f.MinRaw() || v.In[1][k] != f.MaxRaw() || v.In[2][k] != 0 {
			t.Errorf("feature %d: edge cases %d %d %d", k, v.In[0][k], v.In[1][k], v.In[2][k])
		}
	}

	// padding particles and partly filled sets appear, and every word
	// is in range
	padded := make(map[int]int) // real particles -> vectors
	for i, raw := range v.In {
		real := 0
		for q := range np {
			pad := true
			for f := range nf {
				w, fm := raw[q*nf+f], in.Formats[f]
				if w < fm.MinRaw() || w > fm.MaxRaw() {
					t.Fatalf("vector %d: word %d out of %v", i, w, fm)
				}
				pad = pad && w == 0
			}
			if !pad {
				real++
			}
		}
		padded[real]++
	}
	for real := 0; real <= np; real++ {
		if padded[real] == 0 {
			t.Errorf("no vector with %d real particles of %d: %v", real, np, padded)
		}
	}

	// the outputs are the emulator's, and the vectors depend on the seed
	// only
	out := make([]int64, p.Output().Len())
	for i, raw := range v.In {
		p.Run(raw, out, nil)
		if !reflect.DeepEqual(out, v.Out[i]) {
			t.Fatalf("vector %d: output %v, emulator %v", i, v.Out[i], out)
		}
	}
	if again := Generate(p, 200, 5, nil); !reflect.DeepEqual(again, v) {
		t.Error("the same seed gave other vectors")
	}
	if other := Generate(p, 200, 6, nil); reflect.DeepEqual(other.In[100], v.In[100]) {
		t.Error("another seed gave the same vectors")
	}
}

func TestGenerateExtra(t *testing.T) {
	p := plan(t, "jet_mlp")
	n := p.Input.Len()
	x := [][]float64{make([]float64, n), make([]float64, n)}
	for k := range x[1] {
		x[1][k] = 0.3*float64(k) - 2
	}
	v := Generate(p, 10, 1, x)
	want := make([]int64, n)
	p.QuantizeInput(x[1], want)
	if !reflect.DeepEqual(v.In[1], want) || v.Len() != 10 {
		t.Errorf("user input 1 became %v, want %v", v.In[1], want)
	}
	if v := Generate(p, 1, 1, x); v.Len() != 1 {
		t.Errorf("n = 1 with 2 user inputs gave %d vectors", v.Len())
	}
}

// npyFile writes a .npy of the given type ("<f4", "<f8" or "<i8") and
// shape.
func npyFile(t *testing.T, typ string, shape []int, data []float64) string {
	t.Helper()
	dims := ""
	for _, d := range shape {
		dims += fmt.Sprintf("%d, ", d)
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", typ, dims)
	header += strings.Repeat(" ", 64-(10+len(header)+1)%64) + "\n"
	buf := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	buf = append(buf, header...)
	for _, x := range data {
		switch typ {
		case "<f4":
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(x)))
		case "<i8":
			buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(x)))
		default:
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
	}
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadInputs(t *testing.T) {
	data := []float64{1, 2, 3, 4, 5, 6.5}
	rows, err := ReadInputs(npyFile(t, "<f4", []int{2, 3, 1}, data), []int{3, 1})
	if err != nil || !reflect.DeepEqual(rows, [][]float64{{1, 2, 3}, {4, 5, 6.5}}) {
		t.Errorf("ReadInputs = %v, %v", rows, err)
	}
	rows, err = ReadInputs(npyFile(t, "<f8", []int{6}, data), []int{6})
	if err != nil || len(rows) != 1 || rows[0][5] != 6.5 {
		t.Errorf("one input: %v, %v", rows, err)
	}
	if _, err := ReadInputs(npyFile(t, "<f8", []int{2, 3}, data), []int{4}); err == nil ||
		!strings.Contains(err.Error(), "want [N 4]") {
		t.Errorf("bad shape: err = %v", err)
	}
	// integers are numbers too, as in the model loader; strings are not
	rows, err = ReadInputs(npyFile(t, "<i8", []int{2, 3}, []float64{1, -2, 3, 4, 5, 6}), []int{3})
	if err != nil || !reflect.DeepEqual(rows, [][]float64{{1, -2, 3}, {4, 5, 6}}) {
		t.Errorf("an integer array: %v, %v", rows, err)
	}
	if _, err := ReadInputs(npyFile(t, "<U1", []int{6}, nil), []int{6}); err == nil {
		t.Error("a string array was accepted")
	}
}

// TestReadInputsRejects checks that values without a fixed-point value
// and files cut short are errors that say where.
func TestReadInputsRejects(t *testing.T) {
	for _, typ := range []string{"<f4", "<f8"} {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			data := []float64{1, 2, 3, 4, bad, 6}
			_, err := ReadInputs(npyFile(t, typ, []int{2, 3}, data), []int{3})
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("input 1, value 1 is %v", bad)) {
				t.Errorf("%s with %v: err = %v", typ, bad, err)
			}
		}

		// the last value cut in half
		path := npyFile(t, typ, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, raw[:len(raw)-2], 0o644)
		if _, err := ReadInputs(path, []int{3}); err == nil || !strings.Contains(err.Error(), "truncated") ||
			!strings.Contains(err.Error(), path) {
			t.Errorf("%s cut short: err = %v", typ, err)
		}
	}
}
