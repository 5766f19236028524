"""Adam exactly as the C core runs it (c_src/train.c), as a torch optimizer.

The formulas are torch.optim.Adam's; what this adds is the core's bookkeeping: beta1, beta2 and
epsilon are float32 values, the bias-correction products beta^t are kept in double and multiplied
by the float beta each step (not recomputed as beta ** t), and the state is one flat moment pair
in the model file's parameter order, so it goes into and out of a checkpoint as the JS library's
exportOptimizerState/importOptimizerState give it.
"""

import math
import struct

import torch


def _f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


class CoreAdam(torch.optim.Optimizer):
    """Adam over `params` (in the model file's order) with the core's arithmetic."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, {"lr": lr})
        self.beta1, self.beta2, self.eps = _f32(betas[0]), _f32(betas[1]), _f32(eps)
        self.steps = 0
        self.beta1_power = 1.0
        self.beta2_power = 1.0
        self.params = [p for g in self.param_groups for p in g["params"]]
        self.m = [torch.zeros_like(p, memory_format=torch.contiguous_format) for p in self.params]
        self.v = [torch.zeros_like(p, memory_format=torch.contiguous_format) for p in self.params]

    @torch.no_grad()
    def step(self, closure=None):
        b1, b2 = self.beta1, self.beta2
        b1p, b2p = self.beta1_power * b1, self.beta2_power * b2
        lr = self.param_groups[0]["lr"]
        step_size = _f32(lr / (1 - b1p))
        bc2_sqrt = _f32(math.sqrt(1 - b2p))
        one_b1, one_b2 = _f32(1 - b1), _f32(1 - b2)
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad
            m.mul_(b1).add_(g, alpha=one_b1)
            v.mul_(b2).addcmul_(g, g, value=one_b2)
            p.addcdiv_(m, v.sqrt().div_(bc2_sqrt).add_(self.eps), value=-step_size)
        self.beta1_power, self.beta2_power = b1p, b2p
        self.steps += 1

    def export_state(self):
        """{steps, beta1, beta2, epsilon, beta1Power, beta2Power, m, v}: m and v flat float32 CPU tensors."""
        flat = lambda xs: torch.cat([x.detach().reshape(-1).to("cpu", torch.float32) for x in xs])
        return {"steps": self.steps, "beta1": self.beta1, "beta2": self.beta2, "epsilon": self.eps,
                "beta1Power": self.beta1_power, "beta2Power": self.beta2_power, "m": flat(self.m), "v": flat(self.v)}

    def import_state(self, state):
        n = sum(p.numel() for p in self.params)
        for key in ("m", "v"):
            if state[key].numel() != n:
                raise ValueError(f"the optimizer state's {key} has {state[key].numel()} values; this model has {n} parameters")
        self.steps = int(state["steps"])
        self.beta1, self.beta2, self.eps = _f32(state["beta1"]), _f32(state["beta2"]), _f32(state["epsilon"])
        self.beta1_power, self.beta2_power = float(state["beta1Power"]), float(state["beta2Power"])
        at = 0
        for p, m, v in zip(self.params, self.m, self.v):
            k = p.numel()
            m.copy_(state["m"][at: at + k].reshape(p.shape))
            v.copy_(state["v"][at: at + k].reshape(p.shape))
            at += k
