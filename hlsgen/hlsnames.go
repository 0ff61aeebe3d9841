package hlsgen

import (
	"fmt"
	"strings"

	"kd2fpga/quantize"
)

// hlsLocals are the names the generated top function and testbench
// declare themselves, besides the reserved words of Identifier: an op may
// not take them as its function name.
var hlsLocals = []string{"input", "bus", "v", "lo", "p", "k", "x", "y", "ap_int_max_w"}

// cppNames gives every op of a plan the stem of its C++ names: the op's
// function is named stem, its output array stem_out, its types stem_*_t
// and its constants stem_w, stem_b and so on.
type cppNames struct {
	ops   []string // the stem of each op
	names []string // the op names they come from
	taken map[string]bool
}

// newCppNames derives the stems of p's ops from their names, unique among
// themselves and distinct from top and from the names the generated code
// declares.
func newCppNames(p *quantize.Plan, top string) *cppNames {
	n := &cppNames{taken: map[string]bool{top: true}}
	for _, l := range hlsLocals {
		n.taken[l] = true
	}
	for _, op := range p.Ops {
		n.names = append(n.names, op.Name)
		n.ops = append(n.ops, n.stem(op.Name))
	}
	return n
}

// stem returns a new unique stem for the op name s. A name the ap_fixed
// headers or kd2fpga's helpers might use gets a prefix.
func (n *cppNames) stem(s string) string {
	id := Identifier(s, nil)
	if strings.HasPrefix(id, "ap_") || strings.HasPrefix(id, "kd2fpga") {
		s = "layer_" + s
	}
	return Identifier(s, n.taken)
}

// op returns the stem of op k.
func (n *cppNames) op(k int) string { return n.ops[k] }

// rename gives op k a new stem, after its current one turned out to clash
// with another name of the design.
func (n *cppNames) rename(k int) { n.ops[k] = n.stem(n.names[k]) }

// clash returns the index of an op one of whose C++ names is already
// declared by another op or by the design itself, or -1 when every name
// is unique. Stems are unique, but a derived name may still coincide
// with another op's: the types of op "a_exp" and the softmax exponential
// types of op "a", say.
func (d *hlsDesign) clash() (int, error) {
	owner := map[string]int{d.Top: -1}
	claim := func(name string, k int) (int, error) {
		prev, ok := owner[name]
		switch {
		case !ok:
			owner[name] = k
			return -1, nil
		case k >= 0:
			return k, nil
		}
		return -1, fmt.Errorf("internal error: %q declared twice (by op %d)", name, prev)
	}
	for _, t := range d.Groups[0].Types {
		if _, err := claim(t.Name, -1); err != nil {
			return -1, err
		}
	}
	if _, err := claim(d.Input.Name, -1); err != nil {
		return -1, err
	}
	for k, h := range d.Ops {
		names := []string{h.Func, h.Out.Name}
		for _, t := range d.Groups[k+1].Types {
			names = append(names, t.Name)
		}
		for _, c := range h.consts {
			names = append(names, c.Name)
		}
		for _, s := range names {
			if c, err := claim(s, k); c >= 0 || err != nil {
				return c, err
			}
		}
	}
	return -1, nil
}

// cppComment makes s safe inside a // comment of the generated C++: the
// shared CommentText, and no "??", which would start a trigraph.
func cppComment(s string) string {
	s = CommentText(s)
	for strings.Contains(s, "??") {
		s = strings.ReplaceAll(s, "??", "? ?")
	}
	return s
}
