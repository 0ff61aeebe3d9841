package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/hlsgen"
	"kd2fpga/hlsgen/netlist"
	"kd2fpga/internal/tools"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// calibrationModel is a small network of the calibration set: a model
// file with %s for the layers, and the layer sizes for random weights.
type calibrationModel struct {
	name   string
	src    string
	dense  map[string][2]int // layer -> [units, inputs]
	weight float64           // weights are uniform in [-weight, weight]
	reuse  int               // the reuse factor of every layer; 0 keeps the model's
}

// calibrationSet spans the estimate's rules: DSP multiplications (tiny),
// the loops of a reuse factor (tiny_reuse2), shift-and-add LUT
// multiplications below 9 product bits (narrow), lookup tables (tables)
// and the softmax (softmax).
var calibrationSet = []calibrationModel{
	{name: "tiny", src: tinyModel, dense: map[string][2]int{"fc1": {4, 4}, "fc2": {2, 4}},
		weight: 1.9},
	{name: "tiny_reuse2", src: tinyModel, dense: map[string][2]int{"fc1": {4, 4}, "fc2": {2, 4}},
		weight: 1.9, reuse: 2},
	{name: "narrow", src: `model "narrow" {
  target { clock_ns = 2.5 }
  precision {
    weight = "ap_fixed<4,1>"
    bias   = "ap_fixed<4,1>"
    result = "ap_ufixed<4,1>"
    accum  = "auto"
  }
  input "x" {
    shape = [8]
    type  = "ap_ufixed<4,1>"
  }
  layer "fc1" {
    type  = "dense"
    units = 8
  }
  layer "relu1" { type = "relu" }
  layer "fc2" {
    type  = "dense"
    units = 4
  }
}
`, dense: map[string][2]int{"fc1": {8, 8}, "fc2": {4, 8}}, weight: 0.9},
	{name: "tables", src: `model "tables" {
  target { clock_ns = 5 }
  precision {
    default = "ap_fixed<8,3>"
    accum   = "auto"
    table   = "ap_fixed<8,1>"
  }
  input "x" {
    shape = [4]
    type  = "ap_fixed<8,3>"
  }
  layer "fc1" {
    type  = "dense"
    units = 4
  }
  layer "tanh1" { type = "tanh" }
}
`, dense: map[string][2]int{"fc1": {4, 4}}, weight: 1},
	{name: "softmax", src: `model "softmax" {
  target { clock_ns = 5 }
  precision {
    default = "ap_fixed<10,4>"
    accum   = "auto"
  }
  input "x" {
    shape = [4]
    type  = "ap_fixed<10,4>"
  }
  layer "fc1" {
    type  = "dense"
    units = 3
  }
  layer "out" { type = "softmax" }
}
`, dense: map[string][2]int{"fc1": {3, 4}}, weight: 1},
}

