package distill

import "math"

// Loss is the distillation objective of one sample:
//
//	(1 - Lambda) * CE(y, softmax(z)) + Lambda * T^2 * KL(softmax(t/T) || softmax(z/T))
//
// for student logits z, label y and teacher logits t at temperature T.
// Lambda = 0 is plain cross-entropy training (no teacher needed), Lambda
// = 1 pure distillation. The T^2 factor keeps the distillation gradient's
// scale independent of T.
type Loss struct {
	Lambda      float64
	Temperature float64
}

// eval returns the loss of one sample and writes its gradient by the
// logits z into dz. teacher is nil when Lambda is 0.
func (ls Loss) eval(z []float64, label int, teacher, dz []float64) float64 {
	q := dz // softmax(z), then the gradient, in place
	softmax(z, 1, q)
	loss := 0.0
	ce := -math.Log(max(q[label], 1e-300))
	if ls.Lambda == 0 {
		q[label]--
		return ce
	}

	// d CE / dz = q - onehot(y); d (T^2 KL) / dz = T (q_T - p_T)
	T := ls.Temperature
	var qT, pT [maxClasses]float64
	c := len(z)
	softmax(z, T, qT[:c])
	softmax(teacher, T, pT[:c])
	kl := 0.0
	for i := range c {
		if pT[i] > 0 {
			kl += pT[i] * (math.Log(pT[i]) - math.Log(max(qT[i], 1e-300)))
		}
	}
	loss = (1-ls.Lambda)*ce + ls.Lambda*T*T*kl
	for i := range c {
		hard := q[i]
		if i == label {
			hard--
		}
		dz[i] = (1-ls.Lambda)*hard + ls.Lambda*T*(qT[i]-pT[i])
	}
	return loss
}

// maxClasses bounds the number of logits a student may have.
const maxClasses = 64

// softmax writes softmax(z/T) into out.
func softmax(z []float64, T float64, out []float64) {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	sum := 0.0
	for i, v := range z {
		out[i] = math.Exp((v - m) / T)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
}
