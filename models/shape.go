package models

import "path/filepath"

// Dir returns the directory of the model file, against which relative
// paths in it are resolved.
func (m *Model) Dir() string { return filepath.Dir(m.Path) }

// Layer returns the layer named name, or nil.
func (m *Model) Layer(name string) *Layer {
	for _, l := range m.Layers {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// ShapeOf returns the output shape of the layer named name, or the
// shape of the input when name is the input's: [F] for a flat vector,
// [P, F] for a set of particles. It returns nil for an unknown name. The
// result is a fresh slice.
func (m *Model) ShapeOf(name string) []int {
	shapes := map[string][]int{m.Input.Name: m.Input.Shape}
	for _, l := range m.Layers {
		if _, seen := shapes[l.Name]; seen {
			continue
		}
		var out []int
		if in := shapes[l.Input]; in != nil {
			out = outShape(l, in)
		}
		shapes[l.Name] = out
	}
	return append([]int(nil), shapes[name]...)
}

// outShape returns the output shape of l on an input of shape in, or nil
// when l cannot take that input.
func outShape(l *Layer, in []int) []int {
	out := append([]int(nil), in...)
	switch l.Kind {
	case Dense:
		out[len(out)-1] = l.Units
	case Pool:
		if len(in) != 2 {
			return nil
		}
		out = []int{in[1]}
	case Flatten:
		if len(in) != 2 {
			return nil
		}
		out = []int{in[0] * in[1]}
	}
	return out
}

// LayerPrecision returns the precision of layer l with each unset Spec
// taken from the model's. After Load, Weight, Bias and Result are then
// always set and Accum is set (possibly Auto); Table, TableIndex and
// Slope stay unset when neither the layer nor the model sets them.
func (m *Model) LayerPrecision(l *Layer) Precision {
	p := l.Precision
	inherit := func(s *Spec, def Spec) {
		if !s.Set {
			*s = def
		}
	}
	mp := m.Precision
	inherit(&p.Weight, mp.Weight)
	inherit(&p.Bias, mp.Bias)
	inherit(&p.Accum, mp.Accum)
	inherit(&p.Result, mp.Result)
	inherit(&p.Table, mp.Table)
	inherit(&p.TableIndex, mp.TableIndex)
	inherit(&p.Slope, mp.Slope)
	return p
}
