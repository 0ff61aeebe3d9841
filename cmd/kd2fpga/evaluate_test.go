package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/metrics"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// labeledData writes n random samples for the model at path with labels
// y (class indices) into dir/data.npz and returns its path, the model,
// the inputs and the labels.
func labeledData(t *testing.T, dir, path string, n int, oneHot bool) (string, *models.Model,
	[]float64, []int) {
	t.Helper()
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	x := randomInputs(m, n, 2)
	labels := make([]int, n)
	y := make([]float64, n)
	hot := make([][]float64, n)
	for i := range labels {
		labels[i] = (i * 7) % 2
		y[i] = float64(labels[i])
		hot[i] = []float64{1 - y[i], y[i]}
	}
	data := filepath.Join(dir, "data.npz")
	arrays := map[string]any{"x": shaped(x, n, m.Input.Shape), "y": y}
	if oneHot {
		arrays["y"] = hot
	}
	writeNPZFile(t, data, arrays)
	return data, m, x, labels
}

func TestEvaluateCommand(t *testing.T) {
	for _, oneHot := range []bool{false, true} {
		dir := t.TempDir()
		data, m, x, labels := labeledData(t, dir, example("deepset_small"), 300, oneHot)
		stdout, err := runApp(t, "evaluate", "--model", example("deepset_small"), "--data", data, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Samples, Classes int
			Float, Fixed     struct {
				Accuracy, AUC float64
				Rejection30   any `json:"rejection_30"`
			}
			ArgmaxAgreement float64 `json:"argmax_agreement"`
			Layers          []struct{ Op string }
		}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}

		// the same figures from the libraries.
		p, _ := quantize.Build(m)
		res, _ := p.Emulate(x, len(labels), quantize.Options{})
		fixed, _ := metrics.Summarize(res.Y, 2, metrics.Probabilities, labels)
		float, _ := metrics.Summarize(quantize.Float(m, x, len(labels)), 2, metrics.Probabilities, labels)
		if r.Samples != 300 || r.Classes != 2 || r.Fixed.Accuracy != fixed.Accuracy ||
			r.Fixed.AUC != fixed.AUC ||
			r.Float.AUC != float.AUC || r.Float.Rejection30 == nil || len(r.Layers) != len(p.Ops) {
			t.Errorf("one-hot %v: report %+v\nwant fixed %+v float %+v", oneHot, r, fixed, float)
		}
	}
}

// TestEvaluateReportsOverflows evaluates a model built to saturate one
// accumulator and wants the text report to name it with the count.
func TestEvaluateReportsOverflows(t *testing.T) {
	// x = 1 in four features; fc1 (weights 0.5) gives 2.0 per output;
	// fc2 (weights 1, accumulator ap_fixed<8,3,AP_TRN,AP_SAT>) sums four
	// 2.0 products to 8, beyond 3.97: one saturation per output and
	// sample, 2 * 10 in all.
	f := fixedpoint.Fixed(8, 4)
	acc := fixedpoint.Fixed(8, 3)
	acc.Overflow = fixedpoint.Sat
	spec := func(f fixedpoint.Format) models.Spec { return models.Spec{Set: true, Format: f} }
	half := make([][]float64, 4)
	for j := range half {
		half[j] = []float64{.5, .5, .5, .5}
	}
	m := &models.Model{Name: "saturating", Layout: models.PyTorch,
		Target: models.Target{Part: models.DefaultPart, ClockNs: models.DefaultClockNs, Reuse: 1,
			Strategy: models.DefaultStrategy, Particles: models.DefaultParticles},
		Input: models.Input{Name: "x", Shape: []int{4}, Type: spec(f)},
		Precision: models.Precision{Weight: spec(f), Bias: spec(f), Result: spec(f),
			Accum: models.Spec{Set: true, Auto: true}},
		Layers: []*models.Layer{
			{Name: "fc1", Kind: models.Dense, Input: "x", Units: 4, Weight: half, Bias: make([]float64, 4)},
			{Name: "fc2", Kind: models.Dense, Input: "fc1", Units: 2, Weight: [][]float64{{1, 1, 1,
				1}, {1, 1, 1, 1}},
				Bias: []float64{0, 0}, Precision: models.Precision{Accum: spec(acc)}},
		},
		Output: "fc2",
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.hcl")
	if err := models.Save(m, path); err != nil {
		t.Fatal(err)
	}
	x := make([][]float64, 10)
	y := make([]float64, 10)
	for i := range x {
		x[i] = []float64{1, 1, 1, 1}
		y[i] = float64(i % 2)
	}
	data := filepath.Join(dir, "data.npz")
	writeNPZFile(t, data, map[string]any{"x": x, "y": y})
	stdout, err := runApp(t, "evaluate", "--model", path, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var fc2 string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "fc2") {
			fc2 = line
		}
	}
	if fields := strings.Fields(fc2); len(fields) != 5 || fields[1] != "20" || fields[2] != "0" {
		t.Errorf("no line 'fc2 20 0 0 0' in\n%s", stdout)
	}
	// both outputs are equal in every sample: the scores tie, AUC 1/2.
	if !strings.Contains(stdout, "fixed point     0.5000    0.5000") {
		t.Errorf("fixed-point scores not found in\n%s", stdout)
	}
}

func TestEvaluateRejectsBadLabels(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.npz")
	writeNPZFile(t, data, map[string]any{"x": [][]float64{make([]float64, 16), make([]float64, 16)},
		"y": []float64{0.5, 1}})
	_, err := runApp(t, "evaluate", "--model", example("jet_mlp"), "--data", data)
	if err == nil || !strings.Contains(err.Error(), "label y[0] = 0.5 is not a class index") {
		t.Errorf("error %v", err)
	}
}
