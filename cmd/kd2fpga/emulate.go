package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/sbinet/npyio"
	"github.com/urfave/cli/v2"

	"kd2fpga/models"
	"kd2fpga/quantize"
)

// emulateCommand returns the "emulate" command: run a model on a batch of
// inputs, bit-exactly in fixed point (or in float64), into a .npy file.
func emulateCommand() *cli.Command {
	return &cli.Command{
		Name:  "emulate",
		Usage: "run a model bit-exactly in fixed point (or in float) on a batch of inputs",
		UsageText: "kd2fpga emulate --model M.hcl --input X.npy --output Y.npy [--float] [--raw]\n\n" +
			"Example:\n" +
			"   kd2fpga emulate --model models/examples/jet_mlp/model.hcl --input x.npy --output y.npy",
		Description: "Emulate quantizes the model (docs/numerics.md) and runs it on every row of\n" +
			"X, an array [N, ...input shape] of float32 or float64 (a .npy file, or the\n" +
			"array x of a .npz). Y is [N, outputs] float64: the fixed-point outputs'\n" +
			"values, or with --raw their raw words as int64 (what the firmware's output\n" +
			"bus holds), or with --float the unquantized model's outputs. The output\n" +
			"file is written whole or not at all.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Usage: "the model file (`M.hcl`)", Required: true},
			&cli.StringFlag{Name: "input", Usage: "the inputs (`X.npy`, or a .npz with x)", Required: true},
			&cli.StringFlag{Name: "output", Usage: "the outputs to write (`Y.npy`)", Required: true},
			&cli.BoolFlag{Name: "float", Usage: "run the unquantized model in float64"},
			&cli.BoolFlag{Name: "raw", Usage: "write raw output words (int64) instead of values"},
			&cli.IntFlag{Name: "workers", Usage: "goroutines (0: one per CPU); results do not depend on it"},
		},
		Action: runEmulate,
	}
}

// runEmulate is the emulate command.
func runEmulate(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("emulate: unexpected argument %q", c.Args().First())
	}
	if c.Bool("float") && c.Bool("raw") {
		return errors.New("emulate: --float and --raw exclude each other (a float run has no raw words)")
	}
	out := c.String("output")
	if err := checkDir(out); err != nil {
		return fmt.Errorf("emulate: %w", err)
	}
	m, p, err := loadPlan(c.String("model"))
	if err != nil {
		return err
	}
	x, n, err := readInputs(c.String("input"), m)
	if err != nil {
		return fmt.Errorf("emulate: %w", err)
	}
	width := p.Output().Len()

	// run and write.
	var y any
	mode := "fixed point"
	switch {
	case c.Bool("float"):
		y, mode = rows(quantize.Float(m, x, n), n, width), "float64"
	default:
		res, err := p.Emulate(x, n, quantize.Options{Workers: c.Int("workers")})
		if err != nil {
			return fmt.Errorf("emulate: %w", err)
		}
		y = rows(res.Y, n, width)
		if c.Bool("raw") {
			y, mode = rows(res.Raw, n, width), "fixed point, raw words"
		}
	}
	if err := writeNPY(out, y); err != nil {
		return fmt.Errorf("emulate: %w", err)
	}
	fmt.Fprintf(c.App.Writer, "emulate: %s: %d samples, outputs [%d %d] (%s) written to %s\n",
		m.Name, n, n, width, mode, out)
	return nil
}

// loadPlan loads a model and builds its plan.
func loadPlan(path string) (*models.Model, *quantize.Plan, error) {
	m, err := models.Load(path)
	if err != nil {
		return nil, nil, err
	}
	p, err := quantize.Build(m)
	if err != nil {
		return nil, nil, err
	}
	return m, p, nil
}

// readInputs reads model inputs from a .npy file, or from the array x of a
// .npz file, and checks that they are [N, ...input shape].
func readInputs(path string, m *models.Model) (x []float64, n int, err error) {
	var shape []int
	if strings.HasSuffix(path, ".npz") {
		arrays, err := models.OpenArrays(path)
		if err != nil {
			return nil, 0, err
		}
		if x, shape, err = arrays.Array("x"); err != nil {
			return nil, 0, err
		}
	} else if x, shape, err = models.ReadNPY(path); err != nil {
		return nil, 0, err
	}
	if err := checkShape(path, shape, m.Input.Shape); err != nil {
		return nil, 0, err
	}
	return x, shape[0], nil
}

// checkShape checks that shape is [N, ...in].
func checkShape(path string, shape, in []int) error {
	ok := len(shape) == len(in)+1
	for i := 0; ok && i < len(in); i++ {
		ok = shape[i+1] == in[i]
	}
	if !ok {
		return fmt.Errorf("%s: shape %v, want [N %s] for the model input",
			path, shape, strings.Trim(fmt.Sprint(in), "[]"))
	}
	return nil
}

// rows cuts v into n rows of width elements, the layout npyio writes as a
// two-dimensional array.
func rows[T any](v []T, n, width int) [][]T {
	r := make([][]T, n)
	for i := range r {
		r[i] = v[i*width : (i+1)*width : (i+1)*width]
	}
	return r
}

// writeNPY writes v as a .npy file, whole or not at all (see writeAtomic).
func writeNPY(path string, v any) error {
	return writeAtomic(path, npyWriter{v})
}

// npyWriter writes a value in the .npy format.
type npyWriter struct{ v any }

// WriteTo writes the value; the count is not tracked.
func (nw npyWriter) WriteTo(w io.Writer) (int64, error) { return 0, npyio.Write(w, nw.v) }

// writeAtomic writes what wt holds to path, whole or not at all: into a
// temporary file beside path, renamed over it once complete.
func writeAtomic(path string, wt io.WriterTo) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := wt.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// checkDir fails when the directory a file is to be written in does not
// exist, so that commands fail before their work rather than after.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: directory %s does not exist", path, dir)
	}
	return nil
}
