package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/handoff"
	"kd2fpga/internal/tclstub"
	"kd2fpga/internal/tools"
	"kd2fpga/models"
	kdreport "kd2fpga/report"
)

// reportModel is a 4-4-2 network small enough for Yosys to synthesize
// in seconds.
const reportModel = `model "tiny" {
  target {
    part              = "xcvu9p-flga2104-2L-e"
    clock_ns          = 2.5
    latency_budget_ns = 40
  }
  precision {
    weight = "ap_fixed<6,2>"
    bias   = "ap_fixed<8,3>"
    result = "ap_fixed<8,3>"
    accum  = "auto"
  }
  input "x" {
    shape = [4]
    type  = "ap_fixed<8,3>"
  }
  layer "fc1" {
    type  = "dense"
    units = 4
  }
  layer "relu1" {
    type = "relu"
  }
  layer "fc2" {
    type  = "dense"
    units = 2
  }
}
`

// convertTiny writes the tiny model and converts it, returning the
// project folder.
func convertTiny(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	arrays := map[string]models.Array{
		"fc1.weight": {Shape: []int{4, 4}, Data: []float64{0.5, -1.25, 0, 1.75, -0.875, 0.25,
			1.5, -0.0625, 1, 0.4375, -1.625, 0.8125, -0.3125, -1.9375, 0.6875, 0}},
		"fc1.bias": {Shape: []int{4}, Data: []float64{0.125, -0.5, 0.25, 0}},
		"fc2.weight": {Shape: []int{2, 4}, Data: []float64{1.125, -0.75, 0.375, -1.5,
			-0.5625, 1.3125, -0.1875, 0.9375}},
		"fc2.bias": {Shape: []int{2}, Data: []float64{-0.25, 0.375}},
	}
	m, err := models.Parse(filepath.Join(dir, "model.hcl"), []byte(reportModel),
		models.MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model", "model.hcl")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := models.Save(m, path); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "proj")
	if _, err := runApp(t, "convert", "--model", path, "--out", out, "--vectors", "2"); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReportCommand(t *testing.T) {
	dir := convertTiny(t)

	// the text report
	out, err := runApp(t, "report", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tiny (top tiny)", "xcvu9p-flga2104-2L-e (Virtex UltraScale+)",
		"40 ns: PASS, margin", "% of xcvu9p", "fc1", "valid pipeline"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// JSON, with Vivado's reports found in DIR/reports
	os.MkdirAll(filepath.Join(dir, "reports"), 0o755)
	for _, f := range []string{"utilization_routed.rpt", "timing_met.rpt"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		dst := handoff.UtilizationReport
		if strings.HasPrefix(f, "timing") {
			dst = handoff.TimingReport
		}
		os.WriteFile(filepath.Join(dir, dst), raw, 0o644)
	}
	// and Vitis HLS's csynth.xml where build_prj.tcl leaves it
	csynth := filepath.Join(dir, "hls", "tiny_prj", "solution1", "syn", "report", "csynth.xml")
	os.MkdirAll(filepath.Dir(csynth), 0o755)
	raw, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "csynth.xml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(csynth, raw, 0o644)
	out, err = runApp(t, "report", dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r kdreport.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Top != "tiny" || r.Latency < 1 || r.Budget == nil || !r.Budget.Pass ||
		r.Vivado == nil || r.Vivado.Used.LUT != 4213 || !r.Vivado.Timing.Met ||
		r.HLS == nil || r.HLS.Used.DSP != 38 {
		t.Errorf("JSON report %+v", r)
	}

	// HTML, and the handoff files rewritten for Verilog and the wrapper
	// (convert wrote them for VHDL and the bare core)
	reads := func(script string) []string {
		var files []string
		for _, c := range tclstub.Run(t, filepath.Join(dir, script)) {
			switch c.Name() {
			case "read_vhdl", "read_verilog", "add_files":
				files = append(files, filepath.Base(c.Last()))
			}
		}
		return files
	}
	if got := reads(handoff.BuildScript); strings.Join(got, " ") != "tiny.vhd" {
		t.Errorf("convert's build.tcl reads %v by default, want the VHDL", got)
	}
	page := filepath.Join(t.TempDir(), "tiny.html")
	_, err = runApp(t, "report", dir, "--html", page, "--handoff", "--rtl", "verilog", "--axis")
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := os.ReadFile(page); err != nil || !strings.Contains(string(raw), "<h1>tiny</h1>") {
		t.Errorf("HTML page: %v", err)
	}
	if got := reads(handoff.BuildScript); strings.Join(got, " ") != "tiny.v" {
		t.Errorf("build.tcl after --handoff --rtl verilog reads %v by default", got)
	}
	if got := reads(handoff.PackageScript); strings.Join(got, " ") != "tiny.v tiny_axis.v" {
		t.Errorf("package_ip.tcl after --handoff --axis reads %v by default", got)
	}
}

func TestReportScanReuse(t *testing.T) {
	dir := convertTiny(t)
	out, err := runApp(t, "report", dir, "--scan-reuse", "1,2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r kdreport.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Scan) != 2 || r.Scan[0].Reuse != 1 || r.Scan[1].Reuse != 2 ||
		r.Scan[0].Latency != r.Latency {
		t.Errorf("scan %+v", r.Scan)
	}
}

func TestReportSynthYosys(t *testing.T) {
	tools.Require(t, "yosys")
	dir := convertTiny(t)
	out, err := runApp(t, "report", dir, "--synth", "yosys", "--json")
	if err != nil {
		t.Fatal(err)
	}
	// the progress line goes to the error stream, which runApp merges
	progress, out, _ := strings.Cut(out, "\n")
	if !strings.Contains(progress, "synthesizing tiny with Yosys") {
		t.Errorf("progress line %q", progress)
	}
	var r kdreport.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// every register stage of the valid pipeline and of the datapath
	// survives synthesis: at least the 32 input bits and the 16 output
	// bits
	if r.Yosys == nil || r.Yosys.Total.FF < 48 || r.Yosys.Total.LUT == 0 {
		t.Errorf("yosys %+v", r.Yosys)
	}
}

// TestReportSynthExample synthesizes a bundled example, the 10-16-8-1
// network with lookup tables and a reuse factor (about 20 s of Yosys),
// and checks the text report and Yosys' figures against the estimate
// within the calibration bands of docs/performance.md.
func TestReportSynthExample(t *testing.T) {
	tools.Require(t, "yosys")
	dir := convertForTest(t, example("sigmoid_tanh"), 1)
	out, err := runApp(t, "report", dir, "--synth", "yosys", "--json")
	if err != nil {
		t.Fatal(err)
	}
	_, out, _ = strings.Cut(out, "\n") // the progress line
	var r kdreport.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	y, e := r.Yosys, r.Estimate
	if y == nil {
		t.Fatal("no Yosys figures")
	}

	// the terminal table of the same report
	var text strings.Builder
	if err := kdreport.WriteText(&text, &r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency   10 cycles = 50 ns", "II        2 cycles",
		"\n  estimate ", "\n  yosys ", "yosys longest path: ", "tanh1", "sigmoid2"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
	}
	if y.Undriven > 0 || y.LongestPath < 2 {
		t.Errorf("Yosys: %d undriven wire bits, longest path %d", y.Undriven, y.LongestPath)
	}
	ratio := func(a, b int) float64 { return float64(a) / float64(max(b, 1)) }
	for _, c := range []struct {
		name     string
		est, got int
		lo, hi   float64
	}{
		{"DSP", e.DSP, y.Total.DSP, 0.85, 1.2},
		{"FF", e.FF, y.Total.FF, 0.8, 1.25},
		{"LUT", e.LUT, y.Total.LUT, 0.6, 1.6},
	} {
		if r := ratio(c.est, c.got); r < c.lo || r > c.hi {
			t.Errorf("%s: estimate %d, Yosys %d", c.name, c.est, c.got)
		}
	}
	t.Logf("estimate %v; Yosys %v, longest path %d", e, y.Total, y.LongestPath)
}

func TestReportErrors(t *testing.T) {
	dir := convertTiny(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "want one project folder, got 0 arguments"},
		{[]string{"report", t.TempDir()}, "a folder written by kd2fpga convert?"},
		{[]string{"report", dir, "--synth", "vivado"}, `--synth "vivado": the only synthesis tool`},
		{[]string{"report", dir, "--scan-reuse", "1,0"}, `"0" is not a reuse factor`},
		{[]string{"report", dir, "--vivado", t.TempDir()}, "neither utilization.rpt nor"},
		{[]string{"report", dir, "--hls", "missing.xml"}, "--hls missing.xml: no such file"},
		{[]string{"report", dir, "--handoff", "--rtl", "c"}, `--rtl "c"`},
	}
	for _, tt := range tests {
		_, err := runApp(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}

	// a missing Yosys is one line, said before any work
	t.Run("no yosys", func(t *testing.T) {
		t.Setenv("KD2FPGA_YOSYS", filepath.Join(t.TempDir(), "yosys"))
		out, err := runApp(t, "report", dir, "--synth", "yosys", "--scan-reuse", "1,2")
		if err == nil || !strings.Contains(err.Error(), "report: --synth yosys: yosys not found") ||
			!strings.Contains(err.Error(), "apt-get install yosys") ||
			strings.Contains(err.Error(), "\n") || out != "" {
			t.Errorf("error %v, output %q", err, out)
		}
	})

	// a broken report names the file and the fault
	os.MkdirAll(filepath.Join(dir, "reports"), 0o755)
	os.WriteFile(filepath.Join(dir, handoff.UtilizationReport),
		[]byte("| Site Type | Used |\n"), 0o644)
	_, err := runApp(t, "report", dir)
	if err == nil || !strings.Contains(err.Error(), `utilization.rpt: no "CLB LUTs" row`) {
		t.Errorf("broken utilization report: %v", err)
	}
}
