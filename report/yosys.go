package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"kd2fpga/internal/tools"
)

// SynthOptions configures Synthesize.
type SynthOptions struct {
	// Sources are more Verilog files read before the main one (packages,
	// submodules in other files).
	Sources []string
	// Hierarchy keeps the design's modules apart during synthesis so that
	// Modules reports each one; the totals then come from the hierarchy
	// (cross-module optimization is lost, so they can be a little higher
	// than a flattened run's). The default flattens, as the DOMAIN figures
	// do.
	Hierarchy bool
	// NoPath skips the longest-path search (ltp), which takes a while on
	// large designs.
	NoPath bool
	// Log receives Yosys' output as it runs; nil discards it.
	Log io.Writer
}

// YosysResult is what Yosys' synth_xilinx made of a design for
// UltraScale+ (family xcup).
type YosysResult struct {
	Top     string
	Version string // "Yosys 0.23 (git sha1 7ce5011c24b)"
	// Total counts the primitives of the whole design. Carry counts
	// CARRY4 cells (Yosys 0.23 has no CARRY8; Vivado packs about two
	// CARRY4 chains' worth into one CARRY8).
	Total Resources
	// Cells counts every primitive by type over the whole design.
	Cells map[string]int
	// Modules holds each module's primitives including those of the
	// modules it instantiates, when SynthOptions.Hierarchy was set; keys
	// are module names as Yosys prints them, without the leading
	// backslash.
	Modules map[string]Resources
	// LongestPath is the number of cells on the longest combinational
	// path between registers or ports (ltp after removing flip-flops);
	// -1 when not computed. It counts a LUT and a CARRY4 alike, so it
	// only ranks designs: a real Fmax needs Vivado.
	LongestPath int
	// Warnings counts Yosys' warnings; Undriven counts those about a
	// wire that is read but never driven, which means the Verilog is
	// incomplete and the figures are not those of the whole design.
	Warnings, Undriven int
}

// Synthesize runs Yosys on the Verilog file verilogPath (plus
// opt.Sources) with top module top:
//
//	read_verilog ...; synth_xilinx -family xcup -flatten -nowidelut
//	-noiopad -noclkbuf -top <top>; stat -json; ltp -noff
//
// -noiopad and -noclkbuf leave out the I/O and clock buffers, as an
// out-of-context Vivado run does; -nowidelut stops Yosys from counting
// MUXF7/8 trees as LUTs. Yosys is found by internal/tools (override with
// KD2FPGA_YOSYS). Synthesis of a large dense layer takes minutes; cancel
// ctx to stop it.
func Synthesize(ctx context.Context, verilogPath, top string,
	opt SynthOptions) (*YosysResult, error) {
	yosys, err := tools.Find("yosys")
	if err != nil {
		return nil, fmt.Errorf("report: synthesis needs Yosys: %w", err)
	}
	work, err := os.MkdirTemp("", "kd2fpga-yosys-")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer os.RemoveAll(work)

	// the script, with every path absolute so that Yosys can run in work
	files := append(append([]string(nil), opt.Sources...), verilogPath)
	script, err := yosysScript(files, top, opt)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "synth.ys"), []byte(script), 0o644); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}

	// run it, keeping the tail of the log for the error message and
	// counting the warnings
	var tail tailBuffer
	var warn warningCounter
	var out io.Writer = io.MultiWriter(&tail, &warn)
	if opt.Log != nil {
		out = io.MultiWriter(&tail, &warn, opt.Log)
	}
	args := []string{"-q", "-s", "synth.ys"}
	if opt.Log != nil {
		args = args[1:] // the whole log, not only warnings
	}
	cmd := exec.CommandContext(ctx, yosys, args...)
	cmd.Dir = work
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("report: yosys on %s: %w", verilogPath, ctx.Err())
		}
		return nil, fmt.Errorf("report: yosys on %s: %v\n%s", verilogPath, err,
			strings.TrimSpace(tail.String()))
	}

	// read what the script wrote
	res, err := readStat(filepath.Join(work, "stat.json"), top)
	if err != nil {
		return nil, err
	}
	res.Warnings, res.Undriven = warn.warnings, warn.undriven
	res.LongestPath = -1
	if !opt.NoPath {
		f, err := os.Open(filepath.Join(work, "ltp.txt"))
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		defer f.Close()
		if res.LongestPath, err = ParseLTP("ltp.txt", f); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	if !opt.Hierarchy {
		res.Modules = nil
	}
	return res, nil
}

