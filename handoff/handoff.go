package handoff

import (
	"bytes"
	"fmt"
	"math/bits"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"kd2fpga/sim"
	"kd2fpga/templates"
)

// Project is what the handoff files need to know about a converted
// design. Paths are relative to the project folder, with forward slashes.
type Project struct {
	Top   string // module, entity and HLS top function name
	Model string // the network's name, for comments

	Part    string  // FPGA part, such as "xcvu13p-flga2577-2-e"
	ClockNs float64 // the clock period the pipeline was scheduled for

	Latency int // cycles from in_valid to out_valid
	II      int // cycles between inputs

	InWidth, OutWidth int // bits of in_data and out_data

	VHDL    []string // VHDL-2008 sources, in compile order
	Verilog []string // Verilog sources
	// VHDLBench and SVBench are the testbenches; InputHex and
	// ExpectedHex the vector files they read.
	VHDLBench, SVBench    string
	InputHex, ExpectedHex string

	// RTL is the language the scripts and the FuseSoC rtl fileset use by
	// default: "vhdl" or "verilog" (the scripts take rtl=... to switch).
	RTL string
	// AXIS makes package_ip.tcl package the AXI4-Stream wrapper by
	// default (the wrapper is written either way).
	AXIS bool
}

// FromSummary returns the Project of the conversion summary s (the
// project folder's kd2fpga.json), with rtl as the default language.
func FromSummary(s *sim.Summary, rtl string) Project {
	return Project{
		Top:         s.Top,
		Model:       s.Name,
		Part:        s.Target.Part,
		ClockNs:     s.Target.ClockNs,
		Latency:     s.Latency,
		II:          s.II,
		InWidth:     s.Input.Width,
		OutWidth:    s.Output.Width,
		VHDL:        s.Files.VHDL,
		Verilog:     s.Files.Verilog,
		VHDLBench:   s.Files.VHDLBench,
		SVBench:     s.Files.SVBench,
		InputHex:    s.Vectors.In,
		ExpectedHex: s.Vectors.Expected,
		RTL:         rtl,
	}
}

// The files Write creates, relative to the project folder; AXISFile and
// CoreFile depend on the top name.
const (
	BuildScript   = "vivado/build.tcl"
	PackageScript = "vivado/package_ip.tcl"
	ClockXDC      = "vivado/clock.xdc"
	// UtilizationReport and TimingReport are the files build.tcl writes
	// and `kd2fpga report` reads.
	UtilizationReport = "reports/utilization.rpt"
	TimingReport      = "reports/timing_summary.rpt"
)

// AXISFile returns the path of the AXI4-Stream wrapper of top.
func AXISFile(top string) string { return "verilog/" + top + "_axis.v" }

// CoreFile returns the path of the FuseSoC core file of top.
func CoreFile(top string) string { return top + ".core" }

// Files returns the files Write creates for p, in the order it writes
// them.
func Files(p Project) []string {
	return []string{BuildScript, ClockXDC, PackageScript, AXISFile(p.Top), CoreFile(p.Top)}
}

// data is what the templates print; every value is computed here. The
// fields below shadow the Project fields of the same name with their
// printed form.
type data struct {
	Project
	ClockNs     string // the period as written in the constraint
	FreqMHz     string
	AXIS        int // 0 or 1, as Tcl reads it
	AXISTop     string
	AXISFile    string
	Description string

	// the wrapper's buses: in_data and out_data padded to whole bytes
	InHi, OutHi       int
	InBytes, OutBytes int
	InBusHi, OutBusHi int
	InPad, OutPad     int
	// the wrapper's wait counter: Wait cycles of tready low after each
	// input, in a counter of WaitBits bits
	Wait, WaitBits, WaitHi int

	// the FuseSoC filesets of the chosen language
	RTLFiles           []string
	RTLType, BenchType string
	Bench, SimTool     string
}

// identifier is what a top name must look like in every language.
var identifier = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// safePath is what a file name may look like: the scripts and the core
// file print paths unquoted.
var safePath = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

