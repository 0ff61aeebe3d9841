package quantize

import (
	"math"
	"runtime"
	"sync"

	"kd2fpga/models"
)

// Float runs the unquantized model m in float64 on n samples x ([n, input
// length], row-major) and returns the outputs, [n, output length]. Batch
// norms are applied as written, activations are the true functions, and
// pooling skips padding particles, those whose features are all exactly
// zero (the emulator decides the same on the quantized words, so a
// particle whose tiny features quantize to zero is padding there only).
// Samples are spread over runtime.NumCPU() goroutines. Float panics if
// len(x) is not n times the input length.
func Float(m *models.Model, x []float64, n int) []float64 {
	inLen := inputLen(m)
	if len(x) != n*inLen {
		panic("quantize: Float input length does not match the samples")
	}
	if n == 0 {
		return nil
	}
	out := outputName(m)
	sample := func(s int, into []float64) []float64 {
		floatSample(m, x[s*inLen:(s+1)*inLen], func(l *models.Layer, y []float64) {
			if l.Name == out {
				into = append(into[:0], y...)
			}
		})
		return into
	}

	// the first sample tells the output length; the others fill in.
	first := sample(0, nil)
	w := len(first)
	y := make([]float64, n*w)
	copy(y, first)
	workers := min(runtime.NumCPU(), n)
	var wg sync.WaitGroup
	for k := range workers {
		lo, hi := 1+(n-1)*k/workers, 1+(n-1)*(k+1)/workers
		wg.Go(func() {
			for s := lo; s < hi; s++ {
				sample(s, y[s*w:s*w:(s+1)*w])
			}
		})
	}
	wg.Wait()
	return y
}

// inputLen returns the number of values of one input sample of m.
func inputLen(m *models.Model) int {
	n := 1
	for _, d := range m.Input.Shape {
		n *= d
	}
	return n
}

// FloatLayers runs m as Float does and calls visit with every layer's
// output for every sample, in order. y is only valid during the call.
func FloatLayers(m *models.Model, x []float64, n int, visit func(sample int, l *models.Layer, y []float64)) {
	inLen := inputLen(m)
	if len(x) != n*inLen {
		panic("quantize: Float input length does not match the samples")
	}
	for s := range n {
		floatSample(m, x[s*inLen:(s+1)*inLen], func(l *models.Layer, y []float64) { visit(s, l, y) })
	}
}

// outputName returns the name of the model's output layer.
func outputName(m *models.Model) string {
	if m.Output != "" {
		return m.Output
	}
	return m.Layers[len(m.Layers)-1].Name
}

// floatValue is a tensor of the float run: shape [P, F] (P 0 when flat).
type floatValue struct {
	p, f int
	v    []float64
}

// floatSample runs one sample.
func floatSample(m *models.Model, x []float64, visit func(*models.Layer, []float64)) {
	in := floatValue{f: m.Input.Shape[len(m.Input.Shape)-1], v: x}
	if len(m.Input.Shape) == 2 {
		in.p = m.Input.Shape[0]
	}

	// padding: the particles whose input features are all zero.
	var real []bool
	if in.p > 0 {
		real = make([]bool, in.p)
		for p := range real {
			for _, v := range x[p*in.f : (p+1)*in.f] {
				real[p] = real[p] || v != 0
			}
		}
	}

	values := map[string]floatValue{m.Input.Name: in}
	for _, l := range m.Layers {
		src := values[l.Input]
		y := floatLayer(l, src, in, real)
		values[l.Name] = y
		visit(l, y.v)
		if l.Name == outputName(m) {
			return
		}
	}
}

// floatLayer computes one layer on src; in is the model input, real its
// padding mask.
func floatLayer(l *models.Layer, src, in floatValue, real []bool) floatValue {
	rows := max(src.p, 1)
	switch l.Kind {
	case models.Dense:
		y := floatValue{p: src.p, f: l.Units, v: make([]float64, rows*l.Units)}
		for r := range rows {
			xs := src.v[r*src.f : (r+1)*src.f]
			for j, w := range l.Weight {
				s := 0.0
				if l.Bias != nil {
					s = l.Bias[j]
				}
				for i, wi := range w {
					s += wi * xs[i]
				}
				y.v[r*l.Units+j] = s
			}
		}
		return y

	case models.Pool:
		y := floatValue{f: src.f, v: make([]float64, src.f)}
		n := 0
		for p := range src.p {
			if !real[p] {
				continue
			}
			for f := range src.f {
				v := src.v[p*src.f+f]
				switch l.Pool {
				case models.PoolMax:
					if n == 0 || v > y.v[f] {
						y.v[f] = v
					}
				case models.PoolWeightedSum:
					y.v[f] += in.v[p*in.f+l.WeightFeature] * v
				default:
					y.v[f] += v
				}
			}
			n++
		}
		if l.Pool == models.PoolMean && n > 0 {
			for f := range y.v {
				y.v[f] /= float64(n)
			}
		}
		return y

	case models.Flatten:
		return floatValue{f: len(src.v), v: src.v}

	case models.Softmax:
		y := floatValue{p: src.p, f: src.f, v: make([]float64, len(src.v))}
		for r := range rows {
			xs, ys := src.v[r*src.f:(r+1)*src.f], y.v[r*src.f:(r+1)*src.f]
			mx := xs[0]
			for _, v := range xs {
				mx = math.Max(mx, v)
			}
			sum := 0.0
			for i, v := range xs {
				ys[i] = math.Exp(v - mx)
				sum += ys[i]
			}
			for i := range ys {
				ys[i] /= sum
			}
		}
		return y
	}

	// elementwise layers.
	y := floatValue{p: src.p, f: src.f, v: make([]float64, len(src.v))}
	for e, v := range src.v {
		f := e % src.f
		switch l.Kind {
		case models.BatchNorm:
			v = l.Gamma[f]*(v-l.Mean[f])/math.Sqrt(l.Var[f]+l.Eps) + l.Beta[f]
		case models.ReLU:
			v = math.Max(v, 0)
		case models.LeakyReLU:
			if v < 0 {
				v *= l.Slope
			}
		case models.Sigmoid:
			v = sigmoid(v)
		case models.Tanh:
			v = math.Tanh(v)
		}
		y.v[e] = v
	}
	return y
}
