"""Adadelta with PyTorch's exact update rule."""
from ..backend import xp
from ..tensor import bump_version
from .optimizer import (COMMON_FLAGS, Optimizer, in_unit_interval, non_negative,
                        unsupported_flag, zeros_like)


class Adadelta(Optimizer):
    """Adadelta (Zeiler), as ``torch.optim.Adadelta`` (same arguments and defaults).
    PyTorch's documented Adadelta algorithm, for parameter p and gradient g::

        g = -g if maximize
        g = g + weight_decay * p                    if weight_decay
        v = rho * v + (1 - rho) * g * g
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * d * d
        p = p - lr * d

    State per parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).
    ``foreach`` is accepted and changes nothing; ``capturable`` and
    ``differentiable`` must be False. Raises ValueError for a negative lr, eps or
    weight_decay or rho outside [0, 1], TypeError for a value of the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "rho": in_unit_interval, "eps": non_negative,
                        "weight_decay": non_negative, "capturable": unsupported_flag,
                        **COMMON_FLAGS}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, capturable=capturable,
                                      foreach=foreach, differentiable=differentiable))

    def _state_keys(self, group):
        return {"step", "square_avg", "acc_delta"}

    def _update(self, group, params, grads):
        dtype = None
        for p, grad in zip(params, grads):
            param = p._data
            if param.dtype is not dtype:  # the scalars as 0-d arrays of p's dtype
                dtype = param.dtype
                lr, rho, one_minus_rho, eps = self._scalars(
                    dtype, group["lr"], group["rho"], 1 - group["rho"], group["eps"])
            state = self.state[p]
            if "step" not in state:
                state.update(step=0, square_avg=zeros_like(p), acc_delta=zeros_like(p))
            state["step"] += 1
            grad = self._gradient(p, grad, group["maximize"], group["weight_decay"])
            scratch, delta = self._work(p, 1), self._work(p, 2)
            square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
            square_avg *= rho
            square_avg += xp.multiply(xp.multiply(grad, grad, out=scratch), one_minus_rho,
                                      out=scratch)
            std = xp.sqrt(xp.add(square_avg, eps, out=scratch), out=scratch)
            xp.sqrt(xp.add(acc_delta, eps, out=delta), out=delta)
            delta /= std
            delta *= grad
            acc_delta *= rho
            acc_delta += xp.multiply(xp.multiply(delta, delta, out=scratch), one_minus_rho,
                                     out=scratch)
            param -= xp.multiply(delta, lr, out=delta)
            bump_version(p)  # saved copies of p are now stale
