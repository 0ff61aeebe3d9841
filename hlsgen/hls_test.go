package hlsgen

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// smallModel is the subject of the HLS golden files: a particle input,
// per-element weight formats with a pruned weight, a leaky ReLU, mean
// pooling over the real particles, and a small sigmoid table.
const smallModel = `
model "minitag" {
  description = "HLS golden-file model */ with a \\ backslash ??/ and a trigraph"
  layout = "pytorch"
  target {
    clock_ns = 4
    reuse = 1
  }
  precision {
    default = "ap_fixed<10,4>"
    accum   = "auto"
  }
  input "x" {
    shape = [3, 2]
    type  = "ap_fixed<8,3,AP_RND,AP_SAT>"
  }
  layer "phi" {
    type  = "dense"
    units = 3
    precision {
      weight       = "ap_fixed<6,2,AP_RND_CONV>"
      weight_width = "phi.weight_width"
      weight_int   = "phi.weight_int"
    }
  }
  layer "act" {
    type  = "leaky_relu"
    slope = 0.125
  }
  layer "pool" {
    type = "pool"
    op   = "mean"
  }
  layer "rho" {
    type  = "dense"
    units = 2
    precision {
      accum  = "ap_fixed<12,5,AP_TRN,AP_SAT>"
      result = "ap_fixed<8,3,AP_RND,AP_SAT>"
    }
  }
  layer "out" {
    type = "sigmoid"
    precision {
      table_index = "ap_fixed<4,2,AP_RND_CONV,AP_SAT>"
      table       = "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>"
      result      = "ap_ufixed<6,0>"
    }
  }
}
`