// check returns what is wrong with p, all of it.
func (p Project) check() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !identifier.MatchString(p.Top) {
		bad("top %q is not a lower-case identifier", p.Top)
	}
	if !safePath.MatchString(p.Part) {
		bad("part %q is empty or has characters a script cannot hold", p.Part)
	}
	if !(p.ClockNs > 0 && p.ClockNs < 1e6) {
		bad("clock period %g ns", p.ClockNs)
	}
	if p.Latency < 0 || p.II < 1 {
		bad("latency %d, II %d", p.Latency, p.II)
	}
	if p.InWidth < 1 || p.OutWidth < 1 {
		bad("bus widths %d and %d", p.InWidth, p.OutWidth)
	}
	if p.RTL != "vhdl" && p.RTL != "verilog" {
		bad("rtl %q, want vhdl or verilog", p.RTL)
	}
	if len(p.VHDL) == 0 || len(p.Verilog) == 0 {
		bad("%d VHDL and %d Verilog sources, want both", len(p.VHDL), len(p.Verilog))
	}
	files := append(append([]string{}, p.VHDL...), p.Verilog...)
	files = append(files, p.VHDLBench, p.SVBench, p.InputHex, p.ExpectedHex)
	for _, f := range files {
		if !safePath.MatchString(f) || path.IsAbs(f) || strings.Contains(f, "..") {
			bad("file %q is not a plain relative path", f)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("handoff: project %q: %s", p.Top, strings.Join(errs, "; "))
	}
	return nil
}

// newData checks p and computes what the templates print.
func newData(p Project) (*data, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	d := &data{Project: p}
	d.Model = scrub(p.Model) // printed in comments and strings
	d.ClockNs = strconv.FormatFloat(p.ClockNs, 'f', -1, 64)
	d.FreqMHz = strconv.FormatFloat(1000/p.ClockNs, 'f', 3, 64)
	if p.AXIS {
		d.AXIS = 1
	}
	d.AXISTop = p.Top + "_axis"
	d.AXISFile = AXISFile(p.Top)
	d.Description = fmt.Sprintf("%s: network %s, latency %d cycles, II %d, at %s ns (kd2fpga)",
		p.Top, d.Model, p.Latency, p.II, d.ClockNs)

	// AXI4-Stream buses are whole bytes
	d.InHi, d.OutHi = p.InWidth-1, p.OutWidth-1
	d.InBytes, d.OutBytes = (p.InWidth+7)/8, (p.OutWidth+7)/8
	d.InBusHi, d.OutBusHi = 8*d.InBytes-1, 8*d.OutBytes-1
	d.InPad, d.OutPad = 8*d.InBytes-p.InWidth, 8*d.OutBytes-p.OutWidth
	d.Wait = p.II - 1
	d.WaitBits = max(bits.Len(uint(d.Wait)), 1)
	d.WaitHi = d.WaitBits - 1

	// the FuseSoC filesets
	if p.RTL == "vhdl" {
		d.RTLFiles, d.RTLType = p.VHDL, "vhdlSource-2008"
		d.Bench, d.BenchType, d.SimTool = p.VHDLBench, "vhdlSource-2008", "ghdl"
	} else {
		d.RTLFiles, d.RTLType = p.Verilog, "verilogSource"
		d.Bench, d.BenchType, d.SimTool = p.SVBench, "systemVerilogSource", "icarus"
	}
	return d, nil
}

// scrub keeps the characters of s that a Tcl string and a YAML string
// print as they are.
func scrub(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '_', r == '-', r == '.', r == ' ':
			return r
		}
		return '_'
	}, s)
}

// Write writes the handoff files of p into the project folder dir:
// vivado/build.tcl, vivado/clock.xdc, vivado/package_ip.tcl,
// verilog/<top>_axis.v and <top>.core (see Files). It checks p first and
// writes nothing when something is wrong with it; every file is rendered
// before the first one is written.
func Write(dir string, p Project) error {
	d, err := newData(p)
	if err != nil {
		return err
	}
	t, err := template.New("").Option("missingkey=error").
		ParseFS(templates.FS, "vivado/*.tmpl")
	if err != nil {
		return fmt.Errorf("handoff: %w", err)
	}
	sources := map[string]string{
		BuildScript:     "build.tcl.tmpl",
		ClockXDC:        "clock.xdc.tmpl",
		PackageScript:   "package_ip.tcl.tmpl",
		AXISFile(p.Top): "axis.v.tmpl",
		CoreFile(p.Top): "core.tmpl",
	}
	out := map[string][]byte{}
	for _, f := range Files(p) {
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, sources[f], d); err != nil {
			return fmt.Errorf("handoff: %s: %w", f, err)
		}
		out[f] = buf.Bytes()
	}
	for _, f := range Files(p) {
		dst := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("handoff: %w", err)
		}
		if err := os.WriteFile(dst, out[f], 0o644); err != nil {
			return fmt.Errorf("handoff: %w", err)
		}
	}
	return nil
}
