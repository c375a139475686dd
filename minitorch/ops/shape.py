"""Shape operations: reshape, permute, expand, concatenate, diagonals.

They move or copy values without arithmetic, so each backward is the inverse
move of the gradient.
"""
from ..autograd.function import Primitive
from ..backend import xp
from . import either


class Reshape(Primitive):
    """A new shape for the same values; a view when the memory layout allows."""

    node_name = "ViewBackward0"
    makes_view = True

    @staticmethod
    def forward(ctx, a, shape, view_only=False):
        """``view_only`` (``Tensor.view``): raise instead of copying, as PyTorch does."""
        ctx.in_shape = a._data.shape
        try:
            out = a._data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"{'view' if view_only else 'reshape'}: cannot reshape a tensor of shape "
                f"{tuple(a._data.shape)} ({a._data.size} elements) into {shape}") from None
        if view_only and out.size and not xp.may_share_memory(out, a._data):
            raise RuntimeError(
                f"view: the layout of this tensor (shape {tuple(a._data.shape)}, strides "
                f"{a._data.strides}) does not allow a view of shape {tuple(out.shape)} "
                "without copying (a dimension spans two non-contiguous parts); use "
                ".reshape(...) instead")
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None, None


class Permute(Primitive):
    """Reorder dimensions: output dimension i is input dimension ``dims[i]``."""

    makes_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a._data.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return either.permute(grad, _inverse(ctx.dims)), None


class Expand(Primitive):
    """Broadcast to a larger shape; the engine sums the gradient back."""

    makes_view = True

    @staticmethod
    def forward(ctx, a, shape):
        try:
            return xp.broadcast_to(a._data, shape)
        except ValueError:
            raise ValueError(f"expand: cannot expand shape {tuple(a.shape)} to {shape}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # the engine sums the broadcast axes back


class Cat(Primitive):
    """Concatenate tensors along ``dim``: ``Cat.apply(dim, *tensors)``."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t._data.shape[dim] if t._data.ndim else 1 for t in tensors]
        return xp.concatenate([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim % grad.ndim
        grads, start = [None], 0
        for size in ctx.sizes:
            index = (slice(None),) * dim + (slice(start, start + size),)
            grads.append(grad[index])
            start += size
        return tuple(grads)


class Diagonal(Primitive):
    """The diagonal ``offset`` of the planes (``dim1``, ``dim2``), as a last dimension
    (``torch.diagonal``); a view. Its gradient is zeros with the output's gradient
    written on that diagonal (``DiagonalScatter``)."""

    node_name = "DiagonalBackward0"
    makes_view = True

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        ctx.in_shape, ctx.where = a._data.shape, (offset, dim1, dim2)
        return diagonal_view(a._data, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return either.apply(DiagonalScatter, grad, ctx.where, ctx.in_shape), None, None, None


class DiagonalScatter(Primitive):
    """Zeros of ``shape`` with ``values``' last dimension written on the diagonal
    ``where = (offset, dim1, dim2)``: the adjoint of ``Diagonal`` (and ``torch.diag``
    of a vector). Its gradient is that diagonal of the output's gradient."""

    @staticmethod
    def forward(ctx, values, where, shape):
        ctx.where = where
        out = xp.zeros_like(values._data, shape=shape, order="C")
        xp.copyto(diagonal_view(out, *where), values._data)  # (both seen by mt.compile)
        return out

    @staticmethod
    def backward(ctx, grad):
        return either.apply(Diagonal, grad, *ctx.where), None, None


def diagonal_view(array, offset, dim1, dim2):
    """A writable view of the diagonal ``offset`` of ``array``'s planes (dim1, dim2),
    the diagonal as the last dimension (NumPy's ``diagonal`` is read-only)."""
    moved = xp.moveaxis(array, (dim1, dim2), (-2, -1))
    corner = moved[..., max(-offset, 0):, max(offset, 0):]
    rows, cols = corner.shape[-2:]
    *batch, row_stride, col_stride = corner.strides
    return xp.lib.stride_tricks.as_strided(
        corner, shape=corner.shape[:-2] + (min(rows, cols),),
        strides=(*batch, row_stride + col_stride), subok=True)  # writable where array is


def _inverse(dims):
    """The permutation that undoes ``dims``."""
    return tuple(sorted(range(len(dims)), key=dims.__getitem__))
