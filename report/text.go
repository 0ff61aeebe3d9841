package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes r as indented JSON with a final newline.
func WriteJSON(w io.Writer, r *Report) error {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}

// WriteText writes r as the plain-text summary a terminal shows: the
// timing and the budget check first, then the resource table (estimate,
// Yosys, Vivado, Vitis HLS, each with its share of the device), the
// layers, and the notes.
func WriteText(w io.Writer, r *Report) error {
	var b bytes.Buffer

	// the design and the timing
	fmt.Fprintf(&b, "%s (top %s)\n", r.Name, r.Top)
	fmt.Fprintf(&b, "  target    %s, clock %s ns (%s MHz), reuse %d, strategy %s\n",
		partText(r), num(r.ClockNs), num(1000/r.ClockNs), r.Reuse, r.Strategy)
	fmt.Fprintf(&b, "  latency   %d cycles = %s ns\n", r.Latency, num(r.LatencyNs))
	fmt.Fprintf(&b, "  II        %d cycle%s: %s million inputs per second\n",
		r.II, plural(r.II), num(r.ThroughputMHz))
	fmt.Fprintf(&b, "  budget    %s\n", budgetText(r.Budget))

	// the resources, one row per source
	b.WriteString("\nresources\n")
	res := [][]string{{"source", "LUT", "FF", "DSP", "BRAM", "LUTRAM", "carry"}}
	row := func(name string, x Resources, pc *Fractions) {
		res = append(res, []string{name, fmt.Sprint(x.LUT), fmt.Sprint(x.FF),
			fmt.Sprint(x.DSP), formatBRAM(x.BRAM), fmt.Sprint(x.LUTRAM), fmt.Sprint(x.Carry)})
		if pc != nil {
			res = append(res, []string{"  % of " + r.Device.Name, pct(pc.LUT), pct(pc.FF),
				pct(pc.DSP), pct(pc.BRAM), "", ""})
		}
	}
	row("estimate", r.Estimate, r.Percent)
	if y := r.Yosys; y != nil {
		row("yosys", y.Total, y.Percent)
	}
	if v := r.Vivado; v != nil && v.Device != "" {
		row("vivado "+strings.ToLower(v.State), v.Used, v.Percent)
	}
	if h := r.HLS; h != nil {
		row("vitis hls", h.Used, h.Percent)
	}
	writeTable(&b, res, true)
	if y := r.Yosys; y != nil && y.LongestPath >= 0 {
		fmt.Fprintf(&b, "  yosys longest path: %d cells (LUTs and CARRY4 alike)\n", y.LongestPath)
	}
	if v := r.Vivado; v != nil && v.Timing != nil {
		fmt.Fprintf(&b, "  vivado timing: %s\n", timingText(v.Timing))
	}
	if h := r.HLS; h != nil {
		fmt.Fprintf(&b, "  vitis hls: latency %s cycles, II %s, estimated clock %s ns\n",
			latencyText(h.BestLatency, h.WorstLatency),
			latencyText(h.IntervalMin, h.IntervalMax), num(h.EstimatedClockNs))
	}

	// the layers
	b.WriteString("\nlayers (analytic estimate)\n")
	lay := [][]string{{"layer", "kind", "cycles", "LUT", "FF", "DSP", "mult", "add", "result"}}
	for _, l := range r.Layers {
		lay = append(lay, []string{l.Name, l.Kind, fmt.Sprint(l.Cycles),
			fmt.Sprint(l.Estimate.LUT), fmt.Sprint(l.Estimate.FF), fmt.Sprint(l.Estimate.DSP),
			fmt.Sprint(l.Multipliers), fmt.Sprint(l.Adders), precisionText(l.Precision)})
	}
	lay = append(lay, []string{"valid pipeline", "", "", fmt.Sprint(r.Control.LUT),
		fmt.Sprint(r.Control.FF), fmt.Sprint(r.Control.DSP), "", "", ""})
	writeTable(&b, lay, true, true, false, false, false, false, false, false, true)

	if len(r.Scan) > 0 {
		b.WriteString("\nreuse scan\n")
		writeTable(&b, scanTable(r.Scan), true)
	}

	if len(r.Notes) > 0 {
		b.WriteString("\nnotes\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// scanTable returns the rows of a reuse scan as text, with a header.
func scanTable(scan []ScanRow) [][]string {
	rows := [][]string{{"reuse", "latency", "ns", "II", "Minputs/s", "budget",
		"LUT", "FF", "DSP", "yosys LUT", "yosys FF", "yosys DSP"}}
	for _, s := range scan {
		budget := "-"
		if s.BudgetPass != nil {
			budget = "FAIL"
			if *s.BudgetPass {
				budget = "PASS"
			}
		}
		row := []string{fmt.Sprint(s.Reuse), fmt.Sprint(s.Latency), num(s.LatencyNs),
			fmt.Sprint(s.II), num(s.ThroughputMHz), budget, fmt.Sprint(s.Estimate.LUT),
			fmt.Sprint(s.Estimate.FF), fmt.Sprint(s.Estimate.DSP), "-", "-", "-"}
		if y := s.Yosys; y != nil {
			row[9], row[10], row[11] = fmt.Sprint(y.LUT), fmt.Sprint(y.FF), fmt.Sprint(y.DSP)
		}
		rows = append(rows, row)
	}
	return rows
}

// writeTable prints rows as columns two spaces apart, indented by two;
// the columns whose left entry is true are aligned left, the others (the
// numbers) right.
func writeTable(b *bytes.Buffer, rows [][]string, left ...bool) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			if i < len(left) && left[i] {
				fmt.Fprintf(&line, "  %-*s", widths[i], c)
			} else {
				fmt.Fprintf(&line, "  %*s", widths[i], c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// partText names the part and, when known, its family.
func partText(r *Report) string {
	if r.Device == nil {
		return r.Part + " (unknown device)"
	}
	return fmt.Sprintf("%s (%s)", r.Part, r.Device.Family)
}

// budgetText says whether the latency fits the budget.
func budgetText(c *BudgetCheck) string {
	if c == nil {
		return "none set (latency_budget_ns in the model's target block)"
	}
	if c.Pass {
		return fmt.Sprintf("%s ns: PASS, margin %s ns", num(c.BudgetNs), num(c.MarginNs))
	}
	return fmt.Sprintf("%s ns: FAIL, over by %s ns", num(c.BudgetNs), num(-c.MarginNs))
}

// timingText summarizes Vivado's timing.
func timingText(t *VivadoTiming) string {
	s := "constraints not met"
	if t.Met {
		s = "constraints met"
	}
	if t.WNSns != nil {
		s += fmt.Sprintf(", WNS %s ns", num(*t.WNSns))
	}
	if t.ClockNs > 0 {
		s += fmt.Sprintf(" at %s ns", num(t.ClockNs))
	}
	if t.FmaxMHz != nil {
		s += fmt.Sprintf(", Fmax about %s MHz", num(*t.FmaxMHz))
	}
	if t.Failing > 0 {
		s += fmt.Sprintf(", %d failing endpoints", t.Failing)
	}
	return s
}

// precisionText prints a layer's result format compactly.
func precisionText(p *Precision) string {
	if p == nil {
		return ""
	}
	if len(p.Formats) == 1 {
		return p.Formats[0]
	}
	return fmt.Sprintf("%d formats, bits 2^%d..2^%d", len(p.Formats), p.LSB, p.MSB)
}

// num prints a number with at most three decimals and no trailing zeros.
func num(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// pct prints a fraction as a percentage.
func pct(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
