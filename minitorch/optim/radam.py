"""RAdam with PyTorch's exact update rule."""
import math

from ..backend import xp
from ..tensor import bump_version
from .optimizer import (COMMON_FLAGS, Optimizer, betas, flag, non_negative, unsupported_flag,
                        zeros_like)


class RAdam(Optimizer):
    """Rectified Adam (Liu et al.), as ``torch.optim.RAdam`` (same arguments and
    defaults). PyTorch's documented RAdam algorithm, for parameter p, gradient g,
    step t::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)   if decoupled_weight_decay
        g = g + weight_decay * p          otherwise (the L2 penalty)
        m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g * g
        m^ = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        if rho_t > 5:
            r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            p = p - lr * m^ * r * sqrt(1 - beta2**t) / (sqrt(v) + eps)
        else:
            p = p - lr * m^

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_avg_sq`` (v). ``foreach``
    is accepted and changes nothing; ``capturable`` and ``differentiable`` must be
    False. Raises ValueError for a negative lr, eps or weight_decay or betas outside
    [0, 1), TypeError for a value of the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "betas": betas, "eps": non_negative,
                        "weight_decay": non_negative, "decoupled_weight_decay": flag,
                        **COMMON_FLAGS, "capturable": unsupported_flag}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list)
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def _state_keys(self, group):
        return {"step", "exp_avg", "exp_avg_sq"}

    def _update(self, group, params, grads):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        rho_inf = 2 / (1 - beta2) - 1
        for p, grad in zip(params, grads):
            param = p._data
            state = self.state[p]
            if "step" not in state:
                state.update(step=0, exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
            state["step"] = step = state["step"] + 1
            bias_correction1, bias_correction2 = 1 - beta1 ** step, 1 - beta2 ** step
            rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
            if rho_t > 5:  # the variance is tractable: rectified adaptive step
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                scale = lr / bias_correction1 * rect * math.sqrt(bias_correction2)
            else:  # an SGD-with-momentum step
                scale = lr / bias_correction1
            one_minus_beta1, beta2_, one_minus_beta2, eps, scale = self._scalars(
                param.dtype, 1 - beta1, beta2, 1 - beta2, group["eps"], scale)
            grad = self._weight_decayed(p, grad, group)
            scratch = self._work(p, 1)
            exp_avg, exp_avg_sq = self._update_moments(state, grad, one_minus_beta1, beta2_,
                                                       one_minus_beta2, scratch)
            update = exp_avg
            if rho_t > 5:
                denom = xp.sqrt(exp_avg_sq, out=scratch)
                denom += eps
                update = xp.divide(exp_avg, denom, out=scratch)
            param -= xp.multiply(update, scale, out=scratch)
            bump_version(p)  # saved copies of p are now stale
