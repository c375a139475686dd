"""Indexing: ``x[index]``, ``x[index] = v`` and ``gather``, with their scatter-adds.

Gradients of repeated integer indices accumulate (``np.add.at``), so
``x[[0, 0]].sum()`` gives ``x.grad[0] == 2``.
"""
from ..autograd.function import Primitive
from ..backend import ndarray, xp
from ..tensor import _make_tensor
from . import either


class GetItem(Primitive):
    node_name = "IndexBackward0"
    makes_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.index = a._data.shape, index
        try:
            return a._data[index]
        except IndexError as error:
            raise IndexError(f"getitem: index {_describe(index)} is invalid for a tensor "
                             f"of shape {tuple(a.shape)}: {error}") from None

    @staticmethod
    def backward(ctx, grad):
        return either.apply(IndexAdd, grad, ctx.index, ctx.in_shape), None


class IndexAdd(Primitive):
    """Zeros of ``shape`` with ``values`` added at ``index`` (the backward of GetItem)."""

    @staticmethod
    def forward(ctx, values, index, shape):
        ctx.index = index
        return _index_add(values._data, index, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None, None


class SetItem(Primitive):
    """A copy of ``a`` with ``value`` written at ``index`` (``a[index] = value``)."""

    @staticmethod
    def forward(ctx, a, index, value):
        ctx.index = index
        out = a._data.copy()
        try:
            out[index] = value._data
        except (IndexError, ValueError) as error:
            raise type(error)(f"setitem: cannot assign a value of shape {tuple(value.shape)} at "
                              f"index {_describe(index)} of a tensor of shape {tuple(a.shape)}: "
                              f"{error}") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a, _, grad_value = ctx.needs_input_grad
        return (_set_zero(grad, ctx.index) if grad_a else None, None,
                grad[ctx.index] if grad_value else None)


class Gather(Primitive):
    """``out[i][j] = a[i][index[i][j]]`` along ``dim`` (``index`` has a's ndim)."""

    @staticmethod
    def forward(ctx, a, dim, index):
        if index.ndim != a.ndim or index.dtype.kind not in "iu":
            raise ValueError(f"gather: index must be an integer array with the input's "
                             f"{a.ndim} dimensions, got dtype {index.dtype} shape "
                             f"{tuple(index.shape)}")
        ctx.in_shape, ctx.dim, ctx.index = a._data.shape, dim, index
        return _take_along(a._data, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return either.apply(ScatterAdd, grad, ctx.dim, ctx.index, ctx.in_shape), None, None


class ScatterAdd(Primitive):
    """Zeros of ``shape`` with ``values`` added at ``index`` along ``dim``."""

    @staticmethod
    def forward(ctx, values, dim, index, shape):
        ctx.dim, ctx.index = dim, index
        return _scatter_add(values._data, dim, index, shape)

    @staticmethod
    def backward(ctx, grad):
        return either.apply(Gather, grad, ctx.dim, ctx.index), None, None, None


def _take_along(array, dim, index):
    """``array`` read at ``index`` along ``dim``; as PyTorch, ``index`` may be smaller
    than ``array`` in the other dimensions."""
    dim = dim % array.ndim
    region = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
    return xp.take_along_axis(array[region], index, axis=dim)


def _scatter_add(values, dim, index, shape):
    """Zeros of ``shape`` with the array ``values`` added at ``index`` along ``dim``."""
    out = xp.zeros_like(values, shape=shape, order="C")
    xp.add.at(out, _along_axis(index, dim), values)
    return out


def _set_zero(grad, index):
    """``grad`` with zeros written at ``index`` (a copy; recorded for Tensors)."""
    zero = _make_tensor(xp.zeros((), either.array(grad).dtype))
    return either.apply(SetItem, grad, index, zero)


def _index_add(values, index, shape):
    """Zeros of ``shape`` with the array ``values`` added at ``index`` (repeats add up)."""
    out = xp.zeros_like(values, shape=shape, order="C")
    if _is_advanced(index):
        xp.add.at(out, index, values)
    else:
        out[index] = values
    return out


def _is_advanced(index):
    """True when the index holds arrays or lists (NumPy's advanced indexing)."""
    if isinstance(index, (ndarray, list)):
        return True
    return isinstance(index, tuple) and any(isinstance(i, (ndarray, list)) for i in index)


def _along_axis(index, dim):
    """The full fancy index that ``take_along_axis(a, index, dim)`` reads."""
    dim = dim % index.ndim
    grids = []
    for axis, size in enumerate(index.shape):
        if axis == dim:
            grids.append(index)
        else:
            shape = [1] * index.ndim
            shape[axis] = size
            grids.append(xp.arange(size).reshape(shape))
    return tuple(grids)


def _describe(index):
    if isinstance(index, ndarray):
        return f"array(shape={tuple(index.shape)}, dtype={index.dtype})"
    if isinstance(index, tuple):
        return "(" + ", ".join(_describe(i) for i in index) + ")"
    return repr(index)


