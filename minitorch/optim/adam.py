"""Adam and AdamW with PyTorch's exact update rules."""
import math

from ..backend import xp
from ..tensor import bump_version
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam``. For parameter p, gradient g, step t::

        g = -g if maximize;  g = g + weight_decay * p   (L2 penalty; AdamW decouples it)
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v) if amsgrad (then used instead of v)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    _decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, maximize=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize))

    def _check_group(self, group):
        name = type(self).__name__
        for key in ("lr", "eps", "weight_decay"):
            if not group[key] >= 0.0:
                raise ValueError(f"{name}: invalid {key} {group[key]!r} (must be >= 0)")
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{name}: invalid betas {betas!r} (two values in [0, 1))")

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        decoupled = self._decoupled_weight_decay
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad, maximize = (group["weight_decay"], group["amsgrad"],
                                               group["maximize"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                param, grad = p._data, p.grad._data
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = self._init_state(param, amsgrad)
                state["step"] = step = state["step"] + 1
                scratch = self._work(p, 1)
                if maximize:
                    grad = xp.negative(grad, out=self._work(p))
                if weight_decay != 0:
                    if decoupled:
                        param *= 1 - lr * weight_decay
                    else:
                        grad = xp.add(grad, xp.multiply(param, weight_decay, out=scratch),
                                      out=self._work(p))
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg += xp.multiply(xp.subtract(grad, exp_avg, out=scratch), 1 - beta1,
                                       out=scratch)
                exp_avg_sq *= beta2
                exp_avg_sq += xp.multiply(xp.multiply(grad, grad, out=scratch), 1 - beta2,
                                          out=scratch)
                if amsgrad:
                    second = xp.maximum(state["max_exp_avg_sq"], exp_avg_sq,
                                        out=state["max_exp_avg_sq"])
                else:
                    second = exp_avg_sq
                step_size = lr / (1 - beta1 ** step)
                denom = xp.sqrt(second, out=scratch)
                denom /= math.sqrt(1 - beta2 ** step)
                denom += eps
                param -= xp.multiply(xp.divide(exp_avg, denom, out=scratch), step_size,
                                     out=scratch)
                bump_version(p)  # saved copies of p are now stale
        return loss

    @staticmethod
    def _init_state(param, amsgrad):
        state = {"step": 0, "exp_avg": xp.zeros_like(param), "exp_avg_sq": xp.zeros_like(param)}
        if amsgrad:
            state["max_exp_avg_sq"] = xp.zeros_like(param)
        return state


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    before the Adam update, ``p = p * (1 - lr * weight_decay)``; the gradient is not
    changed. Note the default ``weight_decay=1e-2``."""

    _decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
