"""Fused losses: one graph node where a composition would need several."""
from ..autograd.function import Primitive
from ..backend import xp
from . import either


class CrossEntropy(Primitive):
    """Cross-entropy of logits (N, C) against class indices (N,), via log-softmax.

    Forward: loss_i = logsumexp(logits_i) - logits_i[target_i] (shifted by the
    row maximum, so logits of 1e4 are fine), reduced by ``reduction`` ('mean',
    'sum' or 'none'). Backward: (softmax - one_hot) * grad.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logits, target, reduction):
        count, classes = logits._data.shape
        picked = xp.arange(count) * classes + target  # flat index of each target logit
        shifted = logits._data - logits._data.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        losses = xp.log(total).reshape(count) - shifted.reshape(-1)[picked]
        ctx.save_for_backward(logits)
        if ctx.recording:
            one_hot = xp.zeros_like(logits._data)
            one_hot.reshape(-1)[picked] = 1
            ctx.one_hot, ctx.reduction, ctx.count = one_hot, reduction, count
        if reduction == "mean":
            return losses.sum() / count
        if reduction == "sum":
            return losses.sum()
        return losses

    @staticmethod
    def backward(ctx, grad):
        (logits,) = ctx.saved_tensors
        if ctx.reduction == "mean":
            grad = grad / max(1, ctx.count)
        elif ctx.reduction == "none":
            grad = grad.reshape(-1, 1)
        return (either.softmax(logits, 1) - ctx.one_hot) * grad, None, None


class BinaryCrossEntropy(Primitive):
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
            grad_x = grad * (x - target) / either.clamp(x * (1 - x), min=1e-12)
        if need_target:
            with xp.errstate(divide="ignore"):
                log_x = either.clamp(either.log(x), min=-100)
                log_1mx = either.clamp(either.log(1 - x), min=-100)
            grad_target = grad * (log_1mx - log_x)
        return grad_x, grad_target


def _clamped_logs(x):
    """log(x) and log(1 - x), each at least -100 (finite at 0 and 1)."""
    with xp.errstate(divide="ignore"):
        return xp.maximum(xp.log(x), -100), xp.maximum(xp.log(1 - x), -100)
