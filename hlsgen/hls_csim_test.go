package hlsgen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
	"kd2fpga/testbench"
)

// csimVectors is how many vectors each C simulation checks.
const csimVectors = 1000

// apTypesInclude returns the folder holding Xilinx's ap_fixed.h, from
// AP_TYPES_INCLUDE or $XILINX_HLS/include, or skips the test. The headers
// are no Debian package, so the test skips even when
// KD2FPGA_REQUIRE_TOOLS=1.
func apTypesInclude(t *testing.T) string {
	t.Helper()
	var dirs []string
	if d := os.Getenv("AP_TYPES_INCLUDE"); d != "" {
		dirs = append(dirs, d)
	}
	if d := os.Getenv("XILINX_HLS"); d != "" {
		dirs = append(dirs, filepath.Join(d, "include"))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "ap_fixed.h")); err == nil {
			if _, err := exec.LookPath("g++"); err != nil {
				t.Skip("g++ not found: the C simulation needs it (apt-get install g++)")
			}
			return d
		}
	}
	t.Skip("no ap_fixed.h: set AP_TYPES_INCLUDE to the include/ folder of Xilinx's " +
		"HLS_arbitrary_Precision_Types (or XILINX_HLS to a Vitis HLS install). " +
		"The headers are not a Debian package, so this test skips even with " +
		"KD2FPGA_REQUIRE_TOOLS=1")
	return ""
}

// TestCsimExamples writes the HLS project of every example model,
// compiles its C simulation with g++ against the ap_fixed headers and
// requires it to match the emulator on every vector.
func TestCsimExamples(t *testing.T) {
	inc := apTypesInclude(t)
	for _, name := range []string{"jet_mlp", "deepset_small", "mlp_student", "sigmoid_tanh"} {
		path := filepath.Join("..", "models", "examples", name, "model.hcl")
		if _, err := os.Stat(path); err != nil {
			t.Logf("%s: no example model, skipped", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := models.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := quantize.Build(m)
			if err != nil {
				t.Fatal(err)
			}
			runCsim(t, inc, p, HLSOptions{}, rand.New(rand.NewPCG(1, uint64(len(name)))))
		})
	}
}

// TestCsimRandom does the same for small random models of random widths,
// modes and shapes.
func TestCsimRandom(t *testing.T) {
	inc := apTypesInclude(t)
	for seed := range uint64(10) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 99))
			m := randomModel(r, seed)
			p, err := quantize.Build(m)
			if err != nil {
				t.Fatalf("random model %d: %v", seed, err)
			}
			t.Log("ops:", describeOps(p))
			runCsim(t, inc, p, HLSOptions{Top: "rnd"}, r)
		})
	}
}

// describeOps lists the kinds of p's ops, for the test log.
func describeOps(p *quantize.Plan) string {
	var kinds []string
	for _, op := range p.Ops {
		k := op.Kind.String()
		if op.Pool != nil {
			k += "(" + string(op.Pool.Op) + ")"
		}
		kinds = append(kinds, k)
	}
	return fmt.Sprintf("%v -> %s", p.Input.Shape, strings.Join(kinds, " "))
}

// TestCsimNames runs the designs of awkwardPlans, whose names are C++
// keywords or meet the generated code's own.
func TestCsimNames(t *testing.T) {
	inc := apTypesInclude(t)
	for k, p := range awkwardPlans(t) {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			t.Parallel()
			runCsim(t, inc, p, HLSOptions{Top: "net"}, rand.New(rand.NewPCG(uint64(k), 5)))
		})
	}
}

