package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"kd2fpga/handoff"
	"kd2fpga/hlsgen"
	"kd2fpga/models"
	"kd2fpga/quantize"
	"kd2fpga/sim"
	"kd2fpga/templates"
	"kd2fpga/testbench"
)

// project is a written project folder: its summary and the files in it,
// relative to the folder.
type project struct {
	summary *sim.Summary
	files   []string
	// description is the model's own account of itself, such as where
	// its weights come from
	description string
	budgetNs    float64 // the target's latency budget; 0 for none
}

// writeProject writes every file of the project of d into dir, which
// exists and is empty.
func writeProject(dir string, d *design, cfg convertConfig) (*project, error) {
	top, t := d.top, d.model.Target
	s := &sim.Summary{
		Generator: "kd2fpga",
		Name:      d.model.Name,
		Top:       top,
		Model:     "model/model.hcl",
		Weights:   "model/weights.npz",
		Target: sim.Target{Part: t.Part, ClockNs: t.ClockNs, Reuse: t.Reuse,
			Strategy: t.Strategy, Particles: t.Particles},
		Latency:   d.net.Latency(),
		II:        d.net.II(),
		LatencyNs: float64(d.net.Latency()) * t.ClockNs,
		Input:     port(d.plan.Input),
		Output:    port(d.plan.Output()),
		Vectors: sim.VectorSet{Count: cfg.Vectors, Seed: cfg.Seed,
			In: "tb/input.hex", Expected: "tb/expected.hex"},
		Files: sim.Files{
			VHDL:      []string{"vhdl/" + top + ".vhd"},
			Verilog:   []string{"verilog/" + top + ".v"},
			VHDLBench: "tb/tb_" + top + ".vhd",
			SVBench:   "tb/tb_" + top + ".sv",
			HLS:       "hls",
		},
	}
	if s.Input.Width != d.net.InWidth || s.Output.Width != d.net.OutWidth {
		return nil, fmt.Errorf("internal error: buses of %d and %d bits in the plan, "+
			"%d and %d in the netlist", s.Input.Width, s.Output.Width, d.net.InWidth, d.net.OutWidth)
	}
	pr := &project{summary: s}

	// create writes one file of the folder through fill
	create := func(rel string, fill func(w io.Writer) error) error {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := fill(&buf); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		pr.files = append(pr.files, rel)
		return os.WriteFile(path, buf.Bytes(), 0o644)
	}

	// the model, so that the project can regenerate its vectors
	if err := os.MkdirAll(filepath.Join(dir, "model"), 0o755); err != nil {
		return nil, err
	}
	if err := models.Save(d.model, filepath.Join(dir, "model", "model.hcl")); err != nil {
		return nil, err
	}

	// the design in every language
	if err := create(s.Files.VHDL[0], func(w io.Writer) error {
		return hlsgen.WriteVHDL(w, d.net, top)
	}); err != nil {
		return nil, err
	}
	if err := create(s.Files.Verilog[0], func(w io.Writer) error {
		return hlsgen.WriteVerilog(w, d.net, top)
	}); err != nil {
		return nil, err
	}
	if err := writeHLS(filepath.Join(dir, "hls"), d, cfg); err != nil {
		return nil, fmt.Errorf("hls: %w", err)
	}

	// the testbenches and the vectors
	bd := testbench.Design{Top: top, InWidth: s.Input.Width, OutWidth: s.Output.Width,
		Latency: s.Latency, II: s.II, Vectors: cfg.Vectors}
	if err := create(s.Files.VHDLBench, func(w io.Writer) error {
		return testbench.WriteVHDL(w, bd)
	}); err != nil {
		return nil, err
	}
	if err := create(s.Files.SVBench, func(w io.Writer) error {
		return testbench.WriteSV(w, bd)
	}); err != nil {
		return nil, err
	}
	vec := testbench.Generate(d.plan, cfg.Vectors, cfg.Seed, nil)
	if err := writeVectors(dir, s.Vectors, d.plan, vec); err != nil {
		return nil, err
	}

	// the Vivado scripts, the AXI-Stream wrapper and the FuseSoC core,
	// with the part and clock of the HLS project (report --handoff
	// rewrites them with other defaults)
	hp := handoff.FromSummary(s, "vhdl")
	if err := handoff.Write(dir, hp); err != nil {
		return nil, err
	}
	pr.files = append(pr.files, handoff.Files(hp)...)

	// the README and the summary
	if err := create("README.md", func(w io.Writer) error {
		return writeReadme(w, d, s)
	}); err != nil {
		return nil, err
	}
	if err := sim.WriteSummary(dir, s); err != nil {
		return nil, err
	}
	pr.files = append(pr.files, "model/", "hls/", s.Vectors.In, s.Vectors.Expected, sim.SummaryFile)
	return pr, nil
}

