package jets

import (
	"math"
	"slices"
	"sort"
	"sync"
	"testing"
)

// The physics tests share one sample of the default configuration.
var (
	physicsOnce   sync.Once
	physicsSample *Sample
	physicsErr    error
)

// physics returns the shared sample of 4000 jets, half of them top jets.
func physics(t *testing.T) *Sample {
	t.Helper()
	physicsOnce.Do(func() {
		cfg := DefaultConfig()
		cfg.N, cfg.Seed = 4000, 20240611
		physicsSample, physicsErr = Generate(cfg)
	})
	if physicsErr != nil {
		t.Fatal(physicsErr)
	}
	return physicsSample
}

// byClass splits one value per jet by label: [0] QCD, [1] top.
func byClass(s *Sample, v func(i int) float64) (out [2][]float64) {
	for i, l := range s.Labels {
		out[l] = append(out[l], v(i))
	}
	return out
}

// median returns the median of v.
func median(v []float64) float64 {
	w := slices.Clone(v)
	sort.Float64s(w)
	return w[len(w)/2]
}

// mode returns the centre of the fullest bin of width w starting at lo.
func mode(v []float64, lo, w float64) float64 {
	counts := map[int]int{}
	best := 0
	for _, x := range v {
		b := int(math.Floor((x - lo) / w))
		counts[b]++
		if counts[b] > counts[best] || (counts[b] == counts[best] && b < best) {
			best = b
		}
	}
	return lo + (float64(best)+0.5)*w
}

// auc returns the probability that a random element of low is below a
// random element of high (ties count one half): the area under the ROC
// curve of a cut x < c selecting low.
func auc(low, high []float64) float64 {
	type item struct {
		x   float64
		low bool
	}
	all := make([]item, 0, len(low)+len(high))
	for _, x := range low {
		all = append(all, item{x, true})
	}
	for _, x := range high {
		all = append(all, item{x, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].x < all[j].x })

	// Mann-Whitney: sum the ranks of high, ties get their mean rank
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].x == all[i].x {
			j++
		}
		mean := float64(i+j+1) / 2 // ranks i+1 ... j
		for k := i; k < j; k++ {
			if !all[k].low {
				rankSum += mean
			}
		}
		i = j
	}
	nh, nl := float64(len(high)), float64(len(low))
	return (rankSum - nh*(nh+1)/2) / (nh * nl)
}

func TestAUCReference(t *testing.T) {
	// hand-counted pairs: low {1, 2}, high {1.5, 3}: 3 of 4 pairs ordered
	if got := auc([]float64{1, 2}, []float64{1.5, 3}); got != 0.75 {
		t.Errorf("auc = %v, want 0.75", got)
	}
	if got := auc([]float64{1}, []float64{1}); got != 0.5 {
		t.Errorf("auc of a tie = %v, want 0.5", got)
	}
}

func TestJetMassPeaks(t *testing.T) {
	s := physics(t)
	m := byClass(s, func(i int) float64 { return JetMass(s.Jet(i)) })
	topMedian, topMode := median(m[1]), mode(m[1], 0, 10)
	qcdMedian := median(m[0])
	t.Logf("top jets: mass median %.1f GeV, mode %.0f GeV; QCD jets: median %.1f GeV",
		topMedian, topMode, qcdMedian)

	// the top jets carry the top quark's mass, QCD jets only radiation
	if topMedian < 140 || topMedian > 200 {
		t.Errorf("top jet mass median %.1f GeV, want 140 to 200 (top mass 173)", topMedian)
	}
	if topMode < 150 || topMode > 190 {
		t.Errorf("top jet mass mode %.0f GeV, want 150 to 190 (top mass 173)", topMode)
	}
	if qcdMedian > 100 {
		t.Errorf("QCD jet mass median %.1f GeV, want below 100", qcdMedian)
	}
	if a := auc(m[0], m[1]); a < 0.8 {
		t.Errorf("jet mass separates QCD from top with AUC %.3f, want above 0.8", a)
	}
}