// runCsim writes p's HLS project and vectors into a temporary folder,
// compiles and runs the testbench, and checks its RESULT line. It returns
// the testbench binary and the folder it runs in.
func runCsim(t *testing.T, inc string, p *quantize.Plan, opt HLSOptions, r *rand.Rand) (bin, hls string) {
	t.Helper()
	dir := t.TempDir()
	hls, tb := filepath.Join(dir, "hls"), filepath.Join(dir, "tb")
	if err := WriteHLS(hls, p, opt); err != nil {
		t.Fatal(err)
	}
	if err := writeVectors(tb, p, csimVectors, r); err != nil {
		t.Fatal(err)
	}

	// compile the design with its testbench
	top := opt.Top
	if top == "" {
		top = Identifier(p.Name, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	bin = filepath.Join(dir, "csim")
	cc := exec.CommandContext(ctx, "g++", "-std=c++14", "-O1", "-DNDEBUG", "-I"+inc,
		"-o", bin, top+".cpp", top+"_test.cpp")
	cc.Dir = hls
	if out, err := cc.CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, firstLines(string(out), 40))
	}

	// run it from hls/, where ../tb holds the vectors
	text, err := runBench(ctx, bin, hls)
	want := fmt.Sprintf("KD2FPGA RESULT vectors=%d mismatches=0 latency=0 ii=", csimVectors)
	if err != nil || !strings.Contains(text, want) {
		t.Fatalf("C simulation failed (%v):\n%s", err, firstLines(text, 20))
	}
	if m := regexp.MustCompile(`RESULT .*`).FindString(text); m != "" {
		t.Log(m)
	}
	return bin, hls
}

// runBench runs the testbench bin in folder dir with args, and returns
// its output.
func runBench(ctx context.Context, bin, dir string, args ...string) (string, error) {
	run := exec.CommandContext(ctx, bin, args...)
	run.Dir = dir
	out, err := run.CombinedOutput()
	return string(out), err
}

// TestCsimFailures checks that the testbench fails, and says why, when an
// expected vector differs, is missing or is malformed.
func TestCsimFailures(t *testing.T) {
	inc := apTypesInclude(t)
	bin, hls := runCsim(t, inc, smallPlan(t), HLSOptions{}, rand.New(rand.NewPCG(7, 7)))
	tb := filepath.Join(hls, "..", "tb")
	exp, err := os.ReadFile(filepath.Join(tb, "expected.hex"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(exp), "\n")

	// flip the lowest bit of vector 3, drop the last vector, spoil one
	flipped := slices.Clone(lines)
	last := flipped[3][len(flipped[3])-2]
	flipped[3] = flipped[3][:len(flipped[3])-2] + string("1032547698badcfe"[strings.IndexByte(
		"0123456789abcdef", last)]) + "\n"
	spoiled := slices.Clone(lines)
	spoiled[5] = "xyz\n"
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"flipped", strings.Join(flipped, ""), []string{"KD2FPGA MISMATCH sample=3 expected=",
			"KD2FPGA RESULT vectors=1000 mismatches=1 "}},
		{"short", strings.Join(lines[:len(lines)-2], ""), []string{"ends before vector 999",
			"KD2FPGA RESULT vectors=999 mismatches=0 "}},
		{"malformed", strings.Join(spoiled, ""), []string{"KD2FPGA ERROR vector 5",
			"KD2FPGA RESULT vectors=5 mismatches=0 "}},
	} {
		path := filepath.Join(tb, tc.name+".hex")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := runBench(context.Background(), bin, hls, "../tb/input.hex", path)
		if err == nil {
			t.Errorf("%s: the testbench exited with 0:\n%s", tc.name, firstLines(out, 5))
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", tc.name, w, firstLines(out, 5))
			}
		}
	}
}

// writeVectors writes tb/input.hex and tb/expected.hex for n random inputs
// of p, the expected outputs from the emulator, with the testbench
// package's writer: the vector files the simulate command uses.
func writeVectors(dir string, p *quantize.Plan, n int, r *rand.Rand) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ins, outs := make([][]int64, n), make([][]int64, n)
	for k := range n {
		ins[k], outs[k] = make([]int64, p.Input.Len()), make([]int64, p.Output().Len())
		randomInput(r, p.Input, ins[k])
		p.Run(ins[k], outs[k], nil)
	}
	err := testbench.WriteHexFile(filepath.Join(dir, "input.hex"), ins, testbench.BusOf(p.Input))
	if err != nil {
		return err
	}
	return testbench.WriteHexFile(filepath.Join(dir, "expected.hex"), outs, testbench.BusOf(p.Output()))
}

