package report

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/internal/tools"
)

func TestParseYosysStat(t *testing.T) {
	res, err := ParseYosysStat("s", strings.NewReader(readFixture(t, "yosys_stat_add8.json")), "add8")
	if err != nil {
		t.Fatal(err)
	}
	want := Resources{LUT: 8, FF: 25, Carry: 3}
	if res.Total != want || res.Cells["BUFG"] != 1 {
		t.Errorf("total %+v cells %v, want %+v", res.Total, res.Cells, want)
	}
	if !strings.HasPrefix(res.Version, "Yosys 0.23") {
		t.Errorf("version %q", res.Version)
	}

	res, err = ParseYosysStat("s", strings.NewReader(readFixture(t, "yosys_stat_hier.json")), "top")
	if err != nil {
		t.Fatal(err)
	}
	// the top's own cells plus twice those of addr
	if got, want := res.Modules["top"], (Resources{LUT: 25, FF: 28, Carry: 9}); got != want {
		t.Errorf("top %+v, want %+v", got, want)
	}
	if got, want := res.Modules["addr"], (Resources{LUT: 8, FF: 9, Carry: 3}); got != want {
		t.Errorf("addr %+v, want %+v", got, want)
	}
	if res.Total != res.Modules["top"] {
		t.Errorf("design total %+v differs from the expanded top %+v", res.Total, res.Modules["top"])
	}
}

func TestCellResources(t *testing.T) {
	tests := []struct {
		typ  string
		n    int
		want Resources
	}{
		{"LUT1", 3, Resources{LUT: 3}},
		{"LUT6", 2, Resources{LUT: 2}},
		{"LUT7", 2, Resources{}},
		{"FDCE", 4, Resources{FF: 4}},
		{"DSP48E2", 1, Resources{DSP: 1}},
		{"CARRY4", 5, Resources{Carry: 5}},
		{"RAMB18E2", 3, Resources{BRAM: 1.5}},
		{"RAMB36E2", 1, Resources{BRAM: 1}},
		{"RAM64M", 2, Resources{LUT: 8, LUTRAM: 8}},
		{"SRLC32E", 2, Resources{LUT: 2, LUTRAM: 2}},
		{"BUFG", 1, Resources{}},
	}
	for _, tt := range tests {
		if got := cellResources(tt.typ, tt.n); got != tt.want {
			t.Errorf("cellResources(%s, %d) = %+v, want %+v", tt.typ, tt.n, got, tt.want)
		}
	}
}

func TestParseYosysStatErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", "s.json: not the output of Yosys' stat -json"},
		{"{", "s.json: not the output of Yosys' stat -json"},
		{`{"modules": 3}`, "s.json: not the output"},
		{`{"modules": {}}`, "s.json: no modules"},
		{`{"modules": {"\\a": {"num_cells_by_type": {"a": 1}}}}`,
			`s.json: module "a" instantiates itself`},
		{`{"modules": {"\\a": {"num_cells_by_type": {"LUT2": -1}}}}`,
			`implausible count -1 of LUT2`},
		{`{"modules": {"\\a": {}, "\\b": {}}}`, `s.json: no module "c"`},
	}
	for _, tt := range tests {
		_, err := ParseYosysStat("s.json", strings.NewReader(tt.text), "c")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.text, err, tt.want)
		}
	}
}

func TestParseLTP(t *testing.T) {
	n, err := ParseLTP("l", strings.NewReader(readFixture(t, "yosys_ltp_add8.txt")))
	if err != nil || n != 4 {
		t.Errorf("ParseLTP = %d, %v; want 4", n, err)
	}
	_, err = ParseLTP("ltp.txt", strings.NewReader("nothing here\n"))
	if err == nil || !strings.Contains(err.Error(), `ltp.txt: no "Longest topological path" line`) {
		t.Errorf("error %v", err)
	}
}

