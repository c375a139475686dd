"""Adam and AdamW with PyTorch's exact update rules."""
import math

from ..backend import xp
from ..tensor import bump_version
from .optimizer import (COMMON_FLAGS, Optimizer, betas, flag, non_negative, optional_flag,
                        unsupported_flag, zeros_like)


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam`` (same arguments and defaults).
    PyTorch's documented Adam algorithm, for parameter p, gradient g, step t::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)   if decoupled_weight_decay (AdamW)
        g = g + weight_decay * p          otherwise (the L2 penalty)
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v) if amsgrad (then used instead of v)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq``. ``foreach`` and ``fused`` are accepted and change
    nothing; ``capturable=True`` and ``differentiable=True`` are not supported
    (ValueError). Raises ValueError for a negative lr, eps or weight_decay or betas
    outside [0, 1), TypeError for a value of the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "betas": betas, "eps": non_negative,
                        "weight_decay": non_negative, "amsgrad": flag, **COMMON_FLAGS,
                        "capturable": unsupported_flag, "fused": optional_flag,
                        "decoupled_weight_decay": flag}
    _optional_keys = Optimizer._optional_keys | {"decoupled_weight_decay"}  # added later

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(betas, list):
            betas = tuple(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _state_keys(self, group):
        keys = {"step", "exp_avg", "exp_avg_sq"}
        return keys | {"max_exp_avg_sq"} if group["amsgrad"] else keys

    def _update(self, group, params, grads):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad, maximize = (group["weight_decay"], group["amsgrad"],
                                           group["maximize"])
        decoupled = group["decoupled_weight_decay"]
        scalars_for = None
        for p, grad in zip(params, grads):
            param = p._data
            state = self.state[p]
            if "step" not in state:
                state.update(step=0, exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_like(p)
            state["step"] = step = state["step"] + 1
            if scalars_for != (param.dtype, step):  # as 0-d arrays of p's dtype
                scalars_for = (param.dtype, step)
                one_minus_beta1, beta2_, one_minus_beta2, eps_, decay, step_size, root = (
                    self._scalars(param.dtype, 1 - beta1, beta2, 1 - beta2, eps,
                                  1 - lr * weight_decay, lr / (1 - beta1 ** step),
                                  math.sqrt(1 - beta2 ** step)))
            if decoupled:
                grad = self._gradient(p, grad, maximize, 0)
                if weight_decay != 0:
                    param *= decay
            else:
                grad = self._gradient(p, grad, maximize, weight_decay)
            scratch = self._work(p, 1)
            exp_avg, exp_avg_sq = self._update_moments(state, grad, one_minus_beta1, beta2_,
                                                       one_minus_beta2, scratch)
            second = exp_avg_sq
            if amsgrad:
                second = state["max_exp_avg_sq"]._data
                xp.maximum(second, exp_avg_sq, out=second)
            denom = xp.sqrt(second, out=scratch)
            denom /= root
            denom += eps_
            param -= xp.multiply(xp.divide(exp_avg, denom, out=scratch), step_size, out=scratch)
            bump_version(p)  # saved copies of p are now stale


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    before the Adam update, ``p = p * (1 - lr * weight_decay)``; the gradient is not
    changed (``decoupled_weight_decay=True`` in the groups, as in PyTorch). Note the
    default ``weight_decay=1e-2``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