func TestWMassInTopJets(t *testing.T) {
	// among the three exclusive-kt subjets of a top jet, the lightest
	// pair is mostly the W's decay products
	s := physics(t)
	var pairs [2][]float64
	for i, l := range s.Labels {
		cs := constituents(s.Jet(i), nil)
		subjets := ktSubjets(cs, 3)
		if len(subjets) < 3 {
			continue
		}
		best := math.Inf(1)
		for a := range 3 {
			for b := a + 1; b < 3; b++ {
				best = min(best, subjets[a].add(subjets[b]).mass())
			}
		}
		pairs[l] = append(pairs[l], best)
	}
	wMode := mode(pairs[1], 0, 5)
	t.Logf("top jets: lightest subjet pair mass mode %.1f GeV, median %.1f GeV",
		wMode, median(pairs[1]))
	if wMode < 65 || wMode > 95 {
		t.Errorf("lightest subjet pair mass of top jets peaks at %.1f GeV, want 65 to 95 "+
			"(W mass 80.4)", wMode)
	}
}

// ktSubjets returns the four-momenta of the n exclusive-kt subjets of cs.
func ktSubjets(cs []constituent, n int) []fourVec {
	var nk nsubWork
	nk.cluster(cs, n)
	var out []fourVec
	for _, a := range nk.axes[n-1] {
		out = append(out, a.p)
	}
	return out
}

func TestTau32Separates(t *testing.T) {
	s := physics(t)
	tau := byClass(s, func(i int) float64 { return Tau32(s.Jet(i)) })
	a := auc(tau[1], tau[0])
	t.Logf("tau32: median top %.3f, QCD %.3f; AUC %.3f", median(tau[1]), median(tau[0]), a)
	if a < 0.7 {
		t.Errorf("tau32 separates top (low) from QCD with AUC %.3f, want above 0.7", a)
	}
	if median(tau[1]) >= median(tau[0]) {
		t.Errorf("median tau32 of top jets %.3f not below QCD's %.3f",
			median(tau[1]), median(tau[0]))
	}
}

func TestMultiplicity(t *testing.T) {
	// three fragmenting prongs give more particles than one
	s := physics(t)
	n := byClass(s, func(i int) float64 { return float64(s.Counts[i]) })
	var mean [2]float64
	for c := range n {
		for _, v := range n[c] {
			mean[c] += v / float64(len(n[c]))
		}
	}
	t.Logf("mean constituents: top %.1f, QCD %.1f", mean[1], mean[0])
	if mean[1] <= mean[0] {
		t.Errorf("mean constituents of top jets %.1f not above QCD's %.1f", mean[1], mean[0])
	}
	for c, m := range mean {
		if m < 10 || m > 150 {
			t.Errorf("class %d: mean constituents %.1f, want 10 to 150", c, m)
		}
	}
}

func TestBoostPreservesMasses(t *testing.T) {
	s := physics(t)
	for _, beta := range []float64{0.3, 0.95, -0.7} {
		b, err := s.Boost(beta)
		if err != nil {
			t.Fatal(err)
		}
		gamma := 1 / math.Sqrt(1-beta*beta)
		for i := range s.N {
			m0, m1 := JetMass(s.Jet(i)), JetMass(b.Jet(i))
			if math.Abs(m1-m0) > 1e-6*m0 {
				t.Fatalf("beta %v, jet %d: mass %v after the boost, %v before", beta, i, m1, m0)
			}
			for k := range s.MaxParticles {
				p, q := at(s.Jet(i), k), at(b.Jet(i), k)
				if p[2] != q[2] || p[3] != q[3] || p.isZero() != q.isZero() {
					t.Fatalf("beta %v, jet %d, constituent %d: %v became %v", beta, i, k, p, q)
				}
				// E' = gamma (E - beta px) for a massless particle
				if want := gamma * (p[0] - beta*p[1]); math.Abs(q[0]-want) > 1e-12*want {
					t.Fatalf("beta %v: energy %v, want %v", beta, q[0], want)
				}
				if m := q.mass(); m > 1e-6*q[0] {
					t.Fatalf("beta %v: a massless constituent has mass %v after the boost", beta, m)
				}
			}
		}
	}
}

func TestBoostIdentityAndRange(t *testing.T) {
	s := physics(t)
	b, err := s.Boost(0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.P4, s.P4) || !slices.Equal(b.Labels, s.Labels) {
		t.Error("Boost(0) changed the sample")
	}
	b.P4[0]++
	if b.P4[0] == s.P4[0] {
		t.Error("Boost(0) shares storage with its input")
	}
	for _, beta := range []float64{1, -1, 1.5, math.NaN()} {
		if _, err := s.Boost(beta); err == nil {
			t.Errorf("Boost(%v) succeeded", beta)
		}
	}
}
