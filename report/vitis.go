package report

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// HLSReport is what Vitis HLS (or Vivado HLS) estimates for a design after
// C synthesis, read from its csynth.xml.
type HLSReport struct {
	Top  string // TopModelName
	Part string
	// TargetClockNs, UncertaintyNs and EstimatedClockNs are the requested
	// period, the margin HLS kept, and the period it estimates it reached.
	TargetClockNs, UncertaintyNs, EstimatedClockNs float64
	// BestLatency and WorstLatency are in clock cycles, IntervalMin and
	// IntervalMax (the initiation interval) too; each is -1 when HLS
	// printed "undef" (a latency that depends on the data).
	BestLatency, WorstLatency int
	IntervalMin, IntervalMax  int
	// Used and Available are the estimated and the device's resources;
	// BRAM counts 36 Kb tiles (two BRAM_18K make one).
	Used, Available Resources
}

// csynthXML is the part of csynth.xml that ParseCsynth reads.
type csynthXML struct {
	XMLName xml.Name `xml:"profile"`
	User    struct {
		Part        string `xml:"Part"`
		Top         string `xml:"TopModelName"`
		Target      string `xml:"TargetClockPeriod"`
		Uncertainty string `xml:"ClockUncertainty"`
	} `xml:"UserAssignments"`
	Perf *struct {
		Timing struct {
			Estimated string `xml:"EstimatedClockPeriod"`
		} `xml:"SummaryOfTimingAnalysis"`
		Latency *struct {
			Best        string `xml:"Best-caseLatency"`
			Worst       string `xml:"Worst-caseLatency"`
			IntervalMin string `xml:"Interval-min"`
			IntervalMax string `xml:"Interval-max"`
		} `xml:"SummaryOfOverallLatency"`
	} `xml:"PerformanceEstimates"`
	Area *struct {
		Resources *csynthResources `xml:"Resources"`
		Available *csynthResources `xml:"AvailableResources"`
	} `xml:"AreaEstimates"`
}

// csynthResources lists the resource elements; releases before Vitis
// 2020.1 call the DSP count DSP48E.
type csynthResources struct {
	BRAM   string `xml:"BRAM_18K"`
	DSP    string `xml:"DSP"`
	DSP48E string `xml:"DSP48E"`
	FF     string `xml:"FF"`
	LUT    string `xml:"LUT"`
}

// ParseCsynth reads a Vitis HLS csynth.xml from r; name is used in error
// messages. It reads the latency and interval of
// profile/PerformanceEstimates/SummaryOfOverallLatency, the estimated
// clock period, and the LUT, FF, DSP (or DSP48E) and BRAM_18K counts of
// profile/AreaEstimates/Resources and AvailableResources; a missing
// element or a value that is not a number is an error naming its path.
func ParseCsynth(name string, r io.Reader) (*HLSReport, error) {
	var x csynthXML
	dec := xml.NewDecoder(r)
	if err := dec.Decode(&x); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s:%d: %s", name, se.Line, se.Msg)
		}
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty file: not a Vitis HLS csynth.xml", name)
		}
		return nil, fmt.Errorf("%s: not a Vitis HLS csynth.xml: %w", name, err)
	}
	if x.Perf == nil || x.Perf.Latency == nil {
		return nil, fmt.Errorf("%s: no profile/PerformanceEstimates/"+
			"SummaryOfOverallLatency element", name)
	}
	if x.Area == nil || x.Area.Resources == nil {
		return nil, fmt.Errorf("%s: no profile/AreaEstimates/Resources element", name)
	}

	// numbers, each checked and named by its element path on failure
	rep := &HLSReport{Top: x.User.Top, Part: x.User.Part}
	p := csynthParser{name: name}
	rep.TargetClockNs = p.period("UserAssignments/TargetClockPeriod", x.User.Target)
	rep.UncertaintyNs = p.period("UserAssignments/ClockUncertainty", x.User.Uncertainty)
	rep.EstimatedClockNs = p.period("PerformanceEstimates/SummaryOfTimingAnalysis/"+
		"EstimatedClockPeriod", x.Perf.Timing.Estimated)
	lat := x.Perf.Latency
	const latPath = "PerformanceEstimates/SummaryOfOverallLatency/"
	rep.BestLatency = p.cycles(latPath+"Best-caseLatency", lat.Best)
	rep.WorstLatency = p.cycles(latPath+"Worst-caseLatency", lat.Worst)
	rep.IntervalMin = p.cycles(latPath+"Interval-min", lat.IntervalMin)
	rep.IntervalMax = p.cycles(latPath+"Interval-max", lat.IntervalMax)
	rep.Used = p.resources("AreaEstimates/Resources/", x.Area.Resources, true)
	if x.Area.Available != nil {
		rep.Available = p.resources("AreaEstimates/AvailableResources/",
			x.Area.Available, false)
	}
	if p.err != nil {
		return nil, p.err
	}
	return rep, nil
}

// csynthParser converts element texts, keeping the first error.
type csynthParser struct {
	name string
	err  error
}

func (p *csynthParser) fail(path, text, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: profile/%s %q is not %s", p.name, path, text, want)
	}
}

// period reads a time in ns; an absent element reads as NaN.
func (p *csynthParser) period(path, s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" || s == "undef" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) {
		p.fail(path, s, "a time in ns")
		return math.NaN()
	}
	return v
}

// cycles reads a cycle count; "undef" reads as -1.
func (p *csynthParser) cycles(path, s string) int {
	s = strings.TrimSpace(s)
	if s == "undef" {
		return -1
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		p.fail(path, s, "a number of cycles")
		return -1
	}
	return v
}

// resources reads the counts of one resources element; required says
// whether LUT, FF and a DSP count must be present.
func (p *csynthParser) resources(path string, x *csynthResources, required bool) Resources {
	count := func(elem, s string) int {
		s = strings.TrimSpace(s)
		if s == "" && !required {
			return 0
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			p.fail(path+elem, s, "a count")
			return 0
		}
		return v
	}
	dsp, dspElem := x.DSP, "DSP"
	if strings.TrimSpace(dsp) == "" {
		dsp, dspElem = x.DSP48E, "DSP48E"
	}
	bram := x.BRAM
	if strings.TrimSpace(bram) == "" {
		bram = "0" // designs without memories may omit it
	}
	return Resources{
		LUT:  count("LUT", x.LUT),
		FF:   count("FF", x.FF),
		DSP:  count(dspElem, dsp),
		BRAM: float64(count("BRAM_18K", bram)) / 2,
	}
}
