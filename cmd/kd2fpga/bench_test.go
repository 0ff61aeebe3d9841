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
// and without C++ optimization. Each level is built once, before its
// timer starts (build-s is that build's wall time, build-cpu-s its CPU
// time with the compilers'); each iteration runs 100k vectors.
// vectors/s is over the simulator's wall time, vectors/cpu-s over its
// CPU time, which is what it costs on a machine shared with other work.
func BenchmarkVerilatorJetMLP(b *testing.B) {
	tools.Require(b, sim.Tools(sim.Verilator)...)
	dir := filepath.Join(b.TempDir(), "jet_mlp")
	if _, err := convert(convertConfig{Model: example("jet_mlp"), Out: dir, Vectors: 1,
		Seed: 1}); err != nil {
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
		// the build, here because b.Run may call its function more than
		// once and a second build finds nothing to do
		opts := sim.Options{VectorDir: vdir, Vectors: n, Optimize: optimize}
		r, err := sim.RunVerilator(context.Background(), dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		build, buildCPU := r.Build.Seconds(), r.BuildCPU.Seconds()
		b.Run(name, func(b *testing.B) {
			var run, cpu float64
			for range b.N {
				r, err := sim.RunVerilator(context.Background(), dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				run += r.Run.Seconds()
				cpu += r.RunCPU.Seconds()
			}
			b.ReportMetric(build, "build-s")
			b.ReportMetric(buildCPU, "build-cpu-s")
			b.ReportMetric(float64(n*b.N)/run, "vectors/s")
			if cpu > 0 {
				b.ReportMetric(float64(n*b.N)/cpu, "vectors/cpu-s")
			}
		})
	}
}

// BenchmarkConvertPaperMLP measures convert on the published MLP student
// (512-512-512-2): load, quantize, lower, schedule, and write every file
// with 1000 vectors. Besides the time and the bytes allocated it reports
// the process's peak resident memory, which is the convert's own when
// the benchmark runs alone (-run '^$' -bench ConvertPaperMLP).
func BenchmarkConvertPaperMLP(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		out := filepath.Join(b.TempDir(), "mlp_paper", string(rune('a'+i%26)))
		if _, err := convert(convertConfig{Model: example("mlp_paper"), Out: out,
			Vectors: defaultVectors, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
}
