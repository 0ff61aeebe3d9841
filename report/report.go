package report

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strings"

	"kd2fpga/fixedpoint"
	"kd2fpga/hlsgen/netlist"
	"kd2fpga/quantize"
)

// Info is what a report knows of a design besides its plan and netlist:
// the target it was converted for.
type Info struct {
	Name     string  // the network's name
	Top      string  // the top module
	Part     string  // FPGA part
	ClockNs  float64 // the clock period the pipeline was scheduled for
	BudgetNs float64 // the latency budget; 0 when none is set
	Reuse    int     // the reuse factor
	Strategy string  // "latency" or "resource"
}

// Report is everything `kd2fpga report` says of a converted design: the
// timing at the target clock, the budget check, the analytic resource
// estimate per layer, and beside it whatever Yosys, Vivado and Vitis HLS
// figures are available. It marshals to JSON as is; every number in it
// is finite.
type Report struct {
	Info
	// Device is the part's device, nil when kd2fpga does not know it (the
	// percentages are then left out and Notes says why).
	Device *Device `json:",omitempty"`

	Latency       int     // cycles from in_valid to out_valid
	LatencyNs     float64 // Latency times the clock period
	II            int     // cycles between inputs
	ThroughputMHz float64 // inputs per microsecond: 1000 / (II * ClockNs)
	// Budget is the latency budget check, nil without a budget.
	Budget *BudgetCheck `json:",omitempty"`

	Layers []LayerReport
	// Control is the valid pipeline, which belongs to no layer.
	Control Resources
	// Estimate is the analytic estimate of the whole design, Percent its
	// share of the device (nil for an unknown device).
	Estimate Resources
	Percent  *Fractions `json:",omitempty"`

	Yosys  *YosysFigures  `json:",omitempty"`
	Vivado *VivadoFigures `json:",omitempty"`
	HLS    *HLSFigures    `json:",omitempty"`

	// Scan holds the rows of a reuse-factor scan, when one was made.
	Scan []ScanRow `json:",omitempty"`

	// Notes are sentences a reader needs to weigh the figures.
	Notes []string
}

// ScanRow is the design converted at one reuse factor.
type ScanRow struct {
	Reuse         int
	Latency       int
	LatencyNs     float64
	II            int
	ThroughputMHz float64
	// BudgetPass is nil without a budget.
	BudgetPass *bool `json:",omitempty"`
	Estimate   Resources
	Percent    *Fractions `json:",omitempty"`
	// Yosys is nil unless the scan synthesized each design.
	Yosys *Resources `json:",omitempty"`
}

// Row returns r summarized as a row of a reuse scan.
func (r *Report) Row() ScanRow {
	row := ScanRow{
		Reuse: r.Reuse, Latency: r.Latency, LatencyNs: r.LatencyNs, II: r.II,
		ThroughputMHz: r.ThroughputMHz, Estimate: r.Estimate, Percent: r.Percent,
	}
	if r.Budget != nil {
		pass := r.Budget.Pass
		row.BudgetPass = &pass
	}
	if r.Yosys != nil {
		y := r.Yosys.Total
		row.Yosys = &y
	}
	return row
}

// BudgetCheck compares the latency with the budget.
type BudgetCheck struct {
	BudgetNs float64
	Pass     bool
	// MarginNs is the budget less the latency: negative when it fails.
	MarginNs float64
}

// LayerReport is one layer of the design: its share of the latency, its
// estimated resources and the precision of its result.
type LayerReport struct {
	Name, Kind string
	// Cycles is the number of clock cycles the layer adds to the latency;
	// FirstStage and LastStage the pipeline stages its logic occupies
	// (-1 for wiring only).
	Cycles                int
	LatencyNs             float64
	FirstStage, LastStage int
	Multipliers, Adders   int
	Estimate              Resources
	Percent               *Fractions `json:",omitempty"`
	// Precision describes the formats of the layer's result, nil for
	// the buses' pseudo-layers; Accum those of its accumulators (dense,
	// scale and pooling layers).
	Precision *Precision `json:",omitempty"`
	Accum     *Precision `json:",omitempty"`
	// Weights compares the constant weights of a dense or scale layer
	// with their formats; nil for other layers.
	Weights *WeightProfile `json:",omitempty"`
}

