"""Fused losses: one graph node where a composition would need several."""
from ..autograd.function import Function
from ..backend import xp
from .reduce import _logsumexp


class CrossEntropy(Function):
    """Cross-entropy of logits (N, C) against class indices (N,), via log-softmax.

    Forward: loss_i = logsumexp(logits_i) - logits_i[target_i], reduced by
    ``reduction`` ('mean', 'sum' or 'none'). Backward: (softmax - one_hot) * grad.
    """

    @staticmethod
    def forward(ctx, logits, target, reduction):
        rows = xp.arange(logits.shape[0])
        log_norm = _logsumexp(logits.data, 1, True)
        losses = log_norm[:, 0] - logits.data[rows, target]
        ctx.save_for_backward(logits)
        ctx.target, ctx.reduction = target, reduction
        if ctx.recording:  # softmax, kept for the array backward
            ctx.probs = xp.exp(logits.data - log_norm)
        if reduction == "mean":
            return losses.mean()
        if reduction == "sum":
            return losses.sum()
        return losses

    @staticmethod
    def backward(ctx, grad):
        (logits,) = ctx.saved_tensors
        one_hot = xp.zeros(logits.shape, dtype=logits.dtype)
        one_hot[xp.arange(logits.shape[0]), ctx.target] = 1
        if ctx.reduction == "mean":
            grad = grad * (1.0 / logits.shape[0])
        if ctx.reduction == "none":
            grad = grad.unsqueeze(1)
        return (logits.softmax(1) - _make_tensor(one_hot)) * grad, None, None

    @staticmethod
    def backward_arrays(ctx, grad):
        (_logits,) = ctx.saved_tensors  # raises if they were modified in place
        out = ctx.probs.copy()  # softmax - one_hot, scaled by the incoming gradient
        out[xp.arange(out.shape[0]), ctx.target] -= 1
        if ctx.reduction == "none":
            out *= grad[:, None]
        else:
            out *= grad / out.shape[0] if ctx.reduction == "mean" else grad
        return out, None, None


from ..tensor import _make_tensor  # noqa: E402
