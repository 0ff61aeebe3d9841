package models

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
)

// maxIntBits bounds the integer bits read from an array before they are
// converted to int; Validate applies the real limit.
const maxIntBits = 1 << 20

// array reads one array and checks that it holds only finite numbers.
// alt, when not empty, is the name the array would have in the other
// layout, offered as a hint when name is missing.
func (ld *loader) array(s *scope, rng hcl.Range, name, alt string) ([]float64, []int, bool) {
	data, shape, err := ld.arrays.Array(name)
	switch {
	case errors.Is(err, ErrNoArray):
		if ld.noArrays {
			return nil, nil, false
		}
		msg := fmt.Sprintf("array %q not found", name)
		if ld.weightsName == "" {
			msg += " (the model has no weights attribute)"
		} else {
			msg += " in " + ld.weightsName
		}
		if alt != "" && ld.hasArray(alt) {
			msg += fmt.Sprintf(" (it holds %q: is the layout right?)", alt)
		}
		s.errorf(rng, "%s", msg)
		return nil, nil, false
	case err != nil:
		s.errorf(rng, "%v", err)
		return nil, nil, false
	}

	// the values match the shape and are finite
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) {
		s.errorf(rng, "array %q has %d values, not the %d of its shape %v",
			name, len(data), n, shape)
		return nil, nil, false
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s.errorf(rng, "array %q has %v at index %v", name, v, indexOf(i, shape))
			return nil, nil, false
		}
	}
	return data, shape, true
}

// hasArray reports whether the weights hold an array named name.
func (ld *loader) hasArray(name string) bool {
	names := ld.arrays.Names()
	i := sort.SearchStrings(names, name)
	return i < len(names) && names[i] == name
}

// arrayRef returns the name of one of a layer's arrays (attr such as
// "weight_array"), where to report its problems, and its name in the
// other layout when the file relies on the default.
func (ld *loader) arrayRef(ls *layerSrc, attr string) (name string, rng hcl.Range, alt string) {
	if a := ls.s.attrs[attr]; a != nil {
		name, _, ok := ls.s.str(attr)
		if !ok {
			return "", a.Range, ""
		}
		return name, a.Range, ""
	}
	other := Keras
	if ld.m.Layout == Keras {
		other = PyTorch
	}
	return arrayNames(ld.m.Layout, ls.l.Name)[attr], ls.l.Pos, arrayNames(other, ls.l.Name)[attr]
}

// checkDense reads a dense layer's arrays, in the file's layout, into
// kd2fpga's ([out][in]), and its per-element precisions.
func (ld *loader) checkDense(ls *layerSrc, in []int) []int {
	l := ls.l
	nin := -1
	if in != nil {
		nin = in[len(in)-1]
	}
	keras := ld.m.Layout == Keras
	want := []int{l.Units, nin}
	hint := "[units, inputs] in the pytorch layout"
	if keras {
		want = []int{nin, l.Units}
		hint = "[inputs, units] in the keras layout"
	}

	// the weight and the bias
	name, rng, alt := ld.arrayRef(ls, "weight_array")
	if name != "" {
		if data, shape, ok := ld.array(ls.s, rng, name, alt); ok {
			if matches(shape, want) {
				l.Weight = rows(data, shape, keras)
			} else {
				ls.s.errorf(rng, "weight %q has shape %v, want %s (%s)",
					name, shape, fmtShape(want), hint)
			}
		}
	}
	if ls.hasBias {
		name, rng, alt := ld.arrayRef(ls, "bias_array")
		if name != "" {
			if data, shape, ok := ld.array(ls.s, rng, name, alt); ok {
				if matches(shape, []int{l.Units}) {
					l.Bias = append([]float64{}, data...)
				} else {
					ls.s.errorf(rng, "bias %q has shape %v, want [%d]", name, shape, l.Units)
				}
			}
		}
	}

	// per-element weight and bias formats
	p, mp := &l.Precision, &ld.m.Precision
	ld.elemSpec(ls.prec, "weight", &p.Weight, mp.Weight, want, keras)
	if ls.hasBias {
		ld.elemSpec(ls.prec, "bias", &p.Bias, mp.Bias, []int{l.Units}, false)
	}
	if in == nil {
		return nil
	}
	return outShape(l, in)
}

// checkBatchNorm reads a batch norm's arrays, one entry per feature of
// the last axis.
func (ld *loader) checkBatchNorm(ls *layerSrc, in []int) []int {
	l := ls.l
	nf := -1
	if in != nil {
		nf = in[len(in)-1]
	}
	for _, attr := range []string{"gamma_array", "beta_array", "mean_array", "var_array"} {
		name, rng, alt := ld.arrayRef(ls, attr)
		if name == "" {
			continue
		}
		data, shape, ok := ld.array(ls.s, rng, name, alt)
		if !ok {
			continue
		}
		if !matches(shape, []int{nf}) {
			ls.s.errorf(rng, "%s %q has shape %v, want %s", trimArrayAttr(attr), name,
				shape, fmtShape([]int{nf}))
			continue
		}
		data = append([]float64{}, data...)
		switch attr {
		case "gamma_array":
			l.Gamma = data
		case "beta_array":
			l.Beta = data
		case "mean_array":
			l.Mean = data
		case "var_array":
			for i, v := range data {
				if v < 0 {
					ls.s.errorf(rng, "var %q has a negative variance %g at index [%d]", name, v, i)
					break
				}
			}
			l.Var = data
		}
	}
	return in
}

