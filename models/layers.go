package models

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// kinds lists the layer kinds in the order messages name them.
var kinds = []Kind{Dense, BatchNorm, ReLU, LeakyReLU, Linear, Sigmoid, Tanh, Softmax, Pool, Flatten}

// kindAttrs lists, per kind, the layer attributes beyond type, input
// and reuse, which every layer accepts.
var kindAttrs = map[Kind][]string{
	Dense:     {"units", "bias", "weight_array", "bias_array"},
	BatchNorm: {"eps", "gamma_array", "beta_array", "mean_array", "var_array"},
	LeakyReLU: {"slope"},
	Pool:      {"op", "weight_feature"},
}

// resultAttrs are the precision attributes of a layer's result.
var resultAttrs = []string{"result", "result_width", "result_int"}

// kindPrecision lists, per kind, the attributes its precision block
// accepts.
var kindPrecision = map[Kind][]string{
	Dense: append([]string{"weight", "bias", "accum", "weight_width", "weight_int",
		"bias_width", "bias_int"}, resultAttrs...),
	BatchNorm: append([]string{"weight", "bias", "accum"}, resultAttrs...),
	ReLU:      resultAttrs,
	LeakyReLU: append([]string{"slope"}, resultAttrs...),
	Linear:    resultAttrs,
	Sigmoid:   append([]string{"table", "table_index"}, resultAttrs...),
	Tanh:      append([]string{"table", "table_index"}, resultAttrs...),
	Softmax:   append([]string{"table", "table_index", "accum"}, resultAttrs...),
	Pool:      append([]string{"accum"}, resultAttrs...),
	Flatten:   nil,
}

// The defaults that follow the framework of the weights file.
var (
	defaultEps   = map[Layout]float64{PyTorch: 1e-5, Keras: 1e-3}
	defaultSlope = map[Layout]float64{PyTorch: 0.01, Keras: 0.3}
)

// layerSrc is a layer being loaded, with the source it came from.
type layerSrc struct {
	l    *Layer
	s    *scope // the layer's attributes
	prec *scope // its precision block's attributes (empty when absent)
	// ok is cleared when the layer is too broken to check its shapes.
	ok bool
	// dup is set on the second layer of a name.
	dup bool
	// badInput is set when the input attribute has no usable value.
	badInput bool
	// hasBias is set on a dense layer that has a bias.
	hasBias bool
}

// decodeLayer decodes one layer block; shapes and arrays are checked by
// connect, in order.
func (ld *loader) decodeLayer(b *hcl.Block) {
	l := &Layer{Name: b.Labels[0], Pos: b.DefRange}
	content, ds := b.Body.Content(layerSchema)
	ld.el.diags(ds, l.Name, "")
	ls := &layerSrc{
		l:    l,
		s:    &scope{el: ld.el, layer: l.Name, attrs: content.Attributes},
		prec: &scope{el: ld.el, layer: l.Name, attrs: hcl.Attributes{}},
		ok:   true,
	}
	s := ls.s

	// the name, unique among the input and the layers
	if !validName.MatchString(l.Name) {
		s.errorf(b.LabelRanges[0], "not a name (letters, digits and _, starting with a letter)")
	}
	if first := ld.find(l.Name); first != nil {
		s.errorf(b.DefRange, "defined twice (first at line %d)", first.Start.Line)
		ls.dup = true
	}
	ld.layers = append(ld.layers, ls)

	// the attributes every layer has
	if v, a, ok := s.str("input"); ok {
		l.Input = v
	} else if a != nil {
		ls.ok, ls.badInput = false, true
	}
	if v, _, ok := s.int("reuse", 1, maxDim); ok {
		l.Reuse = v
	}

	// the kind, and the attributes it accepts
	kind, a, ok := s.str("type")
	l.Kind = Kind(kind)
	if !ok {
		ls.ok = false
		return
	}
	if _, known := kindPrecision[l.Kind]; !known {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		s.errorf(a.Range, "unknown type %q (want %s)", kind, orList(names))
		ls.ok = false
		return
	}
	for _, a := range sortedAttrs(content.Attributes) {
		switch a.Name {
		case "type", "input", "reuse":
			continue
		}
		if !contains(kindAttrs[l.Kind], a.Name) {
			s.errorf(a.Range, "attribute %q does not apply to a %s layer", a.Name, l.Kind)
		}
	}

	// the attributes of the kind
	switch l.Kind {
	case Dense:
		ld.decodeDense(ls)
	case BatchNorm:
		l.Eps = defaultEps[ld.m.Layout]
		if v, a, ok := s.float("eps"); ok && v <= 0 {
			s.errorf(a.Range, "eps must be positive, not %g", v)
		} else if ok {
			l.Eps = v
		}
	case LeakyReLU:
		l.Slope = defaultSlope[ld.m.Layout]
		if v, _, ok := s.float("slope"); ok {
			l.Slope = v
		}
	case Pool:
		ld.decodePool(ls)
	}

	// the precision block
	blocks := content.Blocks
	for _, extra := range blocks[min(1, len(blocks)):] {
		s.errorf(extra.DefRange, "only one precision block is allowed per layer")
	}
	if len(blocks) > 0 {
		ld.decodeLayerPrecision(ls, blocks[0])
	}
}

