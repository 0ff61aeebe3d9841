package models

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"kd2fpga/fixedpoint"
)

// The schemas of the model file's blocks. Attributes that only some layer
// kinds use are all in layerSchema; decodeLayer refuses the ones that do
// not apply to the layer's kind.
var (
	rootSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{{Type: "model", LabelNames: []string{"name"}}},
	}
	modelSchema = &hcl.BodySchema{
		Attributes: attrs("description", "weights", "layout", "output"),
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "target"},
			{Type: "precision"},
			{Type: "features"},
			{Type: "input", LabelNames: []string{"name"}},
			{Type: "layer", LabelNames: []string{"name"}},
		},
	}
	targetSchema = &hcl.BodySchema{
		Attributes: attrs("part", "clock_ns", "latency_budget_ns", "reuse",
			"strategy", "particles"),
	}
	modelPrecisionSchema = &hcl.BodySchema{
		Attributes: attrs("default", "weight", "bias", "result", "accum",
			"table", "table_index", "slope"),
	}
	layerPrecisionSchema = &hcl.BodySchema{
		Attributes: attrs("weight", "bias", "result", "accum", "table",
			"table_index", "slope", "weight_width", "weight_int", "bias_width",
			"bias_int", "result_width", "result_int"),
	}
	featuresSchema = &hcl.BodySchema{
		Attributes: attrs("particles", "per_particle", "high_level", "invariants"),
	}
	inputSchema = &hcl.BodySchema{
		Attributes: append(attrs("type", "width", "int"),
			hcl.AttributeSchema{Name: "shape", Required: true}),
	}
	layerSchema = &hcl.BodySchema{
		Attributes: append(attrs("input", "units", "bias", "reuse", "slope",
			"eps", "op", "weight_feature", "weight_array", "bias_array",
			"gamma_array", "beta_array", "mean_array", "var_array"),
			hcl.AttributeSchema{Name: "type", Required: true}),
		Blocks: []hcl.BlockHeaderSchema{{Type: "precision"}},
	}
)

// attrs lists optional attributes for a schema.
func attrs(names ...string) []hcl.AttributeSchema {
	as := make([]hcl.AttributeSchema, len(names))
	for i, n := range names {
		as[i] = hcl.AttributeSchema{Name: n}
	}
	return as
}

// maxDim bounds every size written in a model file (shape entries,
// units), far above what fits an FPGA, so that sizes never overflow.
const maxDim = 1 << 20

// maxInvariants bounds the features block's invariants (the jets
// package's MaxInvariants; models does not import jets).
const maxInvariants = 64

// scope decodes the attributes of one block, reporting problems for the
// layer (or input) it belongs to.
type scope struct {
	el     *errList
	layer  string // the layer the block belongs to, for messages
	prefix string // prepended to messages, such as `input "x": `
	attrs  hcl.Attributes
}

// errorf reports a problem at rng.
func (s *scope) errorf(rng hcl.Range, format string, args ...any) {
	s.el.add(rng, s.layer, "%s", s.prefix+fmt.Sprintf(format, args...))
}

// value evaluates an attribute. It returns a nil attribute when the
// attribute is absent, and ok false when its value is unusable (the
// problem is then reported).
func (s *scope) value(name string) (v cty.Value, a *hcl.Attribute, ok bool) {
	a = s.attrs[name]
	if a == nil {
		return cty.NilVal, nil, false
	}
	v, ds := a.Expr.Value(nil)
	if ds.HasErrors() {
		for _, d := range ds {
			if d.Severity == hcl.DiagError {
				s.errorf(a.Range, "%s: %s", name, diagMessage(d))
				break
			}
		}
		return cty.NilVal, a, false
	}
	if v.IsNull() || !v.IsWhollyKnown() {
		s.errorf(a.Range, "%s must have a value", name)
		return cty.NilVal, a, false
	}
	return v, a, true
}

// str decodes a string attribute.
func (s *scope) str(name string) (string, *hcl.Attribute, bool) {
	v, a, ok := s.value(name)
	if !ok {
		return "", a, false
	}
	if v.Type() != cty.String {
		s.errorf(a.Range, "%s must be a string, not %s", name, v.Type().FriendlyName())
		return "", a, false
	}
	return v.AsString(), a, true
}

// bool decodes a boolean attribute.
func (s *scope) bool(name string) (bool, *hcl.Attribute, bool) {
	v, a, ok := s.value(name)
	if !ok {
		return false, a, false
	}
	if v.Type() != cty.Bool {
		s.errorf(a.Range, "%s must be true or false, not %s", name, v.Type().FriendlyName())
		return false, a, false
	}
	return v.True(), a, true
}

