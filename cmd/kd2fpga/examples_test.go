package main

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"kd2fpga/models"
)

var updateExamples = flag.Bool("update-examples", false,
	"rewrite testdata/examples_small from a small run of the example recipe")

// smallRun runs the example recipe at its small scale into dir with the
// given workers and returns the files it wrote, by path relative to dir.
func smallRun(t *testing.T, dir, workers string) map[string][]byte {
	t.Helper()
	// the recipe writes relative paths into the models, so it runs inside dir
	defer chdir(t, dir)()
	if out, err := runApp(t, "examples", "--small", "--work", "work", "--examples", "examples",
		"--teachers", "teachers", "--results", "results.md", "--workers", workers); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	files := map[string][]byte{}
	for _, pattern := range []string{"examples/*/*", "teachers/*/*", "work/*/*", "results.md"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.ToSlash(p)] = b
		}
	}
	return files
}

// TestExamplesRecipe runs the recipe of the bundled students at a small
// scale twice, with one and with three workers, and wants the same bytes
// both times and the same bytes as testdata/examples_small: any change
// to jets, training or evaluation that would change the bundled models
// changes these files too, and then `make models` must be run again (and
// this test with -update-examples). Every student it writes converts and
// emulates.
func TestExamplesRecipe(t *testing.T) {
	a := smallRun(t, t.TempDir(), "1")
	b := smallRun(t, t.TempDir(), "3")
	if len(a) < 6*3+3+1 {
		t.Fatalf("the recipe wrote %d files: %v", len(a), slices.Sorted(maps.Keys(a)))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between 1 and 3 workers", name)
		}
	}

	golden := filepath.Join("testdata", "examples_small")
	if *updateExamples {
		os.RemoveAll(golden)
		for name, data := range a {
			path := filepath.Join(golden, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range a {
		want, err := os.ReadFile(filepath.Join(golden, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestExamplesRecipe -update-examples)", name, err)
			continue
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from %s: the recipe's output changed; run `make models`, "+
				"then this test with -update-examples", name, golden)
		}
	}
}

// TestShippedStudentsFollowTheRecipe checks that every bundled student
// and the teacher were made by the recipe's current commands at its full
// scale: each model records the command that trained it.
func TestShippedStudentsFollowTheRecipe(t *testing.T) {
	steps := exampleSteps(fullScale, filepath.Join("build", "models"),
		filepath.Join("models", "examples"), filepath.Join("models", "teachers"))
	found := 0
	for _, step := range steps {
		if step[0] == "jets" {
			continue
		}
		out := step[slices.Index(step, "--out")+1]
		if strings.HasPrefix(out, "build") {
			continue // a reference model, not shipped
		}
		path := filepath.Join("..", "..", out, "model.hcl")
		m, err := models.Load(path)
		if err != nil {
			t.Errorf("%s: %v", out, err)
			continue
		}
		found++
		// the recorded command is the step with its flags in the
		// command's order: compare them as sets of flag-value pairs
		_, rec, ok := strings.Cut(m.Description, "Trained by: ")
		if !ok {
			t.Errorf("%s: the description does not say how it was trained", out)
			continue
		}
		got := flagPairs(strings.Fields(strings.TrimSuffix(rec, ".")))
		want := flagPairs(append([]string{"kd2fpga"}, step...))
		delete(want, "--force")
		if !maps.Equal(got, want) {
			t.Errorf("%s was trained by\n  %v\nbut the recipe says\n  %v\n(run make models)",
				out, got, want)
		}
	}
	shipped := 1 // the teacher
	for _, st := range exampleStudents {
		if st.shipped {
			shipped++
		}
	}
	if found != shipped {
		t.Errorf("found %d of %d recipe models", found, shipped)
	}
}

// flagPairs maps each --flag of a command line to its value ("" for a
// flag without one), with the command name under "".
func flagPairs(args []string) map[string]string {
	pairs := map[string]string{"": strings.Join(args[:2], " ")}
	for i := 2; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "--") {
			continue
		}
		v := ""
		if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			v = strings.Trim(args[i+1], `"`)
		}
		pairs[args[i]] = v
	}
	return pairs
}

// TestShippedStudentsReproduce runs the whole recipe at its full scale
// (four to eight minutes on two cores, so only with KD2FPGA_REPRODUCE=1) and
// wants the bundled students, the teacher and docs/results.md byte for
// byte.
func TestShippedStudentsReproduce(t *testing.T) {
	if os.Getenv("KD2FPGA_REPRODUCE") != "1" {
		t.Skip("set KD2FPGA_REPRODUCE=1 to retrain the bundled students (minutes)")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer chdir(t, t.TempDir())()
	if err := os.MkdirAll("docs", 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := runApp(t, "examples"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	root := filepath.Join(wd, "..", "..")
	var compared int
	for _, pattern := range []string{"models/examples/*/*", "models/teachers/*/*", "docs/results*"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			got, _ := os.ReadFile(p)
			want, err := os.ReadFile(filepath.Join(root, p))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: the recipe's output differs from the shipped file (%v)", p, err)
			}
			compared++
		}
	}
	if compared < 4*3+3+2 {
		t.Errorf("compared only %d files", compared)
	}
}

// chdir makes dir the working folder and returns the function that goes
// back.
func chdir(t *testing.T, dir string) func() {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}
}
