"""Normalisation: ``(x - mean) / sqrt(var + eps) * weight + bias`` in one graph node.

Batch, layer and group normalisation standardise a tensor over some of its
dimensions with the biased variance, then scale and shift it with parameters
that span other (or the same) dimensions. A ``Layout`` says which: the
statistics are taken over ``dims`` of x seen as ``grouped`` (group norm views
(N, C, *) as (N, groups, -1)), and weight and bias, shaped ``param_shape`` for
broadcasting against x, get gradients summed over ``param_sums``. One rule
serves the three layers; each has its own class only for the name PyTorch gives
its ``grad_fn``.
"""
from typing import NamedTuple

from ..autograd.function import Primitive
from ..backend import xp
from . import either


class Layout(NamedTuple):
    """How a normalisation reads x: ``grouped`` (a shape to view x as, or None),
    ``dims`` (the statistics' dimensions of that view), ``param_shape`` (weight and
    bias reshaped to broadcast against x) and ``param_sums`` (the dimensions of x
    summed for their gradients)."""

    grouped: tuple
    dims: tuple
    param_shape: tuple
    param_sums: tuple


def moments(array, dims):
    """Mean and biased variance of the array ``array`` over ``dims`` (kept as size 1)."""
    count = _count(array.shape, dims)
    mean = array.sum(axis=dims, keepdims=True) / count
    centered = array - mean
    centered *= centered
    return mean, centered.sum(axis=dims, keepdims=True) / count


class _Normalize(Primitive):
    """``(x - mean) / sqrt(var + eps) * weight + bias``, the statistics (mean, biased
    variance) over ``layout.dims``; weight and bias may be None. ``stats``: the pair
    ``moments`` gives for x (as ``layout.grouped``) when the caller has it already
    (batch norm needs it for its running statistics), else None.

    The rule, with x_hat the normalised x, g the gradient and means over ``dims``
    (Ioffe and Szegedy, 2015): dL/dx = (g' - mean(g') - x_hat * mean(g' * x_hat)) /
    sqrt(var + eps) with g' = g * weight; dL/dweight = sum(g * x_hat); dL/dbias =
    sum(g). On Tensors (``create_graph``) the rule recomputes the statistics from the
    saved input, so its second derivative is exact; on arrays it reuses the forward's.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, layout, eps, stats):
        array = x._data
        grouped = array.reshape(layout.grouped) if layout.grouped else array
        mean, var = moments(grouped, layout.dims) if stats is None else stats
        inv_std = 1 / xp.sqrt(var + eps)
        normalized = (grouped - mean) * inv_std
        if ctx.recording:  # the rule's statistics on arrays (on Tensors it recomputes them)
            ctx.statistics = inv_std, normalized
        out = normalized.reshape(array.shape)  # (a view: kept intact below)
        if weight is not None:
            out = out * weight._data.reshape(layout.param_shape)
        if bias is not None:
            bias_array = bias._data.reshape(layout.param_shape)
            out = out + bias_array if weight is None else xp.add(out, bias_array, out=out)
        ctx.save_for_backward(x, weight)
        ctx.layout, ctx.eps = layout, eps
        if bias is not None:
            ctx.bias_shape = bias._data.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        layout = ctx.layout
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        grouped = x.reshape(layout.grouped) if layout.grouped else x
        dims = layout.dims
        count = _count(grouped.shape, dims)
        if either.is_tensor(x):  # recorded: the statistics as functions of x
            centered = grouped - either.sum(grouped, dims, keepdim=True) / count
            inv_std = 1 / either.sqrt(either.sum(centered * centered, dims, keepdim=True)
                                      / count + ctx.eps)
            normalized = centered * inv_std
        else:  # the same values, kept by the forward
            inv_std, normalized = ctx.statistics
        grad_x = grad_weight = grad_bias = None
        if need_weight:
            grad_weight = either.sum(grad * normalized.reshape(x.shape),
                                     layout.param_sums).reshape(weight.shape)
        if need_bias:
            grad_bias = either.sum(grad, layout.param_sums).reshape(ctx.bias_shape)
        if need_x:
            scaled = grad if weight is None else grad * weight.reshape(layout.param_shape)
            scaled = scaled.reshape(layout.grouped) if layout.grouped else scaled
            mean_grad = either.sum(scaled, dims, keepdim=True) / count
            projection = either.sum(scaled * normalized, dims, keepdim=True) / count
            grad_x = (inv_std * (scaled - mean_grad - normalized * projection)).reshape(x.shape)
        return grad_x, grad_weight, grad_bias, None, None, None


class BatchNorm(_Normalize):
    """Batch normalisation in training: statistics per channel over batch and positions."""

    node_name = "NativeBatchNormBackward0"


class LayerNorm(_Normalize):
    """Layer normalisation: statistics per sample over the last dimensions."""

    node_name = "NativeLayerNormBackward0"


class GroupNorm(_Normalize):
    """Group normalisation: statistics per sample over each group of channels."""

    node_name = "NativeGroupNormBackward0"


def _count(shape, dims):
    count = 1
    for d in dims:
        count *= shape[d]
    return count
