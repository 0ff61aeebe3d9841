package hlsgen

import (
	"fmt"
	"math/bits"
	"strings"

	"kd2fpga/fixedpoint"
)

// hlsType is one typedef of the generated C++: typedef Spelling Name.
type hlsType struct {
	Name     string // such as fc1_accum_t
	Spelling string // such as ap_fixed<20,8>
	Comment  string // what the type holds, for the reader
	format   fixedpoint.Format
}

// family is the C++ types of one role of an op (its results, its
// accumulators) over the elements of a tensor. When every element has the
// same format, one type serves all. Otherwise Container holds every
// element's value exactly (it is the type of the array), and Elem[k]
// names the type of element k's own format, through which a value bound
// for element k is cast.
type family struct {
	Container string
	Elem      []string
	types     []hlsType // the typedefs, container first
	index     []int     // index[k]: which distinct format element k has
}

// newFamily makes the types of the element formats fs, named stem_t, and
// stem_<n>_t for the n-th distinct format when they differ. what
// describes the values for the comments.
func newFamily(stem string, fs []fixedpoint.Format, what string) *family {
	fm := &family{Elem: make([]string, len(fs)), index: make([]int, len(fs))}
	var distinct []fixedpoint.Format
	for k, f := range fs {
		n := indexOf(distinct, f)
		if n < 0 {
			n = len(distinct)
			distinct = append(distinct, f)
		}
		fm.index[k] = n
	}

	name := stem + "_t"
	fm.Container = name
	if len(distinct) == 1 {
		fm.types = []hlsType{{Name: name, Spelling: distinct[0].String(), Comment: what,
			format: distinct[0]}}
		for k := range fm.Elem {
			fm.Elem[k] = name
		}
		return fm
	}

	c := cover(distinct)
	fm.types = []hlsType{{Name: name, Spelling: c.String(), format: c,
		Comment: fmt.Sprintf("%s: holds each of the %d formats below exactly", what, len(distinct))}}
	for n, f := range distinct {
		fm.types = append(fm.types, hlsType{Name: fmt.Sprintf("%s_%d_t", stem, n),
			Spelling: f.String(), format: f, Comment: fmt.Sprintf("%s, format %d", what, n)})
	}
	for k, n := range fm.index {
		fm.Elem[k] = fm.types[n+1].Name
	}
	return fm
}

// indexOf returns the position of f in fs, or -1.
func indexOf(fs []fixedpoint.Format, f fixedpoint.Format) int {
	for n, g := range fs {
		if g == f {
			return n
		}
	}
	return -1
}

// valueType returns the single type of a constant array whose elements
// have the formats fs (by row): their common format when they share one (as
// declared, modes included), else the narrowest format holding every
// value. Zero-width formats (pruned weights, always 0) are left out.
func valueType(name string, fs [][]fixedpoint.Format, what string) hlsType {
	var distinct []fixedpoint.Format
	for _, row := range fs {
		for _, f := range row {
			if f.Width > 0 && (len(distinct) == 0 || f != distinct[len(distinct)-1]) &&
				indexOf(distinct, f) < 0 {
				distinct = append(distinct, f)
			}
		}
	}
	switch len(distinct) {
	case 0:
		// everything pruned: the values are all zero
		f := fixedpoint.UFixed(1, 1)
		return hlsType{Name: name, Spelling: f.String(), format: f, Comment: what + " (all pruned)"}
	case 1:
		return hlsType{Name: name, Spelling: distinct[0].String(), format: distinct[0], Comment: what}
	}
	c := cover(distinct)
	return hlsType{Name: name, Spelling: c.String(), format: c,
		Comment: fmt.Sprintf("%s: holds each of their %d formats exactly", what, len(distinct))}
}

// cover returns the narrowest format, with the default modes, that holds
// every value of every format in fs exactly: the most fractional bits,
// and the most integer bits, counting one more for an unsigned format
// when any is signed.
func cover(fs []fixedpoint.Format) fixedpoint.Format {
	signed := false
	for _, f := range fs {
		signed = signed || f.Signed
	}
	frac, in := fs[0].Frac(), fs[0].Int
	for _, f := range fs {
		i := f.Int
		if signed && !f.Signed {
			i++
		}
		frac, in = max(frac, f.Frac()), max(in, i)
	}
	return fixedpoint.Format{Signed: signed, Width: in + frac, Int: in}
}

// sumType returns the format that holds the exact sum of terms values of
// format f: a sum of n W-bit words needs ceil(log2 n) more bits, which
// are added as integer bits. Its modes are the defaults: the sum never
// rounds or overflows.
func sumType(f fixedpoint.Format, terms int) fixedpoint.Format {
	g := 0
	if terms > 1 {
		g = bits.Len(uint(terms - 1))
	}
	return fixedpoint.Format{Signed: f.Signed, Width: f.Width + g, Int: f.Int + g}
}

// sumFamily returns the exact-sum types of the accumulator family acc for
// terms terms each, named base_sum_t (base_sum_<n>_t for the n-th distinct
// accumulator format), with Elem aligned to acc's elements.
func sumFamily(base string, acc *family, terms int) *family {
	fm := &family{Elem: make([]string, len(acc.Elem)), index: acc.index}
	distinct := acc.types
	if len(distinct) > 1 {
		distinct = distinct[1:]
	}
	for n, t := range distinct {
		name := base + "_sum_t"
		if len(distinct) > 1 {
			name = fmt.Sprintf("%s_sum_%d_t", base, n)
		}
		f := sumType(t.format, terms)
		fm.types = append(fm.types, hlsType{Name: name, Spelling: f.String(), format: f,
			Comment: fmt.Sprintf("the exact sum of %d terms of %s", terms, t.Name)})
	}
	for k, n := range fm.index {
		fm.Elem[k] = fm.types[n].Name
	}
	fm.Container = fm.types[0].Name
	return fm
}

// hlsRun is a range [Lo, Hi) of the elements of a tensor whose types are
// the same, so that one loop handles them.
type hlsRun struct {
	Lo, Hi int
	// Types holds, in an order fixed by the op, the type names that the
	// elements of the run share (result, accumulator, sum, ...).
	Types []string
	// Width and Offset place the run on a bus (the input and output
	// only): element k sits at bit Offset + (k-Lo)*Width.
	Width, Offset int
	// Loop is true when the run prints as a loop over j; J is then "j",
	// else the element's index. Ind indents the statements of the run.
	Loop   bool
	J, Ind string
}

// Result, Accum and Sum name the run's types in the order runs puts them.
func (r hlsRun) Result() string { return r.Types[0] }

// Accum returns the accumulator type of the run.
func (r hlsRun) Accum() string { return r.Types[1] }

// Sum returns the exact-sum type of the run.
func (r hlsRun) Sum() string { return r.Types[2] }

// runs splits n elements into maximal ranges over which every family in
// fams gives the same element type. Types of each run follow fams' order.
func runs(n int, fams ...*family) []hlsRun {
	var rs []hlsRun
	key := func(k int) string {
		var b strings.Builder
		for _, fm := range fams {
			b.WriteString(fm.Elem[k])
			b.WriteByte(' ')
		}
		return b.String()
	}
	for k := 0; k < n; {
		hi := k + 1
		for hi < n && key(hi) == key(k) {
			hi++
		}
		r := hlsRun{Lo: k, Hi: hi}
		for _, fm := range fams {
			r.Types = append(r.Types, fm.Elem[k])
		}
		rs = append(rs, r)
		k = hi
	}
	return rs
}
