package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"kd2fpga/templates"
)

// htmlPage is what the HTML template prints; every string is formatted
// here.
type htmlPage struct {
	Name, Top             string
	Target, Latency       string
	Throughput            string
	Budget, BudgetVerdict string
	BudgetClass           string
	Sources               []htmlSource
	Details               []string
	Layers                []htmlLayer
	Plots                 []htmlPlot
	ScanHead              []string   // the reuse scan's header
	Scan                  [][]string // and rows
	Notes                 []string
}

type htmlSource struct {
	Name, ShareName             string
	LUT, FF, DSP, LUTRAM, Carry int
	BRAM                        string
	Share                       *htmlShare
}

type htmlShare struct{ LUT, FF, DSP, BRAM string }

type htmlLayer struct {
	Name, Kind, Ns, Result string
	Cycles, LUT, FF, DSP   int
	Mult, Add              int
}

// htmlPlot is an image's attributes: alt, and src as a data URI holding
// the PNG. They are printed as they are, so that the base64 text is not
// entity-escaped; the alt texts are constants of this file.
type htmlPlot struct {
	Attrs template.HTMLAttr
}

// WriteHTML writes r as one self-contained HTML page: inline CSS, the
// plots embedded as PNG data URIs, no link to anything outside the page.
func WriteHTML(w io.Writer, r *Report) error {
	pg := &htmlPage{
		Name: r.Name, Top: r.Top,
		Target: fmt.Sprintf("%s, clock %s ns (%s MHz), reuse %d, strategy %s",
			partText(r), num(r.ClockNs), num(1000/r.ClockNs), r.Reuse, r.Strategy),
		Latency: fmt.Sprintf("%d cycles = %s ns", r.Latency, num(r.LatencyNs)),
		Throughput: fmt.Sprintf("II %d: %s million inputs per second", r.II,
			num(r.ThroughputMHz)),
		Budget: budgetText(r.Budget),
		Notes:  r.Notes,
	}
	if b := r.Budget; b != nil {
		pg.BudgetVerdict, pg.BudgetClass = "FAIL", "fail"
		pg.Budget = fmt.Sprintf("%s ns budget, over by %s ns", num(b.BudgetNs), num(-b.MarginNs))
		if b.Pass {
			pg.BudgetVerdict, pg.BudgetClass = "PASS", "pass"
			pg.Budget = fmt.Sprintf("%s ns budget, margin %s ns", num(b.BudgetNs),
				num(b.MarginNs))
		}
	}

	// the resource table, one source a row
	source := func(name string, x Resources, f *Fractions) {
		s := htmlSource{Name: name, LUT: x.LUT, FF: x.FF, DSP: x.DSP, LUTRAM: x.LUTRAM,
			Carry: x.Carry, BRAM: formatBRAM(x.BRAM)}
		if f != nil {
			s.ShareName = "% of " + r.Device.Name
			s.Share = &htmlShare{pct(f.LUT), pct(f.FF), pct(f.DSP), pct(f.BRAM)}
		}
		pg.Sources = append(pg.Sources, s)
	}
	source("analytic estimate", r.Estimate, r.Percent)
	if y := r.Yosys; y != nil {
		source("Yosys "+yosysVersion(y.Version), y.Total, y.Percent)
		if y.LongestPath >= 0 {
			pg.Details = append(pg.Details, fmt.Sprintf("Yosys longest path: %d cells "+
				"(LUTs and CARRY4 alike).", y.LongestPath))
		}
	}
	if v := r.Vivado; v != nil {
		if v.Device != "" {
			source("Vivado, "+strings.ToLower(v.State), v.Used, v.Percent)
		}
		if v.Timing != nil {
			pg.Details = append(pg.Details, "Vivado timing: "+timingText(v.Timing)+".")
		}
	}
	if h := r.HLS; h != nil {
		source("Vitis HLS estimate", h.Used, h.Percent)
		pg.Details = append(pg.Details, fmt.Sprintf("Vitis HLS: latency %s cycles, "+
			"II %s, estimated clock %s ns.", latencyText(h.BestLatency, h.WorstLatency),
			latencyText(h.IntervalMin, h.IntervalMax), num(h.EstimatedClockNs)))
	}

	// the layers
	for _, l := range r.Layers {
		pg.Layers = append(pg.Layers, htmlLayer{
			Name: l.Name, Kind: l.Kind, Ns: num(l.LatencyNs), Result: precisionText(l.Precision),
			Cycles: l.Cycles, LUT: l.Estimate.LUT, FF: l.Estimate.FF, DSP: l.Estimate.DSP,
			Mult: l.Multipliers, Add: l.Adders,
		})
	}

	// the reuse scan
	if len(r.Scan) > 0 {
		rows := scanTable(r.Scan)
		pg.ScanHead, pg.Scan = rows[0], rows[1:]
	}

	// the plots
	plots := []struct {
		alt  string
		draw func(*Report) ([]byte, error)
	}{
		{"estimated resources per layer", ResourcesPlot},
		{"latency breakdown per layer", LatencyPlot},
		{"precision profile of each layer's result", PrecisionPlot},
		{"precision profile of each layer's weights", WeightsPlot},
	}
	for _, pl := range plots {
		png, err := pl.draw(r)
		if err != nil {
			return err
		}
		if png == nil {
			continue // nothing to draw
		}
		attrs := fmt.Sprintf(`alt="%s" src="data:image/png;base64,%s"`, pl.alt,
			base64.StdEncoding.EncodeToString(png))
		pg.Plots = append(pg.Plots, htmlPlot{Attrs: template.HTMLAttr(attrs)})
	}

	t, err := template.ParseFS(templates.FS, "report/report.html.tmpl")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, pg); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// yosysVersion shortens "Yosys 0.23 (git sha1 ...)" to "0.23".
func yosysVersion(v string) string {
	f := strings.Fields(v)
	if len(f) >= 2 && f[0] == "Yosys" {
		return f[1]
	}
	return v
}
