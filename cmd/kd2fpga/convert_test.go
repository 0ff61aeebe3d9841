package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/models"
	"kd2fpga/sim"
	"kd2fpga/testbench"
)

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = raw
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestConvertProject converts an example and checks the folder against
// docs/firmware.md: the files, the summary and vectors that the emulator
// reproduces.
func TestConvertProject(t *testing.T) {
	out := filepath.Join(t.TempDir(), "proj")
	stdout, err := runApp(t, "convert", "--model", example("sigmoid_tanh"), "--out", out,
		"--vectors", "40", "--seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "wrote "+out) || !strings.Contains(stdout, "40 test vectors") {
		t.Errorf("output %q", stdout)
	}

	// the layout
	s, err := sim.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	top := s.Top
	files := readTree(t, out)
	for _, f := range []string{"README.md", "kd2fpga.json", "model/model.hcl", "model/weights.npz",
		"vhdl/" + top + ".vhd", "verilog/" + top + ".v", "tb/tb_" + top + ".vhd",
		"tb/tb_" + top + ".sv", "tb/input.hex", "tb/expected.hex",
		"hls/" + top + ".cpp", "hls/" + top + "_test.cpp", "hls/build_prj.tcl",
		"vivado/build.tcl", "vivado/clock.xdc", "vivado/package_ip.tcl",
		"verilog/" + top + "_axis.v", top + ".core"} {
		if _, ok := files[f]; !ok {
			t.Errorf("%s missing", f)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("the parent folder holds %d entries, want the project only", len(entries))
	}

	// the summary agrees with the schedule and the vectors with the
	// emulator run on the project's copy of the model
	d, err := buildDesign(filepath.Join(out, s.Model), models.Target{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Latency != d.net.Latency() || s.II != d.net.II() || s.II != 2 ||
		s.Input.Width != d.net.InWidth || s.Output.Width != d.net.OutWidth {
		t.Errorf("summary %+v disagrees with the netlist", s)
	}
	v := testbench.Generate(d.plan, 40, 3, nil)
	var in, exp bytes.Buffer
	testbench.WriteHex(&in, v.In, testbench.BusOf(d.plan.Input))
	testbench.WriteHex(&exp, v.Out, testbench.BusOf(d.plan.Output()))
	if !bytes.Equal(in.Bytes(), files["tb/input.hex"]) ||
		!bytes.Equal(exp.Bytes(), files["tb/expected.hex"]) {
		t.Error("the vector files differ from the emulator's")
	}

	// the README has the port map and the commands
	readme := string(files["README.md"])
	for _, want := range []string{"| `in_data` | in | 120 |", "[119:", "kd2fpga simulate . --sim all",
		"ghdl --elab-run --std=08 tb_" + top, "vvp -n tb_" + top + ".vvp", "synth_xilinx",
		"vivado -mode batch -source vivado/build.tcl", "| `" + top + ".core` |"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
	if strings.Contains(readme, out) || bytes.Contains(files["kd2fpga.json"], []byte(out)) {
		t.Error("an absolute path leaked into the project")
	}
	var raw map[string]any
	if err := json.Unmarshal(files["kd2fpga.json"], &raw); err != nil {
		t.Error(err)
	}
}

// TestConvertDeterministic converts the same model twice and compares
// every byte.
func TestConvertDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, out := range []string{a, b} {
		if _, err := runApp(t, "convert", "--model", example("deepset_small"), "--out", out,
			"--vectors", "30"); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb := readTree(t, a), readTree(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two conversions", name)
		}
	}
}

// TestConvertOverwrite checks that an existing folder is kept without
// --force and replaced with it, and that a failed conversion leaves
// nothing behind.
func TestConvertOverwrite(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "proj")
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(out, "mine.txt"), []byte("keep me"), 0o644)

	_, err := runApp(t, "convert", "--model", example("sigmoid_tanh"), "--out", out, "--vectors", "5")
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want a refusal naming --force", err)
	}
	if _, err := os.Stat(filepath.Join(out, "mine.txt")); err != nil {
		t.Fatal("the existing folder was touched")
	}

	if _, err := runApp(t, "convert", "--model", example("sigmoid_tanh"), "--out", out,
		"--vectors", "5", "--force"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "mine.txt")); err == nil {
		t.Error("--force kept the old files")
	}
	if _, err := os.Stat(filepath.Join(out, sim.SummaryFile)); err != nil {
		t.Error(err)
	}

	// failures: no folder, no temporary left over
	bad := [][]string{
		{"--model", filepath.Join(dir, "absent.hcl"), "--out", filepath.Join(dir, "x")},
		{"--model", example("sigmoid_tanh"), "--out", filepath.Join(dir, "y"), "--clock-ns", "-1"},
		{"--model", example("sigmoid_tanh"), "--out", filepath.Join(dir, "z"), "--strategy", "fast"},
		{"--model", example("sigmoid_tanh"), "--out", filepath.Join(dir, "w"), "--vectors", "0"},
	}
	for _, args := range bad {
		if _, err := runApp(t, append([]string{"convert"}, args...)...); err == nil {
			t.Errorf("convert %v succeeded", args)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after failures the folder holds %v, want [proj]", names)
	}
}

func TestConvertFlagsOverrideTarget(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p")
	if _, err := runApp(t, "convert", "--model", example("deepset_small"), "--out", out,
		"--vectors", "3", "--reuse", "3", "--clock-ns", "2.5", "--part", "xcvu9p-flga2104-2-e"); err != nil {
		t.Fatal(err)
	}
	s, err := sim.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Target.Reuse != 3 || s.Target.ClockNs != 2.5 || s.Target.Part != "xcvu9p-flga2104-2-e" || s.II != 3 {
		t.Errorf("target %+v, II %d", s.Target, s.II)
	}
}

func TestConvertHelpShowsExample(t *testing.T) {
	for _, cmd := range []string{"convert", "simulate"} {
		out, err := runApp(t, cmd, "--help")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Example:") || !strings.Contains(out, "kd2fpga "+cmd+" ") {
			t.Errorf("%s --help shows no example:\n%s", cmd, out)
		}
	}
}
