"""Stochastic gradient descent with PyTorch's exact update rule."""
from ..backend import xp
from ..creation import from_numpy
from ..tensor import bump_version
from .optimizer import COMMON_FLAGS, Optimizer, flag, non_negative, optional_flag, real


class SGD(Optimizer):
    """SGD with optional momentum, dampening, weight decay and Nesterov momentum,
    as ``torch.optim.SGD`` (same arguments and defaults). For each parameter p with
    gradient g (PyTorch's documented SGD algorithm)::

        g = -g if maximize
        g = g + weight_decay * p                      if weight_decay
        b = g (first step) or momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov else b       if momentum
        p = p - lr * g

    State per parameter: ``momentum_buffer`` (only when momentum is used).
    ``foreach`` and ``fused`` are accepted and change nothing (one implementation);
    ``differentiable=True`` is not supported (ValueError). Raises ValueError for a
    negative lr, momentum or weight_decay and for Nesterov without momentum or with
    dampening, TypeError for a value of the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "momentum": non_negative, "dampening": real,
                        "weight_decay": non_negative, "nesterov": flag, **COMMON_FLAGS,
                        "fused": optional_flag}

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _check_group(self, group, where):
        super()._check_group(group, where)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']} in {where})")

    def _state_keys(self, group):
        return {"momentum_buffer"} if group["momentum"] != 0 else set()

    def _update(self, group, params, grads):
        momentum, dampening, nesterov = group["momentum"], group["dampening"], group["nesterov"]
        maximize, weight_decay = group["maximize"], group["weight_decay"]
        dtype = None
        for p, grad in zip(params, grads):
            param = p._data
            if param.dtype is not dtype:  # the scalars as 0-d arrays of p's dtype
                dtype = param.dtype
                lr, momentum_, undamped = self._scalars(dtype, group["lr"], momentum,
                                                        1 - dampening)
            work = self._work(p)
            if weight_decay != 0 or maximize:
                grad = self._gradient(p, grad, maximize, weight_decay)
            if momentum != 0:
                state = self.state[p]
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buf = grad.copy()
                    state["momentum_buffer"] = from_numpy(buf)
                else:
                    buf = buffer._data
                    buf *= momentum_
                    if dampening == 0:
                        buf += grad
                    else:
                        buf += xp.multiply(grad, undamped, out=self._work(p, 1))
                if nesterov:
                    grad = xp.add(grad, xp.multiply(buf, momentum_, out=self._work(p, 1)),
                                  out=work)
                else:
                    grad = buf
            param -= xp.multiply(grad, lr, out=work)
            bump_version(p)  # saved copies of p are now stale
