// Package tclstub runs the Tcl scripts kd2fpga writes for AMD's tools
// (Vivado's build.tcl and package_ip.tcl, the XDC constraints, Vitis
// HLS's build_prj.tcl) in a plain tclsh with every tool command replaced
// by a stub that records its name and arguments. Tests use it to check
// what a script would ask of the tools, which files it would read and
// where it would write, on a machine without them.
//
// It is a test helper: Run takes a testing.TB and skips the test when
// tclsh is missing (KD2FPGA_TCLSH overrides the path, as internal/tools
// describes).
package tclstub

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/internal/tools"
)

// Call is one stubbed command: its name and its arguments as Tcl passed
// them, after substitution.
type Call []string

// Name returns the command's name.
func (c Call) Name() string { return c[0] }

// Last returns the command's last argument, or "" when it has none.
func (c Call) Last() string {
	if len(c) < 2 {
		return ""
	}
	return c[len(c)-1]
}

// Flag returns the argument after the option name (such as "-part"),
// and whether the option is there.
func (c Call) Flag(name string) (string, bool) {
	for i := 1; i+1 < len(c); i++ {
		if c[i] == name {
			return c[i+1], true
		}
	}
	return "", false
}

// String prints the call as one line, for test messages.
func (c Call) String() string { return strings.Join(c, " ") }

// separator divides the arguments of a logged call; no script argument
// holds it.
const separator = "\x1f"

// stubs defines every command tclsh does not know as a procedure that
// logs its name and arguments, one call per line, and then sources the
// script given as the second argument with the rest as its arguments.
// [info script] answers the script's path, and exit only stops the
// script, so that the log is complete.
const stubs = `
set log [open [lindex $argv 0] w]
set script [lindex $argv 1]
set ::argv [lrange $argv 2 end]
set ::argc [llength $::argv]
proc unknown {args} {
    puts $::log [join $args "\x1f"]
    return stub
}
rename info _info
proc info {args} {
    if {[lindex $args 0] eq "script"} { return $::script }
    return [uplevel 1 [list _info {*}$args]]
}
rename exit _exit
proc exit {args} { return -code return }
source $script
close $log
`

// Run runs script with args in tclsh, from a fresh temporary folder (not
// the script's: the script must find its files itself), with every tool
// command stubbed, and returns the calls it made in order. A script that
// fails fails the test.
func Run(t testing.TB, script string, args ...string) []Call {
	t.Helper()
	tclsh, err := tools.Find("tclsh")
	if err != nil {
		t.Skipf("the scripts are checked by their text only: %v", err)
	}
	dir := t.TempDir()
	stubFile := filepath.Join(dir, "stubs.tcl")
	logFile := filepath.Join(dir, "calls.log")
	if err := os.WriteFile(stubFile, []byte(stubs), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tclsh, append([]string{stubFile, logFile, script}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tclsh %s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var calls []Call
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		if line != "" {
			calls = append(calls, strings.Split(line, separator))
		}
	}
	return calls
}
