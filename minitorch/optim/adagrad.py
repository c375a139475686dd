"""Adagrad with PyTorch's exact update rule."""
from ..backend import xp
from ..tensor import bump_version
from .optimizer import COMMON_FLAGS, Optimizer, non_negative, optional_flag, zeros_like


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), as ``torch.optim.Adagrad`` (same arguments and
    defaults). PyTorch's documented Adagrad algorithm, for parameter p, gradient g,
    step t::

        g = -g if maximize
        g = g + weight_decay * p                    if weight_decay
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g             (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    State per parameter, created with the optimizer as in PyTorch: ``step`` and
    ``sum`` (s). ``foreach`` and ``fused`` are accepted and change nothing;
    ``differentiable`` must be False. Raises ValueError for a negative lr, lr_decay,
    weight_decay, initial_accumulator_value or eps, TypeError for a value of the
    wrong type.
    """

    _hyperparameters = {"lr": non_negative, "lr_decay": non_negative, "eps": non_negative,
                        "weight_decay": non_negative,
                        "initial_accumulator_value": non_negative, **COMMON_FLAGS,
                        "fused": optional_flag}

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self._init_state(p, group)

    def _init_state(self, p, group):
        self.state[p].update(step=0, sum=zeros_like(p, group["initial_accumulator_value"]))

    def _state_keys(self, group):
        return {"step", "sum"}

    def _update(self, group, params, grads):
        lr, lr_decay = group["lr"], group["lr_decay"]
        scalars_for = None
        for p, grad in zip(params, grads):
            param = p._data
            state = self.state[p]
            if "step" not in state:  # e.g. a state dict that had none for p
                self._init_state(p, group)
            state["step"] = step = state["step"] + 1
            if scalars_for != (param.dtype, step):  # as 0-d arrays of p's dtype
                scalars_for = (param.dtype, step)
                eps, clr = self._scalars(param.dtype, group["eps"],
                                         lr / (1 + (step - 1) * lr_decay))
            grad = self._gradient(p, grad, group["maximize"], group["weight_decay"])
            scratch = self._work(p, 1)
            state_sum = state["sum"]._data
            state_sum += xp.multiply(grad, grad, out=scratch)
            std = xp.sqrt(state_sum, out=scratch)
            std += eps
            param -= xp.multiply(xp.divide(grad, std, out=std), clr, out=std)
            bump_version(p)  # saved copies of p are now stale
