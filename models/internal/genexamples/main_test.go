package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"kd2fpga/models"
)

// TestExamplesUpToDate regenerates every example and compares it, byte for
// byte, with the files under models/examples: they must be current, and
// the generator deterministic.
func TestExamplesUpToDate(t *testing.T) {
	for _, m := range []*models.Model{jetMLP(), deepSetSmall(), mlpStudent(), sigmoidTanh(),
		mlpPaper()} {
		dir := t.TempDir()
		if err := models.Save(m, filepath.Join(dir, "model.hcl")); err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{"model.hcl", "weights.npz"} {
			got, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", "..", "examples", m.Name, file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s is out of date: run go run ./models/internal/genexamples",
					m.Name, file)
			}
		}
	}
}
