package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// UtilizationReport is what Vivado's report_utilization says a design
// uses, read from the text report.
type UtilizationReport struct {
	Design string // the top module, from the "Design" header line
	Device string // the part, from the "Device" header line
	State  string // "Synthesized", "Placed", "Routed" ...
	// Used holds the "Used" column; Available the "Available" one (the
	// device's resources less prohibited sites). Available.LUTRAM is the
	// number of LUTs that can be memory.
	Used, Available Resources
}

// utilRow is one row of a "Site Type" table.
type utilRow struct {
	line            int
	used, available string
}

// The rows ParseUtilization reads: each resource is named one way in
// UltraScale and UltraScale+ reports and another in 7-series ones, and
// lives in the table named by the last field (for messages).
var utilRows = []struct {
	names    []string
	required bool
	table    string
	set      func(r *Resources, v float64)
}{
	{[]string{"CLB LUTs", "Slice LUTs"}, true, "slice logic",
		func(r *Resources, v float64) { r.LUT = int(v) }},
	{[]string{"CLB Registers", "Slice Registers"}, true, "slice logic",
		func(r *Resources, v float64) { r.FF = int(v) }},
	{[]string{"LUT as Memory"}, false, "slice logic",
		func(r *Resources, v float64) { r.LUTRAM = int(v) }},
	{[]string{"CARRY8", "CARRY4"}, false, "slice logic",
		func(r *Resources, v float64) { r.Carry = int(v) }},
	{[]string{"Block RAM Tile"}, true, "block RAM",
		func(r *Resources, v float64) { r.BRAM = v }},
	{[]string{"DSPs"}, true, "arithmetic",
		func(r *Resources, v float64) { r.DSP = int(v) }},
}

// headerLine matches a "| Key : value" line of a Vivado report header.
var headerLine = regexp.MustCompile(`^\|\s*([A-Za-z ]+?)\s*:\s*(.*?)\s*$`)

// ParseUtilization reads the text of Vivado's report_utilization (not the
// -hierarchical form) from r; name is used in error messages. It takes
// the first "CLB LUTs", "CLB Registers", "LUT as Memory", "CARRY8",
// "Block RAM Tile" and "DSPs" rows of the "Site Type" tables (the 7-series
// names "Slice LUTs", "Slice Registers" and "CARRY4" are accepted too) and
// fails, naming the row, when a required one is missing or unreadable.
func ParseUtilization(name string, r io.Reader) (*UtilizationReport, error) {
	rep := &UtilizationReport{}
	rows := map[string]utilRow{}
	var cols map[string]int // column indexes of the current table, or nil
	tables := 0

	// scan the header lines and every "Site Type" table
	sc := newScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case strings.HasPrefix(line, "+"):
			continue // table rule
		case !strings.HasPrefix(line, "|"):
			cols = nil // a table ends at the first line that is not one
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			if m := headerLine.FindStringSubmatch(line); m != nil {
				switch m[1] {
				case "Design":
					rep.Design = m[2]
				case "Device":
					rep.Device = m[2]
				case "Design State":
					rep.State = m[2]
				}
			}
			continue
		}
		cells = cells[1 : len(cells)-1]
		if strings.TrimSpace(cells[0]) == "Site Type" {
			cols = map[string]int{}
			for i, c := range cells {
				cols[strings.TrimSpace(c)] = i
			}
			tables++
			continue
		}
		if cols == nil {
			continue
		}
		row := strings.TrimSuffix(strings.TrimSpace(cells[0]), "*")
		if _, seen := rows[row]; seen {
			continue
		}
		rows[row] = utilRow{
			line:      n,
			used:      cell(cells, cols, "Used"),
			available: cell(cells, cols, "Available"),
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	if tables == 0 {
		return nil, fmt.Errorf("%s: no \"Site Type\" table: not the text of "+
			"Vivado's report_utilization", name)
	}

	// read the rows the report needs
	for _, want := range utilRows {
		row, found := utilRow{}, ""
		for _, rn := range want.names {
			if rw, ok := rows[rn]; ok {
				row, found = rw, rn
				break
			}
		}
		if found == "" {
			if want.required {
				return nil, fmt.Errorf("%s: no %q row in the %s table",
					name, want.names[0], want.table)
			}
			continue
		}
		used, err := parseCount(row.used)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q row: used count %q is not a number",
				name, row.line, found, row.used)
		}
		want.set(&rep.Used, used)
		if row.available != "" {
			avail, err := parseCount(row.available)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %q row: available count %q is not a number",
					name, row.line, found, row.available)
			}
			want.set(&rep.Available, avail)
		}
	}
	return rep, nil
}

// cell returns the trimmed cell of column col, or "" when the table has
// no such column or the row is short.
func cell(cells []string, cols map[string]int, col string) string {
	i, ok := cols[col]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// parseCount reads a non-negative resource count; block RAM tiles may be
// fractional (an 18 Kb half is 0.5).
func parseCount(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v > 1e12 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return v, nil
}

// newScanner returns a line scanner that accepts the long lines of
// Vivado's wide tables.
func newScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	return sc
}

// TimingReport is what Vivado's report_timing_summary says of a design:
// the "Design Timing Summary" figures and the clocks.
type TimingReport struct {
	Design string
	State  string
	// WNS and TNS are the worst and total negative setup slack, WHS and
	// THS the hold ones, in ns; NaN when Vivado printed NA (no path).
	WNS, TNS, WHS, THS float64
	// SetupFailing and HoldFailing count the failing endpoints;
	// Endpoints is the total number of setup endpoints.
	SetupFailing, HoldFailing, Endpoints int
	Clocks                               []Clock
}

