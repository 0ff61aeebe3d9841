package sim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"kd2fpga/internal/tools"
)

// The simulators, as named on the command line.
const (
	GHDL      = "ghdl"
	Verilator = "verilator"
	Icarus    = "iverilog"
	CSim      = "csim"
)

// Simulators lists every simulator a project can be run in.
var Simulators = []string{GHDL, Verilator, Icarus, CSim}

// Tools returns the programs the named simulator needs.
func Tools(simulator string) []string {
	switch simulator {
	case GHDL:
		return []string{"ghdl"}
	case Verilator:
		return []string{"verilator", "make", "g++"}
	case Icarus:
		return []string{"iverilog", "vvp"}
	case CSim:
		return []string{"g++"}
	}
	return nil
}

// Options adjusts a run.
type Options struct {
	// VectorDir is the folder holding input.hex and expected.hex; empty
	// means the project's (the summary's vector files).
	VectorDir string
	// Vectors is the number of vectors in them; 0 means the summary's
	// count.
	Vectors int
	// Optimize builds Verilator simulators with the C++ compiler's
	// optimizations: they run several times faster but take two to three
	// times longer to build, which pays only for long runs.
	Optimize bool
	// Progress, when not nil, is told each step as it starts, such as
	// ("ghdl", "analyzing 2 files"), and, while the testbench runs, how
	// far it has come, about every tenth of the vectors ("300 of 1000
	// vectors compared"). Calls never overlap, but those of a running
	// testbench come from the goroutine that reads its output.
	Progress func(simulator, step string)
}

// Run runs the named simulator (GHDL, Verilator, Icarus or CSim) on the
// project folder dir.
func Run(ctx context.Context, simulator, dir string, opts Options) (*Result, error) {
	switch simulator {
	case GHDL:
		return RunGHDL(ctx, dir, opts)
	case Verilator:
		return RunVerilator(ctx, dir, opts)
	case Icarus:
		return RunIcarus(ctx, dir, opts)
	case CSim:
		return RunCSim(ctx, dir, opts)
	}
	return nil, fmt.Errorf("sim: unknown simulator %q (want one of %s)",
		simulator, strings.Join(Simulators, ", "))
}

// job is one simulation being run: the project, its scratch folder and
// log, and the result being filled in.
type job struct {
	name    string
	dir     string // the project folder, absolute
	work    string // DIR/sim/<name>
	sum     *Summary
	opts    Options
	vectors int    // vectors to run
	in, exp string // vector files, absolute
	log     *os.File
	res     *Result
	start   time.Time
	// the CPU time of the last command run, and of all of them
	cpu, cpuTotal time.Duration
}

