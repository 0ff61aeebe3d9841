package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// SummaryFile is the name of the conversion summary in a project folder.
const SummaryFile = "kd2fpga.json"

// Summary is the conversion summary kd2fpga.json: what was converted,
// for which target, the schedule, the buses and where every file is.
// Paths are relative to the project folder, with forward slashes.
type Summary struct {
	Generator string `json:"generator"` // "kd2fpga"
	Name      string `json:"name"`      // the model's name
	Top       string `json:"top"`       // entity, module and HLS top function
	// Model is the copy of the model file inside the project (its weights
	// are copied beside it), from which vectors can be regenerated.
	Model   string `json:"model"`
	Weights string `json:"weights"`
	Target  Target `json:"target"`

	Latency   int     `json:"latency"`    // cycles from in_valid to out_valid
	II        int     `json:"ii"`         // cycles between inputs
	LatencyNs float64 `json:"latency_ns"` // Latency times the clock period

	Input  Port `json:"input"`
	Output Port `json:"output"`

	Vectors VectorSet `json:"vectors"`
	Files   Files     `json:"files"`
}

// Target is the hardware the design was scheduled for.
type Target struct {
	Part      string  `json:"part"`
	ClockNs   float64 `json:"clock_ns"`
	Reuse     int     `json:"reuse"`
	Strategy  string  `json:"strategy"`
	Particles string  `json:"particles,omitempty"`
}

// Port describes one bus of the design.
type Port struct {
	Shape []int `json:"shape"` // [F] or [P, F]
	Width int   `json:"width"` // bits of the bus
	// Formats holds the fixed-point type of each feature (the last axis),
	// as ap_fixed spells it; particles share them.
	Formats []string `json:"formats"`
}

// VectorSet says how the project's vector files were made.
type VectorSet struct {
	Count int    `json:"count"`
	Seed  uint64 `json:"seed"`
	// Input names the .npy file of user inputs placed first, if any.
	Input    string `json:"input,omitempty"`
	In       string `json:"in"`       // tb/input.hex
	Expected string `json:"expected"` // tb/expected.hex
}

// Files lists the generated files by purpose.
type Files struct {
	VHDL      []string `json:"vhdl"`    // design sources in compile order
	Verilog   []string `json:"verilog"` // design sources
	VHDLBench string   `json:"vhdl_testbench"`
	SVBench   string   `json:"sv_testbench"`
	HLS       string   `json:"hls"` // the HLS project folder
}

// ReadSummary reads DIR/kd2fpga.json.
func ReadSummary(dir string) (*Summary, error) {
	path := filepath.Join(dir, SummaryFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sim: %w (is %s a folder written by kd2fpga convert?)", err, dir)
	}
	var s Summary
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("sim: %s: %w", path, err)
	}
	if s.Top == "" || s.II < 1 || s.Latency < 0 {
		return nil, fmt.Errorf("sim: %s: incomplete summary (top %q, latency %d, II %d)",
			path, s.Top, s.Latency, s.II)
	}
	return &s, nil
}

// WriteSummary writes s to DIR/kd2fpga.json, indented, with a final
// newline.
func WriteSummary(dir string, s *Summary) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // ap_fixed<16,6>, not ap_fixed\u003c16,6\u003e
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, SummaryFile), buf.Bytes(), 0o644)
}
