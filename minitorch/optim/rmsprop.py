"""RMSprop with PyTorch's exact update rule."""
from ..backend import xp
from ..tensor import bump_version
from .optimizer import (COMMON_FLAGS, Optimizer, flag, non_negative, unsupported_flag,
                        zeros_like)


class RMSprop(Optimizer):
    """RMSprop (Hinton), as ``torch.optim.RMSprop`` (same arguments and defaults).
    PyTorch's documented RMSprop algorithm, for parameter p and gradient g::

        g = -g if maximize
        g = g + weight_decay * p                    if weight_decay
        v = alpha * v + (1 - alpha) * g * g
        a = g_avg + (1 - alpha) * (g - g_avg);  v~ = v - a * a     if centered
        d = sqrt(v~) + eps          (v~ = v when not centered)
        b = momentum * b + g / d;  p = p - lr * b   if momentum > 0
        p = p - lr * g / d                          otherwise

    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, when
    momentum > 0) and ``grad_avg`` (g_avg, when centered). ``foreach`` is accepted and
    changes nothing; ``capturable`` and ``differentiable`` must be False. Raises
    ValueError for a negative lr, alpha, eps, weight_decay or momentum, TypeError for
    a value of the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "momentum": non_negative, "alpha": non_negative,
                        "eps": non_negative, "centered": flag, "weight_decay": non_negative,
                        "capturable": unsupported_flag, **COMMON_FLAGS}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _state_keys(self, group):
        keys = {"step", "square_avg"}
        if group["momentum"] > 0:
            keys.add("momentum_buffer")
        if group["centered"]:
            keys.add("grad_avg")
        return keys

    def _update(self, group, params, grads):
        momentum, centered = group["momentum"], group["centered"]
        dtype = None
        for p, grad in zip(params, grads):
            param = p._data
            if param.dtype is not dtype:  # the scalars as 0-d arrays of p's dtype
                dtype = param.dtype
                lr, alpha, one_minus_alpha, eps, momentum_ = self._scalars(
                    dtype, group["lr"], group["alpha"], 1 - group["alpha"], group["eps"],
                    momentum)
            state = self.state[p]
            if "step" not in state:
                state.update(step=0, square_avg=zeros_like(p))
            if momentum > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros_like(p)
            if centered and "grad_avg" not in state:
                state["grad_avg"] = zeros_like(p)
            state["step"] += 1
            grad = self._gradient(p, grad, group["maximize"], group["weight_decay"])
            scratch = self._work(p, 1)
            square_avg = state["square_avg"]._data
            square_avg *= alpha
            square_avg += xp.multiply(xp.multiply(grad, grad, out=scratch), one_minus_alpha,
                                      out=scratch)
            if centered:
                grad_avg = state["grad_avg"]._data
                grad_avg += xp.multiply(xp.subtract(grad, grad_avg, out=scratch),
                                        one_minus_alpha, out=scratch)
                avg = xp.subtract(square_avg, xp.multiply(grad_avg, grad_avg, out=scratch),
                                  out=scratch)
                avg = xp.sqrt(avg, out=avg)
            else:
                avg = xp.sqrt(square_avg, out=scratch)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum_
                buf += xp.divide(grad, avg, out=avg)
                param -= xp.multiply(buf, lr, out=avg)
            else:
                param -= xp.multiply(xp.divide(grad, avg, out=avg), lr, out=avg)
            bump_version(p)  # saved copies of p are now stale
