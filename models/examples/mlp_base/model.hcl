model "mlp_base" {
  description = "A student tagger: an MLP 24-32-16-2 on 8 particles x 3 features, trained without distillation, quantization-aware. Trained by: kd2fpga distill --data build/models/train.npz --val build/models/val.npz --out models/examples/mlp_base --hidden \"32,16\" --epochs 20 --arch mlp."
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

  layer "flatten" {
    type = "flatten"
  }

  layer "fc1" {
    type  = "dense"
    units = 32
  }

  layer "fc1_act" {
    type = "relu"
  }

  layer "fc2" {
    type  = "dense"
    units = 16
  }

  layer "fc2_act" {
    type = "relu"
  }

  layer "out" {
    type  = "dense"
    units = 2
  }
}
