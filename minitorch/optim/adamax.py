"""Adamax with PyTorch's exact update rule."""
from ..backend import xp
from ..tensor import bump_version
from .optimizer import (COMMON_FLAGS, Optimizer, betas, non_negative, unsupported_flag,
                        zeros_like)


class Adamax(Optimizer):
    """Adamax, the infinity-norm variant of Adam (Kingma & Ba), as
    ``torch.optim.Adamax`` (same arguments and defaults). PyTorch's documented
    Adamax algorithm, for parameter p, gradient g, step t::

        g = -g if maximize
        g = g + weight_decay * p                    if weight_decay
        m = m + (1 - beta1) * (g - m)
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u). ``foreach`` is
    accepted and changes nothing; ``capturable`` and ``differentiable`` must be False.
    Raises ValueError for a negative lr, eps or weight_decay or betas outside [0, 1),
    TypeError for a value of the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "betas": betas, "eps": non_negative,
                        "weight_decay": non_negative, **COMMON_FLAGS,
                        "capturable": unsupported_flag}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list)
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _state_keys(self, group):
        return {"step", "exp_avg", "exp_inf"}

    def _update(self, group, params, grads):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        scalars_for = None
        for p, grad in zip(params, grads):
            param = p._data
            state = self.state[p]
            if "step" not in state:
                state.update(step=0, exp_avg=zeros_like(p), exp_inf=zeros_like(p))
            state["step"] = step = state["step"] + 1
            if scalars_for != (param.dtype, step):  # as 0-d arrays of p's dtype
                scalars_for = (param.dtype, step)
                one_minus_beta1, beta2_, eps, clr = self._scalars(
                    param.dtype, 1 - beta1, beta2, group["eps"], lr / (1 - beta1 ** step))
            grad = self._gradient(p, grad, group["maximize"], group["weight_decay"])
            scratch = self._work(p, 1)
            exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
            exp_avg += xp.multiply(xp.subtract(grad, exp_avg, out=scratch), one_minus_beta1,
                                   out=scratch)
            exp_inf *= beta2_
            xp.maximum(exp_inf, xp.add(xp.abs(grad, out=scratch), eps, out=scratch),
                       out=exp_inf)
            param -= xp.multiply(xp.divide(exp_avg, exp_inf, out=scratch), clr, out=scratch)
            bump_version(p)  # saved copies of p are now stale
