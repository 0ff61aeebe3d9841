// Package jets makes and reads the jets that kd2fpga's students tag: a
// documented toy generator of boosted hadronic top-quark jets and QCD
// jets, a reader and writer for the .npz layout of the public
// top-tagging reference dataset, the Lorentz boost of the method's
// robustness study, and the student input features.
//
// The package sits at the start of kd2fpga's offline loop: it supplies the
// jets on which a distilled student is evaluated, in floating point or in
// its bit-exact fixed-point emulation, before the firmware is written.
//
// # Generator
//
// Generate draws each jet from its own random stream derived from the
// master seed and the jet index, so a sample is reproducible bit for bit
// whatever the number of workers. Top jets come from real two-body decay
// kinematics (t -> bW, W -> qq') boosted to the lab; QCD jets from a
// single quark or gluon. Every parton, from either class, goes through the
// same angular-ordered soft-collinear parton shower and the same
// hadronization into massless particles, so the classes differ by physics
// and not by artefacts of the model. A soft underlying event, energy and
// angle smearing, a particle threshold, a stable-cone selection of radius
// Radius and the pT and |eta| window of the reference dataset follow. The
// generator is a toy: docs/jets.md says what it leaves out.
//
// # Layout
//
// A Sample holds N jets of MaxParticles constituents each, as
// (E, px, py, pz) in GeV, sorted by pT and zero-padded, exactly as the
// reference dataset stores them; a constituent whose four components are
// all zero is padding. WriteNPZ and ReadNPZ store the arrays "p4"
// [N, MaxParticles, 4], "y" [N] (1 = top, 0 = QCD) and "n" [N].
//
// # Features
//
// FeatureSpec.Extract computes the student inputs on the event as given,
// after any boost: per constituent pT/pT_jet, eta - eta_jet,
// phi - phi_jet and the constituent mass (and a few more), and jet-level
// quantities such as the jet mass and the N-subjettiness ratios.
package jets
