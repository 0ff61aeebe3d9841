package testbench

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"text/template"

	"kd2fpga/templates"
)

// MaxShown is the number of mismatches a testbench prints; it counts
// them all.
const MaxShown = 10

// Design is what a testbench needs to know about the design under test.
type Design struct {
	Top      string // entity or module name of the design
	InWidth  int    // bits of in_data
	OutWidth int    // bits of out_data
	Latency  int    // scheduled latency in cycles, which sizes the timeout
	II       int    // cycles between inputs
	Vectors  int    // the default number of vectors the testbench reads
}

// benchData is what the testbench templates print; every number is
// computed here.
type benchData struct {
	Top                string
	InWidth, OutWidth  int
	InPad, OutPad      int
	Vectors, II, Slack int
	ResetCycles        int
	DrainCycles        int
	MaxShown           int
}

// data checks d and computes the template's numbers.
func (d Design) data() (*benchData, error) {
	switch {
	case d.Top == "":
		return nil, fmt.Errorf("testbench: design has no name")
	case d.InWidth < 1 || d.OutWidth < 1:
		return nil, fmt.Errorf("testbench: %s: bus widths %d and %d, want at least 1",
			d.Top, d.InWidth, d.OutWidth)
	case d.Latency < 0 || d.II < 1 || d.Vectors < 1:
		return nil, fmt.Errorf("testbench: %s: latency %d, II %d, %d vectors",
			d.Top, d.Latency, d.II, d.Vectors)
	}
	return &benchData{
		Top:     d.Top,
		InWidth: d.InWidth, OutWidth: d.OutWidth,
		InPad:   (d.InWidth + 3) / 4 * 4,
		OutPad:  (d.OutWidth + 3) / 4 * 4,
		Vectors: d.Vectors, II: d.II,
		// a design may be a few times slower than scheduled and still
		// have its latency measured; beyond that it counts as hung
		Slack:       4*d.Latency + 4*d.II + 100,
		ResetCycles: 4,
		DrainCycles: 2*d.II + 8,
		MaxShown:    MaxShown,
	}, nil
}

// WriteVHDL writes the VHDL-2008 testbench tb_<top> of d to w. Its
// generics N_VECTORS, INPUT_FILE, EXPECTED_FILE, II and PROGRESS_STEP may
// be overridden when it is elaborated; the files default to input.hex and
// expected.hex in the working directory, and PROGRESS_STEP to 0, no
// KD2FPGA PROGRESS lines.
func WriteVHDL(w io.Writer, d Design) error {
	return execute(w, "tb/tb.vhd.tmpl", d)
}

// WriteSV writes the SystemVerilog testbench tb_<top> of d to w, which
// Verilator 5 (--binary) and Icarus Verilog 11 (-g2012) both run. Its
// parameters N_VECTORS, INPUT_FILE, EXPECTED_FILE, II and PROGRESS_STEP
// may be overridden, also as plusargs; the defaults are as WriteVHDL's.
func WriteSV(w io.Writer, d Design) error {
	return execute(w, "tb/tb.sv.tmpl", d)
}

// execute runs the named template on d's data.
func execute(w io.Writer, name string, d Design) error {
	data, err := d.data()
	if err != nil {
		return err
	}
	t, err := template.New("").Option("missingkey=error").ParseFS(templates.FS, name)
	if err != nil {
		return fmt.Errorf("testbench: %w", err)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, path.Base(name), data); err != nil {
		return fmt.Errorf("testbench: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
