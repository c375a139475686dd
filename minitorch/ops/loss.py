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
        shifted = logits._data - logits._data.max(axis=1, keepdims=True)
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
            grad = grad * (1.0 / max(1, logits.shape[0]))
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
            out *= grad / max(1, out.shape[0]) if ctx.reduction == "mean" else grad
        return out, None, None


class BinaryCrossEntropy(Function):
    """Elementwise -(t log(x) + (1 - t) log(1 - x)) for probabilities x, unreduced.

    Each log is clamped at -100 as in PyTorch, so x = 0 or 1 gives a finite
    loss; the gradient (x - t) / max(x (1 - x), 1e-12) is PyTorch's too.
    """

    @staticmethod
    def forward(ctx, x, target):
        ctx.save_for_backward(x, target)
        log_x, log_1mx = _clamped_logs(x._data)
        return -(target._data * log_x + (1 - target._data) * log_1mx)

    @staticmethod
    def backward(ctx, grad):
        x, target = ctx.saved_tensors
        need_x, need_target = ctx.needs_input_grad
        grad_x = grad_target = None
        if need_x:
            grad_x = grad * (x - target) / (x * (1 - x)).clamp(min=1e-12)
        if need_target:
            log_x, log_1mx = _clamped_logs(x._data)
            grad_target = grad * _make_tensor(log_1mx - log_x)
        return grad_x, grad_target

    @staticmethod
    def backward_arrays(ctx, grad):
        x, target = ctx.saved_tensors
        need_x, need_target = ctx.needs_input_grad
        x, target = x._data, target._data
        grad_x = grad_target = None
        if need_x:
            grad_x = grad * (x - target) / xp.maximum(x * (1 - x), 1e-12)
        if need_target:
            log_x, log_1mx = _clamped_logs(x)
            grad_target = grad * (log_1mx - log_x)
        return grad_x, grad_target


def _clamped_logs(x):
    """log(x) and log(1 - x), each at least -100 (finite at 0 and 1)."""
    with xp.errstate(divide="ignore"):
        return xp.maximum(xp.log(x), -100), xp.maximum(xp.log(1 - x), -100)


from ..tensor import _make_tensor  # noqa: E402
