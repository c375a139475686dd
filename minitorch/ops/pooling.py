"""Max pooling: the largest value of every window, its gradient routed back to it.

The windows are ``convolution.im2col``'s, one group per channel (columns of
shape (C, N * oH * oW, kh * kw)), with -inf in the padding so that padding is
never the maximum. Average pooling needs no primitive of its own: it is the
mean of ``Im2Col``'s columns (``nn.functional.avg_pool2d``).
"""
from ..autograd.function import Primitive
from ..backend import xp
from . import either
from .convolution import Col2Im, im2col


class MaxPool(Primitive):
    """Max over each window of an image (N, C, H, W) -> (N, C, oH, oW).

    ``window`` is a ``convolution.Window`` with ``groups`` = C. As in PyTorch, a
    window's gradient goes to its first maximum (row by row; a NaN counts as the
    maximum), and windows that overlap add their gradients.
    """

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, window):
        columns = im2col(x._data, window, fill=-xp.inf)  # (C, N * oH * oW, k)
        chosen = columns.argmax(axis=-1)[..., None]
        values = xp.take_along_axis(columns, chosen, axis=-1)
        n, c = window.image[:2]
        out_h, out_w = window.out_size
        ctx.window = window
        if ctx.recording:  # where each window's gradient goes: a constant one-hot mask
            ctx.route = (xp.arange(columns.shape[-1]) == chosen).astype(x._data.dtype)
        return values.reshape(c, n, out_h, out_w).transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, grad):
        n, c = ctx.window.image[:2]
        rows = either.permute(grad, (1, 0, 2, 3)).reshape(c, -1, 1)  # (C, N * oH * oW, 1)
        return either.apply(Col2Im, rows * ctx.route, ctx.window), None


def max_pool_indices(array, window):
    """Where ``MaxPool`` finds each window's maximum in the array ``array``: positions
    h * W + w in the unpadded image, (N, C, oH, oW) int64 (``return_indices``)."""
    chosen = im2col(array, window, fill=-xp.inf).argmax(axis=-1)
    n, c, _, width = window.image
    out_h, out_w = window.out_size
    (kh, kw), (sh, sw), (dh, dw) = window.kernel, window.stride, window.dilation
    (top, _), (left, _) = window.padding
    chosen = chosen.reshape(c, n, out_h, out_w).transpose(1, 0, 2, 3)
    rows = xp.arange(out_h).reshape(-1, 1) * sh - top + (chosen // kw) * dh
    cols = xp.arange(out_w) * sw - left + (chosen % kw) * dw
    return (rows * width + cols).astype(xp.int64)
