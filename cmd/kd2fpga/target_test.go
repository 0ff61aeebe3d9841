package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/models"
	"kd2fpga/sim"
)

// TestConvertLatencyBudget sets the latency budget from the command line,
// below and above the design's latency: convert says whether it is met,
// and the project's model copy carries the budget, for report to check.
func TestConvertLatencyBudget(t *testing.T) {
	first := convertForTest(t, example("sigmoid_tanh"), 2)
	s, err := sim.ReadSummary(first)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		budget float64
		want   string
	}{
		{s.LatencyNs - 1, fmt.Sprintf("latency budget %g ns: NOT met, 1 ns over", s.LatencyNs-1)},
		{s.LatencyNs + 2.5, fmt.Sprintf("latency budget %g ns: met, 2.5 ns to spare", s.LatencyNs+2.5)},
	} {
		out := filepath.Join(t.TempDir(), "p")
		told, err := runApp(t, "convert", "--model", example("sigmoid_tanh"), "--out", out,
			"--vectors", "2", "--latency-budget-ns", fmt.Sprint(c.budget))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(told, c.want) {
			t.Errorf("budget %g: convert says\n%s\nwant %q", c.budget, told, c.want)
		}
		m, err := models.Load(filepath.Join(out, "model", "model.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		if m.Target.LatencyBudgetNs != c.budget {
			t.Errorf("the model copy has budget %g, want %g", m.Target.LatencyBudgetNs, c.budget)
		}
		rep, err := runApp(t, "report", out)
		if err != nil || !strings.Contains(rep, fmt.Sprintf("budget    %g ns", c.budget)) {
			t.Errorf("report: %v\n%s", err, rep)
		}
	}

	_, err = runApp(t, "convert", "--model", example("sigmoid_tanh"),
		"--out", filepath.Join(t.TempDir(), "p"), "--latency-budget-ns", "-3")
	if err == nil || !strings.Contains(err.Error(), "latency budget -3 ns") {
		t.Errorf("a negative budget: err = %v", err)
	}
}
