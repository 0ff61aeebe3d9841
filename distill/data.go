package distill

import (
	"fmt"

	"kd2fpga/jets"
	"kd2fpga/models"
)

// FeatureSpec returns the jets package's description of the inputs a
// model reads, from its features block; it fails for a model without
// one.
func FeatureSpec(m *models.Model) (jets.FeatureSpec, error) {
	f := m.Features
	if f == nil {
		return jets.FeatureSpec{}, fmt.Errorf("model %q has no features block: "+
			"which jet features it reads is unknown", m.Name)
	}
	spec := jets.FeatureSpec{Particles: f.Particles, Invariants: f.Invariants}
	for _, name := range f.PerParticle {
		spec.PerParticle = append(spec.PerParticle, jets.ParticleFeature(name))
	}
	for _, name := range f.HighLevel {
		spec.HighLevel = append(spec.HighLevel, jets.HighLevelFeature(name))
	}
	if err := spec.Validate(); err != nil {
		return jets.FeatureSpec{}, fmt.Errorf("model %q: %w", m.Name, err)
	}
	return spec, nil
}

// JetData returns the inputs of model m computed from the jets of s, with
// their labels, as training or evaluation data (without teacher logits).
func JetData(m *models.Model, s *jets.Sample) (*Data, error) {
	spec, err := FeatureSpec(m)
	if err != nil {
		return nil, err
	}
	want := 1
	for _, d := range m.Input.Shape {
		want *= d
	}
	if spec.Width() != want {
		return nil, fmt.Errorf("model %q: its features give %d values, its input %v holds %d",
			m.Name, spec.Width(), m.Input.Shape, want)
	}
	x, _, err := spec.Extract(s)
	if err != nil {
		return nil, err
	}
	return &Data{X: x, Labels: append([]int(nil), s.Labels...)}, nil
}