// identifier is what a top module name must look like.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// yosysScript returns the Yosys script that synthesizes files.
func yosysScript(files []string, top string, opt SynthOptions) (string, error) {
	if !identifier.MatchString(top) {
		return "", fmt.Errorf("report: top module %q is not a Verilog identifier", top)
	}
	var b strings.Builder
	for _, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		if strings.ContainsAny(a, "\"\n;") {
			return "", fmt.Errorf("report: %q: Yosys cannot read a path with "+
				"quotes, semicolons or newlines", a)
		}
		if _, err := os.Stat(a); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(&b, "read_verilog -defer \"%s\"\n", a)
	}
	flatten := " -flatten"
	if opt.Hierarchy {
		flatten = ""
	}
	fmt.Fprintf(&b, "synth_xilinx -family xcup%s -nowidelut -noiopad -noclkbuf -top %s\n",
		flatten, top)
	b.WriteString("tee -q -o stat.json stat -json\n")
	if !opt.NoPath {
		if opt.Hierarchy {
			b.WriteString("flatten\n")
		}
		// ltp -noff only drops Yosys' internal flip-flop cells, not the
		// mapped FD* primitives: leave those out of the selection
		b.WriteString("tee -q -o ltp.txt ltp -noff t:FD* %n\n")
	}
	return b.String(), nil
}

// readStat reads the stat -json output file.
func readStat(path, top string) (*YosysResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	res, err := ParseYosysStat(filepath.Base(path), f, top)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return res, nil
}

// statJSON is the output of Yosys' stat -json.
type statJSON struct {
	Creator string                    `json:"creator"`
	Modules map[string]statModuleJSON `json:"modules"`
	Design  *statModuleJSON           `json:"design"`
}

type statModuleJSON struct {
	Cells map[string]int `json:"num_cells_by_type"`
}

