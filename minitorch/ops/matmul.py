"""Matrix products: ``MatMul`` (batched, broadcasting) and the fused ``Linear``."""
from ..autograd.function import Function
from ..backend import xp


class MatMul(Function):
    """``a @ b`` for operands with at least 2 dimensions (batch dims broadcast).

    d(a @ b)/da = grad @ b^T and d(a @ b)/db = a^T @ grad; batch dimensions that
    were broadcast are summed back by the engine.
    """

    @staticmethod
    def forward(ctx, a, b):
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"matmul: cannot multiply {a.shape} by {b.shape} "
                             f"({a.shape[-1]} != {b.shape[-2]})")
        ctx.save_for_backward(a, b)
        try:
            return a._data @ b._data
        except ValueError:
            raise ValueError(f"matmul: cannot broadcast the batch dimensions of "
                             f"{a.shape} and {b.shape}") from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        return (grad @ b.mT if grad_a else None), (a.mT @ grad if grad_b else None)

    @staticmethod
    def backward_arrays(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        return (grad @ xp.swapaxes(b._data, -1, -2) if grad_a else None,
                xp.swapaxes(a._data, -1, -2) @ grad if grad_b else None)


class Linear(Function):
    """``x @ weight.T + bias`` in one node: x (..., in), weight (out, in), bias (out,)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        x_shape, w_shape = x._data.shape, weight._data.shape
        if not x_shape or len(w_shape) != 2 or x_shape[-1] != w_shape[1]:
            raise ValueError(f"linear: input of shape {x_shape} does not fit a weight of "
                             f"shape {w_shape} (expected (..., {w_shape[-1]}))")
        if bias is not None and bias._data.shape != w_shape[:1]:
            raise ValueError(f"linear: bias of shape {bias.shape} does not fit a weight "
                             f"of shape {w_shape}")
        ctx.save_for_backward(x, weight)
        out = x._data @ weight._data.T
        if bias is not None:
            out += bias._data
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad
        x_shape = x.shape
        folded = grad.ndim != 2
        if folded:  # batch dimensions (..., n) -> (batch, n)
            x = x.reshape(-1, x_shape[-1])
            grad = grad.reshape(-1, grad.shape[-1])
        grad_x = None
        if need_x:
            grad_x = grad @ weight
            if folded:
                grad_x = grad_x.reshape(x_shape)
        return (grad_x,
                grad.mT @ x if need_weight else None,
                grad.sum(0) if need_bias else None)

    @staticmethod
    def backward_arrays(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad
        x, grad_2d = x._data, grad
        if grad.ndim != 2:  # batch dimensions (..., n) -> (batch, n)
            x, grad_2d = x.reshape(-1, x.shape[-1]), grad.reshape(-1, grad.shape[-1])
        return (grad @ weight._data if need_x else None,
                grad_2d.T @ x if need_weight else None,
                grad_2d.sum(0) if need_bias else None)