// elemSpec reads the per-element formats <what>_width and <what>_int of
// a layer's precision block, shaped want in the file's layout, into sp.
// Their signedness and modes come from sp, or from def when the layer
// leaves sp unset.
func (ld *loader) elemSpec(s *scope, what string, sp *Spec, def Spec, want []int, transpose bool) {
	base := def
	if sp.Set {
		base = *sp
	}
	elems, rng, ok := ld.elems(s, what+"_width", what+"_int", base.Format, want, transpose)
	if !ok || elems == nil {
		return
	}
	if !sp.Set {
		sp.Pos = rng
	}
	sp.Set, sp.Auto, sp.Format, sp.Elems = true, false, base.Format, elems
}

// elems reads per-element formats from an array of widths (attribute
// wAttr) and one of integer bits (iAttr), both shaped want (-1: any
// size). Each element has base's signedness and modes; a width of 0
// marks a pruned element. transpose turns a 2-D [in, out] array into
// kd2fpga's [out][in] order. It returns nil and ok when neither attribute
// is set.
func (ld *loader) elems(s *scope, wAttr, iAttr string, base fixedpoint.Format, want []int,
	transpose bool) (elems []fixedpoint.Format, rng hcl.Range, ok bool) {
	// both attributes or neither
	wa, ia := s.attrs[wAttr], s.attrs[iAttr]
	switch {
	case wa == nil && ia == nil:
		return nil, rng, true
	case wa == nil:
		s.errorf(ia.Range, "%s needs %s", iAttr, wAttr)
		return nil, rng, false
	case ia == nil:
		s.errorf(wa.Range, "%s needs %s", wAttr, iAttr)
		return nil, rng, false
	}
	wname, _, okw := s.str(wAttr)
	iname, _, oki := s.str(iAttr)
	if !okw || !oki {
		return nil, rng, false
	}

	// the two arrays, shaped like the tensor
	widths, wshape, okw := ld.array(s, wa.Range, wname, "")
	ints, ishape, oki := ld.array(s, ia.Range, iname, "")
	if !okw || !oki {
		return nil, rng, false
	}
	ok = true
	for _, c := range []struct {
		a     *hcl.Attribute
		name  string
		shape []int
	}{{wa, wname, wshape}, {ia, iname, ishape}} {
		if !matches(c.shape, want) {
			s.errorf(c.a.Range, "%s %q has shape %v, want %s", c.a.Name, c.name, c.shape,
				fmtShape(want))
			ok = false
		}
	}
	if ok && !equalShapes(wshape, ishape) {
		s.errorf(ia.Range, "%s %q has shape %v, unlike %s %v", iAttr, iname, ishape, wAttr, wshape)
		ok = false
	}
	if !ok {
		return nil, rng, false
	}

	// one format per element
	elems = make([]fixedpoint.Format, len(widths))
	for i := range widths {
		w, n := widths[i], ints[i]
		if w != math.Trunc(w) || w < 0 || w > fixedpoint.MaxWidth {
			s.errorf(wa.Range, "%s %q has %g at index %v, want a whole number of bits in 0..%d",
				wAttr, wname, w, indexOf(i, wshape), fixedpoint.MaxWidth)
			return nil, rng, false
		}
		if n != math.Trunc(n) || math.Abs(n) > maxIntBits {
			s.errorf(ia.Range, "%s %q has %g at index %v, want a whole number of bits",
				iAttr, iname, n, indexOf(i, ishape))
			return nil, rng, false
		}
		f := base
		f.Width, f.Int = int(w), int(n)
		f.SatBits = min(f.SatBits, f.Width)
		if f.Width > 0 {
			if err := f.Validate(); err != nil {
				s.errorf(wa.Range, "%s and %s at index %v: %v", wAttr, iAttr,
					indexOf(i, wshape), err)
				return nil, rng, false
			}
		}
		elems[i] = f
	}
	if transpose && len(wshape) == 2 {
		elems = transposed(elems, wshape[0], wshape[1])
	}
	return elems, wa.Range, true
}

// matches reports whether shape is want, where a want of -1 matches any
// size.
func matches(shape, want []int) bool {
	if len(shape) != len(want) {
		return false
	}
	for i, w := range want {
		if w >= 0 && shape[i] != w {
			return false
		}
	}
	return true
}

// equalShapes reports whether two shapes are the same.
func equalShapes(a, b []int) bool {
	return matches(a, b) && len(a) == len(b)
}

// fmtShape prints a wanted shape, "?" standing for any size.
func fmtShape(want []int) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = "?"
		if w >= 0 {
			parts[i] = fmt.Sprint(w)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// indexOf turns a row-major offset into an index of shape.
func indexOf(off int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = off % shape[k]
			off /= shape[k]
		}
	}
	return idx
}

// rows splits a 2-D array into rows of kd2fpga's [out][in] layout; with
// transpose the array is [in, out].
func rows(data []float64, shape []int, transpose bool) [][]float64 {
	r, c := shape[0], shape[1]
	if !transpose {
		w := make([][]float64, r)
		for j := range w {
			w[j] = append([]float64{}, data[j*c:(j+1)*c]...)
		}
		return w
	}
	w := make([][]float64, c)
	for j := range w {
		w[j] = make([]float64, r)
		for i := range r {
			w[j][i] = data[i*c+j]
		}
	}
	return w
}

// transposed reorders a row-major r x c list into c x r.
func transposed[T any](xs []T, r, c int) []T {
	out := make([]T, len(xs))
	for i := range r {
		for j := range c {
			out[j*r+i] = xs[i*c+j]
		}
	}
	return out
}