// Clock is one row of the "Clock Summary" table.
type Clock struct {
	Name     string
	PeriodNs float64
	FreqMHz  float64
}

// Met reports whether every setup and hold check passed.
func (t *TimingReport) Met() bool {
	return t.SetupFailing == 0 && t.HoldFailing == 0 &&
		!(t.WNS < 0) && !(t.WHS < 0)
}

// FmaxMHz returns the highest clock frequency at which the worst setup
// path of the first clock would still pass, 1000 / (period - WNS): what
// the design could run at if re-implemented at that clock, to first
// order. It returns NaN when the report has no clock or no WNS.
func (t *TimingReport) FmaxMHz() float64 {
	if len(t.Clocks) == 0 || math.IsNaN(t.WNS) {
		return math.NaN()
	}
	p := t.Clocks[0].PeriodNs - t.WNS
	if p <= 0 {
		return math.NaN()
	}
	return 1000 / p
}

// wideSpaces splits a column header line into its column names.
var wideSpaces = regexp.MustCompile(`\s{2,}`)

// clockRow matches a row of the "Clock Summary" table.
var clockRow = regexp.MustCompile(`^\s*(\S+)\s+\{[^}]*\}\s+(\S+)\s+(\S+)\s*$`)

// ParseTimingSummary reads the text of Vivado's report_timing_summary
// from r; name is used in error messages. It reads the values under the
// "Design Timing Summary" heading and the rows of the "Clock Summary"
// table, and fails, naming what is missing, on any other text.
func ParseTimingSummary(name string, r io.Reader) (*TimingReport, error) {
	var lines []string
	sc := newScanner(r)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), " \t\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, len(lines)+1, err)
	}
	rep := &TimingReport{}
	for _, l := range lines {
		if m := headerLine.FindStringSubmatch(l); m != nil {
			switch m[1] {
			case "Design":
				rep.Design = m[2]
			case "Design State":
				rep.State = m[2]
			}
		}
	}

	// the design timing summary: a header line, a rule, a value line
	at := section(lines, "Design Timing Summary")
	if at < 0 {
		return nil, fmt.Errorf("%s: no \"Design Timing Summary\" section: not the "+
			"text of Vivado's report_timing_summary", name)
	}
	hdr := at
	for hdr < len(lines) && !strings.Contains(lines[hdr], "WNS(ns)") {
		hdr++
	}
	if hdr+2 >= len(lines) {
		return nil, fmt.Errorf("%s:%d: \"Design Timing Summary\" has no WNS(ns) "+
			"column followed by a rule and a value line", name, at+1)
	}
	cols := wideSpaces.Split(strings.TrimSpace(lines[hdr]), -1)
	vals := strings.Fields(lines[hdr+2])
	if len(vals) != len(cols) {
		return nil, fmt.Errorf("%s:%d: design timing summary has %d values for "+
			"%d columns", name, hdr+3, len(vals), len(cols))
	}
	get := map[string]string{}
	for i, c := range cols {
		get[c] = vals[i]
	}
	floats := []struct {
		col string
		dst *float64
	}{
		{"WNS(ns)", &rep.WNS}, {"TNS(ns)", &rep.TNS},
		{"WHS(ns)", &rep.WHS}, {"THS(ns)", &rep.THS},
	}
	for _, f := range floats {
		v, err := parseSlack(get[f.col])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: design timing summary: %s %q is not a "+
				"number", name, hdr+3, f.col, get[f.col])
		}
		*f.dst = v
	}
	ints := []struct {
		col string
		dst *int
	}{
		{"TNS Failing Endpoints", &rep.SetupFailing},
		{"THS Failing Endpoints", &rep.HoldFailing},
		{"TNS Total Endpoints", &rep.Endpoints},
	}
	for _, f := range ints {
		s, ok := get[f.col]
		if !ok {
			return nil, fmt.Errorf("%s:%d: design timing summary has no %q column",
				name, hdr+1, f.col)
		}
		v, err := strconv.Atoi(s)
		if err != nil && s != "NA" {
			return nil, fmt.Errorf("%s:%d: design timing summary: %s %q is not a "+
				"count", name, hdr+3, f.col, s)
		}
		*f.dst = v
	}

	// the clock summary: rows after the header and its rule, up to a blank
	if at := section(lines, "Clock Summary"); at >= 0 {
		i := at
		for i < len(lines) && !strings.Contains(lines[i], "Period(ns)") {
			i++
		}
		for i += 2; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			m := clockRow.FindStringSubmatch(lines[i])
			if m == nil {
				return nil, fmt.Errorf("%s:%d: clock summary row %q is not "+
					"\"name {waveform} period frequency\"", name, i+1, lines[i])
			}
			p, err1 := strconv.ParseFloat(m[2], 64)
			f, err2 := strconv.ParseFloat(m[3], 64)
			if err1 != nil || err2 != nil || !(p > 0) || math.IsInf(p, 0) {
				return nil, fmt.Errorf("%s:%d: clock %q: period %q or frequency %q "+
					"is not a positive number", name, i+1, m[1], m[2], m[3])
			}
			rep.Clocks = append(rep.Clocks, Clock{Name: m[1], PeriodNs: p, FreqMHz: f})
		}
	}
	return rep, nil
}

// section returns the index of the line after the "| title" heading
// line, or -1.
func section(lines []string, title string) int {
	for i, l := range lines {
		if strings.TrimSpace(strings.TrimPrefix(l, "|")) == title &&
			strings.HasPrefix(l, "|") {
			return i + 1
		}
	}
	return -1
}

// parseSlack reads a slack in ns; Vivado prints NA when no path exists.
func parseSlack(s string) (float64, error) {
	if s == "NA" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad slack %q", s)
	}
	return v, nil
}
