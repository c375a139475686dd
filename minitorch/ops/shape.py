"""Shape operations: reshape, permute, expand, concatenate.

They move or copy values without arithmetic, so each backward is the inverse
move of the gradient.
"""
from ..autograd.function import Function
from ..backend import xp


class Reshape(Function):
    makes_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        try:
            return a._data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {a.shape} "
                f"({a._data.size} elements) into {shape}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None

    backward_arrays = backward


class Permute(Function):
    """Reorder dimensions: output dimension i is input dimension ``dims[i]``."""

    makes_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a._data.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(_inverse(ctx.dims)), None

    @staticmethod
    def backward_arrays(ctx, grad):
        return grad.transpose(_inverse(ctx.dims)), None


class Expand(Function):
    """Broadcast to a larger shape; the engine sums the gradient back."""

    makes_view = True

    @staticmethod
    def forward(ctx, a, shape):
        try:
            return xp.broadcast_to(a._data, shape)
        except ValueError:
            raise ValueError(f"expand: cannot expand shape {a.shape} to {shape}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    backward_arrays = backward


class Cat(Function):
    """Concatenate tensors along ``dim``: ``Cat.apply(dim, *tensors)``."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] if t.ndim else 1 for t in tensors]
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