// find returns where the input or a layer named name is defined, or nil.
func (ld *loader) find(name string) *hcl.Range {
	if ld.m.Input.Name == name {
		return &ld.m.Input.Pos
	}
	for _, ls := range ld.layers {
		if ls.l.Name == name && !ls.dup {
			return &ls.l.Pos
		}
	}
	return nil
}

// decodeDense decodes the attributes of a dense layer.
func (ld *loader) decodeDense(ls *layerSrc) {
	l, s := ls.l, ls.s
	units, a, ok := s.int("units", 1, maxDim)
	switch {
	case a == nil:
		s.errorf(l.Pos, "a dense layer needs units")
		ls.ok = false
	case !ok:
		ls.ok = false
	}
	l.Units = units

	// a dense layer without bias takes no bias array
	bias, _, ok := s.bool("bias")
	ls.hasBias = !ok || bias
	if a := s.attrs["bias_array"]; a != nil && !ls.hasBias {
		s.errorf(a.Range, "bias_array is set but bias = false")
	}
}

// decodePool decodes the attributes of a pooling layer.
func (ld *loader) decodePool(ls *layerSrc) {
	l, s := ls.l, ls.s
	ops := []string{string(PoolSum), string(PoolMean), string(PoolMax), string(PoolWeightedSum)}
	if s.attrs["op"] == nil {
		s.errorf(l.Pos, "a pool layer needs op (%s)", orList(ops))
		ls.ok = false
		return
	}
	op, ok := s.oneOf("op", "", ops...)
	if !ok {
		ls.ok = false
		return
	}
	l.Pool = PoolOp(op)

	// the weighting feature of a weighted sum
	wf, a, ok := s.int("weight_feature", 0, maxDim)
	switch {
	case l.Pool == PoolWeightedSum && a == nil:
		s.errorf(l.Pos, "a weighted_sum pool needs weight_feature")
		ls.ok = false
	case l.Pool != PoolWeightedSum && a != nil:
		s.errorf(a.Range, "weight_feature only applies to op = %q", PoolWeightedSum)
	case !ok:
		ls.ok = false
	}
	l.WeightFeature = wf
}

// decodeLayerPrecision decodes the uniform types of a layer's precision
// block; per-element arrays are read by connect, once shapes are known.
func (ld *loader) decodeLayerPrecision(ls *layerSrc, b *hcl.Block) {
	l := ls.l
	content, ds := b.Body.Content(layerPrecisionSchema)
	ld.el.diags(ds, l.Name, "")
	ls.prec.attrs = content.Attributes
	s := ls.prec

	// only the attributes the kind uses
	for _, a := range sortedAttrs(content.Attributes) {
		if !contains(kindPrecision[l.Kind], a.Name) {
			s.errorf(a.Range, "precision %q does not apply to a %s layer", a.Name, l.Kind)
			delete(content.Attributes, a.Name)
		}
	}
	if l.Kind == Dense && !ls.hasBias {
		for _, name := range []string{"bias", "bias_width", "bias_int"} {
			if a := content.Attributes[name]; a != nil {
				s.errorf(a.Range, "precision %q is set but bias = false", name)
				delete(content.Attributes, name)
			}
		}
	}

	// the uniform types
	p := &l.Precision
	p.Weight, _ = s.spec("weight", false)
	p.Bias, _ = s.spec("bias", false)
	p.Result, _ = s.spec("result", false)
	p.Accum, _ = s.spec("accum", true)
	p.Table, _ = s.spec("table", false)
	p.TableIndex, _ = s.spec("table_index", false)
	p.Slope, _ = s.spec("slope", false)
}

// sortedAttrs returns attributes in source order, for stable messages.
func sortedAttrs(as hcl.Attributes) []*hcl.Attribute {
	list := make([]*hcl.Attribute, 0, len(as))
	for _, a := range as {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].Range.Start.Byte < list[j].Range.Start.Byte
	})
	return list
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// arrayNames gives the default array names of a layer in a layout.
func arrayNames(layout Layout, layer string) map[string]string {
	if layout == Keras {
		p := layer + "/"
		return map[string]string{
			"weight_array": p + "kernel", "bias_array": p + "bias",
			"gamma_array": p + "gamma", "beta_array": p + "beta",
			"mean_array": p + "moving_mean", "var_array": p + "moving_variance",
		}
	}
	p := layer + "."
	return map[string]string{
		"weight_array": p + "weight", "bias_array": p + "bias",
		"gamma_array": p + "weight", "beta_array": p + "bias",
		"mean_array": p + "running_mean", "var_array": p + "running_var",
	}
}

// trimArrayAttr names the role of an array attribute: "weight" for
// "weight_array".
func trimArrayAttr(attr string) string { return strings.TrimSuffix(attr, "_array") }
