package sim

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors wrapped by the runners, so that callers can tell why a run
// failed.
var (
	// ErrMismatch: the design's outputs differ from the emulator's.
	ErrMismatch = errors.New("sim: outputs differ from the emulator")
	// ErrLatency: the measured latency or II differs from the schedule.
	ErrLatency = errors.New("sim: latency differs from the schedule")
	// ErrFailed: the testbench or the tool failed (a missing result line,
	// a non-zero exit, a timeout, a build error).
	ErrFailed = errors.New("sim: simulation failed")
	// ErrSkipped: the simulation could not run on this machine for a
	// reason that is not a fault of the design (see RunCSim).
	ErrSkipped = errors.New("sim: skipped")
)

// Result is what one simulation reported.
type Result struct {
	Simulator  string
	Vectors    int // vectors the testbench applied
	Mismatches int // outputs that differ from the expected ones
	Latency    int // measured cycles from the first input to the first output; -1 if none
	II         int // measured cycles between inputs
	// ExpectedLatency and ExpectedII are the schedule's.
	ExpectedLatency, ExpectedII int
	// FirstMismatches holds the mismatches the testbench printed (at most
	// 10).
	FirstMismatches []Mismatch
	// Errors holds the testbench's KD2FPGA ERROR lines, such as a
	// timeout, without the prefix.
	Errors   []string
	ExitCode int

	Build    time.Duration // compiling and elaborating
	Run      time.Duration // running the vectors
	Duration time.Duration // everything
	// RunCPU is the CPU time, user and system, of the process that ran
	// the vectors, and BuildCPU that of the commands before it with
	// their children (compilers, make): on a shared machine they measure
	// the work where Run and Build measure its share of the machine.
	RunCPU, BuildCPU time.Duration
	// Log is the file holding everything the tools printed.
	Log string
}

// Mismatch is one output that differs from the expected one.
type Mismatch struct {
	Sample   int    // the vector's line number in the vector files, from 0
	Expected string // the expected bus, in lower-case hexadecimal
	Got      string // the design's bus
}

// The prefixes of the testbench lines (docs/firmware.md).
const (
	resultPrefix   = "KD2FPGA RESULT "
	mismatchPrefix = "KD2FPGA MISMATCH "
	errorPrefix    = "KD2FPGA ERROR "
	progressPrefix = "KD2FPGA PROGRESS "
)

// parseProgress reads a "KD2FPGA PROGRESS received=<n>" line, which a
// tool may prefix, and returns n; ok is false for any other line.
func parseProgress(line string) (received int, ok bool) {
	i := strings.Index(line, progressPrefix)
	if i < 0 {
		return 0, false
	}
	fields, err := keyValues(line[i+len(progressPrefix):], "received")
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// Parse reads a testbench's output into r. It fails unless the output
// holds exactly one KD2FPGA RESULT line and every KD2FPGA line is well
// formed.
func (r *Result) Parse(output string) error {
	results := 0
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		// a tool may prefix its output (Verilator's time stamps)
		i := strings.Index(line, "KD2FPGA ")
		if i < 0 {
			continue
		}
		line = line[i:]
		var err error
		switch {
		case strings.HasPrefix(line, resultPrefix):
			results++
			err = r.parseResult(line[len(resultPrefix):])
		case strings.HasPrefix(line, mismatchPrefix):
			var m Mismatch
			m, err = parseMismatch(line[len(mismatchPrefix):])
			r.FirstMismatches = append(r.FirstMismatches, m)
		case strings.HasPrefix(line, errorPrefix):
			r.Errors = append(r.Errors, line[len(errorPrefix):])
		}
		if err != nil {
			return fmt.Errorf("output line %d: %q: %w", n, line, err)
		}
	}
	switch results {
	case 0:
		return errors.New("no KD2FPGA RESULT line")
	case 1:
		return nil
	}
	return fmt.Errorf("%d KD2FPGA RESULT lines, want 1", results)
}

// parseResult reads "vectors=<n> mismatches=<m> latency=<l> ii=<i>".
func (r *Result) parseResult(s string) error {
	fields, err := keyValues(s, "vectors", "mismatches", "latency", "ii")
	if err != nil {
		return err
	}
	ints := make([]int, len(fields))
	for i, f := range fields {
		if ints[i], err = strconv.Atoi(f); err != nil {
			return fmt.Errorf("bad number %q", f)
		}
	}
	r.Vectors, r.Mismatches, r.Latency, r.II = ints[0], ints[1], ints[2], ints[3]
	return nil
}

// parseMismatch reads "sample=<n> expected=<hex> got=<hex>".
func parseMismatch(s string) (Mismatch, error) {
	fields, err := keyValues(s, "sample", "expected", "got")
	if err != nil {
		return Mismatch{}, err
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil {
		return Mismatch{}, fmt.Errorf("bad sample number %q", fields[0])
	}
	return Mismatch{
		Sample:   n,
		Expected: strings.ToLower(fields[1]),
		Got:      strings.ToLower(fields[2]),
	}, nil
}

// keyValues splits "k1=v1 k2=v2 ..." and returns the values of the keys
// given, which must appear exactly in that order.
func keyValues(s string, keys ...string) ([]string, error) {
	fields := strings.Fields(s)
	if len(fields) != len(keys) {
		return nil, fmt.Errorf("%d fields, want %d", len(fields), len(keys))
	}
	vals := make([]string, len(keys))
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != keys[i] || v == "" {
			return nil, fmt.Errorf("field %q, want %s=...", f, keys[i])
		}
		vals[i] = v
	}
	return vals, nil
}

// String returns a one-line account of r, such as "ghdl: 1000 vectors,
// 0 mismatches, latency 6 cycles (scheduled 6), II 1, 1.2s".
func (r *Result) String() string {
	return fmt.Sprintf("%s: %d vectors, %d mismatches, latency %d cycles (scheduled %d), II %d, %s",
		r.Simulator, r.Vectors, r.Mismatches, r.Latency, r.ExpectedLatency, r.II,
		r.Duration.Round(time.Millisecond))
}
