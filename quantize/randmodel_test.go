package quantize

import (
	"fmt"
	"math"
	"math/rand/v2"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// modelGen makes random models that exercise every op kind, format and
// mode: widths 2 to 18, integer bits -2 to W+2, every quantization and
// overflow mode (saturation bits too), per-element and pruned formats,
// automatic and explicit accumulators, particle inputs.
type modelGen struct {
	r *rand.Rand
	// wide makes formats of 24 to 60 bits, whose products and sums need
	// more than 64 bits: no automatic accumulators, softmax or pooling.
	wide bool
	// uniform makes a model like most: one format per kind of value,
	// declared once for the model, truncating or rounding accumulators
	// that wrap, no zero weights.
	uniform bool
}

// format returns a random format.
func (g *modelGen) format(signed bool) fixedpoint.Format {
	r := g.r
	w := 2 + r.IntN(17)
	if g.wide {
		w = 24 + r.IntN(37)
	}
	f := fixedpoint.Format{Signed: signed, Width: w, Int: r.IntN(w+5) - 2,
		Quant: fixedpoint.Quant(r.IntN(7)), Overflow: fixedpoint.Overflow(r.IntN(5))}
	if !signed && f.Overflow == fixedpoint.WrapSM {
		f.Overflow = fixedpoint.Wrap
	}
	if (f.Overflow == fixedpoint.Wrap || f.Overflow == fixedpoint.WrapSM) && r.IntN(3) == 0 {
		f.SatBits = r.IntN(3)
	}
	return f
}

// spec returns a random precision for n elements: unset, one format, or
// (when perElem) one per element, pruned ones included when prune.
func (g *modelGen) spec(n int, perElem, prune bool) models.Spec {
	r := g.r
	if g.uniform {
		return models.Spec{}
	}
	switch r.IntN(5) {
	case 0, 1:
		return models.Spec{}
	case 2, 3:
		return models.Spec{Set: true, Format: g.format(r.IntN(4) != 0)}
	}
	if !perElem {
		return models.Spec{Set: true, Format: g.format(r.IntN(4) != 0)}
	}
	base := g.format(r.IntN(4) != 0)
	s := models.Spec{Set: true, Format: base, Elems: make([]fixedpoint.Format, n)}
	for k := range s.Elems {
		f := g.format(base.Signed)
		f.Quant, f.Overflow, f.SatBits = base.Quant, base.Overflow, min(base.SatBits, f.Width)
		if prune && r.IntN(5) == 0 {
			f.Width, f.Int = 0, 0
		}
		s.Elems[k] = f
	}
	return s
}

// resolveElem returns the format of element k of a layer's spec as Build
// resolves it: the layer's, else the model's, else DefaultFormat.
func resolveElem(layer, model models.Spec, k int) fixedpoint.Format {
	for _, s := range []models.Spec{layer, model} {
		if s.Set && s.Elems != nil {
			return s.Elems[k]
		}
		if s.Set {
			return s.Format
		}
	}
	return DefaultFormat
}

// value returns a random float that quantizes into f without overflow
// (whatever f's rounding), 0 for a pruned format.
func (g *modelGen) value(f fixedpoint.Format) float64 {
	if f.Width == 0 {
		return 0
	}
	lo, hi := f.MinRaw()+1, f.MaxRaw()-1
	raw := lo + g.r.Int64N(hi-lo+1)
	for g.uniform && raw == 0 && hi > lo {
		raw = lo + g.r.Int64N(hi-lo+1)
	}
	return f.Float(raw) + (g.r.Float64()-0.5)*0.98*math.Ldexp(1, -f.Frac())
}

// model returns a random model with up to maxLayers layers.
func (g *modelGen) model(maxLayers int) *models.Model {
	r := g.r
	m := &models.Model{Name: "random", Input: models.Input{Name: "x"}}
	P, F := 0, 1+r.IntN(8)
	if r.IntN(2) == 0 {
		P, F = 1+r.IntN(6), 1+r.IntN(5)
		m.Input.Shape = []int{P, F}
	} else {
		m.Input.Shape = []int{F}
	}
	m.Input.Type = g.spec(F, true, false)
	m.Precision = models.Precision{
		Weight: g.spec(0, false, false), Bias: g.spec(0, false, false),
		Result: g.spec(0, false, false),
	}
	switch {
	case g.wide:
		m.Precision.Accum = models.Spec{Set: true, Format: g.format(true)}
	case g.uniform:
		one := func() models.Spec { return models.Spec{Set: true, Format: g.format(true)} }
		m.Precision = models.Precision{Weight: one(), Bias: one(), Result: one(), Accum: one()}
		m.Precision.Accum.Format.Quant = []fixedpoint.Quant{fixedpoint.Trn, fixedpoint.Rnd}[r.IntN(2)]
		m.Precision.Accum.Format.Overflow, m.Precision.Accum.Format.SatBits = fixedpoint.Wrap, 0
		m.Precision.Weight.Format.Int = max(m.Precision.Weight.Format.Int, 1) // no all-zero weights
		m.Input.Type = m.Precision.Result
	case r.IntN(2) == 0:
		m.Precision.Accum = models.Spec{Set: true, Auto: true}
	}

	prev := "x"
	for n := range 1 + r.IntN(maxLayers) {
		l := &models.Layer{Name: fmt.Sprintf("l%d", n), Input: prev}
		kinds := []models.Kind{models.Dense, models.Dense, models.BatchNorm, models.ReLU,
			models.LeakyReLU, models.Linear, models.Sigmoid, models.Tanh, models.Softmax}
		switch {
		case g.wide:
			kinds = kinds[:len(kinds)-1]
			if P > 0 {
				kinds = append(kinds, models.Flatten)
			}
		case P > 0:
			kinds = append(kinds, models.Pool, models.Pool, models.Flatten)
		}
		l.Kind = kinds[r.IntN(len(kinds))]
		pr := &l.Precision
		pr.Result = g.spec(F, true, false)
		switch l.Kind {
		case models.Dense:
			l.Units = 1 + r.IntN(8)
			pr.Result = g.spec(l.Units, true, false)
			pr.Weight = g.spec(l.Units*F, true, true)
			pr.Bias = g.spec(l.Units, true, true)
			pr.Accum = g.accum(l.Units)
			l.Weight = make([][]float64, l.Units)
			for j := range l.Weight {
				l.Weight[j] = make([]float64, F)
				for i := range l.Weight[j] {
					l.Weight[j][i] = g.value(resolveElem(pr.Weight, m.Precision.Weight, j*F+i))
				}
			}
			if r.IntN(4) != 0 {
				l.Bias = make([]float64, l.Units)
				for j := range l.Bias {
					l.Bias[j] = g.value(resolveElem(pr.Bias, m.Precision.Bias, j))
				}
			}
			F = l.Units
		case models.BatchNorm:
			pr.Weight = g.spec(F, true, false)
			pr.Bias = g.spec(F, true, false)
			pr.Accum = g.accum(F)
			l.Eps = 1e-3
			for i := range F {
				// a representable scale and offset, so that an unfolded
				// batch norm fits its formats.
				a := g.value(resolveElem(pr.Weight, m.Precision.Weight, i))
				c := g.value(resolveElem(pr.Bias, m.Precision.Bias, i))
				v := 0.5 + r.Float64()
				mean := r.Float64() - 0.5
				l.Var = append(l.Var, v)
				l.Mean = append(l.Mean, mean)
				l.Gamma = append(l.Gamma, a*math.Sqrt(v+l.Eps))
				l.Beta = append(l.Beta, c+a*mean)
			}
		case models.LeakyReLU:
			l.Slope = []float64{0.01, 0.1, 0.3, -0.2, 1.5}[r.IntN(5)]
			if r.IntN(3) == 0 {
				pr.Slope = models.Spec{Set: true, Format: g.format(true)}
			}
		case models.Sigmoid, models.Tanh, models.Softmax:
			if r.IntN(3) == 0 {
				pr.Table = models.Spec{Set: true, Format: g.format(r.IntN(4) != 0)}
			}
			if r.IntN(3) == 0 {
				f := g.format(r.IntN(2) == 0)
				f.Width = min(f.Width, 12)
				pr.TableIndex = models.Spec{Set: true, Format: f}
			}
		case models.Pool:
			l.Pool = []models.PoolOp{models.PoolSum, models.PoolMean, models.PoolMax,
				models.PoolWeightedSum}[r.IntN(4)]
			l.WeightFeature = r.IntN(m.Input.Shape[1])
			pr.Accum = g.accum(F)
			if r.IntN(3) == 0 {
				pr.Table = models.Spec{Set: true, Format: g.format(false)}
			}
			P = 0
		case models.Flatten:
			F *= P
			P = 0
			pr.Result = models.Spec{}
		}
		m.Layers = append(m.Layers, l)
		prev = l.Name
	}
	m.Output = prev
	return m
}

// accum returns a random accumulator precision for n outputs.
func (g *modelGen) accum(n int) models.Spec {
	if g.wide {
		return models.Spec{Set: true, Format: g.format(true)}
	}
	switch g.r.IntN(3) {
	case 0:
		return models.Spec{}
	case 1:
		return models.Spec{Set: true, Auto: true}
	}
	return g.spec(n, true, false)
}

// input returns random raw input words for p: values anywhere in each
// feature's format, extremes often, and padding particles.
func (g *modelGen) input(p *Plan) []int64 {
	r := g.r
	F := p.Input.Features()
	in := make([]int64, p.Input.Len())
	for e := range in {
		f := p.Input.Formats[e%F]
		switch r.IntN(6) {
		case 0:
			in[e] = f.MinRaw()
		case 1:
			in[e] = f.MaxRaw()
		default:
			in[e] = f.MinRaw() + r.Int64N(f.MaxRaw()-f.MinRaw()+1)
		}
	}
	if P := p.Input.Particles(); P > 0 {
		for q := range P {
			if r.IntN(3) == 0 || r.IntN(8) == 0 && q > 0 {
				clear(in[q*F : (q+1)*F])
			}
		}
	}
	return in
}
