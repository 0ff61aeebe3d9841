package quantize

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// verifyBetweenPasses is the check build runs after every pass in tests.
func verifyBetweenPasses(pass string, p *Plan, done stage) error { return verify(p, done) }

// buildRandom returns the plan of a random model, retrying the (rare)
// models whose folded batch norms push a weight out of its format, or
// whose per-element results cannot share a table.
func buildRandom(t *testing.T, g *modelGen, maxLayers int) (*models.Model, *Plan) {
	t.Helper()
	for range 20 {
		m := g.model(maxLayers)
		p, err := build(m, verifyBetweenPasses)
		if err == nil {
			return m, p
		}
		if !strings.Contains(err.Error(), "does not fit") && !strings.Contains(err.Error(), "too far apart") {
			t.Fatalf("random model: %v", err)
		}
	}
	t.Fatal("20 random models in a row did not build")
	return nil, nil
}

// TestEmulatorMatchesReference runs random plans on random inputs through
// the fast emulator, with and without statistics, and through the slow
// reference, and wants every output word, every cast count and every
// observed range to agree.
func TestEmulatorMatchesReference(t *testing.T) {
	models := 1000
	if testing.Short() {
		models = 100
	}
	seen := map[string]int{}
	for seed := range models {
		g := &modelGen{r: rand.New(rand.NewPCG(1, uint64(seed))), uniform: seed%4 == 3}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { checkRandomModel(t, g, 6, 25, seen) })
	}

	// the random models must reach every op and every kernel form that
	// can occur at these widths.
	for _, k := range []string{"dense", "scale", "relu", "leaky_relu", "linear", "table", "softmax",
		"pool sum", "pool mean", "pool max", "pool weighted_sum", "flatten",
		"row shift", "row round", "row generic", "uniform shift", "uniform round half=false",
		"uniform round half=true", "cast slow", "cast right"} {
		if seen[k] == 0 {
			t.Errorf("no random model exercised %s", k)
		}
	}
	t.Logf("exercised: %v", seen)
}

// TestEmulatorWideMatchesReference does the same with formats of 24 to
// 60 bits, whose products and sums overflow an int64: the emulator's
// fixedpoint.Value fallback.
func TestEmulatorWideMatchesReference(t *testing.T) {
	seen := map[string]int{}
	for seed := range 60 {
		g := &modelGen{r: rand.New(rand.NewPCG(4, uint64(seed))), wide: true}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { checkRandomModel(t, g, 4, 10, seen) })
	}
	if seen["row wide"] == 0 || seen["wide product"] == 0 {
		t.Errorf("the wide models did not reach the wide forms: %v", seen)
	}
	t.Logf("exercised: %v", seen)
}

// FuzzEmulatorMatchesReference explores more random models than the tests
// do: go test -fuzz FuzzEmulatorMatchesReference ./quantize/
func FuzzEmulatorMatchesReference(f *testing.F) {
	f.Add(uint64(0), false)
	f.Add(uint64(1), true)
	f.Fuzz(func(t *testing.T, seed uint64, wide bool) {
		checkRandomModel(t, &modelGen{r: rand.New(rand.NewPCG(11, seed)), wide: wide}, 6, 10, nil)
	})
}

// checkRandomModel builds a random model from g and compares the
// emulator with the reference on samples random inputs; it tallies the
// forms the plan exercised into seen when not nil.
func checkRandomModel(t *testing.T, g *modelGen, maxLayers, samples int, seen map[string]int) {
	t.Helper()
	_, p := buildRandom(t, g, maxLayers)
	if seen != nil {
		countKinds(p, seen)
	}
	st := NewStats(p)
	ref := make([]OpStats, len(p.Ops))
	out := make([]int64, p.Output().Len())
	for s := range samples {
		in := g.input(p)
		want := refRun(p, in, ref)

		p.Run(in, out, nil)
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("sample %d: fast emulator %v, reference %v\n%s\ninput %v",
				s, out, want, describe(p), in)
		}
		p.Run(in, out, st)
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("sample %d: emulator with stats %v, reference %v\n%s",
				s, out, want, describe(p))
		}
	}
	for k := range p.Ops {
		got, want := st.Ops[k], ref[k]
		want.Name = got.Name
		if got != want {
			t.Fatalf("op %q: stats\n%+v\nreference\n%+v\n%s", p.Ops[k].Name, got, want, describe(p))
		}
	}
}

