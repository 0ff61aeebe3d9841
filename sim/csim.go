package sim

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// APTypesEnv names the folder holding Xilinx's ap_fixed.h for the C
// simulation; $XILINX_HLS/include is tried after it.
const APTypesEnv = "AP_TYPES_INCLUDE"

// noHeaders is why the C simulation is skipped without the headers.
const noHeaders = "no ap_fixed headers (set " + APTypesEnv + " to a folder containing " +
	"ap_fixed.h, e.g. a checkout of Xilinx's HLS_arbitrary_Precision_Types include/)"

// APTypesInclude returns the folder holding ap_fixed.h, from
// AP_TYPES_INCLUDE or $XILINX_HLS/include, or "" when neither has it.
func APTypesInclude() string {
	var dirs []string
	if d := os.Getenv(APTypesEnv); d != "" {
		dirs = append(dirs, d)
	}
	if d := os.Getenv("XILINX_HLS"); d != "" {
		dirs = append(dirs, filepath.Join(d, "include"))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "ap_fixed.h")); err == nil {
			abs, err := filepath.Abs(d)
			if err != nil {
				return d
			}
			return abs
		}
	}
	return ""
}

// RunCSim compiles the C simulation of the project's HLS design (the top
// function and the testbench that hlsgen writes into DIR/hls) with g++
// against the ap_fixed headers in DIR/sim/csim, and runs it. Without the
// headers it returns an error wrapping ErrSkipped that says how to get
// them. The C simulation has no clock: its latency is not checked.
func RunCSim(ctx context.Context, dir string, opts Options) (*Result, error) {
	paths, err := findTools(CSim)
	if err != nil {
		return nil, err
	}
	inc := APTypesInclude()
	if inc == "" {
		return nil, &skipError{simulator: CSim, why: noHeaders}
	}
	j, err := newJob(CSim, dir, opts)
	if err != nil {
		return nil, err
	}
	defer j.close()
	hls := j.path(j.sum.Files.HLS)
	top := j.sum.Top

	// the build
	j.progress("compiling")
	bin := filepath.Join(j.work, top+"_csim")
	if _, _, err := j.exec(ctx, false, paths[0], "-std=c++14", "-O1", "-DNDEBUG",
		"-I"+inc, "-I"+hls, "-o", bin,
		filepath.Join(hls, top+".cpp"), filepath.Join(hls, top+"_test.cpp")); err != nil {
		return nil, err
	}

	// the run; it measures neither latency nor II
	j.progress("running %d vectors", j.vectors)
	start := time.Now()
	out, code, err := j.exec(ctx, true, bin, j.in, j.exp, strconv.Itoa(j.vectors))
	if err != nil {
		return nil, err
	}
	j.res.ExpectedLatency = 0
	j.res.ExpectedII = -1 // taken from the result below
	return j.finish(out, code, start)
}

// skipError says why a simulation could not run; it matches ErrSkipped.
type skipError struct{ simulator, why string }

func (e *skipError) Error() string { return e.simulator + " skipped: " + e.why }

func (e *skipError) Is(target error) bool { return target == ErrSkipped }
