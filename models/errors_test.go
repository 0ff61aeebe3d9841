package models

import (
	"errors"
	"math"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
)

// ramp returns an array of the given shape holding 0.01, 0.02, ...
func ramp(shape ...int) Array {
	n := 1
	for _, d := range shape {
		n *= d
	}
	a := Array{Data: make([]float64, n), Shape: shape}
	for i := range a.Data {
		a.Data[i] = 0.01 * float64(i+1)
	}
	return a
}

// fill returns an array of the given shape holding v everywhere.
func fill(v float64, shape ...int) Array {
	a := ramp(shape...)
	for i := range a.Data {
		a.Data[i] = v
	}
	return a
}

// arrays returns the arrays of the small test model (fc1: 4 -> 3),
// with the given replacements; a zero Array removes the entry.
func arrays(kv ...any) map[string]Array {
	m := map[string]Array{"fc1.weight": ramp(3, 4), "fc1.bias": ramp(3)}
	for i := 0; i < len(kv); i += 2 {
		name, a := kv[i].(string), kv[i+1].(Array)
		if a.Shape == nil {
			delete(m, name)
			continue
		}
		m[name] = a
	}
	return m
}

// small is a valid model file; the cases below change it.
const small = `model "t" {
  input "x" {
    shape = [4]
  }
  layer "fc1" {
    type  = "dense"
    units = 3
  }
  layer "out" {
    type = "softmax"
  }
}
`