// WeightProfile is the precision profile of a layer's weights: the bit
// weights their formats cover against those the weights use.
type WeightProfile struct {
	// Formats summarizes the weight formats, pruned weights left out.
	Formats *Precision
	// Nonzero counts the weights that are not zero, of Total. MSB and
	// LSB are the exponents of the highest and lowest set bits of their
	// magnitudes (0 when Nonzero is 0): the weights use the bit weights
	// 2^LSB .. 2^MSB of the Formats.MSB .. Formats.LSB span, whose top is
	// the sign bit.
	Nonzero, Total int
	MSB, LSB       int
}

// Precision summarizes the fixed-point formats of a tensor: the span of
// bit weights its words cover and the range of values they can hold.
type Precision struct {
	Formats []string // the distinct formats, as ap_fixed spells them
	// MSB and LSB are the exponents of the weights of the highest and
	// lowest bits over all formats: a word covers 2^LSB .. 2^MSB.
	MSB, LSB int
	MaxWidth int
	// Min and Max are the smallest and largest values any of the formats
	// holds.
	Min, Max float64
}

// YosysFigures are Yosys' figures for the whole design.
type YosysFigures struct {
	Version     string
	Total       Resources
	Percent     *Fractions `json:",omitempty"`
	LongestPath int        // cells on the longest path; -1 when not computed
	Warnings    int        // Yosys' warnings
	Undriven    int        // of which about wires read but never driven
	// Modules holds per-module figures when the design was synthesized
	// with its hierarchy (kd2fpga's Verilog is one module today).
	Modules map[string]Resources `json:",omitempty"`
}

// VivadoFigures are the figures of Vivado's reports.
type VivadoFigures struct {
	State   string // "Routed", "Synthesized" ...
	Device  string
	Used    Resources
	Percent *Fractions `json:",omitempty"`
	// Timing is nil when no timing summary was read.
	Timing *VivadoTiming `json:",omitempty"`
}

// VivadoTiming is the part of report_timing_summary a report shows.
// Pointers are nil where Vivado printed NA.
type VivadoTiming struct {
	Met      bool
	ClockNs  float64
	WNSns    *float64 `json:",omitempty"`
	WHSns    *float64 `json:",omitempty"`
	Failing  int      // failing setup endpoints
	FmaxMHz  *float64 `json:",omitempty"`
	Achieved bool     // whether the report's clock is the target clock
}

// HLSFigures are Vitis HLS's estimates from csynth.xml.
type HLSFigures struct {
	Top                    string
	BestLatency            int // cycles; -1 when undefined
	WorstLatency           int
	IntervalMin            int
	IntervalMax            int
	EstimatedClockNs       float64
	Used                   Resources
	Percent                *Fractions `json:",omitempty"`
	BestNs, WorstNs        float64    // the latencies at the target clock
	LatencyDiffersFromRTL  bool
	IntervalDiffersFromRTL bool
}

// New builds the report of the scheduled netlist n that was made from
// plan p (which may be nil: the layers then have no precision). It
// estimates the resources per layer, checks the budget and looks the
// device up.
func New(info Info, p *quantize.Plan, n *netlist.Netlist) *Report {
	r := &Report{Info: info, Latency: n.Latency(), II: n.II()}
	r.LatencyNs = float64(r.Latency) * info.ClockNs
	if info.ClockNs > 0 {
		r.ThroughputMHz = 1000 / (float64(r.II) * info.ClockNs)
	}
	if info.BudgetNs > 0 {
		r.Budget = &BudgetCheck{
			BudgetNs: info.BudgetNs,
			Pass:     r.LatencyNs <= info.BudgetNs,
			MarginNs: info.BudgetNs - r.LatencyNs,
		}
	}
	if d, ok := LookupDevice(info.Part); ok {
		r.Device = &d
	} else {
		r.note("part %q is not in kd2fpga's device table: percentages of the device "+
			"are left out", info.Part)
	}

	// the estimate, layer by layer
	e := EstimateNetlist(n)
	for i, l := range e.Layers {
		lr := LayerReport{
			Name: l.Name, Kind: l.Kind, Cycles: l.Cycles,
			LatencyNs:  float64(l.Cycles) * info.ClockNs,
			FirstStage: l.FirstStage, LastStage: l.LastStage,
			Multipliers: l.Multipliers, Adders: l.Adders,
			Estimate: l.Resources, Percent: r.percent(l.Resources),
		}
		if p != nil {
			lr.Precision, lr.Accum, lr.Weights = layerPrecision(p, n, i)
		}
		r.Layers = append(r.Layers, lr)
	}
	r.Control, r.Estimate = e.Control, e.Total
	r.Percent = r.percent(e.Total)
	if r.Percent != nil {
		if over := overflows(*r.Percent); over != "" {
			r.note("the estimate needs more than the %s has (%s of it): the design "+
				"does not fit the part", r.Device.Name, over)
		}
	}
	if hasROM(n) {
		r.note("the estimate builds every lookup table from LUTs; Yosys and Vivado may " +
			"put large ones in block RAM (BRAM) instead")
	}
	if r.Estimate.DSP > 0 {
		r.note("kd2fpga's Verilog spells a constant multiplication as a product; Yosys " +
			"maps every one whose product has 9 bits or more, and whose constant is not " +
			"a power of two, to DSP48E2 slices")
	}
	return r
}