// writeHLS writes the Vitis HLS project of d into dir.
func writeHLS(dir string, d *design, cfg convertConfig) error {
	t := d.model.Target
	return hlsgen.WriteHLS(dir, d.plan, hlsgen.HLSOptions{
		Top: d.top, Part: t.Part, ClockNs: t.ClockNs, Strategy: t.Strategy,
		Vectors: cfg.Vectors,
	})
}

// writeVectors writes the input and expected vector files named by vs
// under dir.
func writeVectors(dir string, vs sim.VectorSet, p *quantize.Plan, v *testbench.Vectors) error {
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(vs.In)), 0o755); err != nil {
		return err
	}
	in := filepath.Join(dir, filepath.FromSlash(vs.In))
	if err := testbench.WriteHexFile(in, v.In, testbench.BusOf(p.Input)); err != nil {
		return err
	}
	exp := filepath.Join(dir, filepath.FromSlash(vs.Expected))
	return testbench.WriteHexFile(exp, v.Out, testbench.BusOf(p.Output()))
}

// port describes the bus of a plan tensor for the summary.
func port(t quantize.Tensor) sim.Port {
	p := sim.Port{Shape: append([]int{}, t.Shape...), Width: testbench.BusOf(t).Width()}
	for _, f := range t.Formats {
		p.Formats = append(p.Formats, f.String())
	}
	return p
}

// readmeData is what the project README template prints.
type readmeData struct {
	S           *sim.Summary
	Description string
	In, Out     []element
	InHi, OutHi int // the top bit of each bus
	Handoff     handoffFiles
}

// handoffFiles names the files package handoff writes into the project
// and the reports Vivado writes there.
type handoffFiles struct {
	Build, Clock, Package, AXIS, Core string
	Utilization, Timing               string
}

// element is one element of a bus, for the port map.
type element struct {
	Index  int
	Name   string
	Format string
	Hi, Lo int
}

// writeReadme prints the project README.
func writeReadme(w io.Writer, d *design, s *sim.Summary) error {
	data := &readmeData{
		S:           s,
		Description: strings.TrimSpace(d.model.Description),
		In:          elements(d.plan.Input, inputNames(d.model, d.plan.Input)),
		Out:         elements(d.plan.Output(), nil),
		InHi:        s.Input.Width - 1,
		OutHi:       s.Output.Width - 1,
		Handoff: handoffFiles{
			Build: handoff.BuildScript, Clock: handoff.ClockXDC,
			Package: handoff.PackageScript, AXIS: handoff.AXISFile(s.Top),
			Core: handoff.CoreFile(s.Top), Utilization: handoff.UtilizationReport,
			Timing: handoff.TimingReport,
		},
	}
	t, err := template.New("").Option("missingkey=error").ParseFS(templates.FS, "tb/readme.md.tmpl")
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, "readme.md.tmpl", data)
}

// elements lists the elements of a bus with their bit ranges; names
// holds a name per feature, or nil.
func elements(t quantize.Tensor, names []string) []element {
	b := testbench.BusOf(t)
	off := b.Offsets()
	nf := t.Features()
	var es []element
	for k, f := range b.Formats {
		e := element{Index: k, Format: f.String(), Lo: off[k], Hi: off[k] + f.Width - 1}
		feat := fmt.Sprint(k % nf)
		if names != nil {
			feat = names[k%nf]
		}
		if t.Particles() > 0 {
			e.Name = fmt.Sprintf("particle %d, %s", k/nf, feat)
		} else {
			e.Name = feat
		}
		if f.Width == 0 {
			e.Format = "pruned"
			e.Hi, e.Lo = -1, -1
		}
		es = append(es, e)
	}
	return es
}

// inputNames returns the names of the input features when the model
// says them, or nil. A flat input made of a flattened particle list gets
// names such as "particle 3, deta".
func inputNames(m *models.Model, t quantize.Tensor) []string {
	f := m.Features
	if f == nil {
		return nil
	}
	var names []string
	switch {
	case t.Particles() > 0:
		names = f.PerParticle
	case f.Particles > 0 && len(f.PerParticle) > 0:
		for p := range f.Particles {
			for _, name := range f.PerParticle {
				names = append(names, fmt.Sprintf("particle %d, %s", p, name))
			}
		}
		names = append(names, f.HighLevel...)
	default:
		names = f.HighLevel
	}
	if len(names) != t.Features() {
		return nil
	}
	return names
}
