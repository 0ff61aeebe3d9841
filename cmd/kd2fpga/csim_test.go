package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kd2fpga/internal/tools"
	"kd2fpga/sim"
)

// TestCsimSimulate runs the HLS C simulation of a converted example
// through `kd2fpga simulate --sim csim`, compiled against the ap_fixed
// headers: it must match the emulator on every vector, and fail, naming
// the vector, once one expected output has one bit flipped. Without the
// headers (they are no Debian package) it skips, saying how to run it.
func TestCsimSimulate(t *testing.T) {
	if sim.APTypesInclude() == "" {
		t.Skip("no ap_fixed headers: set " + sim.APTypesEnv + " to the include/ folder of " +
			"Xilinx's HLS_arbitrary_Precision_Types (or XILINX_HLS to a Vitis HLS install)")
	}
	tools.Require(t, sim.Tools(sim.CSim)...)
	dir := convertForTest(t, example("sigmoid_tanh"), testVectors)
	row := regexp.MustCompile(`(?m)^csim +(\d+) +(\d+) .*\b(ok|FAILED)$`)

	out, err := runApp(t, "simulate", dir, "--sim", "csim")
	m := row.FindStringSubmatch(out)
	if err != nil || m == nil || m[1] != fmt.Sprint(testVectors) || m[2] != "0" || m[3] != "ok" {
		t.Fatalf("simulate --sim csim: err = %v, output:\n%s", err, out)
	}

	// the lowest bit of one expected output flipped
	s, err := sim.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	const bad = 417
	path := filepath.Join(dir, filepath.FromSlash(s.Vectors.Expected))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	word := lines[bad]
	last := strings.IndexByte("0123456789abcdef", word[len(word)-1])
	lines[bad] = word[:len(word)-1] + string("0123456789abcdef"[last^1])
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runApp(t, "simulate", dir, "--sim", "csim")
	m = row.FindStringSubmatch(out)
	if err == nil || m == nil || m[2] != "1" || m[3] != "FAILED" ||
		!strings.Contains(out, fmt.Sprintf("1 of %d outputs differ, the first at vector %d",
			testVectors, bad)) {
		t.Errorf("simulate --sim csim with a flipped bit: err = %v, output:\n%s", err, out)
	}
}