// overflows lists the resources of which f uses more than all, as in
// "LUT 133%, DSP 551%", or returns "".
func overflows(f Fractions) string {
	var over []string
	for _, x := range []struct {
		name string
		f    float64
	}{{"LUT", f.LUT}, {"FF", f.FF}, {"DSP", f.DSP}, {"BRAM", f.BRAM}} {
		if x.f > 1 { // NaN, an unknown size, is not
			over = append(over, fmt.Sprintf("%s %.0f%%", x.name, 100*x.f))
		}
	}
	return strings.Join(over, ", ")
}

// hasROM reports whether n holds a lookup table.
func hasROM(n *netlist.Netlist) bool {
	for _, m := range n.Nodes {
		if m.Kind == netlist.KROM {
			return true
		}
	}
	return false
}

// note adds a sentence to the notes.
func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// percent returns x as fractions of the device, nil for an unknown one.
func (r *Report) percent(x Resources) *Fractions {
	if r.Device == nil {
		return nil
	}
	f := x.Fraction(r.Device.Resources)
	return &f
}

// layerPrecision returns the precision of the result and of the
// accumulators of netlist layer i, and the profile of its weights; the
// layer is plan op i-1 when the names agree (layer 0 is the input bus).
func layerPrecision(p *quantize.Plan, n *netlist.Netlist, i int) (res, acc *Precision,
	w *WeightProfile) {
	name := n.Layers[i].Name
	if i == 0 && name == "input" {
		return precisionOf(p.Input.Formats), nil, nil
	}
	if i-1 < 0 || i-1 >= len(p.Ops) || p.Ops[i-1].Name != name {
		return nil, nil, nil
	}
	op := p.Ops[i-1]
	switch {
	case op.Dense != nil:
		acc = precisionOf(op.Dense.Accum)
		w = weightProfile(op.Dense)
	case op.Pool != nil:
		acc = precisionOf(op.Pool.Accum)
	}
	return precisionOf(op.Out.Formats), acc, w
}

// weightProfile returns the profile of the weights of d.
func weightProfile(d *quantize.DenseOp) *WeightProfile {
	wp := &WeightProfile{MSB: math.MinInt, LSB: math.MaxInt}
	var formats []fixedpoint.Format
	for j, row := range d.W {
		formats = append(formats, d.WFormat[j]...)
		for i, raw := range row {
			wp.Total++
			if raw == 0 {
				continue
			}
			wp.Nonzero++
			mag := uint64(raw)
			if raw < 0 {
				mag = -mag
			}
			frac := d.WFormat[j][i].Frac()
			wp.MSB = max(wp.MSB, bits.Len64(mag)-1-frac)
			wp.LSB = min(wp.LSB, bits.TrailingZeros64(mag)-frac)
		}
	}
	wp.Formats = precisionOf(formats)
	if wp.Nonzero == 0 {
		wp.MSB, wp.LSB = 0, 0
	}
	return wp
}

