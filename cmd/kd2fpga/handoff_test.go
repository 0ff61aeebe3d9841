package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kd2fpga/handoff"
	"kd2fpga/internal/tclstub"
	"kd2fpga/sim"
)

// TestHandoffInProject converts an example for a part and a clock other
// than the defaults and runs every script of the project folder with the
// tools stubbed: Vivado's build.tcl, package_ip.tcl and clock.xdc, and
// Vitis HLS's build_prj.tcl must all target the part and clock of
// kd2fpga.json, and every file they or the FuseSoC core name must exist
// in the project.
func TestHandoffInProject(t *testing.T) {
	const part, clock = "xcvu9p-flga2104-2L-e", 4.0
	dir := convertForTest(t, example("sigmoid_tanh"), 5, "--part", part, "--clock-ns", "4")
	s, err := sim.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Target.Part != part || s.Target.ClockNs != clock {
		t.Fatalf("summary target %+v, converted for %s at %g ns", s.Target, part, clock)
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}

	// rel returns the path of a file a script names, relative to the
	// project, and fails the test unless the file is inside it and,
	// when read is set, exists
	rel := func(script, f string, read bool) string {
		t.Helper()
		if !filepath.IsAbs(f) {
			f = filepath.Join(root, filepath.Dir(filepath.FromSlash(script)), f)
		}
		r, err := filepath.Rel(root, f)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			t.Errorf("%s names %s, outside the project", script, f)
		}
		if _, err := os.Stat(f); read && err != nil {
			t.Errorf("%s names a missing file: %v", script, err)
		}
		return filepath.ToSlash(r)
	}
	// flag returns an option of the first call of the named command
	flag := func(script string, calls []tclstub.Call, cmd, option string) string {
		t.Helper()
		for _, c := range calls {
			if c.Name() == cmd {
				v, _ := c.Flag(option)
				return v
			}
		}
		t.Errorf("%s calls no %s", script, cmd)
		return ""
	}
	period := func(script, v string) {
		t.Helper()
		if p, err := strconv.ParseFloat(v, 64); err != nil || p != clock {
			t.Errorf("%s: clock period %q, want %g", script, v, clock)
		}
	}

	// build.tcl in both languages
	for _, rtl := range []string{"", "verilog"} {
		var args []string
		want := append(slices.Clone(s.Files.VHDL), handoff.ClockXDC)
		if rtl != "" {
			args = []string{"rtl=" + rtl}
			want = append(slices.Clone(s.Files.Verilog), handoff.ClockXDC)
		}
		calls := tclstub.Run(t, filepath.Join(dir, handoff.BuildScript), args...)
		var reads []string
		reports := map[string]bool{}
		for _, c := range calls {
			switch c.Name() {
			case "read_vhdl", "read_verilog", "read_xdc":
				reads = append(reads, rel(handoff.BuildScript, c.Last(), true))
			case "report_utilization", "report_timing_summary":
				reports[rel(handoff.BuildScript, c.Last(), false)] = true
			}
		}
		if !slices.Equal(reads, want) {
			t.Errorf("build.tcl %v reads %v, want %v", args, reads, want)
		}
		if !reports[handoff.UtilizationReport] || !reports[handoff.TimingReport] {
			t.Errorf("build.tcl %v writes the reports %v, report reads %s and %s", args,
				reports, handoff.UtilizationReport, handoff.TimingReport)
		}
		if p := flag("build.tcl", calls, "synth_design", "-part"); p != part {
			t.Errorf("build.tcl synthesizes for %q, want %s", p, part)
		}
		if top := flag("build.tcl", calls, "synth_design", "-top"); top != s.Top {
			t.Errorf("build.tcl synthesizes top %q, want %s", top, s.Top)
		}
	}

	// the clock constraint is Tcl too
	calls := tclstub.Run(t, filepath.Join(dir, handoff.ClockXDC))
	period("clock.xdc", flag("clock.xdc", calls, "create_clock", "-period"))
	if !slices.ContainsFunc(calls, func(c tclstub.Call) bool {
		return c.String() == "get_ports clk"
	}) {
		t.Errorf("clock.xdc does not constrain the port clk: %v", calls)
	}

	// package_ip.tcl, bare and with the AXI-Stream wrapper
	for _, axis := range []bool{false, true} {
		var args []string
		top, want := s.Top, slices.Clone(s.Files.VHDL)
		if axis {
			args = []string{"axis=1"}
			top, want = s.Top+"_axis", append(want, handoff.AXISFile(s.Top))
		}
		calls := tclstub.Run(t, filepath.Join(dir, handoff.PackageScript), args...)
		var reads []string
		for _, c := range calls {
			if c.Name() == "add_files" {
				reads = append(reads, rel(handoff.PackageScript, c.Last(), true))
			}
		}
		if !slices.Equal(reads, want) {
			t.Errorf("package_ip.tcl %v reads %v, want %v", args, reads, want)
		}
		if p := flag("package_ip.tcl", calls, "create_project", "-part"); p != part {
			t.Errorf("package_ip.tcl %v creates a project for %q, want %s", args, p, part)
		}
		if !slices.ContainsFunc(calls, func(c tclstub.Call) bool {
			return len(c) > 2 && c.Name() == "set_property" && c[1] == "top" && c[2] == top
		}) {
			t.Errorf("package_ip.tcl %v does not make %s the top", args, top)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, handoff.AXISFile(s.Top)))
	if err != nil || !strings.Contains(string(raw), "module "+s.Top+"_axis") {
		t.Errorf("the wrapper %s does not define %s_axis (%v)", handoff.AXISFile(s.Top),
			s.Top, err)
	}

	// Vitis HLS's build_prj.tcl: the same part and clock, its sources
	// beside it, the vectors in tb/
	const hlsScript = "hls/build_prj.tcl"
	calls = tclstub.Run(t, filepath.Join(dir, hlsScript), "cosim=1")
	var parts, sources, vectors []string
	for _, c := range calls {
		switch c.Name() {
		case "set_part":
			parts = append(parts, c.Last())
		case "create_clock":
			v, _ := c.Flag("-period")
			period(hlsScript, v)
		case "set_top":
			if c.Last() != s.Top {
				t.Errorf("%s: top %q, want %s", hlsScript, c.Last(), s.Top)
			}
		case "add_files":
			for i := 1; i < len(c); i++ {
				switch {
				case c[i] == "-cflags":
					i++
				case !strings.HasPrefix(c[i], "-"):
					sources = append(sources, rel(hlsScript, c[i], true))
				}
			}
		case "csim_design", "cosim_design":
			argv, _ := c.Flag("-argv")
			f := strings.Fields(argv)
			if len(f) != 3 {
				t.Errorf("%s: %s -argv %q, want two vector files and a count", hlsScript,
					c.Name(), argv)
				continue
			}
			vectors = append(vectors, rel(hlsScript, f[0], true), rel(hlsScript, f[1], true))
		}
	}
	if !slices.Equal(parts, []string{part}) {
		t.Errorf("%s: set_part %v, want %s", hlsScript, parts, part)
	}
	if len(sources) < 2 {
		t.Errorf("%s adds the files %v, want the design and its testbench", hlsScript, sources)
	}
	want := []string{s.Vectors.In, s.Vectors.Expected, s.Vectors.In, s.Vectors.Expected}
	if !slices.Equal(vectors, want) {
		t.Errorf("%s: the simulations read %v, want %v", hlsScript, vectors, want)
	}

	// the FuseSoC core
	core := handoff.CoreFile(s.Top)
	raw, err = os.ReadFile(filepath.Join(dir, core))
	if err != nil {
		t.Fatal(err)
	}
	items := regexp.MustCompile(`(?m)^ {6}- ([^\s:]+)`).FindAllStringSubmatch(string(raw), -1)
	if len(items) == 0 {
		t.Errorf("%s lists no files", core)
	}
	for _, m := range items {
		rel(core, m[1], true)
	}
	if !strings.Contains(string(raw), "\n        part: "+part+"\n") {
		t.Errorf("%s does not synthesize for %s:\n%s", core, part, raw)
	}
}
