// Package nettest builds test inputs for the netlist and its printers:
// small random models, quantized, covering every op kind, shape and
// fixed-point mode kd2fpga supports.
package nettest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"kd2fpga/models"
	"kd2fpga/quantize"
)

// RandomPlan returns a small random model, quantized: random shapes,
// layer kinds, precisions and quantization and overflow modes. It
// retries until quantize accepts the model (random weights can fall
// outside a narrow saturating weight format, which quantize refuses).
func RandomPlan(rng *rand.Rand) (*quantize.Plan, error) {
	return RandomPlanWith(rng, Shape{})
}

// Shape forces some choices of RandomPlanWith; zero fields are random.
type Shape struct {
	Reuse int  // the model's reuse factor
	Share bool // a particle input whose per-particle network is shared
}

// RandomPlanWith is RandomPlan with some choices forced.
func RandomPlanWith(rng *rand.Rand, sh Shape) (*quantize.Plan, error) {
	for range 100 {
		src, arrays := randomModel(rng, sh)
		m, err := models.Parse("random.hcl", []byte(src), models.MapArrays(arrays))
		if err != nil {
			return nil, fmt.Errorf("random model does not load: %w\n%s", err, src)
		}
		p, err := quantize.Build(m)
		if err == nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("nettest: no random model quantized in 100 tries")
}

var (
	quants = []string{"AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF",
		"AP_RND_INF", "AP_RND_CONV"}
	overs = []string{"AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM", "AP_WRAP_SM"}
)

// randomFormat returns a random format string of at most maxW bits.
func randomFormat(rng *rand.Rand, maxW int) string {
	w := 2 + rng.IntN(maxW-1)
	i := rng.IntN(w+3) - 1
	signed := rng.IntN(4) > 0
	q, o := quants[rng.IntN(len(quants))], overs[rng.IntN(len(overs))]
	if !signed && o == "AP_WRAP_SM" {
		o = "AP_WRAP"
	}
	n := 0
	if strings.HasPrefix(o, "AP_WRAP") && rng.IntN(3) == 0 {
		n = rng.IntN(w + 1)
	}
	name := "ap_fixed"
	if !signed {
		name = "ap_ufixed"
	}
	if rng.IntN(3) == 0 {
		return fmt.Sprintf("%s<%d,%d>", name, w, i)
	}
	return fmt.Sprintf("%s<%d,%d,%s,%s,%d>", name, w, i, q, o, n)
}

// randomModel writes the HCL text and arrays of a random model.
func randomModel(rng *rand.Rand, sh Shape) (string, map[string]models.Array) {
	var b strings.Builder
	arrays := map[string]models.Array{}
	random := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = (rng.Float64()*2 - 1) * scale
			if rng.IntN(6) == 0 {
				v[i] = 0
			}
		}
		return v
	}

	particles := rng.IntN(2) == 0 || sh.Share
	P, F := 1+rng.IntN(4), 1+rng.IntN(5)
	fmt.Fprintf(&b, "model \"rand\" {\n  layout = \"pytorch\"\n")
	share := "replicate"
	if rng.IntN(3) == 0 || sh.Share {
		share = "share"
	}
	reuse := 1
	if rng.IntN(3) == 0 {
		reuse = 2 + rng.IntN(3)
	}
	if sh.Reuse > 0 {
		reuse = sh.Reuse
	}
	fmt.Fprintf(&b, "  target {\n    clock_ns = %g\n    reuse = %d\n    particles = %q\n  }\n",
		[]float64{2.5, 4, 5}[rng.IntN(3)], reuse, share)
	fmt.Fprintf(&b, "  precision {\n    default = %q\n", randomFormat(rng, 10))
	if rng.IntN(2) == 0 {
		fmt.Fprintf(&b, "    accum = \"auto\"\n")
	} else {
		fmt.Fprintf(&b, "    accum = %q\n", randomFormat(rng, 16))
	}
	fmt.Fprintf(&b, "    table = %q\n    table_index = %q\n  }\n",
		randomFormat(rng, 10), randomFormat(rng, 8))
	if particles {
		fmt.Fprintf(&b, "  input \"x\" {\n    shape = [%d, %d]\n    type = %q\n  }\n",
			P, F, randomFormat(rng, 10))
	} else {
		fmt.Fprintf(&b, "  input \"x\" {\n    shape = [%d]\n    type = %q\n  }\n", F, randomFormat(rng, 10))
	}

	width := F
	layer := 0
	// add writes a layer; prec holds extra precision attributes
	add := func(kind, body, prec string) {
		layer++
		fmt.Fprintf(&b, "  layer \"l%d\" {\n    type = %q\n%s", layer, kind, body)
		if kind != "flatten" && rng.IntN(3) == 0 {
			prec += fmt.Sprintf("      result = %q\n", randomFormat(rng, 10))
		}
		if prec != "" {
			fmt.Fprintf(&b, "    precision {\n%s    }\n", prec)
		}
		fmt.Fprintf(&b, "  }\n")
	}
	dense := func() {
		units := 1 + rng.IntN(5)
		name := fmt.Sprintf("l%d", layer+1)
		prec := ""
		if rng.IntN(4) == 0 {
			// per-weight formats, as high-granularity quantization
			// trains them; width 0 prunes a weight
			ws, is := make([]float64, units*width), make([]float64, units*width)
			for k := range ws {
				ws[k], is[k] = float64(rng.IntN(9)), float64(rng.IntN(6)-1)
			}
			arrays[name+".weight_width"] = models.Array{Data: ws, Shape: []int{units, width}}
			arrays[name+".weight_int"] = models.Array{Data: is, Shape: []int{units, width}}
			prec = fmt.Sprintf("      weight = %q\n      weight_width = %q\n      weight_int = %q\n",
				randomFormat(rng, 8), name+".weight_width", name+".weight_int")
		}
		add("dense", fmt.Sprintf("    units = %d\n", units), prec)
		arrays[name+".weight"] = models.Array{Data: random(units*width, 2), Shape: []int{units, width}}
		arrays[name+".bias"] = models.Array{Data: random(units, 1), Shape: []int{units}}
		width = units
	}
	batchnorm := func() {
		add("batchnorm", "", "")
		name := fmt.Sprintf("l%d", layer)
		arrays[name+".weight"] = models.Array{Data: random(width, 2), Shape: []int{width}}
		arrays[name+".bias"] = models.Array{Data: random(width, 1), Shape: []int{width}}
		arrays[name+".running_mean"] = models.Array{Data: random(width, 1), Shape: []int{width}}
		v := random(width, 1)
		for i := range v {
			v[i] = 0.5 + v[i]*v[i]
		}
		arrays[name+".running_var"] = models.Array{Data: v, Shape: []int{width}}
	}
	activation := func() {
		switch rng.IntN(7) {
		case 0:
			add("relu", "", "")
		case 1:
			add("leaky_relu", fmt.Sprintf("    slope = %g\n", rng.Float64()*0.3), "")
		case 2:
			add("sigmoid", "", "")
		case 3:
			add("tanh", "", "")
		case 4:
			add("linear", "", "")
		case 5:
			batchnorm() // folded into the dense layer
		case 6:
			add("relu", "", "")
			batchnorm() // an elementwise scale
		}
	}

	for range 1 + rng.IntN(2) {
		dense()
		activation()
	}
	if particles {
		if rng.IntN(4) == 0 {
			add("flatten", "", "")
			width *= P
		} else {
			op := []string{"sum", "mean", "max", "weighted_sum"}[rng.IntN(4)]
			body := fmt.Sprintf("    op = %q\n", op)
			if op == "weighted_sum" {
				body += fmt.Sprintf("    weight_feature = %d\n", rng.IntN(F))
			}
			add("pool", body, "")
		}
		dense()
		activation()
	}
	if rng.IntN(3) == 0 {
		add("softmax", "", "")
	}
	fmt.Fprintf(&b, "}\n")
	return b.String(), arrays
}

// RandomInput fills raw with random words of the plan input: uniform
// words, small words, extremes, and for particle inputs some padding.
func RandomInput(rng *rand.Rand, p *quantize.Plan, raw []int64) {
	fs := p.Input.Formats
	F := p.Input.Features()
	for k := range raw {
		f := fs[k%F]
		lo, hi := f.MinRaw(), f.MaxRaw()
		switch rng.IntN(8) {
		case 0:
			raw[k] = lo
		case 1:
			raw[k] = hi
		case 2:
			raw[k] = max(lo, min(hi, int64(rng.IntN(7))-3))
		default:
			raw[k] = lo + rng.Int64N(hi-lo+1)
		}
	}
	if P := p.Input.Particles(); P > 0 {
		pad := rng.IntN(P + 1)
		for q := P - pad; q < P; q++ {
			clear(raw[q*F : (q+1)*F])
		}
	}
}
