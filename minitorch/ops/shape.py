"""Shape operations: reshape, permute, expand, concatenate.

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


def _inverse(dims):
    """The permutation that undoes ``dims``."""
    return tuple(sorted(range(len(dims)), key=dims.__getitem__))