// ParseYosysStat reads the JSON that Yosys' `stat -json` prints after
// synth_xilinx, for the design whose top module is top; name is used in
// error messages. The totals come from the "design" section, which Yosys
// computes over the whole hierarchy; the per-module figures from
// "modules", with each module's submodule instances expanded.
func ParseYosysStat(name string, r io.Reader, top string) (*YosysResult, error) {
	var s statJSON
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: offset %d: %v", name, se.Offset, err)
		}
		return nil, fmt.Errorf("%s: not the output of Yosys' stat -json: %v", name, err)
	}
	if len(s.Modules) == 0 {
		return nil, fmt.Errorf("%s: no modules: not the output of Yosys' stat -json", name)
	}
	res := &YosysResult{Top: top, Version: s.Creator, Cells: map[string]int{}}

	// each module's own primitives, then its instances expanded
	mods := map[string]map[string]int{}
	for m, st := range s.Modules {
		mods[strings.TrimPrefix(m, `\`)] = st.Cells
	}
	res.Modules = map[string]Resources{}
	var expand func(m string, depth int) (Resources, error)
	expand = func(m string, depth int) (Resources, error) {
		if r, ok := res.Modules[m]; ok {
			return r, nil
		}
		if depth > len(mods) {
			return Resources{}, fmt.Errorf("%s: module %q instantiates itself", name, m)
		}
		var total Resources
		for _, typ := range sortedKeys(mods[m]) {
			n := mods[m][typ]
			if n < 0 || n > maxCells {
				return Resources{}, fmt.Errorf("%s: module %q: implausible count %d of %s",
					name, m, n, typ)
			}
			if _, sub := mods[strings.TrimPrefix(typ, `\`)]; sub {
				r, err := expand(strings.TrimPrefix(typ, `\`), depth+1)
				if err != nil {
					return Resources{}, err
				}
				if n > 0 && max(r.LUT, r.FF, r.DSP, r.Carry) > maxCells/n {
					return Resources{}, fmt.Errorf("%s: module %q: implausible count "+
						"of %d instances of %s", name, m, n, typ)
				}
				total.Add(total, r.Scale(n))
				continue
			}
			total.Add(total, cellResources(typ, n))
		}
		res.Modules[m] = total
		return total, nil
	}
	for _, m := range sortedKeys(mods) {
		if _, err := expand(m, 0); err != nil {
			return nil, err
		}
	}

	// the totals: Yosys' own expansion when present, else the top module
	switch {
	case s.Design != nil:
		for typ, n := range s.Design.Cells {
			if n < 0 || n > maxCells {
				return nil, fmt.Errorf("%s: design: implausible count %d of %s", name, n, typ)
			}
			res.Cells[typ] = n
			res.Total.Add(res.Total, cellResources(typ, n))
		}
	case len(mods) == 1 || top != "":
		m := top
		if len(mods) == 1 {
			for only := range mods {
				m = only
			}
		}
		cells, ok := mods[m]
		if !ok {
			return nil, fmt.Errorf("%s: no module %q", name, top)
		}
		for typ, n := range cells {
			if _, sub := mods[strings.TrimPrefix(typ, `\`)]; !sub {
				res.Cells[typ] = n
			}
		}
		res.Total = res.Modules[m]
	default:
		return nil, fmt.Errorf("%s: several modules and no design totals: "+
			"name the top module", name)
	}
	return res, nil
}

// maxCells bounds every cell count that ParseYosysStat accepts (and the
// product of a module's count by the instances of it), far above any
// FPGA's size.
const maxCells = 1 << 30

// lutramLUTs is the number of LUTs each distributed-RAM or shift-register
// primitive occupies (UG574).
var lutramLUTs = map[string]int{
	"RAM32X1S": 1, "RAM32X1D": 2, "RAM64X1S": 1, "RAM64X1D": 2,
	"RAM128X1S": 2, "RAM128X1D": 4, "RAM256X1S": 4, "RAM256X1D": 8,
	"RAM512X1S": 8, "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8,
	"SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
}

// cellResources returns what n cells of a Xilinx primitive type use.
func cellResources(typ string, n int) Resources {
	switch {
	case len(typ) == 4 && strings.HasPrefix(typ, "LUT") && typ[3] >= '1' && typ[3] <= '6':
		return Resources{LUT: n}
	case typ == "LUT6_2":
		return Resources{LUT: n}
	case typ == "FDRE" || typ == "FDSE" || typ == "FDCE" || typ == "FDPE":
		return Resources{FF: n}
	case strings.HasPrefix(typ, "DSP48"):
		return Resources{DSP: n}
	case typ == "CARRY4" || typ == "CARRY8":
		return Resources{Carry: n}
	case strings.HasPrefix(typ, "RAMB36") || strings.HasPrefix(typ, "FIFO36"):
		return Resources{BRAM: float64(n)}
	case strings.HasPrefix(typ, "RAMB18") || strings.HasPrefix(typ, "FIFO18"):
		return Resources{BRAM: float64(n) / 2}
	}
	if l, ok := lutramLUTs[typ]; ok {
		return Resources{LUT: l * n, LUTRAM: l * n}
	}
	return Resources{}
}

// ltpLength matches the head line of Yosys' ltp output.
var ltpLength = regexp.MustCompile(`Longest topological path in \S+ \(length=(\d+)\)`)

// ParseLTP reads the output of Yosys' ltp command and returns the length
// of the longest path, in cells; name is used in error messages.
func ParseLTP(name string, r io.Reader) (int, error) {
	sc := newScanner(r)
	for sc.Scan() {
		if m := ltpLength.FindStringSubmatch(sc.Text()); m != nil {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				return 0, fmt.Errorf("%s: path length %q: %v", name, m[1], err)
			}
			return n, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return 0, fmt.Errorf("%s: no \"Longest topological path\" line: not the "+
		"output of Yosys' ltp", name)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// warningCounter counts the warning lines of Yosys' output.
type warningCounter struct {
	partial            []byte
	warnings, undriven int
}

// Write counts the complete lines of p that are warnings.
func (w *warningCounter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := w.partial[:i]
		if bytes.HasPrefix(line, []byte("Warning:")) {
			w.warnings++
			if bytes.Contains(line, []byte("is used but has no driver")) {
				w.undriven++
			}
		}
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > 1<<16 {
		w.partial = w.partial[:0] // a line this long is no warning
	}
	return len(p), nil
}

// tailBuffer keeps the last few kilobytes written to it.
type tailBuffer struct{ b bytes.Buffer }

const tailSize = 4096

// Write appends p, dropping what is older than the last tailSize bytes.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if t.b.Len() > 2*tailSize {
		keep := append([]byte(nil), t.b.Bytes()[t.b.Len()-tailSize:]...)
		t.b.Reset()
		t.b.Write(keep)
	}
	return len(p), nil
}

// String returns the last tailSize bytes written.
func (t *tailBuffer) String() string {
	s := t.b.String()
	if len(s) > tailSize {
		s = s[len(s)-tailSize:]
	}
	return s
}
