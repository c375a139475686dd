"""Gradient utilities: ``clip_grad_norm_`` and ``clip_grad_value_``."""
import math

from ..creation import tensor

from ..backend import xp
from ..tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad._data for p in parameters if p.grad is not None]


def _power_sum(g, p):
    """sum(|g| ** p), with the common p = 2 as one dot product."""
    if p == 2.0:
        flat = g.reshape(-1)
        return float(xp.dot(flat, flat))
    return float((xp.abs(g) ** p).sum())


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients in place so that their total norm (the norm of all of
    them concatenated) is at most ``max_norm``; returns the total norm before
    clipping as a 0-d Tensor. ``norm_type`` may be ``float('inf')``."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    if norm_type == math.inf:
        total = max(float(xp.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        total = sum(_power_sum(g, norm_type) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{total}, so they cannot be clipped; set error_if_nonfinite=False to ignore")
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads:
            g *= scale
    return tensor(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element in place to [-clip_value, clip_value]."""
    for g in _grads(parameters):
        xp.clip(g, -clip_value, clip_value, out=g)