// errorCases lists model files with problems and the exact messages, all
// of which must be reported together.
var errorCases = []struct {
	name   string
	src    string
	arrays map[string]Array
	want   []string
}{
	{"syntax", `model "t" {`, arrays(), []string{
		`m.hcl:1,11: unclosed configuration block: there is no closing brace for this block ` +
			`before the end of the file. This may be caused by incorrect brace nesting ` +
			`elsewhere in this file`,
	}},
	{"syntax in a layer", strings.Replace(small, `units = 3`, `units = = 3 # { "}"`, 1), arrays(),
		[]string{`m.hcl:7,13: layer "fc1": invalid expression: expected the start of an ` +
			`expression, but found an invalid expression token`}},
	{"syntax after a layer", strings.Replace(small, `type = "softmax"`, `type = "softmax"
  }
  input = = 1
  layer "z" {`, 1), arrays(),
		[]string{`m.hcl:12,11: invalid expression: expected the start of an expression, ` +
			`but found an invalid expression token`}},
	{"no model", ``, arrays(), []string{`m.hcl: no model block`}},
	{"two models", small + `model "u" {}`, arrays(), []string{
		`m.hcl:13,1: only one model block is allowed per file (the first is at line 1)`,
	}},
	{"unknown block and attributes", strings.NewReplacer(
		`  input "x" {`, "  colour = 1\n  foo {}\n  input \"x\" {",
		`units = 3`, `unit = 3`,
	).Replace(small), arrays(), []string{
		`m.hcl:2,3: unknown attribute "colour"`,
		`m.hcl:3,3: unknown block "foo"`,
		`m.hcl:7,3: layer "fc1": a dense layer needs units`,
		`m.hcl:9,5: layer "fc1": unknown attribute "unit" (did you mean "units"?)`,
	}},
	{"unknown type", strings.Replace(small, `type = "softmax"`,
		"type = \"softplus\"\n    input = \"fc1\"", 1), arrays(), []string{
		`m.hcl:10,5: layer "out": unknown type "softplus" (want "dense", "batchnorm", "relu", ` +
			`"leaky_relu", "linear", "sigmoid", "tanh", "softmax", "pool" or "flatten")`,
	}},
	{"bad layout", strings.Replace(small, `  input "x"`, "  layout = \"jax\"\n  input \"x\"", 1),
		arrays(), []string{`m.hcl:2,3: layout "jax" is not one of "pytorch" or "keras"`}},
	{"duplicate", strings.Replace(small, `layer "out"`, `layer "fc1"`, 1), arrays(), []string{
		`m.hcl:9,3: layer "fc1": defined twice (first at line 5)`,
	}},
	{"duplicate of the input", strings.Replace(small, `layer "out"`, `layer "x"`, 1), arrays(),
		[]string{`m.hcl:9,3: layer "x": defined twice (first at line 2)`}},
	{"bad name", strings.Replace(small, `layer "out"`, `layer "net.0"`, 1), arrays(),
		[]string{`m.hcl:9,9: layer "net.0": not a name (letters, digits and _, ` +
			`starting with a letter)`}},
	{"forward reference", strings.Replace(small, `type  = "dense"`,
		"type  = \"dense\"\n    input = \"out\"", 1), arrays(), []string{
		`m.hcl:7,5: layer "fc1": input "out" is not defined before this layer ` +
			`(cycle or forward reference)`,
	}},
	{"self reference", strings.Replace(small, `type = "softmax"`,
		"type  = \"softmax\"\n    input = \"out\"", 1), arrays(), []string{
		`m.hcl:11,5: layer "out": input "out" is not defined before this layer ` +
			`(cycle or forward reference)`,
	}},
	{"unknown input", strings.Replace(small, `type = "softmax"`,
		"type  = \"softmax\"\n    input = \"fc2\"", 1), arrays(), []string{
		`m.hcl:11,5: layer "out": input "fc2" names no layer or input`,
	}},
	{"missing arrays", small, arrays("fc1.weight", Array{}, "fc1.bias", Array{},
		"fc1/bias", ramp(3)), []string{
		`m.hcl:5,3: layer "fc1": array "fc1.weight" not found (the model has no weights attribute)`,
		`m.hcl:5,3: layer "fc1": array "fc1.bias" not found (the model has no weights attribute) ` +
			`(it holds "fc1/bias": is the layout right?)`,
	}},
	{"missing named array", strings.Replace(small, `units = 3`,
		"units = 3\n    weight_array = \"w1\"", 1), arrays(), []string{
		`m.hcl:8,5: layer "fc1": array "w1" not found (the model has no weights attribute)`,
	}},
	{"wrong shapes", small, arrays("fc1.weight", ramp(4, 3), "fc1.bias", ramp(1, 3)), []string{
		`m.hcl:5,3: layer "fc1": weight "fc1.weight" has shape [4 3], want [3 4] ` +
			`([units, inputs] in the pytorch layout)`,
		`m.hcl:5,3: layer "fc1": bias "fc1.bias" has shape [1 3], want [3]`,
	}},
	{"wrong shape keras", strings.Replace(small, `  input "x"`,
		"  layout = \"keras\"\n  input \"x\"", 1),
		map[string]Array{"fc1/kernel": ramp(3, 4), "fc1/bias": ramp(3)}, []string{
			`m.hcl:6,3: layer "fc1": weight "fc1/kernel" has shape [3 4], want [4 3] ` +
				`([inputs, units] in the keras layout)`,
		}},
	{"nan and inf", small, arrays("fc1.weight", func() Array {
		a := ramp(3, 4)
		a.Data[6] = math.NaN()
		return a
	}(), "fc1.bias", func() Array {
		a := ramp(3)
		a.Data[2] = math.Inf(-1)
		return a
	}()), []string{
		`m.hcl:5,3: layer "fc1": array "fc1.weight" has NaN at index [1 2]`,
		`m.hcl:5,3: layer "fc1": array "fc1.bias" has -Inf at index [2]`,
	}},
	{"bias off", strings.Replace(small, `units = 3`, "units = 3\n    bias = false\n"+
		"    bias_array = \"b\"\n    precision {\n      bias = \"ap_fixed<8,3>\"\n    }", 1),
		arrays(), []string{
			`m.hcl:9,5: layer "fc1": bias_array is set but bias = false`,
			`m.hcl:11,7: layer "fc1": precision "bias" is set but bias = false`,
		}},
	{"formats", strings.Replace(small, `units = 3`, "units = 3\n    precision {\n"+
		"      weight = \"ap_fixed<0,3>\"\n      bias = \"auto\"\n      accum = \"fixed<8>\"\n"+
		"      table = \"ap_fixed<8,3>\"\n    }", 1), arrays(), []string{
		`m.hcl:9,7: layer "fc1": weight: format "ap_fixed<0,3>": width 0 is below 1`,
		`m.hcl:10,7: layer "fc1": bias: "auto" is only allowed for accum`,
		`m.hcl:11,7: layer "fc1": accum: format "fixed<8>": ` + fixedErr("fixed<8>"),
		`m.hcl:12,7: layer "fc1": precision "table" does not apply to a dense layer`,
	}},
	{"model formats", strings.Replace(small, `  input "x"`, "  precision {\n"+
		"    default = \"ap_fixd<8,3>\"\n    result = \"auto\"\n  }\n  input \"x\"", 1),
		arrays(), []string{
			`m.hcl:3,5: default: format "ap_fixd<8,3>": ` + fixedErr("ap_fixd<8,3>"),
			`m.hcl:4,5: result: "auto" is only allowed for accum`,
		}},
	{"attribute of another kind", strings.Replace(small, `type = "softmax"`,
		"type = \"softmax\"\n    units = 3\n    eps = 0.1", 1), arrays(), []string{
		`m.hcl:11,5: layer "out": attribute "units" does not apply to a softmax layer`,
		`m.hcl:12,5: layer "out": attribute "eps" does not apply to a softmax layer`,
	}},
	{"pool on a flat input", strings.Replace(small, `type = "softmax"`,
		"type = \"pool\"\n    op = \"weighted_sum\"\n    weight_feature = 9\n  }\n"+
			"  layer \"f\" {\n    type = \"flatten\"", 1), arrays(), []string{
		`m.hcl:9,3: layer "out": pool needs a particle tensor [P, F], but "fc1" gives [3]`,
	}},
	{"flatten on a flat input", strings.Replace(small, `type = "softmax"`,
		`type = "flatten"`, 1), arrays(), []string{
		`m.hcl:9,3: layer "out": flatten needs a particle tensor [P, F], but "fc1" gives [3]`,
	}},
	{"pool problems", `model "t" {
  input "p" {
    shape = [8, 4]
  }
  layer "a" {
    type = "pool"
  }
  layer "b" {
    type           = "pool"
    input          = "p"
    op             = "weighted_sum"
    weight_feature = 4
  }
  layer "c" {
    type           = "pool"
    input          = "p"
    op             = "median"
  }
  layer "d" {
    type           = "pool"
    input          = "p"
    op             = "sum"
    weight_feature = 1
  }
}`, arrays(), []string{
		`m.hcl:5,3: layer "a": a pool layer needs op ("sum", "mean", "max" or "weighted_sum")`,
		`m.hcl:5,3: layer "a": unused: the output "d" does not depend on this layer ` +
			`(remove it or change output)`,
		`m.hcl:8,3: layer "b": unused: the output "d" does not depend on this layer ` +
			`(remove it or change output)`,
		`m.hcl:12,5: layer "b": weight_feature 4 is outside the 4 features of input "p"`,
		`m.hcl:14,3: layer "c": unused: the output "d" does not depend on this layer ` +
			`(remove it or change output)`,
		`m.hcl:17,5: layer "c": op "median" is not one of "sum", "mean", "max" or "weighted_sum"`,
		`m.hcl:23,5: layer "d": weight_feature only applies to op = "weighted_sum"`,
	}},
	{"output", strings.Replace(small, `  input "x"`, "  output = \"fc9\"\n  input \"x\"", 1),
		arrays(), []string{`m.hcl:2,3: output "fc9" names no layer`}},
	{"output is the input", strings.Replace(small, `  input "x"`,
		"  output = \"x\"\n  input \"x\"", 1), arrays(), []string{
		`m.hcl:2,3: output "x" is the input; it must name a layer`,
	}},
	{"unused layers", strings.Replace(small, `  input "x"`,
		"  output = \"fc1\"\n  input \"x\"", 1), arrays(), []string{
		`m.hcl:10,3: layer "out": unused: the output "fc1" does not depend on this layer ` +
			`(remove it or change output)`,
	}},
	{"branch", strings.Replace(small, `type = "softmax"`,
		"type  = \"softmax\"\n    input = \"x\"", 1), arrays(), []string{
		`m.hcl:5,3: layer "fc1": unused: the output "out" does not depend on this layer ` +
			`(remove it or change output)`,
	}},
	{"no layers", "model \"t\" {\n  input \"x\" {\n    shape = [4]\n  }\n}", nil, []string{
		`m.hcl:1,1: no layers`,
	}},
	{"no input", "model \"t\" {\n  layer \"r\" {\n    type = \"relu\"\n  }\n}", nil, []string{
		`m.hcl:1,1: no input block`,
	}},
	{"input problems", `model "t" {
  input "x" {
    shape = [2, 3, 4]
  }
  input "y" {
    type = "ap_fixed<8,3>"
  }
  layer "r" {
    type = "relu"
  }
}`, nil, []string{
		`m.hcl:3,5: input "x": shape must be [F] or [P, F], not [2 3 4]`,
		`m.hcl:5,3: only one input block is allowed (the first is at line 2)`,
	}},
	{"input types", `model "t" {
  input "x" {
    shape = [2, 3]
    type  = ["ap_fixed<8,3>", "ap_ufixed<8,0>"]
  }
  layer "r" {
    type = "relu"
  }
}`, nil, []string{`m.hcl:4,5: input "x": type lists 2 formats for 3 features`}},
	{"input shape missing", "model \"t\" {\n  input \"x\" {\n  }\n  layer \"r\" {\n" +
		"    type = \"relu\"\n  }\n}", nil, []string{
		`m.hcl:2,13: input "x": missing attribute "shape"`,
	}},
	{"values", strings.Replace(small, `units = 3`, "units = 2.5\n    reuse = 0", 1),
		arrays(), []string{
			`m.hcl:7,5: layer "fc1": units must be a whole number, not 2.5`,
			`m.hcl:8,5: layer "fc1": reuse must be within 1..1048576, not 0`,
		}},
	{"value types", strings.Replace(small, `units = 3`,
		"units = \"3\"\n    bias = 1\n    input = var.x", 1), arrays(), []string{
		`m.hcl:7,5: layer "fc1": units must be a whole number, not string`,
		`m.hcl:8,5: layer "fc1": bias must be true or false, not number`,
		`m.hcl:9,5: layer "fc1": input: variables not allowed: variables may not be used here`,
	}},
	{"target", strings.Replace(small, `  input "x"`, "  target {\n    clock_ns = 0\n"+
		"    strategy = \"fast\"\n    reuse = -1\n    latency_budget_ns = -5\n"+
		"    particles = \"all\"\n    part = \"\"\n  }\n  input \"x\"", 1), arrays(), []string{
		`m.hcl:3,5: clock_ns must be positive, not 0`,
		`m.hcl:4,5: strategy "fast" is not one of "latency" or "resource"`,
		`m.hcl:5,5: reuse must be within 1..1048576, not -1`,
		`m.hcl:6,5: latency_budget_ns must not be negative (0 means no budget)`,
		`m.hcl:7,5: particles "all" is not one of "replicate" or "share"`,
		`m.hcl:8,5: part must not be empty`,
	}},
	{"features on a flat input", strings.Replace(small, `  input "x"`, "  features {\n"+
		"    high_level = [\"mass\", \"tau32\", \"mass\"]\n  }\n  input \"x\"", 1),
		arrays(), []string{
			`m.hcl:2,3: features: 3 high_level features give 3 values, but input "x" has 4`,
			`m.hcl:3,5: high_level lists "mass" twice`,
		}},
	{"invariants on a flat input", strings.Replace(small, `  input "x"`, "  features {\n"+
		"    high_level = [\"mass\"]\n    invariants = 3\n  }\n  input \"x\"", 1),
		arrays(), []string{
			`m.hcl:2,3: features: 1 high_level features + the invariants of 3 particles ` +
				`(6 values) give 7 values, but input "x" has 4`,
		}},
	{"invariants range", strings.Replace(small, `  input "x"`, "  features {\n"+
		"    invariants = 65\n  }\n  input \"x\"", 1),
		arrays(), []string{
			`m.hcl:3,5: invariants must be within 1..64, not 65`,
		}},
	{"features on a particle input", `model "t" {
  features {
    particles    = 16
    per_particle = ["pt_rel", "deta"]
  }
  input "p" {
    shape = [8, 2]
  }
  layer "f" {
    type = "flatten"
  }
}`, nil, []string{
		`m.hcl:2,3: features: 16 particles x 2 features do not match input "p" [8 2]`,
	}},
	{"batchnorm", `model "t" {
  input "p" {
    shape = [8, 4]
  }
  layer "bn" {
    type = "batchnorm"
    eps  = 0
  }
}`, map[string]Array{"bn.weight": ramp(4), "bn.bias": ramp(5),
		"bn.running_mean": ramp(4), "bn.running_var": fill(-0.5, 4)}, []string{
		`m.hcl:5,3: layer "bn": beta "bn.bias" has shape [5], want [4]`,
		`m.hcl:5,3: layer "bn": var "bn.running_var" has a negative variance -0.5 at index [0]`,
		`m.hcl:7,5: layer "bn": eps must be positive, not 0`,
	}},
	{"per-element widths", strings.Replace(small, `units = 3`, "units = 3\n    precision {\n"+
		"      weight_width = \"w\"\n      weight_int = \"i\"\n      bias_width = \"bw\"\n"+
		"      result_int = \"ri\"\n    }", 1),
		arrays("w", fill(70, 3, 4), "i", ramp(3, 4), "bw", ramp(3)), []string{
			`m.hcl:9,7: layer "fc1": weight_width "w" has 70 at index [0 0], want a whole ` +
				`number of bits in 0..64`,
			`m.hcl:11,7: layer "fc1": bias_width needs bias_int`,
			`m.hcl:12,7: layer "fc1": result_int needs result_width`,
		}},
	{"per-element shapes and values", strings.Replace(small, `units = 3`, "units = 3\n"+
		"    precision {\n      weight = \"ap_ufixed<8,2>\"\n      weight_width = \"w\"\n"+
		"      weight_int = \"i\"\n      result_width = \"rw\"\n      result_int = \"ri\"\n"+
		"      bias_width = \"bw\"\n      bias_int = \"bi\"\n    }", 1),
		arrays("w", fill(64, 3, 4), "i", fill(1, 3, 4), "rw", fill(8, 3), "ri", fill(1.5, 3),
			"bw", fill(8, 4), "bi", fill(2, 3)), []string{
			`m.hcl:10,7: layer "fc1": weight_width and weight_int at index [0 0]: format ` +
				`ap_ufixed<64,1>: unsigned width 64 is above 63 (the raw word must fit an int64)`,
			`m.hcl:13,7: layer "fc1": result_int "ri" has 1.5 at index [0], ` +
				`want a whole number of bits`,
			`m.hcl:14,7: layer "fc1": bias_width "bw" has shape [4], want [3]`,
		}},
}

// fixedErr returns ParseFormat's message for s, which the loader passes on.
func fixedErr(s string) string {
	_, err := parseFormatErr(s)
	msg := err.Error()
	return strings.TrimPrefix(msg, `format "`+s+`": `)
}

func TestErrors(t *testing.T) {
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse("m.hcl", []byte(c.src), MapArrays(c.arrays))
			if err == nil {
				t.Fatalf("no error; model %+v", m)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is a %T, not Errors: %v", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"),
					strings.Join(c.want, "\n\t"))
			}
			if len(errs) != len(got) {
				t.Errorf("%d errors print as %d lines", len(errs), len(got))
			}
		})
	}
}

func TestSmallIsValid(t *testing.T) {
	m, err := Parse("m.hcl", []byte(small), MapArrays(arrays()))
	if err != nil {
		t.Fatal(err)
	}
	if m.Output != "out" || m.Layer("out").Input != "fc1" || m.Layer("fc1").Input != "x" {
		t.Errorf("wrong wiring: output %q, out reads %q, fc1 reads %q",
			m.Output, m.Layer("out").Input, m.Layer("fc1").Input)
	}
}

// parseFormatErr is fixedpoint.ParseFormat, named for the tests.
var parseFormatErr = fixedpoint.ParseFormat
