"""Matrix products: ``MatMul`` (batched, broadcasting) and the fused ``Linear``."""
from ..autograd.function import Primitive
from . import either


class MatMul(Primitive):
    """``a @ b`` for operands with at least 2 dimensions (batch dims broadcast).

    d(a @ b)/da = grad @ b^T and d(a @ b)/db = a^T @ grad; batch dimensions that
    were broadcast are summed back by the engine.
    """

    @staticmethod
    def forward(ctx, a, b):
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"matmul: cannot multiply {tuple(a.shape)} by {tuple(b.shape)} "
                             f"({a.shape[-1]} != {b.shape[-2]})")
        ctx.save_for_backward(a, b)
        try:
            return a._data @ b._data
        except ValueError:
            raise ValueError(f"matmul: cannot broadcast the batch dimensions of "
                             f"{tuple(a.shape)} and {tuple(b.shape)}") from None

    node_name = "MmBackward0"

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        return (grad @ either.mT(b) if grad_a else None), (either.mT(a) @ grad if grad_b else None)


class Linear(Primitive):
    """``x @ weight.T + bias`` in one node: x (..., in), weight (out, in), bias (out,)."""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias):
        x_shape, w_shape = x._data.shape, weight._data.shape
        if not x_shape or len(w_shape) != 2 or x_shape[-1] != w_shape[1]:
            raise ValueError(f"linear: input of shape {x_shape} does not fit a weight of "
                             f"shape {w_shape} (expected (..., {w_shape[-1]}))")
        if bias is not None and bias._data.shape != w_shape[:1]:
            raise ValueError(f"linear: bias of shape {tuple(bias.shape)} does not fit a weight "
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
        grad_2d = grad
        if grad.ndim != 2:  # batch dimensions (..., n) -> (batch, n)
            x, grad_2d = x.reshape(-1, x.shape[-1]), grad.reshape(-1, grad.shape[-1])
        return (grad @ weight if need_x else None,
                either.mT(grad_2d) @ x if need_weight else None,
                either.sum(grad_2d, 0) if need_bias else None)
