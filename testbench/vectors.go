package testbench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// Vectors are test vectors of a plan: raw input words and the raw output
// words the emulator computes for them, one row per vector, each row
// flattened as the buses are (element 0 first).
type Vectors struct {
	In, Out [][]int64
}

// Len returns the number of vectors.
func (v *Vectors) Len() int { return len(v.In) }

// Generate returns n test vectors of p. The first are the user inputs of
// extra (each row one flattened float input, quantized by the plan), then
// come the edge cases: every element at its minimum, at its maximum, and
// zero, and for a particle input sets that are partly filled with
// padding particles (all raw words zero); the rest are uniformly random
// over every element's full raw range, a quarter of the particle sets
// padded at random. The same plan, n, seed and extra give the same
// vectors. Generate panics if a row of extra has the wrong length.
func Generate(p *quantize.Plan, n int, seed uint64, extra [][]float64) *Vectors {
	in := p.Input
	nElem := in.Len()
	rng := rand.New(rand.NewPCG(seed, 0x6b6432667067612e))
	v := &Vectors{}

	// user inputs, then the edge cases, then random vectors
	for _, x := range extra {
		if len(v.In) == n {
			break
		}
		if len(x) != nElem {
			panic(fmt.Sprintf("testbench: input of %d values for a plan input of %d", len(x), nElem))
		}
		raw := make([]int64, nElem)
		p.QuantizeInput(x, raw)
		v.In = append(v.In, raw)
	}
	for _, raw := range edgeCases(in, rng) {
		if len(v.In) == n {
			break
		}
		v.In = append(v.In, raw)
	}
	for len(v.In) < n {
		raw := randomInput(in, rng)
		if in.Particles() > 0 && rng.IntN(4) == 0 {
			padParticles(raw, in, rng)
		}
		v.In = append(v.In, raw)
	}

	// the golden outputs
	nOut := p.Output().Len()
	v.Out = make([][]int64, len(v.In))
	for i, raw := range v.In {
		v.Out[i] = make([]int64, nOut)
		p.Run(raw, v.Out[i], nil)
	}
	return v
}

// edgeCases returns the inputs at the edges of the formats, and for a
// particle input the sets with padding particles.
func edgeCases(t quantize.Tensor, rng *rand.Rand) [][]int64 {
	fill := func(word func(f fixedpoint.Format) int64) []int64 {
		raw := make([]int64, t.Len())
		for k := range raw {
			if f := t.Formats[k%t.Features()]; f.Width > 0 {
				raw[k] = word(f)
			}
		}
		return raw
	}
	cases := [][]int64{
		fill(fixedpoint.Format.MinRaw),
		fill(fixedpoint.Format.MaxRaw),
		fill(func(fixedpoint.Format) int64 { return 0 }),
	}

	// sets of 1 .. P-1 real particles at the front, then the same with
	// the padding spread out, then a full set with one padding particle
	np, nf := t.Particles(), t.Features()
	for real := 1; real < np; real++ {
		raw := fill(fixedpoint.Format.MaxRaw)
		clear(raw[real*nf:])
		cases = append(cases, raw)
	}
	for real := 1; real < np; real++ {
		raw := randomInput(t, rng)
		for _, p := range rng.Perm(np)[real:] {
			clear(raw[p*nf : (p+1)*nf])
		}
		cases = append(cases, raw)
	}
	if np > 1 {
		raw := randomInput(t, rng)
		p := rng.IntN(np)
		clear(raw[p*nf : (p+1)*nf])
		cases = append(cases, raw)
	}
	return cases
}

// randomInput returns an input whose every element is uniformly random
// over all the raw words of its format.
func randomInput(t quantize.Tensor, rng *rand.Rand) []int64 {
	raw := make([]int64, t.Len())
	for k := range raw {
		if f := t.Formats[k%t.Features()]; f.Width > 0 {
			raw[k] = f.FromBits(rng.Uint64())
		}
	}
	return raw
}

// padParticles turns a random number of the particles of raw into
// padding, at random places.
func padParticles(raw []int64, t quantize.Tensor, rng *rand.Rand) {
	np, nf := t.Particles(), t.Features()
	for _, p := range rng.Perm(np)[:rng.IntN(np+1)] {
		clear(raw[p*nf : (p+1)*nf])
	}
}

// ReadInputs reads user inputs from a .npy file of real numbers (read as
// models.ReadNPY reads arrays) shaped [N, shape...] (or just shape, for
// one input) and returns them as N flattened rows. A NaN or infinite
// value is an error: it has no fixed-point value to quantize to.
func ReadInputs(path string, shape []int) ([][]float64, error) {
	data, got, err := models.ReadNPY(path)
	if err != nil {
		return nil, err
	}

	// the shape must be [N, shape...] or shape
	n, elems := 1, 1
	for _, d := range shape {
		elems *= d
	}
	switch {
	case slices.Equal(got, shape):
	case len(got) == len(shape)+1 && slices.Equal(got[1:], shape):
		n = got[0]
	default:
		return nil, fmt.Errorf("%s: array of shape %v, want [N %s]",
			path, got, strings.Trim(fmt.Sprint(shape), "[]"))
	}

	// all of the values finite
	for k, x := range data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s: input %d, value %d is %v", path, k/elems, k%elems, x)
		}
	}
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = data[i*elems : (i+1)*elems : (i+1)*elems]
	}
	return rows, nil
}
