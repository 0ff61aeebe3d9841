package tools

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Find("ghdl")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find(ghdl) with empty PATH: err = %v, want ErrNotFound", err)
	}
	want := "ghdl not found: install it with `apt-get install ghdl` (Debian/Ubuntu) or set KD2FPGA_GHDL"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

func TestFindOverride(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "my-ghdl")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv("KD2FPGA_GHDL", fake)
	p, err := Find("ghdl")
	if err != nil || p != fake {
		t.Fatalf("Find(ghdl) = %q, %v; want %q", p, err, fake)
	}

	t.Setenv("KD2FPGA_GHDL", filepath.Join(dir, "absent"))
	if _, err := Find("ghdl"); !errors.Is(err, ErrNotFound) ||
		!strings.Contains(err.Error(), "KD2FPGA_GHDL") {
		t.Errorf("bad override: err = %v", err)
	}
}

func TestLookupUnknown(t *testing.T) {
	if got := Lookup("foo-bar").Env; got != "KD2FPGA_FOO_BAR" {
		t.Errorf("Lookup(foo-bar).Env = %q", got)
	}
	if got := Install("g++"); !strings.Contains(got, "KD2FPGA_CXX") {
		t.Errorf("Install(g++) = %q", got)
	}
}

func TestFindAll(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := FindAll("ghdl", "yosys")
	if err == nil || !strings.Contains(err.Error(), "ghdl") || !strings.Contains(err.Error(), "yosys") {
		t.Errorf("FindAll error = %v, want both names", err)
	}
}
