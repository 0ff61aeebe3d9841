package main

import (
	"context"
	"path/filepath"
	"testing"

	"kd2fpga/internal/tools"
	"kd2fpga/sim"
)

// BenchmarkVerilatorJetMLP measures how many vectors per second the
// Verilator simulation of the 16-64-32-32-5 jet tagger runs, built with
// and without C++ optimization. The build happens before the timer
// starts; each iteration runs 100k vectors.
func BenchmarkVerilatorJetMLP(b *testing.B) {
	tools.Require(b, sim.Tools(sim.Verilator)...)
	dir := filepath.Join(b.TempDir(), "jet_mlp")
	if _, err := convert(convertConfig{Model: example("jet_mlp"), Out: dir, Vectors: 1, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	s, err := sim.ReadSummary(dir)
	if err != nil {
		b.Fatal(err)
	}
	vdir, _, err := regenerate(simulateConfig{Dir: dir, Vectors: n}, s)
	if err != nil {
		b.Fatal(err)
	}

	for _, optimize := range []bool{false, true} {
		name := "O0"
		if optimize {
			name = "Os"
		}
		b.Run(name, func(b *testing.B) {
			opts := sim.Options{VectorDir: vdir, Vectors: n, Optimize: optimize}
			r, err := sim.RunVerilator(context.Background(), dir, opts) // the build
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(r.Build.Seconds(), "build-s")
			b.ResetTimer()
			var run float64
			for range b.N {
				r, err := sim.RunVerilator(context.Background(), dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				run += r.Run.Seconds()
			}
			b.ReportMetric(float64(n*b.N)/run, "vectors/s")
		})
	}
}

// BenchmarkConvertPaperMLP measures convert on the published MLP student
// (512-512-512-2): load, quantize, lower, schedule, and write every file
// with 1000 vectors.
func BenchmarkConvertPaperMLP(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		out := filepath.Join(b.TempDir(), "mlp_paper", string(rune('a'+i%26)))
		if _, err := convert(convertConfig{Model: example("mlp_paper"), Out: out,
			Vectors: defaultVectors, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