// newJob reads the summary, checks the vector files and makes the
// scratch folder.
func newJob(name, dir string, opts Options) (*job, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	sum, err := ReadSummary(abs)
	if err != nil {
		return nil, err
	}
	j := &job{name: name, dir: abs, sum: sum, opts: opts, start: time.Now()}

	// the vector files and how many vectors they hold
	j.in = filepath.Join(abs, filepath.FromSlash(sum.Vectors.In))
	j.exp = filepath.Join(abs, filepath.FromSlash(sum.Vectors.Expected))
	j.vectors = sum.Vectors.Count
	if opts.VectorDir != "" {
		vd, err := filepath.Abs(opts.VectorDir)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		j.in = filepath.Join(vd, "input.hex")
		j.exp = filepath.Join(vd, "expected.hex")
	}
	if opts.Vectors > 0 {
		j.vectors = opts.Vectors
	}
	for _, f := range []string{j.in, j.exp} {
		n, err := countLines(f)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		if n < j.vectors {
			return nil, fmt.Errorf("sim: %s: %d vectors, want %d", f, n, j.vectors)
		}
	}

	// a scratch folder of the simulator's own, and its log
	j.work = filepath.Join(abs, "sim", name)
	if err := os.MkdirAll(j.work, 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if j.log, err = os.Create(filepath.Join(j.work, "sim.log")); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	j.res = &Result{
		Simulator:       name,
		Latency:         -1,
		ExpectedLatency: sum.Latency,
		ExpectedII:      sum.II,
		Log:             j.log.Name(),
	}
	return j, nil
}

// close closes the log; it may be called more than once.
func (j *job) close() {
	if j.log != nil {
		j.log.Close()
		j.log = nil
	}
}

// path returns the absolute path of a project file named in the summary.
func (j *job) path(rel string) string {
	return filepath.Join(j.dir, filepath.FromSlash(rel))
}

// progress reports a step.
func (j *job) progress(format string, args ...any) {
	if j.opts.Progress != nil {
		j.opts.Progress(j.name, fmt.Sprintf(format, args...))
	}
}

// progressStep returns the number of outputs a testbench compares
// between two of its KD2FPGA PROGRESS lines: a tenth of the vectors, or 0
// for none when no one is told of them.
func (j *job) progressStep() int {
	if j.opts.Progress == nil {
		return 0
	}
	return max(1, j.vectors/10)
}

// watch reports a KD2FPGA PROGRESS line of a running testbench as a step;
// it ignores every other line.
func (j *job) watch(line string) {
	if n, ok := parseProgress(line); ok {
		j.progress("%d of %d vectors compared", n, j.vectors)
	}
}

// exec runs one command in the scratch folder, appends what it prints to
// the log and returns it; each line is watched as it arrives. A command
// that cannot start or that a context ends is an error; a non-zero exit
// is returned as the exit code with a nil error only when allowFail is
// set.
func (j *job) exec(ctx context.Context, allowFail bool, prog string, args ...string) (string, int, error) {
	if j.log != nil {
		fmt.Fprintf(j.log, "$ %s %s\n", filepath.Base(prog), strings.Join(args, " "))
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = j.work
	// one writer for both, so that os/exec calls its Write from a single
	// goroutine
	out := &lineWriter{line: j.watch}
	cmd.Stdout = out
	cmd.Stderr = out
	err := cmd.Run()
	if ps := cmd.ProcessState; ps != nil {
		j.cpu = ps.UserTime() + ps.SystemTime()
		j.cpuTotal += j.cpu
	}
	if j.log != nil {
		j.log.Write(out.buf.Bytes())
	}
	text := out.buf.String()

	var exit *exec.ExitError
	switch {
	case err == nil:
		return text, 0, nil
	case ctx.Err() != nil:
		return text, -1, fmt.Errorf("sim: %s: %s: %w", j.name, filepath.Base(prog), ctx.Err())
	case errors.As(err, &exit) && allowFail:
		return text, exit.ExitCode(), nil
	case errors.As(err, &exit):
		return text, exit.ExitCode(), fmt.Errorf("%w: %s: %s exited with status %d%s",
			ErrFailed, j.name, filepath.Base(prog), exit.ExitCode(), tail(text))
	}
	return text, -1, fmt.Errorf("%w: %s: %v", ErrFailed, j.name, err)
}

// lineWriter collects what a command prints and passes each line, without
// its newline, to line as soon as the newline is written. A last line
// without a newline is collected but not passed on.
type lineWriter struct {
	buf   bytes.Buffer
	start int // where the line not yet ended begins in buf
	line  func(string)
}

// Write appends p to the output and passes on the lines it ends.
func (w *lineWriter) Write(p []byte) (int, error) {
	from := w.buf.Len()
	w.buf.Write(p)
	b := w.buf.Bytes()
	for {
		i := bytes.IndexByte(b[from:], '\n')
		if i < 0 {
			return len(p), nil
		}
		end := from + i
		w.line(string(b[w.start:end]))
		w.start, from = end+1, end+1
	}
}

// finish parses the testbench output and checks the result.
func (j *job) finish(output string, exitCode int, runStart time.Time) (*Result, error) {
	r := j.res
	r.ExitCode = exitCode
	r.Run = time.Since(runStart)
	r.RunCPU = j.cpu // the run is the last command
	r.BuildCPU = j.cpuTotal - j.cpu
	r.Build = runStart.Sub(j.start)
	r.Duration = time.Since(j.start)
	j.close()

	// the result line must be there and match the exit status
	if err := r.Parse(output); err != nil {
		return r, fmt.Errorf("%w: %s: %v (exit status %d)%s", ErrFailed, j.name, err, exitCode, tail(output))
	}
	if r.ExpectedII < 0 {
		r.ExpectedII = r.II // a C simulation reports the design's own II
	}
	switch {
	case r.Mismatches > 0 && exitCode == 0:
		return r, fmt.Errorf("%w: %s: %d mismatches but exit status 0", ErrFailed, j.name, r.Mismatches)
	case r.Mismatches > 0:
		return r, fmt.Errorf("%w: %s: %d of %d outputs differ, the first at vector %d",
			ErrMismatch, j.name, r.Mismatches, r.Vectors, r.FirstMismatches[0].Sample)
	case len(r.Errors) > 0:
		return r, fmt.Errorf("%w: %s: %s", ErrFailed, j.name, strings.Join(r.Errors, "; "))
	case exitCode != 0:
		return r, fmt.Errorf("%w: %s: exit status %d%s", ErrFailed, j.name, exitCode, tail(output))
	case r.Vectors != j.vectors:
		return r, fmt.Errorf("%w: %s: %d vectors applied, want %d", ErrFailed, j.name, r.Vectors, j.vectors)
	case r.Latency != r.ExpectedLatency || r.II != r.ExpectedII:
		return r, fmt.Errorf("%w: %s: latency %d and II %d measured, %d and %d scheduled",
			ErrLatency, j.name, r.Latency, r.II, r.ExpectedLatency, r.ExpectedII)
	}
	return r, nil
}

// tail returns the last lines of a tool's output, indented, for an error
// message, or "" when there are none.
func tail(output string) string {
	const keep = 15
	lines := strings.Split(strings.TrimRight(output, "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	if len(lines) > keep {
		lines = lines[len(lines)-keep:]
	}
	return "\n\t" + strings.Join(lines, "\n\t")
}

// countLines counts the non-empty lines of a file.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<26)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n, sc.Err()
}

// findTools finds the programs of a simulator.
func findTools(simulator string) ([]string, error) {
	paths, err := tools.FindAll(Tools(simulator)...)
	if err != nil {
		return nil, fmt.Errorf("sim: %s: %w", simulator, err)
	}
	return paths, nil
}
