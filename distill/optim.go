package distill

import "math"

// Schedule is the learning rate over training: a linear warm-up from 0
// to LR over the first Warmup steps, then a step decay by Decay every
// DecayEvery epochs (the method's: 1000 warm-up steps, x0.7 every 10
// epochs).
type Schedule struct {
	LR         float64
	Warmup     int
	DecayEvery int
	Decay      float64
}

// rate returns the learning rate at the given step (from 0) of the given
// epoch (from 0).
func (s Schedule) rate(step, epoch int) float64 {
	lr := s.LR
	if s.DecayEvery > 0 {
		lr *= math.Pow(s.Decay, float64(epoch/s.DecayEvery))
	}
	if step < s.Warmup {
		lr *= float64(step+1) / float64(s.Warmup)
	}
	return lr
}

// adamW is the AdamW optimizer (Adam with decoupled weight decay) over
// one parameter vector.
type adamW struct {
	beta1, beta2, eps, weightDecay float64
	m, v                           []float64
	t                              int
}

// newAdamW returns an optimizer for n parameters with PyTorch's default
// moments (0.9, 0.999), epsilon 1e-8 and the given weight decay.
func newAdamW(n int, weightDecay float64) *adamW {
	return &adamW{beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: weightDecay,
		m: make([]float64, n), v: make([]float64, n)}
}

// step updates theta by the gradient g at learning rate lr; weight decay
// applies where decay is true (weights, not biases).
func (o *adamW) step(theta, g []float64, decay []bool, lr float64) {
	o.t++
	c1 := 1 - math.Pow(o.beta1, float64(o.t))
	c2 := 1 - math.Pow(o.beta2, float64(o.t))
	for i, gi := range g {
		if decay[i] {
			theta[i] -= lr * o.weightDecay * theta[i]
		}
		o.m[i] = o.beta1*o.m[i] + (1-o.beta1)*gi
		o.v[i] = o.beta2*o.v[i] + (1-o.beta2)*gi*gi
		theta[i] -= lr * (o.m[i] / c1) / (math.Sqrt(o.v[i]/c2) + o.eps)
	}
}
