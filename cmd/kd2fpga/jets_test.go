package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/jets"
)

// runApp runs kd2fpga in-process and returns its standard output.
func runApp(t *testing.T, args ...string) (string, error) {
	t.Helper()
	app := newApp()
	var out bytes.Buffer
	app.Writer, app.ErrWriter = &out, &out
	err := app.Run(append([]string{"kd2fpga"}, args...))
	return out.String(), err
}

func TestJetsCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "jets.npz")
	plot := filepath.Join(dir, "physics.png")
	stdout, err := runApp(t, "jets", "--n", "300", "--seed", "5", "--out", out,
		"--plot", plot, "--top-fraction", "0.4")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(stdout, "\n"); lines != 1 ||
		!strings.Contains(stdout, "300 jets (120 top, 180 QCD") {
		t.Errorf("summary %q, want one line with the counts", stdout)
	}

	// the file reads back as the sample the library makes for that seed
	got, err := jets.ReadNPZ(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg := jets.DefaultConfig()
	cfg.N, cfg.Seed, cfg.TopFraction = 300, 5, 0.4
	want, err := jets.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 300 || !equal(got.P4, want.P4) || !equalInts(got.Labels, want.Labels) {
		t.Error("the written sample differs from jets.Generate's")
	}
	if st, err := os.Stat(plot); err != nil || st.Size() == 0 {
		t.Errorf("plot: %v", err)
	}
}

func TestJetsCommandBoost(t *testing.T) {
	dir := t.TempDir()
	plain, boosted := filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")
	for _, args := range [][]string{
		{"jets", "--n", "50", "--out", plain},
		{"jets", "--n", "50", "--out", boosted, "--boost-beta", "0.6"},
	} {
		if _, err := runApp(t, args...); err != nil {
			t.Fatal(err)
		}
	}
	a, err := jets.ReadNPZ(plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := jets.ReadNPZ(boosted)
	if err != nil {
		t.Fatal(err)
	}
	// the boost changes energies but not invariant masses
	for i := range a.N {
		ma, mb := jets.JetMass(a.Jet(i)), jets.JetMass(b.Jet(i))
		if d := ma - mb; d > 1e-6*ma || d < -1e-6*ma {
			t.Fatalf("jet %d: mass %v boosted to %v", i, ma, mb)
		}
	}
	if equal(a.P4, b.P4) {
		t.Error("--boost-beta 0.6 left the constituents unchanged")
	}
}

func TestJetsCommandErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.npz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"jets", "--n", "0", "--out", out}, "N = 0"},
		{[]string{"jets", "--n", "10", "--out", out, "--boost-beta", "1"}, "--boost-beta"},
		{[]string{"jets", "--n", "10", "--out", out, "--top-fraction", "2"}, "TopFraction"},
		{[]string{"jets", "--n", "10"}, "out"},
		{[]string{"jets", "--n", "10", "--out", filepath.Join(dir, "no", "x.npz")}, "no"},
	} {
		_, err := runApp(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) ||
			strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line mentioning %q", tc.args, err, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left %d files", len(entries))
	}
}

func TestJetsHelpShowsExample(t *testing.T) {
	stdout, err := runApp(t, "jets", "--help")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "kd2fpga jets --n 100000 --seed 1 --out jets.npz") {
		t.Errorf("help lacks the example:\n%s", stdout)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