// countKinds tallies the op kinds and compiled forms of p into seen.
func countKinds(p *Plan, seen map[string]int) {
	pr := p.compile()
	for k, op := range p.Ops {
		name := op.Kind.String()
		if op.Kind == OpPool {
			name = "pool " + string(op.Pool.Op)
		}
		seen[name]++
		if dk, ok := pr.kernels[k].(*denseKernel); ok {
			if dk.uniform && dk.ukind == rowShift {
				seen["uniform shift"]++
			}
			if dk.uniform && dk.ukind == rowRound {
				seen[fmt.Sprintf("uniform round half=%v", dk.uhalf != 0)]++
			}
			for _, row := range dk.rows {
				seen[[]string{"row shift", "row round", "row generic", "row wide"}[row.kind]]++
				seen[[]string{"cast none", "cast left", "cast right", "cast slow"}[row.res.mode]]++
			}
		}
		if ek, ok := pr.kernels[k].(*elementKernel); ok {
			for _, n := range ek.neg {
				if n.wide {
					seen["wide product"]++
				}
			}
		}
	}
}

// describe prints a plan's formats for a failure message.
func describe(p *Plan) string {
	var b strings.Builder
	b.WriteString("input " + formatList(p.Input.Formats) + "\n")
	for _, op := range p.Ops {
		b.WriteString(op.Kind.String() + " " + op.Name + " -> " + formatList(op.Out.Formats))
		if op.Dense != nil {
			b.WriteString(" accum " + formatList(op.Dense.Accum))
			b.WriteString(" W " + reflect.ValueOf(op.Dense.W).String())
		}
		if op.Pool != nil {
			b.WriteString(" " + string(op.Pool.Op) + " accum " + formatList(op.Pool.Accum))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func formatList(fs []fixedpoint.Format) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

// TestEmulateBatch checks that Emulate's batched outputs are those of Run
// on the quantized inputs, whatever the number of workers, and that the
// merged statistics are those of one run over all samples.
func TestEmulateBatch(t *testing.T) {
	g := &modelGen{r: rand.New(rand.NewPCG(2, 2))}
	for range 20 {
		_, p := buildRandom(t, g, 5)
		n, inLen := 37, p.Input.Len()
		x := make([]float64, n*inLen)
		for i := range x {
			x[i] = g.r.NormFloat64() * 2
		}
		one, err := p.Emulate(x, n, Options{Workers: 1, Stats: true})
		if err != nil {
			t.Fatal(err)
		}
		three, err := p.Emulate(x, n, Options{Workers: 3, Stats: true})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one.Raw, three.Raw) || !reflect.DeepEqual(one.Stats, three.Stats) {
			t.Fatalf("1 and 3 workers differ")
		}

		raw := make([]int64, inLen)
		want := make([]int64, p.Output().Len())
		ref := make([]OpStats, len(p.Ops))
		for s := range n {
			p.QuantizeInput(x[s*inLen:(s+1)*inLen], raw)
			w := refRun(p, raw, ref)
			copy(want, w)
			got := one.Raw[s*one.OutLen : (s+1)*one.OutLen]
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("sample %d: Emulate %v, reference %v", s, got, want)
			}
			for k, r := range got {
				f := p.Output().Formats[k%p.Output().Features()]
				if y := one.Y[s*one.OutLen+k]; y != f.Float(r) {
					t.Fatalf("sample %d: Y %v is not the value %v of raw %d", s, y, f.Float(r), r)
				}
			}
		}
		if one.Stats.Samples != int64(n) || one.Stats.Input.Casts != int64(n*inLen) {
			t.Fatalf("stats count %d samples, %d input casts", one.Stats.Samples, one.Stats.Input.Casts)
		}
		for k := range p.Ops {
			got, want := one.Stats.Ops[k], ref[k]
			want.Name = got.Name
			if got != want {
				t.Fatalf("op %q: merged stats %+v, reference %+v", p.Ops[k].Name, got, want)
			}
		}
	}
}

// TestEmulateRefusesNaN checks that a NaN input is an error, not a value.
func TestEmulateRefusesNaN(t *testing.T) {
	g := &modelGen{r: rand.New(rand.NewPCG(3, 3))}
	_, p := buildRandom(t, g, 2)
	x := make([]float64, 2*p.Input.Len())
	x[len(x)-1] = math.NaN()
	if _, err := p.Emulate(x, 2, Options{}); err == nil || !strings.Contains(err.Error(), "sample 1") {
		t.Fatalf("NaN input: got error %v", err)
	}
}

// TestJetMLPMatchesReference checks the benchmark network, whose uniform
// layers take the emulator's fastest forms, against the reference.
func TestJetMLPMatchesReference(t *testing.T) {
	rnd := fixedpoint.Fixed(16, 6)
	rnd.Quant = fixedpoint.Rnd
	for _, accum := range []models.Spec{{Set: true, Auto: true},
		{Set: true, Format: fixedpoint.Fixed(16, 6)}, {Set: true, Format: rnd}} {
		r := rand.New(rand.NewPCG(12, 12))
		p, err := Build(jetMLP(r, accum))
		if err != nil {
			t.Fatal(err)
		}
		for k, kern := range p.compile().kernels {
			if dk, ok := kern.(*denseKernel); ok && !dk.uniform {
				t.Errorf("accum %v: layer %s is not uniform", accum.Format, p.Ops[k].Name)
			}
		}
		ref := make([]OpStats, len(p.Ops))
		in := make([]int64, 16)
		out := make([]int64, 5)
		for range 40 {
			x := make([]float64, 16)
			for i := range x {
				x[i] = r.NormFloat64() * 4
			}
			p.QuantizeInput(x, in)
			p.Run(in, out, nil)
			if want := refRun(p, in, ref); !reflect.DeepEqual(out, want) {
				t.Fatalf("accum %v: emulator %v, reference %v", accum.Format, out, want)
			}
		}
	}
}

// TestTraceMatchesReference checks that Trace hands out every op's
// output as the slow reference computes it, on random plans.
func TestTraceMatchesReference(t *testing.T) {
	for seed := range 200 {
		g := &modelGen{r: rand.New(rand.NewPCG(7, uint64(seed)))}
		_, p := buildRandom(t, g, 6)
		outs := make([][]int64, len(p.Ops))
		for k, op := range p.Ops {
			outs[k] = make([]int64, op.Out.Len())
		}
		ref := make([]OpStats, len(p.Ops))
		for s := range 5 {
			in := g.input(p)
			want := refTrace(p, in, ref)
			p.Trace(in, outs)
			for k := range p.Ops {
				if !reflect.DeepEqual(outs[k], want[k]) {
					t.Fatalf("seed %d, sample %d, op %q: Trace %v, reference %v\n%s",
						seed, s, p.Ops[k].Name, outs[k], want[k], describe(p))
				}
			}
		}
	}
}

// refTrace computes the output of every op of the plan for the raw input
// in, and counts the casts per op into st (one entry per op).
func refTrace(p *Plan, in []int64, st []OpStats) [][]int64 {
	// padding: a particle whose raw input words are all zero.
	P, F := p.Input.Particles(), p.Input.Features()
	real := make([]bool, P)
	for q := range P {
		for f := range F {
			real[q] = real[q] || in[q*F+f] != 0
		}
	}
	outs := make([][]int64, len(p.Ops))
	for k, op := range p.Ops {
		src, x := p.Input, in
		if op.In >= 0 {
			src, x = p.Ops[op.In].Out, outs[op.In]
		}
		outs[k] = refOp(p, op, src, x, in, real, &st[k])
	}
	return outs
}
