package testbench

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestBenchGolden(t *testing.T) {
	d := Design{Top: "toy", InWidth: 10, OutWidth: 13, Latency: 3, II: 2, Vectors: 1000}
	var vhd, sv strings.Builder
	if err := WriteVHDL(&vhd, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteSV(&sv, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "tb_toy.vhd", vhd.String())
	golden(t, "tb_toy.sv", sv.String())
}

func TestBenchErrors(t *testing.T) {
	bad := []Design{
		{InWidth: 1, OutWidth: 1, II: 1, Vectors: 1},
		{Top: "x", InWidth: 0, OutWidth: 1, II: 1, Vectors: 1},
		{Top: "x", InWidth: 1, OutWidth: 1, II: 0, Vectors: 1},
		{Top: "x", InWidth: 1, OutWidth: 1, II: 1, Vectors: 0},
	}
	for _, d := range bad {
		if err := WriteVHDL(&strings.Builder{}, d); err == nil {
			t.Errorf("WriteVHDL(%+v) succeeded", d)
		}
	}
}
