"""Stochastic gradient descent with PyTorch's exact update rule."""
from ..backend import xp
from ..tensor import bump_version
from .optimizer import Optimizer


class SGD(Optimizer):
    """SGD with optional momentum, dampening, weight decay and Nesterov momentum.

    For each parameter p with gradient g, as in ``torch.optim.SGD``::

        g = -g if maximize
        g = g + weight_decay * p                      if weight_decay
        b = g (first step) or momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov else b       if momentum
        p = p - lr * g
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _check_group(self, group):
        for key in ("lr", "momentum", "weight_decay"):
            if not group[key] >= 0.0:
                raise ValueError(f"SGD: invalid {key} {group[key]!r} (must be >= 0)")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']})")

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = (group["weight_decay"], group["nesterov"],
                                                group["maximize"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                param, grad = p._data, p.grad._data
                work = self._work(p)
                if weight_decay != 0:
                    grad = xp.multiply(param, weight_decay, out=work)
                    if maximize:
                        xp.subtract(grad, p.grad._data, out=grad)
                    else:
                        grad += p.grad._data
                elif maximize:
                    grad = xp.negative(grad, out=work)
                if momentum != 0:
                    state = self.state.get(p)
                    if state is None:
                        buf = grad.copy()
                        self.state[p] = {"momentum_buffer": buf}
                    else:
                        buf = state["momentum_buffer"]
                        buf *= momentum
                        if dampening == 0:
                            buf += grad
                        else:
                            buf += xp.multiply(grad, 1 - dampening, out=self._work(p, 1))
                    if nesterov:
                        grad = xp.add(grad, xp.multiply(buf, momentum, out=self._work(p, 1)),
                                      out=work)
                    else:
                        grad = buf
                param -= xp.multiply(grad, lr, out=work)
                bump_version(p)  # saved copies of p are now stale
        return loss