// randomInput fills raw with random words of t's formats: mostly uniform
// over the whole range, sometimes small, sometimes an extreme; a particle
// tensor gets padding particles (all words zero) too.
func randomInput(r *rand.Rand, t quantize.Tensor, raw []int64) {
	nf := t.Features()
	for k := range raw {
		f := t.Formats[k%nf]
		switch r.IntN(8) {
		case 0:
			raw[k] = f.MinRaw()
		case 1:
			raw[k] = f.MaxRaw()
		case 2, 3:
			raw[k] = max(min(r.Int64N(17)-8, f.MaxRaw()), f.MinRaw())
		default:
			raw[k] = f.MinRaw() + r.Int64N(f.MaxRaw()-f.MinRaw()+1)
		}
	}
	if t.Particles() > 0 {
		real := r.IntN(t.Particles() + 1)
		for p := real; p < t.Particles(); p++ {
			clear(raw[p*nf : (p+1)*nf])
		}
	}
}

// firstLines returns at most n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...\n")
	}
	return strings.Join(lines, "")
}

// randomFormat returns a random format of at most maxW bits with random
// modes.
func randomFormat(r *rand.Rand, minW, maxW int) fixedpoint.Format {
	f := fixedpoint.Format{Signed: r.IntN(4) != 0, Width: minW + r.IntN(maxW-minW+1)}
	f.Int = r.IntN(f.Width+3) - 2
	f.Quant = fixedpoint.Quant(r.IntN(int(fixedpoint.RndConv) + 1))
	f.Overflow = fixedpoint.Overflow(r.IntN(int(fixedpoint.SatSym) + 1))
	if r.IntN(3) == 0 {
		f.Overflow = fixedpoint.Wrap
		f.SatBits = r.IntN(3)
	}
	if f.Signed && r.IntN(6) == 0 {
		f.Overflow = fixedpoint.WrapSM
	}
	if !f.Signed && f.Width > fixedpoint.MaxUnsignedWidth {
		f.Width = fixedpoint.MaxUnsignedWidth
	}
	if f.SatBits > f.Width {
		f.SatBits = f.Width
	}
	return f
}

// spec returns a precision of one format, or of one format per element
// (n elements) every third time.
func spec(r *rand.Rand, n, minW, maxW int) models.Spec {
	s := models.Spec{Set: true, Format: randomFormat(r, minW, maxW)}
	if n > 1 && r.IntN(3) == 0 {
		s.Elems = make([]fixedpoint.Format, n)
		for k := range s.Elems {
			s.Elems[k] = randomFormat(r, minW, maxW)
			if r.IntN(3) == 0 {
				s.Elems[k] = s.Elems[0]
			}
		}
	}
	return s
}

// fitSpec returns one random format per value of v that holds it, or a
// random uniform format when v is empty.
func fitSpec(r *rand.Rand, v []float64, minW, maxW int) models.Spec {
	s := models.Spec{Set: true, Format: randomFormat(r, minW, maxW)}
	if len(v) == 0 {
		return s
	}
	s.Elems = make([]fixedpoint.Format, len(v))
	for k, x := range v {
		f := randomFormat(r, minW, maxW)
		f.Signed = f.Signed || x < 0
		if f.Overflow == fixedpoint.WrapSM && !f.Signed {
			f.Overflow = fixedpoint.Wrap
		}
		if x != 0 {
			// the top bit above |x|, and one more so that the range's
			// maximum (one step below a power of two) exceeds it
			f.Int = int(math.Floor(math.Log2(math.Abs(x)))) + 2 + r.IntN(2)
			if f.Signed {
				f.Int++
			}
		}
		s.Elems[k] = f
	}
	s.Format = s.Elems[0]
	return s
}

// flat returns the rows of m one after another.
func flat(m [][]float64) []float64 {
	var v []float64
	for _, row := range m {
		v = append(v, row...)
	}
	return v
}

