// Package tools finds the external programs kd2fpga drives (GHDL,
// Verilator, Icarus Verilog, Yosys, a C++ compiler) in one place, so that
// every caller honours the same environment overrides and gives the same
// advice when a program is missing.
//
// A program is looked up in the environment variable named after it
// (KD2FPGA_GHDL, KD2FPGA_VERILATOR, KD2FPGA_IVERILOG, KD2FPGA_VVP,
// KD2FPGA_YOSYS, KD2FPGA_CXX, KD2FPGA_MAKE) first, then on PATH.
package tools

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotFound is wrapped by every error Find returns for a missing
// program.
var ErrNotFound = errors.New("tools: program not found")

// Tool describes one external program.
type Tool struct {
	Name    string // the command name looked up on PATH, such as "ghdl"
	Env     string // the environment variable that overrides the path
	Package string // the Debian package that installs it
	Purpose string // what kd2fpga uses it for, for messages
}

// known lists the programs kd2fpga drives.
var known = map[string]Tool{
	"ghdl":      {"ghdl", "KD2FPGA_GHDL", "ghdl", "VHDL simulation"},
	"verilator": {"verilator", "KD2FPGA_VERILATOR", "verilator g++ make", "Verilog simulation"},
	"iverilog":  {"iverilog", "KD2FPGA_IVERILOG", "iverilog", "Verilog simulation"},
	"vvp":       {"vvp", "KD2FPGA_VVP", "iverilog", "Verilog simulation"},
	"yosys":     {"yosys", "KD2FPGA_YOSYS", "yosys", "synthesis"},
	"g++":       {"g++", "KD2FPGA_CXX", "g++", "C simulation"},
	"make":      {"make", "KD2FPGA_MAKE", "make", "Verilator builds"},
}

// Lookup returns the description of the named program. Programs kd2fpga
// does not know get an override variable named KD2FPGA_<NAME> and no
// package advice.
func Lookup(name string) Tool {
	if t, ok := known[name]; ok {
		return t
	}
	env := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
	return Tool{Name: name, Env: "KD2FPGA_" + env}
}

// Names returns the programs kd2fpga knows, sorted.
func Names() []string {
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Install returns the advice for installing the named program, such as
// "install it with `apt-get install ghdl` (Debian/Ubuntu) or set
// KD2FPGA_GHDL".
func Install(name string) string {
	t := Lookup(name)
	if t.Package == "" {
		return fmt.Sprintf("install it or set %s", t.Env)
	}
	return fmt.Sprintf("install it with `apt-get install %s` (Debian/Ubuntu) or set %s",
		t.Package, t.Env)
}

// Find returns the path of the named program: the value of its override
// variable when set (a path, or a name looked up on PATH), otherwise the
// program found on PATH. A missing program gives an error that wraps
// ErrNotFound and says how to install it.
func Find(name string) (string, error) {
	t := Lookup(name)

	// an override must point at something that runs
	if v := os.Getenv(t.Env); v != "" {
		p, err := exec.LookPath(v)
		if err != nil {
			return "", &missingError{name: name,
				detail: fmt.Sprintf("%s=%s is not a program that runs", t.Env, v)}
		}
		return abs(p), nil
	}

	p, err := exec.LookPath(t.Name)
	if err != nil {
		return "", &missingError{name: name}
	}
	return abs(p), nil
}

// abs makes p absolute, so that it still names the program when a
// command runs in another directory.
func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// missingError is the error of Find for a program that is not installed
// or whose override names nothing that runs.
type missingError struct{ name, detail string }

func (e *missingError) Error() string {
	if e.detail != "" {
		return fmt.Sprintf("%s not found: %s; %s", e.name, e.detail, Install(e.name))
	}
	return fmt.Sprintf("%s not found: %s", e.name, Install(e.name))
}

func (e *missingError) Unwrap() error { return ErrNotFound }

// FindAll finds every named program and returns their paths in order, or
// one error naming all the missing ones.
func FindAll(names ...string) ([]string, error) {
	paths := make([]string, len(names))
	var errs []error
	for i, n := range names {
		p, err := Find(n)
		if err != nil {
			errs = append(errs, err)
		}
		paths[i] = p
	}
	return paths, errors.Join(errs...)
}
