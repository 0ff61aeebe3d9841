model "invariant" {
  description = "A Lorentz-invariant teacher: an MLP 79-128-128-2 (ReLU) on the jet mass and the invariants of the 12 leading constituents, in float64. Trained by: kd2fpga teacher --data build/models/train.npz --val build/models/val.npz --out models/teachers/invariant --hidden \"128,128\" --epochs 8 --lr 0.001."
  weights     = "weights.npz"
  layout      = "pytorch"

  target {
    part      = "xcvu13p-flga2577-2-e"
    clock_ns  = 5
    reuse     = 1
    strategy  = "latency"
    particles = "replicate"
  }

  precision {
    default = "ap_fixed<24,10>"
    accum   = "ap_fixed<48,20>"
  }

  features {
    high_level = ["mass"]
    invariants = 12
  }

  input "invariants" {
    shape = [79]
    type  = "ap_fixed<24,10>"
  }

  layer "standardize" {
    type = "batchnorm"
    eps  = 1e-12
  }

  layer "fc1" {
    type  = "dense"
    units = 128
  }

  layer "fc1_act" {
    type = "relu"
  }

  layer "fc2" {
    type  = "dense"
    units = 128
  }

  layer "fc2_act" {
    type = "relu"
  }

  layer "out" {
    type  = "dense"
    units = 2
  }
}