// precisionOf summarizes a list of formats.
func precisionOf(formats []fixedpoint.Format) *Precision {
	if len(formats) == 0 {
		return nil
	}
	pr := &Precision{MSB: math.MinInt, LSB: math.MaxInt, Min: math.Inf(1), Max: math.Inf(-1)}
	seen := map[string]bool{}
	for _, f := range formats {
		if f.Width == 0 {
			continue // a pruned element
		}
		if s := f.String(); !seen[s] {
			seen[s] = true
			pr.Formats = append(pr.Formats, s)
		}
		pr.MSB = max(pr.MSB, f.Int-1)
		pr.LSB = min(pr.LSB, -f.Frac())
		pr.MaxWidth = max(pr.MaxWidth, f.Width)
		pr.Min = math.Min(pr.Min, f.Min())
		pr.Max = math.Max(pr.Max, f.Max())
	}
	if len(pr.Formats) == 0 {
		return nil
	}
	sort.Strings(pr.Formats)
	return pr
}

// AddYosys adds Yosys' figures.
func (r *Report) AddYosys(y *YosysResult) {
	r.Yosys = &YosysFigures{
		Version: y.Version, Total: y.Total, Percent: r.percent(y.Total),
		LongestPath: y.LongestPath, Modules: y.Modules,
		Warnings: y.Warnings, Undriven: y.Undriven,
	}
	if y.Undriven > 0 {
		r.note("Yosys warned %d times that a wire bit is read but never driven: the "+
			"Verilog is incomplete, and Yosys removed the logic that depends on it, so its "+
			"figures are not those of the whole network", y.Undriven)
	}
	if len(y.Modules) <= 1 {
		r.note("Yosys figures are for the whole design: kd2fpga's Verilog is a single " +
			"module, so the per-layer figures are the analytic estimate only")
	}
	r.note("Yosys 0.23 has no CARRY8: its carry count is CARRY4 cells, about twice " +
		"Vivado's CARRY8 count for the same chains")
}

// AddVivado adds the figures of Vivado's utilization and timing reports;
// either may be nil.
func (r *Report) AddVivado(u *UtilizationReport, t *TimingReport) {
	v := &VivadoFigures{}
	if u != nil {
		v.State, v.Device, v.Used = u.State, u.Device, u.Used
		v.Percent = r.percent(u.Used)
		if d, ok := LookupDevice(u.Device); ok && r.Device != nil && d.Name != r.Device.Name {
			r.note("Vivado's report is for device %s, the target is %s", u.Device, r.Part)
		}
	}
	if t != nil {
		vt := &VivadoTiming{Met: t.Met(), Failing: t.SetupFailing,
			WNSns: finite(t.WNS), WHSns: finite(t.WHS), FmaxMHz: finite(t.FmaxMHz())}
		if len(t.Clocks) > 0 {
			vt.ClockNs = t.Clocks[0].PeriodNs
			vt.Achieved = math.Abs(vt.ClockNs-r.ClockNs) < 1e-6
			if !vt.Achieved {
				r.note("Vivado's clock is %g ns, the design was scheduled for %g ns",
					vt.ClockNs, r.ClockNs)
			}
		}
		v.Timing = vt
	}
	r.Vivado = v
}

// AddHLS adds Vitis HLS's estimates.
func (r *Report) AddHLS(h *HLSReport) {
	hf := &HLSFigures{
		Top: h.Top, BestLatency: h.BestLatency, WorstLatency: h.WorstLatency,
		IntervalMin: h.IntervalMin, IntervalMax: h.IntervalMax,
		Used: h.Used, Percent: r.percent(h.Used),
		BestNs:  float64(h.BestLatency) * r.ClockNs,
		WorstNs: float64(h.WorstLatency) * r.ClockNs,
	}
	if !math.IsNaN(h.EstimatedClockNs) {
		hf.EstimatedClockNs = h.EstimatedClockNs
	}
	hf.LatencyDiffersFromRTL = h.WorstLatency != r.Latency
	hf.IntervalDiffersFromRTL = h.IntervalMax != r.II
	if hf.LatencyDiffersFromRTL {
		r.note("Vitis HLS schedules its own pipeline: its latency (%s cycles) is not the "+
			"RTL's %d", latencyText(h.BestLatency, h.WorstLatency), r.Latency)
	}
	r.HLS = hf
}

// latencyText prints a latency range.
func latencyText(best, worst int) string {
	switch {
	case worst < 0:
		return fmt.Sprintf("%d..undefined", best)
	case best == worst:
		return fmt.Sprint(best)
	}
	return fmt.Sprintf("%d..%d", best, worst)
}

// finite returns a pointer to v, or nil when v is NaN or infinite.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
