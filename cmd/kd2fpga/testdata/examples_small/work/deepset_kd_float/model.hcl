model "deepset_kd_float" {
  description = "A student tagger: a Deep Set, per-particle 3-16-16, weighted_sum pooling, jet network 16-16-2, on 8 particles, distilled from a teacher (lambda = 1, T = 1), in float64. Trained by: kd2fpga distill --data work/train.npz --val work/val.npz --out work/deepset_kd_float --hidden \"16,16\" --epochs 1 --arch deepset --teacher teachers/invariant/model.hcl --temperature 1 --rho 16 --float."
  weights     = "weights.npz"
  layout      = "pytorch"

  target {
    part              = "xcvu13p-flga2577-2-e"
    clock_ns          = 5
    latency_budget_ns = 100
    reuse             = 1
    strategy          = "latency"
    particles         = "replicate"
  }

  precision {
    weight = "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"
    bias   = "ap_fixed<10,4,AP_RND_CONV,AP_SAT>"
    result = "ap_fixed<12,4,AP_RND_CONV,AP_SAT>"
    accum  = "auto"
  }

  features {
    particles    = 8
    per_particle = ["pt_rel", "deta", "dphi"]
  }

  input "particles" {
    shape = [8, 3]
    type  = "ap_fixed<10,1,AP_RND_CONV,AP_SAT>"
  }

  layer "phi1" {
    type  = "dense"
    units = 16
  }

  layer "phi1_act" {
    type = "relu"
  }

  layer "phi2" {
    type  = "dense"
    units = 16
  }

  layer "phi2_act" {
    type = "relu"
  }

  layer "pool" {
    type           = "pool"
    op             = "weighted_sum"
    weight_feature = 0
  }

  layer "rho1" {
    type  = "dense"
    units = 16
  }

  layer "rho1_act" {
    type = "relu"
  }

  layer "out" {
    type  = "dense"
    units = 2
  }
}