func TestSynthesizeAdder(t *testing.T) {
	tools.Require(t, "yosys")
	res, err := Synthesize(context.Background(), filepath.Join("testdata", "verilog", "add8.v"),
		"add8", SynthOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// two 8-bit input registers and the 9-bit sum register; a 9-bit
	// carry chain needs ceil(9/4) CARRY4 cells (at least one); the sum's
	// bits each need a LUT (propagate) or at least some of them do
	if res.Total.FF != 25 {
		t.Errorf("FF %d, want 25", res.Total.FF)
	}
	if res.Total.Carry < 1 || res.Total.LUT < 1 || res.Total.LUT > 16 || res.Total.DSP != 0 {
		t.Errorf("implausible adder %+v", res.Total)
	}
	// from a register through one LUT level into the chain
	if res.LongestPath < 2 {
		t.Errorf("longest path %d cells, want at least a LUT and a CARRY4", res.LongestPath)
	}
	if res.Modules != nil {
		t.Errorf("flattened run reported modules %v", res.Modules)
	}
}

func TestSynthesizeHierarchy(t *testing.T) {
	tools.Require(t, "yosys")
	dir := filepath.Join("testdata", "verilog")
	res, err := Synthesize(context.Background(), filepath.Join(dir, "two_adders.v"),
		"two_adders", SynthOptions{
			Sources: []string{filepath.Join(dir, "add8.v")}, Hierarchy: true, NoPath: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	sub, top := res.Modules["add8"], res.Modules["two_adders"]
	// each add8 has its 25 registers; the top adds a 10-bit register
	if sub.FF != 25 || top.FF != 2*25+10 || res.Total.FF != top.FF {
		t.Errorf("add8 %+v, top %+v, total %+v", sub, top, res.Total)
	}
	if res.LongestPath != -1 {
		t.Errorf("longest path %d with NoPath", res.LongestPath)
	}
}

func TestSynthesizeConstMultiplyUsesDSP(t *testing.T) {
	tools.Require(t, "yosys")
	res, err := Synthesize(context.Background(), filepath.Join("testdata", "verilog", "mul16.v"),
		"mul16", SynthOptions{NoPath: true})
	if err != nil {
		t.Fatal(err)
	}
	// 77 is not a power of two and the product has at least 9 bits
	if res.Total.DSP != 1 || res.Total.FF != 32 {
		t.Errorf("got %+v, want one DSP48E2 and 32 flip-flops", res.Total)
	}
}

func TestSynthesizeErrors(t *testing.T) {
	tools.Require(t, "yosys")
	ctx := context.Background()
	_, err := Synthesize(ctx, "testdata/verilog/add8.v", "no such top", SynthOptions{})
	if err == nil || !strings.Contains(err.Error(), "is not a Verilog identifier") {
		t.Errorf("bad top: %v", err)
	}
	_, err = Synthesize(ctx, "testdata/verilog/missing.v", "add8", SynthOptions{})
	if err == nil || !strings.Contains(err.Error(), "missing.v") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Synthesize(ctx, "testdata/verilog/add8.v", "other", SynthOptions{})
	if err == nil || !strings.Contains(err.Error(), "yosys on testdata/verilog/add8.v") {
		t.Errorf("wrong top: %v", err)
	}
}

func TestSynthesizeMissingYosys(t *testing.T) {
	t.Setenv("KD2FPGA_YOSYS", "/nonexistent/yosys")
	_, err := Synthesize(context.Background(), "testdata/verilog/add8.v", "add8", SynthOptions{})
	if err == nil || !strings.Contains(err.Error(), "synthesis needs Yosys") {
		t.Errorf("error %v", err)
	}
	t.Setenv("KD2FPGA_YOSYS", "")
	t.Setenv("PATH", t.TempDir())
	_, err = Synthesize(context.Background(), "testdata/verilog/add8.v", "add8", SynthOptions{})
	if err == nil || !strings.Contains(err.Error(), "apt-get install yosys") {
		t.Errorf("error %v", err)
	}
}

func FuzzParseYosysStat(f *testing.F) {
	fuzzSeeds(f, "yosys_stat_add8.json", "yosys_stat_hier.json")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ParseYosysStat("f", strings.NewReader(s), "top")
		if err == nil && (res.Total.LUT < 0 || res.Total.FF < 0) {
			t.Errorf("negative total %+v", res.Total)
		}
	})
}

func FuzzParseLTP(f *testing.F) {
	fuzzSeeds(f, "yosys_ltp_add8.txt", "yosys_ltp_hier.txt")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseLTP("f", strings.NewReader(s))
		if err == nil && n < 0 {
			t.Errorf("negative length %d", n)
		}
	})
}

func TestWarningCounter(t *testing.T) {
	var w warningCounter
	w.Write([]byte("Warning: Wire top.\\a [3] is used but has no driver.\nWarn"))
	w.Write([]byte("ing: something else\nok\n"))
	if w.warnings != 2 || w.undriven != 1 {
		t.Errorf("warnings %d, undriven %d", w.warnings, w.undriven)
	}
}