// netlistOf builds the calibration model with weights drawn from a fixed
// seed (the tiny model keeps its hand-picked weights).
func (c calibrationModel) netlistOf(t testing.TB) *netlist.Netlist {
	t.Helper()
	arrays := tinyArrays()
	if c.src != tinyModel {
		rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
		arrays = map[string]models.Array{}
		for layer, shape := range c.dense {
			w := make([]float64, shape[0]*shape[1])
			for i := range w {
				w[i] = c.weight * (2*rng.Float64() - 1)
			}
			b := make([]float64, shape[0])
			for i := range b {
				b[i] = 0.5 * (2*rng.Float64() - 1)
			}
			arrays[layer+".weight"] = models.Array{Shape: []int{shape[0], shape[1]}, Data: w}
			arrays[layer+".bias"] = models.Array{Shape: []int{shape[0]}, Data: b}
		}
	}
	m, err := models.Parse(c.name+".hcl", []byte(c.src), models.MapArrays(arrays))
	if err != nil {
		t.Fatal(err)
	}
	if c.reuse > 0 {
		m.Target.Reuse = c.reuse
	}
	p, err := quantize.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	n, err := netlist.Build(p, netlist.Options{ClockNs: m.Target.ClockNs})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// synthesizeNetlist prints n as Verilog and runs Yosys on it.
func synthesizeNetlist(t testing.TB, n *netlist.Netlist, top string) *YosysResult {
	t.Helper()
	path := filepath.Join(t.TempDir(), top+".v")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := hlsgen.WriteVerilog(f, n, top); err != nil {
		t.Fatal(err)
	}
	f.Close()
	y, err := Synthesize(context.Background(), path, top, SynthOptions{NoPath: true})
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// TestEstimateTiny checks the estimate against Yosys on the smallest
// design, fully parallel and with a reuse factor of 2 (a loop of two
// steps): the DSP count follows the same rule, the flip-flops and LUTs
// are within the calibrated factors of docs/performance.md.
func TestEstimateTiny(t *testing.T) {
	tools.Require(t, "yosys")
	for _, c := range calibrationSet[:2] {
		t.Run(c.name, func(t *testing.T) {
			n := c.netlistOf(t)
			if want := max(c.reuse, 1); n.II() != want {
				t.Fatalf("II %d, want %d", n.II(), want)
			}
			e := EstimateNetlist(n)
			y := synthesizeNetlist(t, n, "tiny")
			if y.Undriven > 0 {
				t.Fatalf("the Verilog has %d undriven wire bits", y.Undriven)
			}
			if e.Total.DSP != y.Total.DSP {
				t.Errorf("DSP: estimate %d, Yosys %d", e.Total.DSP, y.Total.DSP)
			}
			ratio := func(a, b int) float64 { return float64(a) / float64(max(b, 1)) }
			if r := ratio(e.Total.FF, y.Total.FF); r < 0.8 || r > 1.25 {
				t.Errorf("FF: estimate %d, Yosys %d", e.Total.FF, y.Total.FF)
			}
			if r := ratio(e.Total.LUT, y.Total.LUT); r < 0.6 || r > 1.6 {
				t.Errorf("LUT: estimate %d, Yosys %d", e.Total.LUT, y.Total.LUT)
			}
		})
	}
}

// TestCalibrationTable prints the calibration table of docs/performance.md
// ("Resources"). It synthesizes every model of the set, which takes a few
// minutes, so it runs only with KD2FPGA_CALIBRATE=1:
//
//	KD2FPGA_CALIBRATE=1 go test -run TestCalibrationTable -v ./report/
func TestCalibrationTable(t *testing.T) {
	if os.Getenv("KD2FPGA_CALIBRATE") != "1" {
		t.Skip("set KD2FPGA_CALIBRATE=1 to synthesize the calibration set")
	}
	tools.Require(t, "yosys")
	var b strings.Builder
	b.WriteString("| model | estimate LUT / FF / DSP / CARRY4 | Yosys LUT / FF / DSP / CARRY4 " +
		"| ratio LUT / FF / DSP |\n| --- | --- | --- | --- |\n")
	for _, c := range calibrationSet {
		n := c.netlistOf(t)
		e := EstimateNetlist(n).Total
		y := synthesizeNetlist(t, n, c.name)
		r := y.Total
		fmt.Fprintf(&b, "| %s | %d / %d / %d / %d | %d / %d / %d / %d | %s / %s / %s |\n",
			c.name, e.LUT, e.FF, e.DSP, e.Carry, r.LUT, r.FF, r.DSP, r.Carry,
			ratioText(e.LUT, r.LUT), ratioText(e.FF, r.FF), ratioText(e.DSP, r.DSP))
		if y.Undriven > 0 {
			fmt.Fprintf(&b, "|   (Yosys: %d undriven wire bits) | | | |\n", y.Undriven)
		}
	}
	t.Log("\n" + b.String())
}

// ratioText prints estimate / measured, or "-" when both are zero.
func ratioText(est, got int) string {
	switch {
	case est == 0 && got == 0:
		return "-"
	case got == 0:
		return "inf"
	}
	return fmt.Sprintf("%.2f", float64(est)/float64(got))
}
