package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// tinyModel is a 4-4-2 network with 8-bit values and 6-bit weights,
// small enough for Yosys to synthesize in seconds.
const tinyModel = `model "tiny" {
  target {
    part              = "xcvu9p-flga2104-2L-e"
    clock_ns          = 2.5
    latency_budget_ns = 10
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

// tinyArrays are the weights of tinyModel: powers of two, zeros, small
// and large constants, so that every multiplier rule appears.
func tinyArrays() map[string]models.Array {
	return map[string]models.Array{
		"fc1.weight": {Shape: []int{4, 4}, Data: []float64{
			0.5, -1.25, 0, 1.75,
			-0.875, 0.25, 1.5, -0.0625,
			1, 0.4375, -1.625, 0.8125,
			-0.3125, -1.9375, 0.6875, 0,
		}},
		"fc1.bias": {Shape: []int{4}, Data: []float64{0.125, -0.5, 0.25, 0}},
		"fc2.weight": {Shape: []int{2, 4}, Data: []float64{
			1.125, -0.75, 0.375, -1.5,
			-0.5625, 1.3125, -0.1875, 0.9375,
		}},
		"fc2.bias": {Shape: []int{2}, Data: []float64{-0.25, 0.375}},
	}
}

// tinyDesign loads, quantizes, lowers and schedules tinyModel, with the
// part replaced when part is not empty.
func tinyDesign(t testing.TB, part string) (Info, *quantize.Plan, *netlist.Netlist) {
	t.Helper()
	m, err := models.Parse("tiny.hcl", []byte(tinyModel), models.MapArrays(tinyArrays()))
	if err != nil {
		t.Fatal(err)
	}
	if part != "" {
		m.Target.Part = part
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	n, err := netlist.Build(p, netlist.Options{ClockNs: m.Target.ClockNs})
	if err != nil {
		t.Fatal(err)
	}
	info := Info{Name: m.Name, Top: "tiny", Part: m.Target.Part, ClockNs: m.Target.ClockNs,
		BudgetNs: m.Target.LatencyBudgetNs, Reuse: m.Target.Reuse, Strategy: m.Target.Strategy}
	return info, p, n
}

func TestNew(t *testing.T) {
	info, p, n := tinyDesign(t, "")
	r := New(info, p, n)

	if r.Latency != n.Latency() || r.LatencyNs != float64(n.Latency())*2.5 || r.II != 1 {
		t.Errorf("latency %d (%g ns), II %d", r.Latency, r.LatencyNs, r.II)
	}
	if r.ThroughputMHz != 400 {
		t.Errorf("throughput %g MHz of inputs, want 400", r.ThroughputMHz)
	}
	if r.Budget == nil || r.Budget.Pass != (r.LatencyNs <= 10) ||
		r.Budget.MarginNs != 10-r.LatencyNs {
		t.Errorf("budget %+v for %g ns", r.Budget, r.LatencyNs)
	}
	if r.Device == nil || r.Device.Name != "xcvu9p" || r.Percent == nil {
		t.Fatalf("device %+v", r.Device)
	}

	// the layers add up to the latency and to the total
	cycles := 0
	var sum Resources
	sum.Add(sum, r.Control)
	for _, l := range r.Layers {
		cycles += l.Cycles
		sum.Add(sum, l.Estimate)
	}
	if cycles != r.Latency {
		t.Errorf("layer cycles add up to %d, latency %d", cycles, r.Latency)
	}
	if sum != r.Estimate {
		t.Errorf("layers add up to %v, total %v", sum, r.Estimate)
	}
	names := layerNames(r)
	if strings.Join(names, " ") != "input fc1 relu1 fc2 output" {
		t.Errorf("layers %v", names)
	}
	if pr := r.Layers[1].Precision; pr == nil || pr.Formats[0] != "ap_fixed<8,3>" ||
		pr.MSB != 2 || pr.LSB != -5 || pr.Min != -4 {
		t.Errorf("fc1 precision %+v", pr)
	}
	if r.Control.FF != r.Latency {
		t.Errorf("valid pipeline %v, want %d flip-flops", r.Control, r.Latency)
	}

	// fc1's weights (tinyArrays) are ap_fixed<6,2>, bits 2^1 (the sign)
	// to 2^-4; of the 16, 14 are not zero, the largest 1.9375 (bits 2^0
	// to 2^-4), the finest 0.0625 = 2^-4; relu1 has no weights
	w := r.Layers[1].Weights
	if w == nil || w.Formats == nil || w.Formats.MSB != 1 || w.Formats.LSB != -4 ||
		w.Total != 16 || w.Nonzero != 14 || w.MSB != 0 || w.LSB != -4 {
		t.Errorf("fc1 weights %+v", w)
		if w != nil {
			t.Errorf("fc1 weight formats %+v", w.Formats)
		}
	}
	if r.Layers[2].Weights != nil {
		t.Errorf("relu1 weights %+v", r.Layers[2].Weights)
	}
}

func TestNewBudgetAndUnknownPart(t *testing.T) {
	info, p, n := tinyDesign(t, "xc7a35t-cpg236-1")
	info.BudgetNs = 1 // below any pipelined latency
	r := New(info, p, n)
	if r.Budget.Pass || r.Budget.MarginNs >= 0 {
		t.Errorf("budget %+v passes", r.Budget)
	}
	if r.Device != nil || r.Percent != nil || r.Layers[1].Percent != nil {
		t.Error("percentages of an unknown device")
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], `part "xc7a35t-cpg236-1" is not in`) {
		t.Errorf("notes %q", r.Notes)
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "FAIL, over by") {
		t.Errorf("text does not say FAIL:\n%s", b.String())
	}
}

func TestOverflows(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		f    Fractions
		want string
	}{
		{Fractions{LUT: 0.5, FF: 1, DSP: 0.99, BRAM: nan}, ""},
		{Fractions{LUT: 1.33, FF: 0.24, DSP: 5.51, BRAM: 0}, "LUT 133%, DSP 551%"},
		{Fractions{LUT: nan, FF: nan, DSP: nan, BRAM: 1.5}, "BRAM 150%"},
	}
	for _, tt := range tests {
		if got := overflows(tt.f); got != tt.want {
			t.Errorf("overflows(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// fullReport is the tiny design's report with every external figure, from
// the fixtures.
func fullReport(t *testing.T) *Report {
	info, p, n := tinyDesign(t, "")
	r := New(info, p, n)
	y, err := ParseYosysStat("s", strings.NewReader(readFixture(t, "yosys_stat_add8.json")), "add8")
	if err != nil {
		t.Fatal(err)
	}
	y.LongestPath = 4
	r.AddYosys(y)
	u, err := ParseUtilization("u", strings.NewReader(readFixture(t, "utilization_synth.rpt")))
	if err != nil {
		t.Fatal(err)
	}
	tm, err := ParseTimingSummary("t", strings.NewReader(readFixture(t, "timing_failed.rpt")))
	if err != nil {
		t.Fatal(err)
	}
	r.AddVivado(u, tm)
	h, err := ParseCsynth("c", strings.NewReader(readFixture(t, "csynth_2019.xml")))
	if err != nil {
		t.Fatal(err)
	}
	r.AddHLS(h)
	return r
}

func TestWriteTextGolden(t *testing.T) {
	r := fullReport(t)
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "tiny_report.txt.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("text report differs from %s (run go test -update and review):\n%s",
			golden, b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	r := fullReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Latency != r.Latency || back.Estimate != r.Estimate ||
		back.Vivado.Timing.Met || *back.Vivado.Timing.WNSns != -0.342 ||
		back.HLS.WorstLatency != -1 || len(back.Layers) != len(r.Layers) {
		t.Errorf("JSON round trip lost figures:\n%s", b.String())
	}
}

func TestWriteHTMLSelfContained(t *testing.T) {
	r := fullReport(t)
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"http://", "https://", `="//`, "<link", "<script", "url(",
		"href=", "@import", "srcset", "<iframe", "<object", "<embed"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}

	// every src is a PNG data URI that decodes
	srcs := regexp.MustCompile(`src="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(srcs) != 4 {
		t.Errorf("%d images, want 4", len(srcs))
	}
	const prefix = "data:image/png;base64,"
	for _, m := range srcs {
		if !strings.HasPrefix(m[1], prefix) {
			t.Errorf("src %.40q is not a PNG data URI", m[1])
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(m[1], prefix))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("embedded PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			t.Errorf("image of %v", b)
		}
	}
	for _, want := range []string{"<h1>tiny</h1>", "fc1", "Vivado, synthesized",
		"Vitis HLS estimate", "% of xcvu9p"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	// the page is the same every time
	var again bytes.Buffer
	if err := WriteHTML(&again, r); err != nil {
		t.Fatal(err)
	}
	if again.String() != page {
		t.Error("two renderings of one report differ")
	}
}
