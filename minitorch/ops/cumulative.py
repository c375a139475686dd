"""Cumulative sums and products, and the product reduction.

Products need care at zeros: the textbook gradient ``out / x`` divides by zero.
The rules here follow PyTorch's (``cumprod_backward`` and ``prod_backward`` in its
``FunctionsManual.cpp``): every derivative is written as products of the *other*
inputs, so zeros get exact first and second derivatives.
"""
from ..autograd.function import Primitive
from ..backend import xp
from . import either


class Cumsum(Primitive):
    """Running sums along ``dim``; the gradient is the reversed running sum."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return xp.cumsum(a._data, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return either.reverse_cumsum(grad, ctx.dim), None


class Cumprod(Primitive):
    """Running products along ``dim``: out_i = x_0 x_1 ... x_i.

    d out_i / d x_k = prod_{j <= i, j != k} x_j, so the gradient at k is
    sum_{i >= k} g_i out_i / x_k where x_k != 0 (the products past a zero are
    zero, so this stays exact), and at a zero x_k it is
    prod(x[:k]) * (g_k + sum_{i > k} g_i prod(x[k+1:i+1])), computed for each
    position that holds a zero.
    """

    @staticmethod
    def forward(ctx, a, dim):
        ctx.save_for_backward(a)
        ctx.dim = dim
        return xp.cumprod(a._data, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        dim = ctx.dim % a.ndim
        zero = either.array(a) == 0
        out = either.cumprod(a, dim)
        if not zero.any():
            return either.reverse_cumsum(grad * out, dim) / a, None
        result = either.where(zero, 0, either.reverse_cumsum(grad * out, dim) /
                              either.where(zero, 1, a))
        lead = (slice(None),) * dim
        for k in xp.flatnonzero(zero.any(axis=tuple(d for d in range(a.ndim) if d != dim))):
            k = int(k)
            at_k = lead + (slice(k, k + 1),)
            total = grad[at_k]  # g_k + sum_{i > k} g_i prod(x[k+1:i+1])
            if k + 1 < a.shape[dim]:
                after = lead + (slice(k + 1, None),)
                total = total + either.sum(grad[after] * either.cumprod(a[after], dim), dim,
                                           keepdim=True)
            if k > 0:  # times prod(x[:k])
                total = total * either.cumprod(a[lead + (slice(0, k),)], dim)[lead + (
                    slice(k - 1, k),)]
            here = xp.zeros(zero.shape, dtype=bool)
            here[at_k] = zero[at_k]
            result = either.where(here, total, result)
        return result, None


class Prod(Primitive):
    """Product over ``dim`` (an int, or None for all elements).

    The gradient at x_k is the product of all the other elements,
    prod(x[:k]) * prod(x[k+1:]): two exclusive running products, exact with zeros.
    """

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.save_for_backward(a)
        ctx.dim, ctx.keepdim = dim, keepdim
        return a._data.prod(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, dim = a.shape, ctx.dim
        if dim is None:  # the product of all elements: one flat dimension
            a, dim = a.reshape(-1), 0
        else:
            dim %= max(1, a.ndim)
            if not ctx.keepdim and a.ndim:
                grad = grad.reshape(a.shape[:dim] + (1,) + a.shape[dim + 1:])
        if a.ndim == 0 or a.shape[dim] == 0:
            return either.expand(grad, shape), None, None
        others = _exclusive_cumprod(a, dim) * either.flip(
            _exclusive_cumprod(either.flip(a, dim), dim), dim)
        return (grad * others).reshape(shape), None, None


def _exclusive_cumprod(a, dim):
    """[1, x_0, x_0 x_1, ...]: the product of the elements before each position."""
    n = a.shape[dim]
    shifted = xp.concatenate([[0], xp.arange(n - 1)])  # position i reads i - 1
    lead = (slice(None),) * dim
    first = xp.zeros((n,) + (1,) * (a.ndim - dim - 1), dtype=bool)
    first[0] = True
    return either.where(first, 1, either.cumprod(a, dim)[lead + (shifted,)])
