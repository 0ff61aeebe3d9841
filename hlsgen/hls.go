package hlsgen

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"text/template"

	"kd2fpga/models"
	"kd2fpga/quantize"
	"kd2fpga/templates"
)

// HLSOptions says how WriteHLS builds a Vitis HLS project. Zero fields
// take the model's target, then the defaults of the models package
// (models.DefaultPart, models.DefaultClockNs, strategy "latency").
type HLSOptions struct {
	// Top names the top function and its files. It must be a legal
	// identifier that Identifier leaves unchanged; empty means the
	// plan's name through Identifier.
	Top string
	// Part is the FPGA part, such as xcvu13p-flga2577-2-e.
	Part string
	// ClockNs is the clock period in nanoseconds.
	ClockNs float64
	// Reuse, when positive, overrides the reuse factor of every op: each
	// multiplier is then used Reuse times and the design takes a new
	// input every Reuse cycles. Zero keeps each op's own reuse factor.
	Reuse int
	// Strategy is hls4ml's "latency" or "resource".
	Strategy string
	// Vectors caps the vectors the C/RTL co-simulation of build_prj.tcl
	// runs (0: all of them); the C simulation always runs them all.
	Vectors int
}

// HLSFiles returns the names of the files WriteHLS writes for the top
// function top, in the order it writes them.
func HLSFiles(top string) []string {
	return []string{top + ".h", top + "_types.h", top + "_weights.h", opsHeader,
		top + ".cpp", top + "_test.cpp", "build_prj.tcl"}
}

// opsHeader is the file of the C++ helper templates, the same for every
// design.
const opsHeader = "kd2fpga_ops.h"

// WriteHLS writes the Vitis HLS project of p into dir (a project's hls/
// folder, created if needed): the top function and its types, constants
// and helpers, a C simulation testbench that checks the vectors of ../tb
// bit for bit, and build_prj.tcl. docs/hls.md describes the result.
//
// The plan is checked first and every C++ name and type decided before a
// file is written, so a plan or option error leaves dir untouched.
func WriteHLS(dir string, p *quantize.Plan, opt HLSOptions) error {
	if err := quantize.Verify(p); err != nil {
		return fmt.Errorf("hlsgen: %w", err)
	}
	o, err := resolveOptions(p, opt)
	if err != nil {
		return fmt.Errorf("hlsgen: %w", err)
	}
	d, err := buildDesign(p, &o)
	if err != nil {
		return fmt.Errorf("hlsgen: plan %q: %w", p.Name, err)
	}
	tmpl, err := hlsTemplates()
	if err != nil {
		return fmt.Errorf("hlsgen: internal error: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("hlsgen: %w", err)
	}

	// each file from its template; the constants stream out of Go
	files := HLSFiles(d.Top)
	writers := []func(*bufio.Writer) error{
		func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "top.h.tmpl", d) },
		func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "types.h.tmpl", d) },
		func(w *bufio.Writer) error { return writeWeights(w, tmpl, d) },
		func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "kd2fpga_ops.h.tmpl", d) },
		func(w *bufio.Writer) error { return writeCpp(w, tmpl, d) },
		func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "test.cpp.tmpl", d) },
		func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "build_prj.tcl.tmpl", d) },
	}
	for i, name := range files {
		if err := writeFile(filepath.Join(dir, name), writers[i]); err != nil {
			return fmt.Errorf("hlsgen: %w", err)
		}
	}
	return nil
}

