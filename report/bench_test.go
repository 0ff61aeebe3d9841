package report

import (
	"testing"

	"kd2fpga/hlsgen/netlist"
	"kd2fpga/internal/tools"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// BenchmarkYosysJetMLP synthesizes the 16-64-32-32-5 jet tagger of
// models/examples/jet_mlp with Yosys and reports its figures beside the
// analytic estimate. It takes many minutes, so it is not part of the
// tests:
//
//	go test -run '^$' -bench YosysJetMLP -benchtime 1x -timeout 2h ./report/
func BenchmarkYosysJetMLP(b *testing.B) {
	tools.Require(b, "yosys")
	m, err := models.Load("../models/examples/jet_mlp/model.hcl")
	if err != nil {
		b.Fatal(err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		b.Fatal(err)
	}
	n, err := netlist.Build(p, netlist.Options{ClockNs: m.Target.ClockNs})
	if err != nil {
		b.Fatal(err)
	}
	e := EstimateNetlist(n).Total
	b.ResetTimer()
	for range b.N {
		y := synthesizeNetlist(b, n, "jet_mlp")
		b.ReportMetric(float64(y.Total.LUT), "LUT")
		b.ReportMetric(float64(y.Total.FF), "FF")
		b.ReportMetric(float64(y.Total.DSP), "DSP")
		b.ReportMetric(float64(y.Total.Carry), "CARRY4")
	}
	b.ReportMetric(float64(e.LUT), "est-LUT")
	b.ReportMetric(float64(e.FF), "est-FF")
	b.ReportMetric(float64(e.DSP), "est-DSP")
	b.ReportMetric(float64(n.Latency()), "cycles")
}
