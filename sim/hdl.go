package sim

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// RunGHDL analyzes the VHDL design and testbench of the project folder
// dir with GHDL (VHDL-2008) in DIR/sim/ghdl and runs the testbench.
func RunGHDL(ctx context.Context, dir string, opts Options) (*Result, error) {
	paths, err := findTools(GHDL)
	if err != nil {
		return nil, err
	}
	j, err := newJob(GHDL, dir, opts)
	if err != nil {
		return nil, err
	}
	defer j.close()
	ghdl, tb := paths[0], "tb_"+j.sum.Top

	// analysis of the design, then the testbench, into ./work-obj08.cf
	args := []string{"-a", "--std=08", "--workdir=."}
	for _, f := range j.sum.Files.VHDL {
		args = append(args, j.path(f))
	}
	args = append(args, j.path(j.sum.Files.VHDLBench))
	j.progress("analyzing %d files", len(args)-3)
	if _, _, err := j.exec(ctx, false, ghdl, args...); err != nil {
		return nil, err
	}

	// elaboration and run, with the vector files and the progress step
	// as generics
	j.progress("running %d vectors", j.vectors)
	start := time.Now()
	out, code, err := j.exec(ctx, true, ghdl, "--elab-run", "--std=08", "--workdir=.", tb,
		"-gN_VECTORS="+strconv.Itoa(j.vectors),
		"-gINPUT_FILE="+j.in,
		"-gEXPECTED_FILE="+j.exp,
		"-gPROGRESS_STEP="+strconv.Itoa(j.progressStep()),
		"--ieee-asserts=disable")
	if err != nil {
		return nil, err
	}
	return j.finish(out, code, start)
}

// RunVerilator builds the Verilog design and the SystemVerilog testbench
// of the project folder dir into a simulator with Verilator (--binary)
// in DIR/sim/verilator and runs it.
func RunVerilator(ctx context.Context, dir string, opts Options) (*Result, error) {
	paths, err := findTools(Verilator)
	if err != nil {
		return nil, err
	}
	j, err := newJob(Verilator, dir, opts)
	if err != nil {
		return nil, err
	}
	defer j.close()
	tb := "tb_" + j.sum.Top

	// the build; an unchanged project rebuilds nothing. Generated
	// netlists are large and straight-line: compiling them without
	// optimization takes a third of the time (59 s against 162 s for
	// the 16-64-32-32-5 MLP) and they still run 1000 vectors in 0.1 s.
	mdir, opt := "obj", "-O0"
	if j.opts.Optimize {
		mdir, opt = "obj-opt", "-Os"
	}
	args := []string{
		"--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-Wno-TIMESCALEMOD",
		"--top-module", tb, "--Mdir", mdir, "-j", "2",
		"-MAKEFLAGS", fmt.Sprintf("OPT_FAST=%s OPT_SLOW=%s OPT_GLOBAL=%s", opt, opt, opt),
	}
	for _, f := range j.sum.Files.Verilog {
		args = append(args, j.path(f))
	}
	args = append(args, j.path(j.sum.Files.SVBench))
	j.progress("building")
	if _, _, err := j.exec(ctx, false, paths[0], args...); err != nil {
		return nil, err
	}

	// the run
	j.progress("running %d vectors", j.vectors)
	start := time.Now()
	out, code, err := j.exec(ctx, true, filepath.Join(j.work, mdir, "V"+tb), j.plusargs()...)
	if err != nil {
		return nil, err
	}
	return j.finish(out, code, start)
}

// RunIcarus compiles the Verilog design and the SystemVerilog testbench
// of the project folder dir with Icarus Verilog (-g2012) in
// DIR/sim/iverilog and runs them with vvp.
func RunIcarus(ctx context.Context, dir string, opts Options) (*Result, error) {
	paths, err := findTools(Icarus)
	if err != nil {
		return nil, err
	}
	j, err := newJob(Icarus, dir, opts)
	if err != nil {
		return nil, err
	}
	defer j.close()
	tb := "tb_" + j.sum.Top

	// compilation
	args := []string{"-g2012", "-s", tb, "-o", tb + ".vvp"}
	for _, f := range j.sum.Files.Verilog {
		args = append(args, j.path(f))
	}
	args = append(args, j.path(j.sum.Files.SVBench))
	j.progress("compiling")
	if _, _, err := j.exec(ctx, false, paths[0], args...); err != nil {
		return nil, err
	}

	// the run
	j.progress("running %d vectors", j.vectors)
	start := time.Now()
	out, code, err := j.exec(ctx, true, paths[1], append([]string{"-n", tb + ".vvp"}, j.plusargs()...)...)
	if err != nil {
		return nil, err
	}
	return j.finish(out, code, start)
}

// plusargs returns the run-time settings of the SystemVerilog testbench.
func (j *job) plusargs() []string {
	return []string{
		"+N_VECTORS=" + strconv.Itoa(j.vectors),
		"+INPUT_FILE=" + j.in,
		"+EXPECTED_FILE=" + j.exp,
		"+PROGRESS_STEP=" + strconv.Itoa(j.progressStep()),
	}
}