// smallPlan returns the plan of smallModel.
func smallPlan(t testing.TB) *quantize.Plan {
	t.Helper()
	arrays := map[string]models.Array{
		"phi.weight":       {Data: []float64{0.5, -1.25, 0.75, 0, 1.5, -0.375}, Shape: []int{3, 2}},
		"phi.bias":         {Data: []float64{0.125, -0.375, 0.5}, Shape: []int{3}},
		"phi.weight_width": {Data: []float64{6, 6, 4, 0, 8, 6}, Shape: []int{3, 2}},
		"phi.weight_int":   {Data: []float64{2, 2, 1, 0, 3, 1}, Shape: []int{3, 2}},
		"rho.weight":       {Data: []float64{1, -0.5, 0.25, -0.75, 1.25, 0.5}, Shape: []int{2, 3}},
		"rho.bias":         {Data: []float64{0, 0.25}, Shape: []int{2}},
	}
	m, err := models.Parse("minitag.hcl", []byte(smallModel), models.MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHLSGolden compares every file written for smallModel with its
// golden file, and checks that writing is deterministic.
func TestHLSGolden(t *testing.T) {
	p := smallPlan(t)
	dir := t.TempDir()
	if err := WriteHLS(dir, p, HLSOptions{}); err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	if err := WriteHLS(again, p, HLSOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range HLSFiles(Identifier(p.Name, nil)) {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if twice, _ := os.ReadFile(filepath.Join(again, name)); !bytes.Equal(got, twice) {
			t.Errorf("%s: two writes differ", name)
		}
		golden(t, "hls_"+name+".golden", got)
	}
}

// TestHLSProjectFiles checks that build_prj.tcl names only files that
// exist, that the testbench's default vector paths are the project's,
// and that comments cannot be ended or continued by the model's text.
func TestHLSProjectFiles(t *testing.T) {
	p := smallPlan(t)
	root := t.TempDir()
	dir := filepath.Join(root, "hls")
	if err := WriteHLS(dir, p, HLSOptions{Top: "tagger", Part: "xcvu9p-flga2104-2L-e"}); err != nil {
		t.Fatal(err)
	}
	// the vector files another stage writes
	if err := os.MkdirAll(filepath.Join(root, "tb"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"input.hex", "expected.hex"} {
		if err := os.WriteFile(filepath.Join(root, "tb", f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tcl, err := os.ReadFile(filepath.Join(dir, "build_prj.tcl"))
	if err != nil {
		t.Fatal(err)
	}
	// add_files FILE, the tb folder and the vector files joined to it
	var named []string
	for _, m := range regexp.MustCompile(`add_files (?:-tb )?(\S+)`).FindAllStringSubmatch(string(tcl), -1) {
		named = append(named, m[1])
	}
	tb := regexp.MustCompile(`file join \$here (\S+) ([^\s\]]+)\]`).FindStringSubmatch(string(tcl))
	if tb == nil {
		t.Fatal("build_prj.tcl does not locate the tb folder")
	}
	joins := regexp.MustCompile(`file join \$tb ([^\s\]]+)\]`)
	for _, m := range joins.FindAllStringSubmatch(string(tcl), -1) {
		named = append(named, filepath.Join(tb[1], tb[2], m[1]))
	}
	if len(named) != 4 {
		t.Errorf("build_prj.tcl names %q, want the design, its testbench and two vector files", named)
	}
	for _, f := range named {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("build_prj.tcl names %s: %v", f, err)
		}
	}
	for _, want := range []string{"set_top tagger", "set part  xcvu9p-flga2104-2L-e",
		"create_clock -period $clock", "set clock 4", "csim_design", "csynth_design",
		"cosim_design", "export_design -format ip_catalog", "-DNDEBUG"} {
		if !strings.Contains(string(tcl), want) {
			t.Errorf("build_prj.tcl lacks %q", want)
		}
	}

	// the testbench reads ../tb by default, the files it includes exist
	tbSrc, err := os.ReadFile(filepath.Join(dir, "tagger_test.cpp"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"../tb/input.hex"`, `"../tb/expected.hex"`} {
		if !bytes.Contains(tbSrc, []byte(want)) {
			t.Errorf("tagger_test.cpp lacks the default path %s", want)
		}
	}
	include := regexp.MustCompile(`#include "([^"]+)"`)
	for _, name := range HLSFiles("tagger") {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range include.FindAllSubmatch(src, -1) {
			inc := string(m[1])
			if strings.HasPrefix(inc, "ap_") {
				continue // Xilinx's headers
			}
			if _, err := os.Stat(filepath.Join(dir, inc)); err != nil {
				t.Errorf("%s includes %s: %v", name, inc, err)
			}
		}
		// the description's comment terminator, backslash and trigraph
		// are neutralized
		for _, bad := range []string{"*/ with", `\ backslash`, "??/"} {
			if bytes.Contains(src, []byte(bad)) {
				t.Errorf("%s contains %q from the model description", name, bad)
			}
		}
	}
}

// TestHLSOptionErrors checks that bad options are refused before any file
// is written.
func TestHLSOptionErrors(t *testing.T) {
	p := smallPlan(t)
	for _, tc := range []struct {
		opt  HLSOptions
		want string
	}{
		{HLSOptions{Top: "Bad Name"}, "not a legal"},
		{HLSOptions{Top: "main"}, "not a legal"},
		{HLSOptions{Top: "kd2fpga_ops"}, "not a legal"},
		{HLSOptions{Part: "xc7 {evil}"}, "not a part name"},
		{HLSOptions{ClockNs: -1}, "clock period"},
		{HLSOptions{ClockNs: math.NaN()}, "clock period"},
		{HLSOptions{Strategy: "fast"}, "strategy"},
		{HLSOptions{Reuse: -2}, "must not be negative"},
	} {
		dir := filepath.Join(t.TempDir(), "hls")
		err := WriteHLS(dir, p, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.opt, err, tc.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%+v: the folder was created", tc.opt)
		}
	}
}

// TestHLSNames checks that awkward layer names give legal, distinct C++
// names, including derived names that would coincide: the softmax of
// layer "a" declares a_exp_sum_t, and so would a dense layer "a_exp".
// With the ap_fixed headers, both designs are also compiled and run.
func TestHLSNames(t *testing.T) {
	for _, pl := range awkwardPlans(t) {
		d, err := buildDesign(pl, &HLSOptions{Top: "net"})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		ident := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
		for k, h := range d.Ops {
			all := []string{h.Func, h.Out.Name}
			for _, ty := range d.Groups[k+1].Types {
				all = append(all, ty.Name)
			}
			for _, c := range h.consts {
				all = append(all, c.Name)
			}
			for _, n := range all {
				if seen[n] || !ident.MatchString(n) || n == "net" || n == "main" || n == "input" ||
					strings.HasPrefix(n, "ap_") {
					t.Errorf("op %q: name %q is reused or illegal", pl.Ops[k].Name, n)
				}
				seen[n] = true
			}
		}
	}
}

// awkwardPlans returns plans whose layer names are C++ keywords, names the
// generated code or the headers use, or names whose derived names meet.
func awkwardPlans(t *testing.T) []*quantize.Plan {
	p := smallPlan(t)
	for k, name := range []string{"main", "a_exp", "ap_uint", "int", "x"} {
		p.Ops[k].Name = name
	}
	return []*quantize.Plan{p, namesPlan(t), particlePlan(t)}
}

// particlePlan returns a plan whose output is a particle tensor: a softmax
// over the features of each particle.
func particlePlan(t *testing.T) *quantize.Plan {
	t.Helper()
	m := &models.Model{Name: "particles", Output: "s",
		Input: models.Input{Name: "x", Shape: []int{3, 2},
			Type: models.Spec{Set: true, Format: fixedpoint.UFixed(6, 2)}}}
	m.Precision.Accum = models.Spec{Set: true, Auto: true}
	m.Layers = []*models.Layer{
		{Name: "d", Kind: models.Dense, Input: "x", Units: 3,
			Weight: [][]float64{{0.5, 0.25}, {-0.5, 1}, {0.75, -1.5}}, Bias: []float64{0.5, 0, -1}},
		{Name: "s", Kind: models.Softmax, Input: "d",
			Precision: models.Precision{Result: models.Spec{Set: true,
				Format: fixedpoint.UFixed(8, 1)}}},
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// namesPlan returns a plan whose layers "a_exp" (dense) and "a" (softmax)
// would declare the same type a_exp_sum_t.
func namesPlan(t *testing.T) *quantize.Plan {
	t.Helper()
	m := &models.Model{Name: "names", Output: "a",
		Input: models.Input{Name: "x", Shape: []int{2},
			Type: models.Spec{Set: true, Format: fixedpoint.Fixed(8, 3)}}}
	m.Precision.Accum = models.Spec{Set: true, Auto: true}
	m.Layers = []*models.Layer{
		{Name: "a_exp", Kind: models.Dense, Input: "x", Units: 2,
			Weight: [][]float64{{0.5, 0.25}, {-0.5, 1}}},
		{Name: "a", Kind: models.Softmax, Input: "a_exp"},
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHLSConstWords checks the C literals of raw words at the edges of
// the integer types.
func TestHLSConstWords(t *testing.T) {
	for _, tc := range []struct {
		f    fixedpoint.Format
		raw  int64
		want string
	}{
		{fixedpoint.Fixed(8, 2), -128, "-128"},
		{fixedpoint.Fixed(8, 2), 127, "127"},
		{fixedpoint.UFixed(8, 2), 255, "255"},
		{fixedpoint.Fixed(40, 2), -5, "-5LL"},
		{fixedpoint.UFixed(63, 2), math.MaxInt64, "9223372036854775807ULL"},
		{fixedpoint.Fixed(64, 2), math.MinInt64, "(-9223372036854775807LL - 1)"},
	} {
		c, err := newConst("c", hlsType{Name: "c_t", format: tc.f}, "", [][]int64{{tc.raw}}, nil,
			"test")
		if err != nil {
			t.Fatal(err)
		}
		w, err := c.word(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(c.appendWord(nil, w)); got != tc.want {
			t.Errorf("%v raw %d: %s, want %s", tc.f, tc.raw, got, tc.want)
		}
	}

	// a value in a narrower format of the array is shifted to the
	// array's fractional bits: -3 * 2^-2 = -48 * 2^-6
	c, err := newConst("c", hlsType{Name: "c_t", format: fixedpoint.Fixed(8, 2)}, "[2]",
		[][]int64{{-3, 5}}, [][]fixedpoint.Format{{fixedpoint.Fixed(4, 2), fixedpoint.Fixed(0, 0)}},
		"test")
	if err != nil {
		t.Fatal(err)
	}
	if w, err := c.word(0, 0); err != nil || fixedpoint.Fixed(8, 2).FromBits(w) != -48 {
		t.Errorf("word 0: %d, %v, want -48", int64(w), err)
	}
	if _, err := c.word(0, 1); err == nil {
		t.Error("a nonzero pruned weight was accepted")
	}
}

// TestHLSTypes checks the exact-sum widths and the containers of mixed
// formats.
func TestHLSTypes(t *testing.T) {
	for _, tc := range []struct {
		terms, extra int
	}{{1, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {17, 5}, {512, 9}, {513, 10}} {
		if got := sumType(fixedpoint.Fixed(10, 3), tc.terms); got.Width != 10+tc.extra ||
			got.Int != 3+tc.extra {
			t.Errorf("%d terms: %v, want %d more bits", tc.terms, got, tc.extra)
		}
	}
	c := cover([]fixedpoint.Format{fixedpoint.UFixed(8, 2), fixedpoint.Fixed(6, 4),
		{Signed: true, Width: 4, Int: -1, Quant: fixedpoint.Rnd}})
	if want := fixedpoint.Fixed(10, 4); c != want {
		t.Errorf("cover: %v, want %v", c, want)
	}
	fm := newFamily("t", []fixedpoint.Format{fixedpoint.Fixed(8, 2), fixedpoint.Fixed(8, 2),
		fixedpoint.Fixed(6, 1), fixedpoint.Fixed(8, 2)}, "test")
	rs := runs(4, fm)
	if len(rs) != 3 || rs[0].Lo != 0 || rs[0].Hi != 2 || rs[1].Result() != "t_1_t" ||
		rs[2].Result() != "t_0_t" || fm.Container != "t_t" {
		t.Errorf("runs %+v of family %+v", rs, fm)
	}
}

// TestHLSLargeModel writes the paper's MLP student (527k weights), the
// speed figure being BenchmarkWriteHLSPaper's.
func TestHLSLargeModel(t *testing.T) {
	if testing.Short() {
		t.Skip("large model")
	}
	p := paperPlan(t)
	dir := t.TempDir()
	if err := WriteHLS(dir, p, HLSOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, Identifier(p.Name, nil)+"_weights.h"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 1<<20 {
		t.Errorf("weights file of %d bytes for %d ops", st.Size(), len(p.Ops))
	}
}

// BenchmarkWriteHLSPaper measures writing the paper's MLP student.
func BenchmarkWriteHLSPaper(b *testing.B) {
	p := paperPlan(b)
	dir := b.TempDir()
	for b.Loop() {
		if err := WriteHLS(dir, p, HLSOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// paperPlan returns the plan of models/examples/mlp_paper, or skips.
func paperPlan(t testing.TB) *quantize.Plan {
	t.Helper()
	path := filepath.Join("..", "models", "examples", "mlp_paper", "model.hcl")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no mlp_paper example")
	}
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
