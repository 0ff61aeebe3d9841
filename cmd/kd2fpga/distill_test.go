package main

import (
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"

	"kd2fpga/distill"
	"kd2fpga/jets"
	"kd2fpga/metrics"
	"kd2fpga/models"
)

// smallJets writes n toy jets to dir/name.npz and returns the path.
func smallJets(t *testing.T, dir, name string, n int, seed string) string {
	t.Helper()
	path := filepath.Join(dir, name+".npz")
	if out, err := runApp(t, "jets", "--n", strconv.Itoa(n), "--seed", seed, "--out", path); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return path
}

// TestTeacherDistillEvaluate runs the loop of the method from the CLI on
// a few hundred jets: a teacher, a distilled student, and the boost scan,
// whose teacher curve must be flat (it reads only invariants) and whose
// student curve must not.
func TestTeacherDistillEvaluate(t *testing.T) {
	dir := t.TempDir()
	train := smallJets(t, dir, "train", 800, "11")
	val := smallJets(t, dir, "val", 300, "12")
	teacher := filepath.Join(dir, "teacher")
	out, err := runApp(t, "teacher", "--data", train, "--val", val, "--out", teacher,
		"--epochs", "2", "--hidden", "16", "--invariants", "6")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "epoch   2") || !strings.Contains(out, "val accuracy") {
		t.Errorf("the teacher shows no per-epoch validation:\n%s", out)
	}
	student := filepath.Join(dir, "student")
	out, err = runApp(t, "distill", "--data", train, "--val", val, "--arch", "deepset",
		"--hidden", "8", "--rho", "4", "--particles", "6", "--teacher",
		filepath.Join(teacher, "model.hcl"), "--temperature", "2", "--epochs", "2", "--out", student)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m, err := models.Load(filepath.Join(student, "model.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Description, "lambda = 1, T = 2") ||
		!strings.Contains(m.Description, "quantization-aware") {
		t.Errorf("description %q", m.Description)
	}
	var history []map[string]any
	b, err := os.ReadFile(filepath.Join(student, "training.json"))
	if err == nil {
		err = json.Unmarshal(b, &history)
	}
	if err != nil || len(history) != 2 || history[1]["val_auc"] == nil {
		t.Errorf("training.json: %v, %d epochs", err, len(history))
	}

	// an existing folder is kept without --force
	if _, err := runApp(t, "distill", "--data", train, "--arch", "mlp", "--out", student); err == nil ||
		!strings.Contains(err.Error(), "use --force") {
		t.Errorf("distill over an existing folder: %v", err)
	}

	// the boost scan
	plot := filepath.Join(dir, "scan.png")
	out, err = runApp(t, "evaluate", "--model", filepath.Join(teacher, "model.hcl"), "--model",
		filepath.Join(student, "model.hcl"), "--data", val, "--boost-scan", "--betas", "0,0.5,0.9",
		"--plot", plot, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var r scanReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Models) != 2 || len(r.Models[0].Points) != 3 || r.Jets != 300 {
		t.Fatalf("scan of %d models, %d jets: %+v", len(r.Models), r.Jets, r)
	}
	tp, sp := r.Models[0].Points, r.Models[1].Points
	for _, p := range tp[1:] {
		if p.Float.Accuracy != tp[0].Float.Accuracy || p.Float.AUC != tp[0].Float.AUC {
			t.Errorf("the invariant teacher changed under beta %v: %+v, %+v", p.Beta, p.Float, tp[0].Float)
		}
	}
	if sp[2].Fixed.AUC == sp[0].Fixed.AUC {
		t.Errorf("the student's AUC did not change under beta 0.9: %v", sp[0].Fixed.AUC)
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("the scan plot is not a PNG: %v", err)
	}

	// one boost, the full report, which must match the scan's point
	out, err = runApp(t, "evaluate", "--model", filepath.Join(student, "model.hcl"), "--data", val,
		"--boost-beta", "0.5", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var one struct{ Fixed struct{ Accuracy float64 } }
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatal(err)
	}
	if one.Fixed.Accuracy != sp[1].Fixed.Accuracy {
		t.Errorf("evaluate --boost-beta 0.5: accuracy %v, the scan's %v", one.Fixed.Accuracy,
			sp[1].Fixed.Accuracy)
	}
}

// writeLogits writes teacher logits [n, c] as a .npy file.
func writeLogits(t *testing.T, path string, n, c int, value func(i, k int) float64) {
	t.Helper()
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, c)
		for k := range rows[i] {
			rows[i][k] = value(i, k)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := npyio.Write(f, rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDistillTeacherLogits distils from logits in a .npy file, as any
// framework writes them, and refuses logits of the wrong shape or with
// NaNs, leaving no output folder.
func TestDistillTeacherLogits(t *testing.T) {
	dir := t.TempDir()
	train := smallJets(t, dir, "train", 400, "21")
	s, err := jets.ReadNPZ(train)
	if err != nil {
		t.Fatal(err)
	}
	// an oracle teacher: confident logits from the label
	good := filepath.Join(dir, "good.npy")
	writeLogits(t, good, s.N, 2, func(i, k int) float64 {
		if k == s.Labels[i] {
			return 4
		}
		return 0
	})
	out := filepath.Join(dir, "student")
	if o, err := runApp(t, "distill", "--data", train, "--arch", "mlp", "--hidden", "8",
		"--teacher-logits", good, "--epochs", "1", "--out", out, "--quiet"); err != nil {
		t.Fatalf("%v\n%s", err, o)
	}
	if _, err := models.Load(filepath.Join(out, "model.hcl")); err != nil {
		t.Fatal(err)
	}

	short := filepath.Join(dir, "short.npy")
	writeLogits(t, short, s.N-1, 2, func(i, k int) float64 { return 0 })
	nan := filepath.Join(dir, "nan.npy")
	writeLogits(t, nan, s.N, 2, func(i, k int) float64 {
		if i == 7 && k == 1 {
			return math.NaN()
		}
		return 0
	})
	for _, tc := range []struct{ file, want string }{
		{short, "teacher logits of shape [399 2], want [400 2]"},
		{nan, "teacher logit [7 1] is NaN"},
	} {
		bad := filepath.Join(dir, "bad")
		_, err := runApp(t, "distill", "--data", train, "--arch", "mlp", "--teacher-logits", tc.file,
			"--out", bad, "--quiet")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", tc.file, err, tc.want)
		}
		if _, err := os.Stat(bad); err == nil {
			t.Errorf("%s: a failed distill left %s", tc.file, bad)
		}
	}
}

// TestDistilledStudentConverts checks that what distill writes is a
// firmware model: it converts, and its emulation on the jets equals the
// fixed-point evaluation distill printed in its last epoch.
func TestDistilledStudentConverts(t *testing.T) {
	dir := t.TempDir()
	train := smallJets(t, dir, "train", 500, "31")
	student := filepath.Join(dir, "mlp")
	if o, err := runApp(t, "distill", "--data", train, "--val", train, "--arch", "mlp", "--hidden",
		"8,4", "--epochs", "2", "--out", student); err != nil {
		t.Fatalf("%v\n%s", err, o)
	}
	var history []struct {
		Accuracy float64 `json:"val_accuracy"`
	}
	b, _ := os.ReadFile(filepath.Join(student, "training.json"))
	if err := json.Unmarshal(b, &history); err != nil || len(history) != 2 {
		t.Fatalf("training.json: %v", err)
	}
	m, err := models.Load(filepath.Join(student, "model.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jets.ReadNPZ(train)
	if err != nil {
		t.Fatal(err)
	}
	d, err := distill.JetData(m, s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runApp(t, "convert", "--model", filepath.Join(student, "model.hcl"), "--out",
		filepath.Join(dir, "fw"), "--vectors", "20")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	fx, width, kind, err := distill.Predict(m, d.X, d.N(), true, 1)
	if err != nil {
		t.Fatal(err)
	}
	acc := metrics.Accuracy(metrics.Predict(fx, width, kind), d.Labels)
	if acc != history[1].Accuracy {
		t.Errorf("emulated accuracy %v, training's last validation %v", acc, history[1].Accuracy)
	}
}