// randomModel returns a small random network: a flat or particle input,
// dense layers with random activations, batch norms, a pool for particle
// inputs, and sometimes a softmax.
func randomModel(r *rand.Rand, seed uint64) *models.Model {
	m := &models.Model{Name: "random_" + strconv.FormatUint(seed, 10),
		Description: "a random test model */ \\"}
	particles := seed%2 == 1
	nf := 2 + r.IntN(5)
	m.Input = models.Input{Name: "x", Shape: []int{nf}}
	if particles {
		m.Input.Shape = []int{2 + r.IntN(6), nf}
	}
	m.Input.Type = spec(r, nf, 4, 14)
	m.Precision.Accum = models.Spec{Set: true, Auto: true}

	prev, width := "x", nf
	add := func(l *models.Layer) {
		l.Input = prev
		m.Layers = append(m.Layers, l)
		prev = l.Name
	}
	weights := func(units, in int) [][]float64 {
		w := make([][]float64, units)
		for j := range w {
			w[j] = make([]float64, in)
			for i := range w[j] {
				w[j][i] = r.NormFloat64() / 2
			}
		}
		return w
	}
	vec := func(n int, scale, offset float64) []float64 {
		v := make([]float64, n)
		for k := range v {
			v[k] = offset + scale*r.Float64()
		}
		return v
	}

	// dense layers, each with an activation and sometimes a batch norm
	layers := 2 + r.IntN(3)
	afterNorm := false
	for k := range layers {
		units := 2 + r.IntN(8)
		if particles && k == 1 {
			// each particle seed takes the next way to leave the particles
			switch way := (seed / 2) % 5; way {
			case 4:
				add(&models.Layer{Name: "flatten", Kind: models.Flatten})
				width *= m.Input.Shape[0]
			default:
				op := []models.PoolOp{models.PoolSum, models.PoolMean, models.PoolMax,
					models.PoolWeightedSum}[way]
				add(&models.Layer{Name: "pool", Kind: models.Pool, Pool: op,
					WeightFeature: r.IntN(nf), Precision: models.Precision{Result: spec(r, width, 6, 16),
						Accum: models.Spec{Set: true, Auto: r.IntN(2) == 0, Format: randomFormat(r,
							10, 20)}}})
			}
		}
		d := &models.Layer{Name: fmt.Sprintf("fc%d", k), Kind: models.Dense, Units: units,
			Weight: weights(units, width), Reuse: 1 + r.IntN(2)}
		if r.IntN(4) != 0 {
			d.Bias = vec(units, 1, -0.5)
		}
		d.Precision = models.Precision{Weight: fitSpec(r, flat(d.Weight), 2, 10),
			Bias: fitSpec(r, d.Bias, 4, 12), Result: spec(r, units, 4, 16)}
		if afterNorm {
			// a batch norm folds into this layer: room for the new weights
			d.Precision.Weight = models.Spec{Set: true, Format: fixedpoint.Fixed(12, 5)}
			d.Precision.Bias = d.Precision.Weight
		}
		if r.IntN(2) == 0 {
			d.Precision.Accum = models.Spec{Set: true, Format: randomFormat(r, 8, 24)}
		}
		add(d)
		width = units
		act := []models.Kind{models.ReLU, models.LeakyReLU, models.Linear, models.Sigmoid,
			models.Tanh}[r.IntN(5)]
		a := &models.Layer{Name: fmt.Sprintf("act%d", k), Kind: act, Slope: 0.1 * r.Float64(),
			Precision: models.Precision{Result: spec(r, width, 4, 16)}}
		if act == models.Sigmoid || act == models.Tanh {
			a.Precision.Table = models.Spec{Set: true, Format: randomFormat(r, 6, 18)}
		}
		add(a)
		afterNorm = r.IntN(3) == 0
		if afterNorm {
			add(&models.Layer{Name: fmt.Sprintf("bn%d", k), Kind: models.BatchNorm,
				Gamma: vec(width, 1, 0.5), Beta: vec(width, 1, -0.5), Mean: vec(width, 1, -0.5),
				Var: vec(width, 1, 0.5), Eps: 1e-5,
				Precision: models.Precision{Result: spec(r, width, 6, 16)}})
		}
	}
	if r.IntN(2) == 0 {
		add(&models.Layer{Name: "softmax", Kind: models.Softmax,
			Precision: models.Precision{Result: spec(r, width, 6, 16)}})
	}
	m.Output = prev
	return m
}
