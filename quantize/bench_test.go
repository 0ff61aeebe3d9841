package quantize

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// jetMLP returns the hls4ml jet-tagging benchmark network, 16-64-32-32-5
// with ReLU and a softmax, all in ap_fixed<16,6>, with random weights of
// a trained network's scale and the accumulator precision accum.
func jetMLP(r *rand.Rand, accum models.Spec) *models.Model {
	f := models.Spec{Set: true, Format: fixedpoint.Fixed(16, 6)}
	m := &models.Model{
		Name:      "jet_mlp",
		Input:     models.Input{Name: "x", Shape: []int{16}, Type: f},
		Precision: models.Precision{Weight: f, Bias: f, Result: f, Accum: accum},
	}
	prev, in := "x", 16
	for k, units := range []int{64, 32, 32, 5} {
		d := &models.Layer{Name: fmt.Sprintf("fc%d", k+1), Kind: models.Dense, Input: prev, Units: units,
			Weight: make([][]float64, units), Bias: make([]float64, units)}
		for j := range d.Weight {
			d.Weight[j] = make([]float64, in)
			for i := range d.Weight[j] {
				d.Weight[j][i] = r.NormFloat64() * 0.3
			}
			d.Bias[j] = r.NormFloat64() * 0.1
		}
		m.Layers = append(m.Layers, d)
		prev, in = d.Name, units
		act := &models.Layer{Name: fmt.Sprintf("relu%d", k+1), Kind: models.ReLU, Input: prev}
		if units == 5 {
			act = &models.Layer{Name: "softmax", Kind: models.Softmax, Input: prev}
		}
		m.Layers = append(m.Layers, act)
		prev = act.Name
	}
	m.Output = prev
	return m
}

// BenchmarkEmulateJetMLP measures single-core emulation of the jet MLP,
// with automatic and with ap_fixed<16,6> accumulators, and with
// statistics on.
func BenchmarkEmulateJetMLP(b *testing.B) {
	cases := []struct {
		name  string
		accum models.Spec
		stats bool
	}{
		{"accum=auto", models.Spec{Set: true, Auto: true}, false},
		{"accum=16,6", models.Spec{Set: true, Format: fixedpoint.Fixed(16, 6)}, false},
		{"accum=auto/stats", models.Spec{Set: true, Auto: true}, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 5))
			p, err := Build(jetMLP(r, c.accum))
			if err != nil {
				b.Fatal(err)
			}
			const n = 1000
			x := make([]float64, n*16)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			// one worker runs in this goroutine: pinned to its thread, the
			// thread's CPU time is the emulation's.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			samples := 0
			cpu0, cpuOK := threadCPUSeconds()
			for b.Loop() {
				if _, err := p.Emulate(x, n, Options{Workers: 1, Stats: c.stats}); err != nil {
					b.Fatal(err)
				}
				samples += n
			}
			b.ReportMetric(float64(samples)/b.Elapsed().Seconds(), "inferences/s")
			// on a busy machine wall time overstates the cost; the
			// thread's CPU time does not.
			if cpu1, ok := threadCPUSeconds(); ok && cpuOK && cpu1 > cpu0 {
				b.ReportMetric(float64(samples)/(cpu1-cpu0), "inferences/cpu-s")
			}
		})
	}
}
