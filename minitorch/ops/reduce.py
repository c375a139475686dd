"""Reductions over dimensions (``dim`` is None, an int or a tuple; negatives allowed).

Each backward first puts the reduced dimensions back as size-1 axes
(``_unreduce``), then lets broadcasting spread the gradient over them.
"""
from ..autograd.function import Function
from ..backend import xp


class Sum(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.in_shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return a._data.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx).expand(ctx.in_shape), None, None

    @staticmethod
    def backward_arrays(ctx, grad):
        return _expand_to(_unreduce(grad, ctx), ctx.in_shape), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.in_shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        total = a._data.sum(axis=dim, keepdims=keepdim)  # sum / n: faster than ndarray.mean
        ctx.count = a._data.size // max(1, total.size) if a._data.size else 0
        return total / ctx.count if ctx.count else total * xp.nan

    @staticmethod
    def backward(ctx, grad):
        scale = 1.0 / max(ctx.count, 1)
        return (_unreduce(grad, ctx) * scale).expand(ctx.in_shape), None, None

    @staticmethod
    def backward_arrays(ctx, grad):
        return _expand_to(_unreduce(grad, ctx) / max(ctx.count, 1), ctx.in_shape), None, None


class _Extreme(Function):
    """Max or min over ``dim``; tied extremes share the gradient equally (as PyTorch)."""

    reduce = None  # xp.max or xp.min

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        ctx.save_for_backward(a)
        ctx.in_shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return cls.reduce(a._data, axis=dim, keepdims=keepdim)

    @classmethod
    def backward(cls, ctx, grad):
        (a,) = ctx.saved_tensors
        chosen = a._data == cls.reduce(a._data, axis=ctx.dim, keepdims=True)
        share = chosen / chosen.sum(axis=ctx.dim, keepdims=True)
        return _unreduce(grad, ctx) * _make_tensor(share.astype(grad.dtype)), None, None


class Max(_Extreme):
    reduce = staticmethod(xp.max)


class Min(_Extreme):
    reduce = staticmethod(xp.min)


class LogSumExp(Function):
    """log(sum(exp(a))) over ``dim``, shifted by the maximum so 1e4 does not overflow."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.save_for_backward(a)
        ctx.in_shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return _logsumexp(a._data, dim, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        softmax = (a - a.logsumexp(ctx.dim, keepdim=True)).exp()
        return _unreduce(grad, ctx) * softmax, None, None


class Softmax(Function):
    """exp(a) / sum(exp(a)) along ``dim``, shifted by the maximum."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.save_for_backward(a)
        ctx.dim = dim
        return _softmax(a._data, dim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        out = a.softmax(ctx.dim)
        return out * (grad - (grad * out).sum(ctx.dim, keepdim=True)), None

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        out = _softmax(a._data, ctx.dim)
        return out * (grad - (grad * out).sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Function):
    """a - logsumexp(a) along ``dim``: finite even for logits of 1e4."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.save_for_backward(a)
        ctx.dim = dim
        return a._data - _logsumexp(a._data, dim, True)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad - a.softmax(ctx.dim) * grad.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        softmax = _softmax(a._data, ctx.dim)
        return grad - softmax * grad.sum(axis=ctx.dim, keepdims=True), None


def _expand_to(array, shape):
    """``array`` broadcast to ``shape``: a read-only view, or for a one-element
    array (the gradient of a full reduction) a filled array, which NumPy makes
    several times faster than the view."""
    if array.size == 1:
        return xp.full(shape, array.reshape(()), dtype=array.dtype)
    return xp.broadcast_to(array, shape)


def _softmax(array, dim):
    """Softmax of an array along ``dim``, shifted by the maximum."""
    shifted = array - array.max(axis=dim, keepdims=True)
    exp = xp.exp(shifted, out=shifted)
    exp /= exp.sum(axis=dim, keepdims=True)
    return exp


def _logsumexp(array, dim, keepdim):
    """Stable log-sum-exp of an array; rows of -inf give -inf, not nan."""
    shift = array.max(axis=dim, keepdims=True)
    shift = xp.where(xp.isfinite(shift), shift, 0)
    out = xp.log(xp.exp(array - shift).sum(axis=dim, keepdims=True))
    out += shift
    if not keepdim:
        out = out.squeeze(axis=dim)
    return out


def _unreduce(grad, ctx):
    """``grad`` (array or Tensor) with the reduced dimensions restored as size 1."""
    if ctx.keepdim or ctx.dim is None or not ctx.in_shape:
        return grad
    ndim = len(ctx.in_shape)
    dims = (ctx.dim,) if isinstance(ctx.dim, int) else ctx.dim
    dims = {d % ndim for d in dims}
    return grad.reshape(tuple(1 if i in dims else n for i, n in enumerate(ctx.in_shape)))


from ..tensor import _make_tensor  # noqa: E402