// float decodes a finite number attribute.
func (s *scope) float(name string) (float64, *hcl.Attribute, bool) {
	v, a, ok := s.value(name)
	if !ok {
		return 0, a, false
	}
	if v.Type() != cty.Number {
		s.errorf(a.Range, "%s must be a number, not %s", name, v.Type().FriendlyName())
		return 0, a, false
	}
	f, _ := v.AsBigFloat().Float64()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		s.errorf(a.Range, "%s must be a finite number", name)
		return 0, a, false
	}
	return f, a, true
}

// int decodes a whole-number attribute within [lo, hi].
func (s *scope) int(name string, lo, hi int) (int, *hcl.Attribute, bool) {
	v, a, ok := s.value(name)
	if !ok {
		return 0, a, false
	}
	n, msg := wholeNumber(v, lo, hi)
	if msg != "" {
		s.errorf(a.Range, "%s %s", name, msg)
		return 0, a, false
	}
	return n, a, true
}

// wholeNumber converts v to an int within [lo, hi], or says what is wrong
// with it.
func wholeNumber(v cty.Value, lo, hi int) (int, string) {
	if v.Type() != cty.Number {
		return 0, "must be a whole number, not " + v.Type().FriendlyName()
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		return 0, fmt.Sprintf("must be a whole number, not %s", bf.Text('g', 10))
	}
	n, acc := bf.Int64()
	if acc != big.Exact || n < int64(lo) || n > int64(hi) {
		return 0, fmt.Sprintf("must be within %d..%d, not %s", lo, hi, bf.Text('g', 10))
	}
	return int(n), ""
}

// list returns the elements of a list or tuple attribute.
func (s *scope) list(name string) ([]cty.Value, *hcl.Attribute, bool) {
	v, a, ok := s.value(name)
	if !ok {
		return nil, a, false
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		s.errorf(a.Range, "%s must be a list, not %s", name, v.Type().FriendlyName())
		return nil, a, false
	}
	return v.AsValueSlice(), a, true
}

// ints decodes a list of whole numbers within [lo, hi].
func (s *scope) ints(name string, lo, hi int) ([]int, *hcl.Attribute, bool) {
	vs, a, ok := s.list(name)
	if !ok {
		return nil, a, false
	}
	ns := make([]int, len(vs))
	for i, v := range vs {
		n, msg := wholeNumber(v, lo, hi)
		if msg != "" {
			s.errorf(a.Range, "%s[%d] %s", name, i, msg)
			return nil, a, false
		}
		ns[i] = n
	}
	return ns, a, true
}

// strs decodes a list of strings; an empty list gives nil.
func (s *scope) strs(name string) ([]string, *hcl.Attribute, bool) {
	vs, a, ok := s.list(name)
	if !ok {
		return nil, a, false
	}
	var ss []string
	for i, v := range vs {
		if v.IsNull() || v.Type() != cty.String {
			s.errorf(a.Range, "%s[%d] must be a string", name, i)
			return nil, a, false
		}
		ss = append(ss, v.AsString())
	}
	return ss, a, true
}

// oneOf decodes a string attribute that must be one of choices; it
// returns def when the attribute is absent.
func (s *scope) oneOf(name, def string, choices ...string) (string, bool) {
	v, a, ok := s.str(name)
	switch {
	case a == nil:
		return def, true
	case !ok:
		return def, false
	}
	for _, c := range choices {
		if v == c {
			return v, true
		}
	}
	s.errorf(a.Range, "%s %q is not one of %s", name, v, orList(choices))
	return def, false
}

// orList formats choices as `"a", "b" or "c"`.
func orList(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = fmt.Sprintf("%q", c)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// spec decodes a precision attribute: a type such as "ap_fixed<16,6>",
// or "auto" where allowAuto is set. An absent attribute gives an unset
// Spec.
func (s *scope) spec(name string, allowAuto bool) (Spec, bool) {
	str, a, ok := s.str(name)
	switch {
	case a == nil:
		return Spec{}, true
	case !ok:
		return Spec{}, false
	}
	if strings.TrimSpace(str) == "auto" {
		if !allowAuto {
			s.errorf(a.Range, "%s: \"auto\" is only allowed for accum", name)
			return Spec{}, false
		}
		return Spec{Set: true, Auto: true, Pos: a.Range}, true
	}
	f, ok := s.format(a, name, str)
	if !ok {
		return Spec{}, false
	}
	return Spec{Set: true, Format: f, Pos: a.Range}, true
}

// format parses and validates one type string of attribute a.
func (s *scope) format(a *hcl.Attribute, name, str string) (fixedpoint.Format, bool) {
	f, err := fixedpoint.ParseFormat(str)
	if err == nil {
		err = f.Validate()
	}
	if err != nil {
		s.errorf(a.Range, "%s: %v", name, err)
		return fixedpoint.Format{}, false
	}
	return f, true
}
