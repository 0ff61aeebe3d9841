package models

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
)

// examples lists the model files under examples/.
func examples(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("examples", "*", "model.hcl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	return paths
}

func TestExamples(t *testing.T) {
	params := map[string]int{
		"jet_mlp":       16*64 + 64 + 64*32 + 32 + 32*32 + 32 + 32*5 + 5,
		"deepset_small": 4*16 + 16 + 16*16 + 16 + 16*16 + 16 + 16*2 + 2 + 4*4*16,
		"mlp_student":   32*32 + 32 + 32*32 + 32 + 32*2 + 2,
		"sigmoid_tanh":  10*16 + 16 + 16*8 + 8 + 8 + 1,
		"mlp_paper":     2*(512*512+512) + 512*2 + 2 + 2*4*512,
		// the trained students of make models (docs/results.md)
		"deepset_base": 3*16 + 16 + 16*16 + 16 + 16*16 + 16 + 16*2 + 2,
		"deepset_kd":   3*16 + 16 + 16*16 + 16 + 16*16 + 16 + 16*2 + 2,
		"mlp_base":     24*32 + 32 + 32*16 + 16 + 16*2 + 2,
		"mlp_kd":       24*32 + 32 + 32*16 + 16 + 16*2 + 2,
	}
	for _, path := range examples(t) {
		m, err := Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		n := 0
		for _, l := range m.Layers {
			for _, row := range l.Weight {
				n += len(row)
			}
			n += len(l.Bias) + len(l.Gamma) + len(l.Beta) + len(l.Mean) + len(l.Var)
		}
		if want, ok := params[m.Name]; !ok || n != want {
			t.Errorf("%s: %d parameters, want %d", m.Name, n, want)
		}
		// every example says whether its weights are trained
		random := strings.Contains(m.Description, "not a trained tagger")
		trained := strings.Contains(m.Description, "Trained by: kd2fpga distill")
		if random == trained {
			t.Errorf("%s: the description does not say whether the weights are trained "+
				"(%q)", m.Name, m.Description)
		}
	}
}

func TestExampleDeepSet(t *testing.T) {
	m, err := Load(filepath.Join("examples", "deepset_small", "model.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]int{
		"particles": {8, 4}, "phi1": {8, 16}, "phi2_bn": {8, 16}, "pool": {16},
		"rho2": {2}, "softmax": {2}, "nope": nil,
	} {
		if got := m.ShapeOf(name); !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
			t.Errorf("ShapeOf(%q) = %v, want %v", name, got, want)
		}
	}
	if l := m.Layer("pool"); l.Pool != PoolWeightedSum || l.WeightFeature != 0 {
		t.Errorf("pool: %+v", l)
	}
	p := m.LayerPrecision(m.Layer("phi1"))
	if p.Weight.Format != fixedpoint.Fixed(8, 2) || p.Result.Format != fixedpoint.Fixed(12, 4) ||
		!p.Accum.Auto {
		t.Errorf("phi1 precision %+v", p)
	}
	if m.Layer("phi1_bn").Eps != 1e-5 || m.Layer("phi1_act").Slope != 0.01 {
		t.Error("wrong eps or slope")
	}
	if m.WeightsPath != filepath.Join("examples", "deepset_small", "weights.npz") {
		t.Errorf("WeightsPath %q", m.WeightsPath)
	}
}

// writeModel writes a model file and returns its path.
func writeModel(t testing.TB, dir, src string) string {
	t.Helper()
	path := filepath.Join(dir, "model.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// withWeights is the small model reading the weights file w.
func withWeights(w string) string {
	return strings.Replace(small, `model "t" {`, "model \"t\" {\n  weights = \""+w+"\"", 1)
}

func TestLoadWeightsProblems(t *testing.T) {
	dir := t.TempDir()
	path := writeModel(t, dir, withWeights("nope.npz"))
	_, err := Load(path)
	want := path + `:2,3: weights: ` + filepath.Join(dir, "nope.npz") +
		`: no such file or directory`
	if err == nil || err.Error() != want {
		t.Errorf("missing weights file:\n got %v\nwant %s", err, want)
	}

	// a non-numeric array in a directory of .npy files
	os.Mkdir(filepath.Join(dir, "w"), 0o755)
	os.WriteFile(filepath.Join(dir, "w", "fc1.weight.npy"),
		npyFile("<U5", false, []int{3, 4}, make([]byte, 240)), 0o644)
	os.WriteFile(filepath.Join(dir, "w", "fc1.bias.npy"), npyOf(t, []float32{1, 2, 3}), 0o644)
	path = writeModel(t, dir, withWeights("w"))
	_, err = Load(path)
	want = path + `:6,3: layer "fc1": ` + filepath.Join(dir, "w", "fc1.weight.npy") +
		`: type "<U5" is not a real number type`
	if err == nil || err.Error() != want {
		t.Errorf("string array:\n got %v\nwant %s", err, want)
	}

	// a truncated .npz
	raw, _ := encodeNPZ(map[string]saveArray{"fc1.weight": {data: make([]float64, 12),
		shape: []int{3, 4}}})
	os.WriteFile(filepath.Join(dir, "cut.npz"), raw[:len(raw)-30], 0o644)
	path = writeModel(t, dir, withWeights("cut.npz"))
	_, err = Load(path)
	want = path + `:2,3: weights: ` + filepath.Join(dir, "cut.npz") + `: not a valid .npz file`
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("truncated npz:\n got %v\nwant %s...", err, want)
	}

	// a missing array names the file as written
	os.WriteFile(filepath.Join(dir, "part.npz"), raw, 0o644)
	path = writeModel(t, dir, withWeights("part.npz"))
	_, err = Load(path)
	want = path + `:6,3: layer "fc1": array "fc1.bias" not found in part.npz`
	if err == nil || err.Error() != want {
		t.Errorf("missing array:\n got %v\nwant %s", err, want)
	}

	// no model file at all
	_, err = Load(filepath.Join(dir, "none.hcl"))
	if want := filepath.Join(dir, "none.hcl") + ": no such file or directory"; err == nil ||
		err.Error() != want {
		t.Errorf("missing model file: %v", err)
	}
}

// layoutModel is a model with every kind of array, in either layout.
const layoutModel = `model "t" {
  layout = "%s"
  input "p" {
    shape = [5, 3]
  }
  layer "fc" {
    type  = "dense"
    units = 2
    precision {
      weight       = "ap_fixed<8,2,AP_RND,AP_SAT>"
      weight_width = "%s"
      weight_int   = "%s"
    }
  }
  layer "bn" {
    type = "batchnorm"
    eps  = 0.001
  }
  layer "pool" {
    type = "pool"
    op   = "sum"
  }
}`

func TestLayouts(t *testing.T) {
	// the same arrays, [out, in] for pytorch and [in, out] for keras
	w := ramp(2, 3)
	wT := Array{Data: transposed(w.Data, 2, 3), Shape: []int{3, 2}}
	widths := Array{Data: []float64{8, 0, 4, 6, 8, 2}, Shape: []int{2, 3}}
	ints := Array{Data: []float64{2, 0, 1, 1, 3, 0}, Shape: []int{2, 3}}
	tr := func(a Array) Array { return Array{Data: transposed(a.Data, 2, 3), Shape: []int{3, 2}} }
	pt := map[string]Array{"fc.weight": w, "fc.bias": ramp(2), "fc.w": widths, "fc.i": ints,
		"bn.weight": ramp(2), "bn.bias": ramp(2), "bn.running_mean": ramp(2),
		"bn.running_var": ramp(2)}
	ks := map[string]Array{"fc/kernel": wT, "fc/bias": ramp(2), "fc/w": tr(widths),
		"fc/i": tr(ints), "bn/gamma": ramp(2), "bn/beta": ramp(2), "bn/moving_mean": ramp(2),
		"bn/moving_variance": ramp(2)}

	load := func(layout, wn, in string, arrays map[string]Array) *Model {
		src := replaceN(layoutModel, layout, wn, in)
		m, err := Parse("m.hcl", []byte(src), MapArrays(arrays))
		if err != nil {
			t.Fatalf("%s: %v", layout, err)
		}
		normalize(m)
		m.Layout = ""
		return m
	}
	a := load("pytorch", "fc.w", "fc.i", pt)
	b := load("keras", "fc/w", "fc/i", ks)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("layouts differ:\n%+v\n%+v", a.Layers[0], b.Layers[0])
	}

	// the per-element formats, row-major in [out][in]
	fc := a.Layer("fc")
	if fc.Weight[1][0] != w.Data[3] || fc.Weight[0][2] != w.Data[2] {
		t.Errorf("weight %v", fc.Weight)
	}
	e := fc.Precision.Weight.Elems
	base := fc.Precision.Weight.Format
	if len(e) != 6 || e[1].Width != 0 || e[2] != withWI(base, 4, 1) || e[3] != withWI(base, 6, 1) {
		t.Errorf("elems %v", e)
	}
	if base.Quant != fixedpoint.Rnd || base.Overflow != fixedpoint.Sat {
		t.Errorf("base format %v", base)
	}
}

// replaceN fills the %s of a template in order.
func replaceN(tmpl string, vals ...string) string {
	for _, v := range vals {
		tmpl = strings.Replace(tmpl, "%s", v, 1)
	}
	return tmpl
}

// withWI returns f with another width and integer bits.
func withWI(f fixedpoint.Format, w, i int) fixedpoint.Format {
	f.Width, f.Int = w, i
	return f
}

// normalize clears what differs between equal models read from
// different places: positions and paths.
func normalize(m *Model) {
	m.Path, m.WeightsPath = "", ""
	m.Input.Pos = hcl.Range{}
	clearSpecs(&m.Precision)
	m.Input.Type.Pos = hcl.Range{}
	for _, l := range m.Layers {
		l.Pos = hcl.Range{}
		clearSpecs(&l.Precision)
	}
}

// clearSpecs clears the positions of a Precision's specs.
func clearSpecs(p *Precision) {
	for _, s := range []*Spec{&p.Weight, &p.Bias, &p.Accum, &p.Result, &p.Table,
		&p.TableIndex, &p.Slope} {
		s.Pos = hcl.Range{}
	}
}

func TestSaveRoundTrip(t *testing.T) {
	for _, path := range examples(t) {
		m, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, m)
	}
}

