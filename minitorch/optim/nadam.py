"""NAdam with PyTorch's exact update rule."""
from ..backend import xp
from ..tensor import bump_version
from .optimizer import (COMMON_FLAGS, Optimizer, betas, flag, non_negative, unsupported_flag,
                        zeros_like)


class NAdam(Optimizer):
    """Adam with Nesterov momentum (Dozat), as ``torch.optim.NAdam`` (same arguments
    and defaults). PyTorch's documented NAdam algorithm, for parameter p, gradient g,
    step t and psi = momentum_decay::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)   if decoupled_weight_decay
        g = g + weight_decay * p          otherwise (the L2 penalty)
        mu_t = beta1 * (1 - 0.96**(t * psi) / 2);  mu_{t+1} likewise
        P = P * mu_t                      (P: the product of all mu so far)
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P) * g / d
              - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / d

    State per parameter: ``step``, ``mu_product`` (P, a float), ``exp_avg`` (m) and
    ``exp_avg_sq`` (v). ``foreach`` is accepted and changes nothing; ``capturable``
    and ``differentiable`` must be False. Raises ValueError for a negative lr, eps,
    weight_decay or momentum_decay or betas outside [0, 1), TypeError for a value of
    the wrong type.
    """

    _hyperparameters = {"lr": non_negative, "betas": betas, "eps": non_negative,
                        "weight_decay": non_negative, "momentum_decay": non_negative,
                        "decoupled_weight_decay": flag, **COMMON_FLAGS,
                        "capturable": unsupported_flag}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list)
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable))

    def _state_keys(self, group):
        return {"step", "mu_product", "exp_avg", "exp_avg_sq"}

    def _update(self, group, params, grads):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        momentum_decay = group["momentum_decay"]
        for p, grad in zip(params, grads):
            param = p._data
            state = self.state[p]
            if "step" not in state:
                state.update(step=0, mu_product=1.0, exp_avg=zeros_like(p),
                             exp_avg_sq=zeros_like(p))
            state["step"] = step = state["step"] + 1
            mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))
            mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
            state["mu_product"] = mu_product = state["mu_product"] * mu
            (one_minus_beta1, beta2_, one_minus_beta2, eps, bias_correction2, grad_step,
             avg_step) = self._scalars(param.dtype, 1 - beta1, beta2, 1 - beta2, group["eps"],
                                       1 - beta2 ** step, lr * (1 - mu) / (1 - mu_product),
                                       lr * mu_next / (1 - mu_product * mu_next))
            grad = self._weight_decayed(p, grad, group)
            scratch, denom = self._work(p, 1), self._work(p, 2)
            exp_avg, exp_avg_sq = self._update_moments(state, grad, one_minus_beta1, beta2_,
                                                       one_minus_beta2, scratch)
            xp.sqrt(xp.divide(exp_avg_sq, bias_correction2, out=denom), out=denom)
            denom += eps
            param -= xp.multiply(xp.divide(grad, denom, out=scratch), grad_step, out=scratch)
            param -= xp.multiply(xp.divide(exp_avg, denom, out=scratch), avg_step, out=scratch)
            bump_version(p)  # saved copies of p are now stale
