"""Normalisation: ``(x - mean) / sqrt(var + eps)`` over some dimensions, in one node.

Batch, layer and group normalisation all standardise a tensor over some of its
dimensions and then scale and shift it; ``Normalize`` is the first part, and
``nn.functional`` adds the (broadcast) weight and bias with ordinary operations.
"""
from ..autograd.function import Primitive
from ..backend import xp
from . import either


def moments(array, dims):
    """Mean and biased variance of the array ``array`` over ``dims`` (kept as size 1)."""
    count = _count(array.shape, dims)
    mean = array.sum(axis=dims, keepdims=True) / count
    centered = array - mean
    centered *= centered
    var = centered.sum(axis=dims, keepdims=True) / count
    return mean, var


class Normalize(Primitive):
    """``(x - mean) / sqrt(var + eps)`` with the mean and the biased variance taken over
    ``dims`` (a tuple). ``stats``: the pair ``moments(x, dims)`` when the caller
    already has it (batch norm needs it for its running statistics), else None.

    The gradient, with x_hat the output and m the number of elements averaged:
    ``(g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)``, the means over
    ``dims`` (the batch-norm backward of Ioffe and Szegedy, 2015). The rule
    recomputes the statistics from the saved input, so its second derivative is
    exact.
    """

    node_name = "NativeNormBackward0"

    @staticmethod
    def forward(ctx, x, dims, eps, stats):
        mean, var = moments(x._data, dims) if stats is None else stats
        ctx.save_for_backward(x)
        ctx.dims, ctx.eps = dims, eps
        return (x._data - mean) * (1 / xp.sqrt(var + eps))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dims = ctx.dims
        count = _count(x.shape, dims)
        centered = x - either.sum(x, dims, keepdim=True) / count
        inv_std = 1 / either.sqrt(either.sum(centered * centered, dims, keepdim=True) / count
                                  + ctx.eps)
        normalized = centered * inv_std
        mean_grad = either.sum(grad, dims, keepdim=True) / count
        mean_projection = either.sum(grad * normalized, dims, keepdim=True) / count
        return inv_std * (grad - mean_grad - normalized * mean_projection), None, None, None


def _count(shape, dims):
    count = 1
    for d in dims:
        count *= shape[d]
    return count
