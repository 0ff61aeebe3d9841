package models

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// connect resolves the input of every layer, infers the shapes in order,
// and reads and checks each layer's arrays against them. A layer may only
// read the model input or an earlier layer; an unknown shape (after an
// earlier problem) is nil and skips the checks that need it.
func (ld *loader) connect() {
	in := &ld.m.Input
	shapes := make(map[string][]int)
	defined := make(map[string]bool)
	if in.Name != "" {
		shapes[in.Name], defined[in.Name] = in.Shape, true
	}

	prev := in.Name
	for _, ls := range ld.layers {
		l := ls.l
		ld.m.Layers = append(ld.m.Layers, l)

		// the layer it reads
		switch a := ls.s.attrs["input"]; {
		case l.Input == "" && a == nil:
			l.Input = prev
		case a == nil:
		case ls.badInput:
			ld.badRefs = true
		case defined[l.Input]:
		case ld.find(l.Input) != nil:
			ls.s.errorf(a.Range, "input %q is not defined before this layer "+
				"(cycle or forward reference)", l.Input)
			ld.badRefs, ls.ok = true, false
		default:
			ls.s.errorf(a.Range, "input %q names no layer or input", l.Input)
			ld.badRefs, ls.ok = true, false
		}

		// its shape
		var out []int
		if ls.ok {
			out = ld.check(ls, shapes[l.Input])
		}
		if !ls.dup {
			shapes[l.Name], defined[l.Name] = out, true
		}
		prev = l.Name
	}
}

// check checks one layer against the shape of its input (nil when
// unknown) and returns its output shape (nil when unknown).
func (ld *loader) check(ls *layerSrc, in []int) []int {
	l := ls.l
	var out []int
	switch l.Kind {
	case Dense:
		out = ld.checkDense(ls, in)
	case BatchNorm:
		out = ld.checkBatchNorm(ls, in)
	case Pool, Flatten:
		if in != nil && len(in) != 2 {
			ls.s.errorf(l.Pos, "%s needs a particle tensor [P, F], but %q gives %v",
				l.Kind, l.Input, in)
			return nil
		}
		if l.Kind == Pool && l.Pool == PoolWeightedSum {
			ld.checkWeightFeature(ls)
		}
		if in != nil {
			out = outShape(l, in)
		}
	default:
		out = in
	}

	// per-element result formats, one per feature of the last axis
	if out != nil {
		p, mp := &l.Precision, &ld.m.Precision
		ld.elemSpec(ls.prec, "result", &p.Result, mp.Result, []int{out[len(out)-1]}, false)
	}
	return out
}

// checkWeightFeature checks that a weighted sum's weighting feature is
// one of the model input's features.
func (ld *loader) checkWeightFeature(ls *layerSrc) {
	in := &ld.m.Input
	if len(in.Shape) != 2 {
		return
	}
	if nf := in.Shape[1]; ls.l.WeightFeature >= nf {
		ls.s.errorf(ls.s.attrs["weight_feature"].Range,
			"weight_feature %d is outside the %d features of input %q",
			ls.l.WeightFeature, nf, in.Name)
	}
}

// output resolves the model output and refuses layers it does not
// depend on: every layer must contribute to the output.
func (ld *loader) output(s *scope, b *hcl.Block) {
	m := ld.m
	if len(m.Layers) == 0 {
		ld.el.add(b.DefRange, "", "no layers")
		return
	}

	// the output layer
	name, a, ok := s.str("output")
	switch {
	case a == nil:
		m.Output = m.Layers[len(m.Layers)-1].Name
	case !ok:
		return
	case m.Layer(name) == nil && name != "" && name == m.Input.Name:
		s.errorf(a.Range, "output %q is the input; it must name a layer", name)
		return
	case m.Layer(name) == nil:
		s.errorf(a.Range, "output %q names no layer", name)
		return
	default:
		m.Output = name
	}
	if ld.badRefs {
		return
	}

	// the layers the output depends on
	used := make(map[*Layer]bool)
	for l := m.Layer(m.Output); l != nil && !used[l]; l = m.Layer(l.Input) {
		used[l] = true
	}
	for _, ls := range ld.layers {
		if !used[ls.l] && !ls.dup {
			ls.s.errorf(ls.l.Pos, "unused: the output %q does not depend on this layer "+
				"(remove it or change output)", m.Output)
		}
	}
}

// checkFeatures checks the features block against the input shape.
func (ld *loader) checkFeatures() {
	f, in := ld.m.Features, &ld.m.Input
	if f == nil || in.Shape == nil {
		return
	}
	rng := ld.featuresPos
	np, npp, nhl, ninv := f.Particles, len(f.PerParticle), len(f.HighLevel), f.Invariants
	if (np > 0) != (npp > 0) {
		ld.el.add(rng, "", "features: particles and per_particle go together")
		return
	}

	// a particle input holds per-particle features only
	if in.Particles() {
		p, nf := in.Shape[0], in.Shape[1]
		switch {
		case nhl > 0 || ninv > 0:
			ld.el.add(rng, "", "features: the particle input %q [P, F] has no room for "+
				"high_level features or invariants", in.Name)
		case np > 0 && (np != p || npp != nf):
			ld.el.add(rng, "", "features: %d particles x %d features do not match input %q %v",
				np, npp, in.Name, in.Shape)
		}
		return
	}

	// a flat input holds the particles' features, then the high-level
	// ones, then the invariants
	if n := f.Width(); n > 0 && n != in.Shape[0] {
		ld.el.add(rng, "", "features: %s give %d values, but input %q has %d",
			featureSum(np, npp, nhl, ninv), n, in.Name, in.Shape[0])
	}
}

// featureSum describes how a features block counts its values.
func featureSum(np, npp, nhl, ninv int) string {
	var parts []string
	if np > 0 {
		parts = append(parts, fmt.Sprintf("%d particles x %d features", np, npp))
	}
	if nhl > 0 || (np == 0 && ninv == 0) {
		parts = append(parts, fmt.Sprintf("%d high_level features", nhl))
	}
	if ninv > 0 {
		parts = append(parts, fmt.Sprintf("the invariants of %d particles (%d values)",
			ninv, ninv+ninv*(ninv-1)/2))
	}
	return strings.Join(parts, " + ")
}
