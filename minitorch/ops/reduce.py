"""Reductions over dimensions (``dim`` is None, an int or a tuple; negatives allowed).

Each backward first puts the reduced dimensions back as size-1 axes
(``_unreduce``), then lets broadcasting spread the gradient over them.
"""
from ..autograd.function import Primitive
from ..backend import xp
from . import either
from .either import _logsumexp, _softmax


class Sum(Primitive):
    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.in_shape, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        return a._data.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return either.expand(_unreduce(grad, ctx), ctx.in_shape), None, None


class Mean(Primitive):
    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.in_shape, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        total = a._data.sum(axis=dim, keepdims=keepdim)  # sum / n: faster than ndarray.mean
        ctx.count = a._data.size // max(1, total.size) if a._data.size else 0
        return total / ctx.count if ctx.count else total * xp.nan

    @staticmethod
    def backward(ctx, grad):
        return either.expand(_unreduce(grad, ctx) / max(ctx.count, 1), ctx.in_shape), None, None


class _Extreme(Primitive):
    """Max or min over ``dim``; tied extremes share the gradient equally (as PyTorch)."""

    reduce = None  # xp.max or xp.min

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        ctx.in_shape, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        out = cls.reduce(a._data, axis=dim, keepdims=keepdim)
        if ctx.recording:  # each element's share of the gradient: a constant
            chosen = a._data == cls.reduce(a._data, axis=dim, keepdims=True)
            ctx.share = (chosen / chosen.sum(axis=dim, keepdims=True)).astype(a._data.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx) * ctx.share, None, None


class Max(_Extreme):
    node_name = "AmaxBackward0"
    reduce = staticmethod(xp.max)


class Min(_Extreme):
    node_name = "AminBackward0"
    reduce = staticmethod(xp.min)


class LogSumExp(Primitive):
    """log(sum(exp(a))) over ``dim``, shifted by the maximum so 1e4 does not overflow."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.save_for_backward(a)
        ctx.in_shape, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        return _logsumexp(a._data, dim, keepdim)

    node_name = "LogsumexpBackward0"

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        softmax = either.exp(a - either.logsumexp(a, ctx.dim, keepdim=True))
        return _unreduce(grad, ctx) * softmax, None, None


class Softmax(Primitive):
    """exp(a) / sum(exp(a)) along ``dim``, shifted by the maximum."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.save_for_backward(a)
        ctx.dim = dim
        return _softmax(a._data, dim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        out = either.softmax(a, ctx.dim)
        return out * (grad - either.sum(grad * out, ctx.dim, keepdim=True)), None


class LogSoftmax(Primitive):
    """a - logsumexp(a) along ``dim``: finite even for logits of 1e4."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.save_for_backward(a)
        ctx.dim = dim
        return a._data - _logsumexp(a._data, dim, True)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad - either.softmax(a, ctx.dim) * either.sum(grad, ctx.dim, keepdim=True), None


def _unreduce(grad, ctx):
    """``grad`` (array or Tensor) with the reduced dimensions restored as size 1."""
    if ctx.keepdim or ctx.dim is None or not ctx.in_shape:
        return grad
    ndim = len(ctx.in_shape)
    dims = (ctx.dim,) if isinstance(ctx.dim, int) else ctx.dim
    dims = {d % ndim for d in dims}
    return grad.reshape(tuple(1 if i in dims else n for i, n in enumerate(ctx.in_shape)))