// partPattern is what a part name may look like: it is printed into Tcl
// unquoted.
var partPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// resolveOptions fills the zero fields of opt from p's model target and
// the defaults, and checks the result.
func resolveOptions(p *quantize.Plan, opt HLSOptions) (HLSOptions, error) {
	o := opt
	if p.Model != nil {
		t := p.Model.Target
		if o.Part == "" {
			o.Part = t.Part
		}
		if o.ClockNs == 0 {
			o.ClockNs = t.ClockNs
		}
		if o.Strategy == "" {
			o.Strategy = t.Strategy
		}
	}
	if o.Top == "" {
		o.Top = Identifier(p.Name, nil)
	}
	if o.Part == "" {
		o.Part = models.DefaultPart
	}
	if o.ClockNs == 0 {
		o.ClockNs = models.DefaultClockNs
	}
	if o.Strategy == "" {
		o.Strategy = "latency"
	}

	var errs []error
	if Identifier(o.Top, nil) != o.Top || o.Top+".h" == opsHeader {
		errs = append(errs, fmt.Errorf("top name %q is not a legal, unreserved identifier (try %q)",
			o.Top, Identifier(o.Top, nil)))
	}
	if !partPattern.MatchString(o.Part) {
		errs = append(errs, fmt.Errorf("part %q is not a part name", o.Part))
	}
	if !(o.ClockNs > 0) || math.IsInf(o.ClockNs, 0) {
		errs = append(errs, fmt.Errorf("clock period %v ns is not a positive number", o.ClockNs))
	}
	// TODO: strategy "resource" writes the same fully unrolled code as
	// "latency"; its weights are not mapped to block-RAM ROMs.
	if o.Strategy != "latency" && o.Strategy != "resource" {
		errs = append(errs, fmt.Errorf("strategy %q is neither latency nor resource", o.Strategy))
	}
	if o.Reuse < 0 || o.Vectors < 0 {
		errs = append(errs, fmt.Errorf("reuse %d and vectors %d must not be negative", o.Reuse, o.Vectors))
	}
	return o, errors.Join(errs...)
}

// buildDesign decides every C++ name and type of p's design. An op whose
// derived names clash with another's is renamed until none do.
func buildDesign(p *quantize.Plan, o *HLSOptions) (*hlsDesign, error) {
	names := newCppNames(p, o.Top)
	for range 4 * (len(p.Ops) + 1) {
		d, err := newDesign(p, o, names)
		if err != nil {
			return nil, err
		}
		k, err := d.clash()
		if err != nil || k < 0 {
			return d, err
		}
		names.rename(k)
	}
	return nil, errors.New("internal error: op names keep clashing")
}

// writeFile creates path and fills it with write, through a buffer.
func writeFile(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = write(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeWeights prints <top>_weights.h: the declaration of each constant
// from a template, its values straight from Go.
func writeWeights(w *bufio.Writer, tmpl *template.Template, d *hlsDesign) error {
	if err := tmpl.ExecuteTemplate(w, "weights_head", d); err != nil {
		return err
	}
	for _, c := range d.Consts {
		if err := tmpl.ExecuteTemplate(w, "const", c); err != nil {
			return err
		}
		if err := c.writeValues(w); err != nil {
			return fmt.Errorf("constant %s: %w", c.Name, err)
		}
	}
	return tmpl.ExecuteTemplate(w, "weights_tail", d)
}

// writeCpp prints <top>.cpp: the includes, one function per op, and the
// top function.
func writeCpp(w *bufio.Writer, tmpl *template.Template, d *hlsDesign) error {
	if err := tmpl.ExecuteTemplate(w, "cpp_head", d); err != nil {
		return err
	}
	for _, h := range d.Ops {
		if err := tmpl.ExecuteTemplate(w, h.Template, h); err != nil {
			return err
		}
	}
	return tmpl.ExecuteTemplate(w, "cpp_top", d)
}

// hlsTemplates parses the templates under templates/hls once.
var hlsTemplates = sync.OnceValues(func() (*template.Template, error) {
	funcs := template.FuncMap{
		// pair lets a sub-template see an op and one of its runs
		"pair": func(op *hlsOp, r hlsRun) opRun { return opRun{op, r} },
	}
	return template.New("hls").Funcs(funcs).ParseFS(templates.FS, "hls/*.tmpl")
})

// opRun is an op and one of its runs, for the templates.
type opRun struct {
	Op  *hlsOp
	Run hlsRun
}

// macroName returns the upper-case stem of the design's macros.
func macroName(top string) string { return strings.ToUpper(top) }
