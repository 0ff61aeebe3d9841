package distill

import (
	"fmt"
	"math"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// dims is the shape of a tensor: p particles of f features, or a flat
// vector of f values when p is 0.
type dims struct{ p, f int }

// len returns the number of values.
func (d dims) len() int { return max(d.p, 1) * d.f }

// net is a model prepared for training: the chain of layers from the
// input to the logits, their shapes, and the trainable parameters laid
// out in one vector theta that the layers' Weight and Bias slices share,
// so that an update of theta is an update of the model.
type net struct {
	m      *models.Model
	layers []*models.Layer // input to logits; a final softmax is left out
	shapes []dims          // shapes[0] the input, shapes[k+1] layer k's output
	// softmax reports that the model ends in a softmax after the logits.
	softmax bool

	theta []float64
	// wOff[k] and bOff[k] locate layer k's weight and bias in theta (-1
	// when it has none); decay marks the entries weight decay applies to.
	wOff, bOff []int
	decay      []bool
}

// newNet prepares m for training. The model must be a chain of dense,
// activation, pooling and flattening layers (batch normalization only as
// a fixed, untrained layer, and softmax only at the end); its dense
// layers must have biases. From then on m's weights live in the net's
// theta.
func newNet(m *models.Model) (*net, error) {
	n := &net{m: m}
	in := dims{f: m.Input.Shape[len(m.Input.Shape)-1]}
	if len(m.Input.Shape) == 2 {
		in.p = m.Input.Shape[0]
	}
	n.shapes = append(n.shapes, in)

	prev := m.Input.Name
	for k, l := range m.Layers {
		if l.Input != prev {
			return nil, fmt.Errorf("layer %q: reads %q, not the layer before it: "+
				"training needs a chain", l.Name, l.Input)
		}
		prev = l.Name
		last := l.Name == m.Output
		if l.Kind == models.Softmax {
			if !last {
				return nil, fmt.Errorf("layer %q: softmax is trained only as the last layer", l.Name)
			}
			n.softmax = true
			break
		}
		cur := n.shapes[len(n.shapes)-1]
		switch l.Kind {
		case models.Dense:
			if l.Bias == nil {
				return nil, fmt.Errorf("layer %q: training needs dense layers with a bias", l.Name)
			}
			cur.f = l.Units
		case models.Pool:
			cur.p = 0
		case models.Flatten:
			cur = dims{f: cur.len()}
		case models.ReLU, models.LeakyReLU, models.Linear, models.Sigmoid, models.Tanh,
			models.BatchNorm:
		default:
			return nil, fmt.Errorf("layer %q: cannot train a %s layer", l.Name, l.Kind)
		}
		n.layers = append(n.layers, l)
		n.shapes = append(n.shapes, cur)
		if last {
			break
		}
		if k == len(m.Layers)-1 {
			return nil, fmt.Errorf("the output %q is not in the chain", m.Output)
		}
	}
	if out := n.shapes[len(n.shapes)-1]; out.p != 0 || out.f < 2 {
		return nil, fmt.Errorf("the logits before the output have shape %v, want a flat "+
			"vector of at least two classes", n.shapes[len(n.shapes)-1])
	}

	// lay the parameters out in theta and point the layers at it
	size := 0
	for _, l := range n.layers {
		if l.Kind == models.Dense {
			size += l.Units*len(l.Weight[0]) + l.Units
		}
	}
	n.theta = make([]float64, 0, size)
	for _, l := range n.layers {
		n.wOff, n.bOff = append(n.wOff, -1), append(n.bOff, -1)
		if l.Kind != models.Dense {
			continue
		}
		k := len(n.wOff) - 1
		n.wOff[k] = len(n.theta)
		for j, row := range l.Weight {
			n.theta = append(n.theta, row...)
			l.Weight[j] = n.theta[len(n.theta)-len(row) : len(n.theta) : len(n.theta)]
		}
		n.bOff[k] = len(n.theta)
		n.theta = append(n.theta, l.Bias...)
		l.Bias = n.theta[n.bOff[k]:len(n.theta):len(n.theta)]
	}
	n.decay = make([]bool, len(n.theta))
	for k, l := range n.layers {
		if off := n.wOff[k]; off >= 0 {
			for i := range l.Units * len(l.Weight[0]) {
				n.decay[off+i] = true
			}
		}
	}
	return n, nil
}

// classes returns the number of logits.
func (n *net) classes() int { return n.shapes[len(n.shapes)-1].f }

// tape holds one sample's forward values and backward gradients, and the
// buffers of a quantized forward pass. Each worker owns one.
type tape struct {
	acts  [][]float64 // acts[0] the input as the net sees it, acts[k+1] layer k's output
	grads [][]float64 // gradients of the loss by acts
	sat   [][]bool    // quantized forward: the value sits at its format's bound
	real  []bool      // which input particles are not padding

	raw  []int64   // the quantized input
	outs [][]int64 // the plan's op outputs
}

// newTape allocates a tape for n.
func (n *net) newTape() *tape {
	t := &tape{}
	for _, d := range n.shapes {
		t.acts = append(t.acts, make([]float64, d.len()))
		t.grads = append(t.grads, make([]float64, d.len()))
		t.sat = append(t.sat, make([]bool, d.len()))
	}
	t.real = make([]bool, n.shapes[0].p)
	return t
}

// weights are the values the forward pass multiplied by: the float
// parameters, or in a quantized pass the plan's quantized ones.
type weights struct {
	w     [][][]float64 // per layer, [units][in]; nil for layers without
	slope []float64     // per layer, the leaky ReLU slope
}

// floatWeights returns the net's own parameters as weights.
func (n *net) floatWeights() *weights {
	ws := &weights{w: make([][][]float64, len(n.layers)), slope: make([]float64, len(n.layers))}
	for k, l := range n.layers {
		ws.w[k] = l.Weight
		ws.slope[k] = l.Slope
	}
	return ws
}

// forwardFloat runs one sample x in float64 through the net, as
// quantize.Float does, filling t.acts and t.real.
func (n *net) forwardFloat(t *tape, x []float64) {
	copy(t.acts[0], x)
	in := n.shapes[0]
	for p := range t.real {
		t.real[p] = false
		for _, v := range x[p*in.f : (p+1)*in.f] {
			t.real[p] = t.real[p] || v != 0
		}
	}
	for k, l := range n.layers {
		src, dst := n.shapes[k], n.shapes[k+1]
		xs, ys := t.acts[k], t.acts[k+1]
		switch l.Kind {
		case models.Dense:
			for r := range max(src.p, 1) {
				xr, yr := xs[r*src.f:(r+1)*src.f], ys[r*dst.f:(r+1)*dst.f]
				for j, w := range l.Weight {
					s := l.Bias[j]
					for i, wi := range w {
						s += wi * xr[i]
					}
					yr[j] = s
				}
			}
		case models.Pool:
			n.poolForward(l, t, src, xs, ys)
		case models.Flatten:
			copy(ys, xs)
		default:
			for e, v := range xs {
				ys[e] = elementwise(l, e%src.f, v)
			}
		}
	}
}

// elementwise computes an activation (or a fixed batch norm) of feature
// f's value v in float64.
func elementwise(l *models.Layer, f int, v float64) float64 {
	switch l.Kind {
	case models.ReLU:
		return max(v, 0)
	case models.LeakyReLU:
		if v >= 0 {
			return v
		}
		return l.Slope * v
	case models.Sigmoid:
		return 1 / (1 + math.Exp(-v))
	case models.Tanh:
		return math.Tanh(v)
	case models.BatchNorm:
		return l.Gamma[f]*(v-l.Mean[f])/math.Sqrt(l.Var[f]+l.Eps) + l.Beta[f]
	}
	return v // linear
}

// poolForward reduces the particles of xs over the real ones.
func (n *net) poolForward(l *models.Layer, t *tape, src dims, xs, ys []float64) {
	clear(ys)
	in, count := n.shapes[0], 0
	for p := range src.p {
		if !t.real[p] {
			continue
		}
		for f := range src.f {
			v := xs[p*src.f+f]
			switch l.Pool {
			case models.PoolMax:
				if count == 0 || v > ys[f] {
					ys[f] = v
				}
			case models.PoolWeightedSum:
				ys[f] += t.acts[0][p*in.f+l.WeightFeature] * v
			default:
				ys[f] += v
			}
		}
		count++
	}
	if l.Pool == models.PoolMean && count > 0 {
		for f := range ys {
			ys[f] /= float64(count)
		}
	}
}

// forwardPlan runs one sample x through the plan p of the net's current
// parameters, on the golden emulator's own kernels, and fills t.acts with
// the values of the quantized words, t.sat with the values at a bound of
// their format (where a saturating cast may have clipped them), and
// t.real from the quantized input.
func (n *net) forwardPlan(p *quantize.Plan, t *tape, x []float64) {
	if t.raw == nil {
		t.raw = make([]int64, p.Input.Len())
		for _, op := range p.Ops {
			t.outs = append(t.outs, make([]int64, op.Out.Len()))
		}
	}
	p.QuantizeInput(x, t.raw)
	p.Trace(t.raw, t.outs)

	in := n.shapes[0]
	for i, r := range t.raw {
		t.acts[0][i] = p.Input.Formats[i%in.f].Float(r)
	}
	for q := range t.real {
		t.real[q] = false
		for _, r := range t.raw[q*in.f : (q+1)*in.f] {
			t.real[q] = t.real[q] || r != 0
		}
	}
	for k := range n.layers {
		op := p.Ops[k]
		fs := op.Out.Formats
		for i, r := range t.outs[k] {
			f := fs[i%len(fs)]
			t.acts[k+1][i] = f.Float(r)
			t.sat[k+1][i] = op.Kind != quantize.OpFlatten && f.Overflow.Saturates() &&
				(r == f.MaxRaw() || r == f.MinRaw())
		}
	}
}

// planWeights returns the quantized weights and slopes of p, the plan of
// the net's parameters, and checks that its ops are the net's layers.
func (n *net) planWeights(p *quantize.Plan) (*weights, error) {
	if len(p.Ops) < len(n.layers) {
		return nil, fmt.Errorf("the plan has %d ops for %d layers", len(p.Ops), len(n.layers))
	}
	ws := &weights{w: make([][][]float64, len(n.layers)), slope: make([]float64, len(n.layers))}
	for k, l := range n.layers {
		op := p.Ops[k]
		if op.Name != l.Name || len(op.Folded) > 0 || l.Kind == models.BatchNorm {
			return nil, fmt.Errorf("layer %q: quantization-aware training needs a model "+
				"without batch normalization (plan op %q)", l.Name, op.Name)
		}
		switch {
		case op.Kind == quantize.OpDense:
			d := op.Dense
			ws.w[k] = make([][]float64, d.Units)
			for j := range d.Units {
				ws.w[k][j] = make([]float64, d.In)
				for i, r := range d.W[j] {
					ws.w[k][j][i] = d.WFormat[j][i].Float(r)
				}
			}
		case op.Kind == quantize.OpLeakyReLU:
			ws.slope[k] = op.Leaky.SlopeFormat.Float(op.Leaky.Slope)
		}
	}
	return ws, nil
}

// eachParam calls f for every weight and bias of the dense layers of p,
// the plan of the net's parameters, with its place in theta, its format
// and its quantized word.
func (n *net) eachParam(p *quantize.Plan, f func(off int, ft fixedpoint.Format, raw int64)) {
	for k := range n.layers {
		op := p.Ops[k]
		if op.Kind != quantize.OpDense {
			continue
		}
		d := op.Dense
		for j := range d.Units {
			for i, r := range d.W[j] {
				f(n.wOff[k]+j*d.In+i, d.WFormat[j][i], r)
			}
			f(n.bOff[k]+j, d.BFormat[j], d.B[j])
		}
	}
}

// backward propagates t.grads[len] (the gradient by the logits) down to
// the input, adding the parameter gradients into g (laid out as theta).
// ws are the weights the forward pass used; quantized says whether it was
// the plan's pass, whose saturated values pass no gradient (the
// straight-through estimator, clipped at the format's bounds).
func (n *net) backward(t *tape, ws *weights, g []float64, quantized bool) {
	for k := len(n.layers) - 1; k >= 0; k-- {
		l := n.layers[k]
		src, dst := n.shapes[k], n.shapes[k+1]
		xs, dy, dx := t.acts[k], t.grads[k+1], t.grads[k]
		if quantized {
			for i, s := range t.sat[k+1] {
				if s {
					dy[i] = 0
				}
			}
		}
		clear(dx)

		switch l.Kind {
		case models.Dense:
			w := ws.w[k]
			gw, gb := g[n.wOff[k]:n.bOff[k]], g[n.bOff[k]:n.bOff[k]+l.Units]
			for r := range max(src.p, 1) {
				xr, dxr := xs[r*src.f:(r+1)*src.f], dx[r*src.f:(r+1)*src.f]
				for j, d := range dy[r*dst.f : (r+1)*dst.f] {
					if d == 0 {
						continue
					}
					gb[j] += d
					row, grow := w[j], gw[j*src.f:(j+1)*src.f]
					for i, xi := range xr {
						grow[i] += d * xi
						dxr[i] += d * row[i]
					}
				}
			}

		case models.Pool:
			n.poolBackward(l, t, src, xs, dy, dx)

		case models.Flatten:
			copy(dx, dy)

		default:
			for e, v := range xs {
				dx[e] = dy[e] * derivative(l, ws.slope[k], e%src.f, v)
			}
		}
	}
}

// derivative returns the derivative of an elementwise layer at input v;
// slope is the leaky ReLU slope the forward pass used.
func derivative(l *models.Layer, slope float64, f int, v float64) float64 {
	switch l.Kind {
	case models.ReLU:
		if v > 0 {
			return 1
		}
		return 0
	case models.LeakyReLU:
		if v >= 0 {
			return 1
		}
		return slope
	case models.Sigmoid:
		s := 1 / (1 + math.Exp(-v))
		return s * (1 - s)
	case models.Tanh:
		th := math.Tanh(v)
		return 1 - th*th
	case models.BatchNorm:
		return l.Gamma[f] / math.Sqrt(l.Var[f]+l.Eps)
	}
	return 1 // linear
}

// poolBackward spreads the gradient of a pooling over the real particles.
// A maximum passes it to the first real particle holding the largest
// input value.
func (n *net) poolBackward(l *models.Layer, t *tape, src dims, xs, dy, dx []float64) {
	in, count := n.shapes[0], 0
	for _, r := range t.real {
		if r {
			count++
		}
	}
	if l.Pool == models.PoolMax {
		for f := range src.f {
			best := -1
			for p := range src.p {
				if t.real[p] && (best < 0 || xs[p*src.f+f] > xs[best*src.f+f]) {
					best = p
				}
			}
			if best >= 0 {
				dx[best*src.f+f] = dy[f]
			}
		}
		return
	}
	for p := range src.p {
		if !t.real[p] {
			continue
		}
		for f := range src.f {
			switch l.Pool {
			case models.PoolWeightedSum:
				dx[p*src.f+f] = dy[f] * t.acts[0][p*in.f+l.WeightFeature]
			case models.PoolMean:
				dx[p*src.f+f] = dy[f] / float64(count)
			default:
				dx[p*src.f+f] = dy[f]
			}
		}
	}
}