// roundTrip saves m twice, checks the bytes are the same, loads it back
// and compares.
func roundTrip(t *testing.T, m *Model) {
	t.Helper()
	var files [2][2][]byte
	var back *Model
	for i := range files {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.hcl")
		if err := Save(m, path); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		files[i][0], _ = os.ReadFile(path)
		files[i][1], _ = os.ReadFile(filepath.Join(dir, "weights.npz"))
		var err error
		if back, err = Load(path); err != nil {
			t.Fatalf("%s: reload: %v\n%s", m.Name, err, files[i][0])
		}
	}
	if !bytes.Equal(files[0][0], files[1][0]) || !bytes.Equal(files[0][1], files[1][1]) {
		t.Errorf("%s: two saves differ", m.Name)
	}
	normalize(m)
	normalize(back)
	if !reflect.DeepEqual(m, back) {
		for i := range m.Layers {
			if !reflect.DeepEqual(m.Layers[i], back.Layers[i]) {
				t.Errorf("%s: layer %d differs:\n%+v\n%+v", m.Name, i, m.Layers[i], back.Layers[i])
			}
		}
		t.Errorf("%s: round trip differs:\n%+v\n%+v", m.Name, m, back)
	}
}

func TestSaveRoundTripPerElement(t *testing.T) {
	src := `model "t" {
  layout = "keras"
  input "x" {
    shape = [3]
    type  = "ap_ufixed<8,1,AP_RND,AP_SAT,2>"
    width = "x/w"
    int   = "x/i"
  }
  layer "fc" {
    type = "dense"
    units = 2
    precision {
      weight_width = "w"
      weight_int   = "i"
      bias_width   = "bw"
      bias_int     = "bi"
      result       = "ap_fixed<10,3>"
      result_width = "bw"
      result_int   = "bi"
    }
  }
  layer "y" {
    type = "sigmoid"
    input = "fc"
    precision {
      table = "ap_fixed<18,8>"
      table_index = "ap_fixed<10,4>"
    }
  }
}`
	arrays := map[string]Array{
		"x/w":       {Data: []float64{8, 1, 0}, Shape: []int{3}},
		"x/i":       {Data: []float64{1, 0, -2}, Shape: []int{3}},
		"fc/kernel": ramp(3, 2), "fc/bias": ramp(2),
		"w":  {Data: []float64{1, 2, 3, 4, 0, 6}, Shape: []int{3, 2}},
		"i":  {Data: []float64{0, 1, 2, 3, 4, 5}, Shape: []int{3, 2}},
		"bw": {Data: []float64{5, 7}, Shape: []int{2}},
		"bi": {Data: []float64{2, 3}, Shape: []int{2}},
	}
	m, err := Parse("m.hcl", []byte(src), MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	if e := m.Input.Type.Elems; len(e) != 3 || e[0].SatBits != 2 || e[1].SatBits != 1 ||
		e[2].Width != 0 || e[0].Signed {
		t.Errorf("input elems %v", e)
	}
	// [in, out] widths 1 2 / 3 4 / 0 6 become [out][in] 1 3 0 / 2 4 6
	var ws []int
	for _, f := range m.Layer("fc").Precision.Weight.Elems {
		ws = append(ws, f.Width)
	}
	if !reflect.DeepEqual(ws, []int{1, 3, 0, 2, 4, 6}) {
		t.Errorf("weight widths %v", ws)
	}
	if r := m.Layer("fc").Precision.Result; r.Elems[1] != fixedpoint.Fixed(7, 3) {
		t.Errorf("result elems %v", r.Elems)
	}
	roundTrip(t, m)

	// an input typed by a list of formats with different modes
	src2 := strings.NewReplacer(`"ap_ufixed<8,1,AP_RND,AP_SAT,2>"`,
		`["ap_fixed<8,3>", "ap_ufixed<6,0,AP_RND>", "int<4>"]`,
		`    width = "x/w"`, ``, `    int   = "x/i"`, ``).Replace(src)
	m, err = Parse("m.hcl", []byte(src2), MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	if e := m.Input.Type.Elems; len(e) != 3 || e[1] != must(t, "ap_ufixed<6,0,AP_RND>") {
		t.Errorf("input types %v", e)
	}
	roundTrip(t, m)
}

// must parses a format.
func must(t testing.TB, s string) fixedpoint.Format {
	f, err := fixedpoint.ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSaveRefusesInvalid(t *testing.T) {
	m, err := Parse("m.hcl", []byte(small), MapArrays(arrays()))
	if err != nil {
		t.Fatal(err)
	}
	m.Layers[0].Units = 7
	dir := t.TempDir()
	err = Save(m, filepath.Join(dir, "model.hcl"))
	if err == nil || !strings.Contains(err.Error(), `weight "fc1.weight" has shape [3 4]`) {
		t.Errorf("error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("save of an invalid model left %d files", len(entries))
	}
}

func TestSaveName(t *testing.T) {
	m, err := Parse("m.hcl", []byte(small), MapArrays(arrays()))
	if err != nil {
		t.Fatal(err)
	}
	m.Description = "a \"quoted\" ${x} %{y} $$ \\ line\nnext\ttab\x01 µ"
	dir := t.TempDir()
	if err := Save(m, filepath.Join(dir, "tiny.hcl")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tiny.npz")); err != nil {
		t.Error(err)
	}
	back, err := Load(filepath.Join(dir, "tiny.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if back.Description != m.Description {
		t.Errorf("description %q, want %q", back.Description, m.Description)
	}
}

// FuzzParse feeds mutated model files, with the arrays of the examples;
// Parse must return a model or errors, never panic.
func FuzzParse(f *testing.F) {
	all := make(map[string]Array)
	for _, path := range examples(f) {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
		if strings.Contains(path, "mlp_paper") {
			continue
		}
		arrays, err := OpenArrays(filepath.Join(filepath.Dir(path), "weights.npz"))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range arrays.Names() {
			data, shape, err := arrays.Array(name)
			if err != nil {
				f.Fatal(err)
			}
			all[name] = Array{Data: data, Shape: shape}
		}
	}
	f.Add([]byte(small))
	for _, c := range errorCases {
		f.Add([]byte(c.src))
	}
	for name, a := range arrays() {
		all[name] = a
	}
	source := MapArrays(all)
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("f.hcl", src, source)
		if (m == nil) == (err == nil) {
			t.Fatalf("model %v and error %v", m != nil, err)
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.hcl") {
					t.Fatalf("message %q does not start with the file name", line)
				}
			}
		}
	})
}

// FuzzDecodeNPY feeds mutated .npy files; decoding must never panic.
func FuzzDecodeNPY(f *testing.F) {
	f.Add(npyOf(f, [][]float32{{1, 2}, {3, 4}}))
	f.Add(npyOf(f, []int16{1, 2, 3}))
	f.Add(npyFile("<f8", true, []int{2, 1}, make([]byte, 16)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		data, shape, err := decodeNPY(raw)
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if n != len(data) {
			t.Fatalf("%d values for shape %v", len(data), shape)
		}
	})
}

// TestDocExample checks that the complete example of docs/model-format.md
// is the deepset_small example file.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "model-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(doc, []byte("```hcl\n"))
	block, _, ok2 := bytes.Cut(rest, []byte("```"))
	if !ok || !ok2 {
		t.Fatal("no hcl block in docs/model-format.md")
	}
	want, err := os.ReadFile(filepath.Join("examples", "deepset_small", "model.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(block, want) {
		t.Error("the example of docs/model-format.md differs from " +
			"examples/deepset_small/model.hcl")
	}
}
