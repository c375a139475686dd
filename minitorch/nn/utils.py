"""Parameter utilities, as in ``torch.nn.utils``: gradient clipping
(``clip_grad_norm_``, ``clip_grad_value_``) and flattening parameters into one
vector and back (``parameters_to_vector``, ``vector_to_parameters``)."""
import math
import numbers

from ..autograd import no_grad
from ..creation import tensor
from ..methods import cat
from ..tensor import bump_version

from ..backend import xp
from ..tensor import Tensor


def _as_list(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(array, norm_type):
    """``torch.linalg.vector_norm(array, norm_type)`` of a whole array, as a float."""
    if array.size == 0:
        return 0.0 if norm_type != -math.inf else math.inf
    magnitudes = xp.abs(array.astype(xp.float64, copy=False))
    if norm_type == math.inf:
        return float(magnitudes.max())
    if norm_type == -math.inf:
        return float(magnitudes.min())
    if norm_type == 0:
        return float(xp.count_nonzero(magnitudes))
    if norm_type == 2:
        flat = magnitudes.reshape(-1)
        return math.sqrt(float(xp.dot(flat, flat)))
    return float((magnitudes ** norm_type).sum() ** (1.0 / norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale the gradients in place so that their total norm is at most ``max_norm``;
    returns the total norm before clipping as a 0-d Tensor (of the gradients' dtype;
    ``mt.tensor(0.0)`` when no parameter has a gradient).

    PyTorch's documented computation: the total norm is the ``norm_type`` vector
    norm of the per-parameter norms (``float('inf')`` allowed), and every gradient
    is multiplied by ``min(max_norm / (total + 1e-6), 1)`` in its own dtype, so a
    NaN or infinite total makes the gradients NaN (or zero) unless
    ``error_if_nonfinite=True``, which raises RuntimeError before changing any.
    ``foreach`` is accepted for PyTorch compatibility (there is one implementation).
    """
    parameters = _as_list(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return tensor(0.0)
    dtype = grads[0]._data.dtype
    norms = [_vector_norm(g._data, norm_type) for g in grads]
    total = dtype.type(_vector_norm(xp.asarray(norms), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite ({total}), so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    coefficient = min(dtype.type(max_norm) / (total + dtype.type(1e-6)), dtype.type(1.0))
    if not coefficient == 1.0:  # also when NaN: PyTorch multiplies by it
        for p in parameters:
            if p.grad is not None:
                _scale_grad(p, coefficient)
    return tensor(total, dtype=dtype)


def _scale_grad(p, coefficient):
    """``p.grad *= coefficient`` in place (a new array when it cannot be written)."""
    grad = p.grad
    coefficient = grad._data.dtype.type(coefficient)
    with xp.errstate(invalid="ignore"):  # inf * 0 is NaN, as in PyTorch
        if grad._data.flags.writeable and grad.grad_fn is None:
            grad._data *= coefficient
            bump_version(grad)
        else:
            p.grad = tensor(grad._data * coefficient)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element in place to ``[-clip_value, clip_value]``
    (NaN stays NaN, as with ``clamp``). ``foreach`` is accepted for PyTorch
    compatibility. Raises TypeError for a non-number ``clip_value``."""
    if not isinstance(clip_value, numbers.Real):
        raise TypeError(f"clip_grad_value_: clip_value must be a number, got "
                        f"{type(clip_value).__name__}")
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        grad = p.grad
        if grad is None:
            continue
        if grad._data.flags.writeable and grad.grad_fn is None:
            xp.clip(grad._data, -clip_value, clip_value, out=grad._data)
            bump_version(grad)
        else:
            p.grad = tensor(xp.clip(grad._data, -clip_value, clip_value))


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-D tensor (differentiable,
    a copy). Raises ValueError when there are none."""
    parameters = _as_list(parameters)
    if not parameters:
        raise ValueError("parameters_to_vector: expected at least one parameter, got none")
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: parameter {i} is a {type(p).__name__}, "
                            "expected a Tensor")
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D tensor ``vec`` into ``parameters`` (in place,
    cast to each parameter's dtype; not recorded by autograd), the inverse of
    ``parameters_to_vector``.

    Raises TypeError when ``vec`` is not a Tensor and ValueError when it is not 1-D
    or its length is not the parameters' total number of elements, before any
    parameter changes.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    parameters = _as_list(parameters)
    total = sum(math.prod(p.shape) for p in parameters)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: expected a 1-D tensor of {total} elements "
                         f"(the parameters' total), got shape {tuple(vec.shape)}")
    start = 0
    with no_grad():
        for p in parameters:
            stop = start + math.prod(p.shape)
            p.copy_(vec[start:stop].reshape(p.shape))
            start = stop
