"""Fused losses: one graph node where a composition would need several."""
from ..autograd.function import Function
from ..backend import xp


class CrossEntropy(Function):
    """Cross-entropy of logits (N, C) against class indices (N,), via log-softmax.

    Forward: loss_i = logsumexp(logits_i) - logits_i[target_i] (shifted by the
    row maximum, so logits of 1e4 are fine), reduced by ``reduction`` ('mean',
    'sum' or 'none'). Backward: (softmax - one_hot) * grad.
    """

    @staticmethod
    def forward(ctx, logits, target, reduction):
        count, classes = logits.shape
        picked = xp.arange(count) * classes + target  # flat index of each target logit
        shifted = logits.data - logits.data.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        losses = xp.log(total).reshape(count) - shifted.reshape(-1)[picked]
        ctx.save_for_backward(logits)
        ctx.picked, ctx.reduction = picked, reduction
        if ctx.recording:  # the softmax, kept for the array backward
            exp /= total
            ctx.probs = exp
        if reduction == "mean":
            return losses.sum() / count
        if reduction == "sum":
            return losses.sum()
        return losses

    @staticmethod
    def backward(ctx, grad):
        (logits,) = ctx.saved_tensors
        one_hot = xp.zeros(logits.shape, dtype=logits.dtype)
        one_hot.reshape(-1)[ctx.picked] = 1
        if ctx.reduction == "mean":
            grad = grad * (1.0 / logits.shape[0])
        if ctx.reduction == "none":
            grad = grad.unsqueeze(1)
        return (logits.softmax(1) - _make_tensor(one_hot)) * grad, None, None

    @staticmethod
    def backward_arrays(ctx, grad):
        (_logits,) = ctx.saved_tensors  # raises if they were modified in place
        out = ctx.probs.copy()  # softmax - one_hot, scaled by the incoming gradient
        out.reshape(-1)[ctx.picked] -= 1
        if ctx.reduction == "none":
            out *= grad[:, None]
        else:
            out *= grad / out.shape[0] if ctx.reduction == "mean" else grad
        return out, None, None


from ..tensor import _make_tensor  # noqa: E402
