"""Max pooling: the largest value of every window, its gradient routed back to it.

The windows are ``convolution``'s with one group (columns of shape
(1, N * oH * oW, kh * kw * C), window element by window element, channels last),
with -inf in the padding so that padding is never the maximum. Average pooling
needs no primitive of its own: it is a mean over ``Im2Col``'s columns
(``nn.functional.avg_pool2d``).
"""
from ..autograd.function import Primitive
from ..backend import xp
from . import either
from .convolution import Col2Im


def _maxima(array, window):
    """Each window's maximum and the offset (0 .. kh * kw - 1) of its first maximum, both
    (N, oH, oW, C): loops over the kh * kw offsets of strided views of the windows,
    each step vectorised over batch, positions and channels (as ``argmax``: the first
    maximum wins; a NaN is the maximum)."""
    n, c, h, w = array.shape
    (top, bottom), (left, right) = window.padding
    pixels = array.transpose(0, 2, 3, 1)  # (N, H, W, C)
    if top or bottom or left or right:
        padded = xp.full_like(array, -xp.inf, shape=(n,) + window.padded + (c,), order="C")
        padded[:, top:top + h, left:left + w] = pixels
    else:
        padded = pixels
    (sh, sw), (dh, dw) = window.stride, window.dilation
    out_h, out_w = window.out_size
    kh, kw = window.kernel
    offsets = [(i * kw + j, padded[:, i * dh:i * dh + sh * (out_h - 1) + 1:sh,
                                   j * dw:j * dw + sw * (out_w - 1) + 1:sw])
               for i in range(kh) for j in range(kw)]
    best = offsets[0][1].copy()
    for _, value in offsets[1:]:
        xp.maximum(best, value, out=best)  # propagates NaN
    index = xp.zeros_like(best, dtype=xp.int64)  # (*_like: mt.compile records it)
    nan = xp.isnan(best)
    has_nan = nan.any()
    for offset, value in reversed(offsets[1:]):  # backwards: the first maximum wins
        found = value == best
        if has_nan:
            found |= nan & xp.isnan(value)
        xp.copyto(index, offset, where=found)
    return best, index


class MaxPool(Primitive):
    """Max over each window of an image (N, C, H, W) -> (N, C, oH, oW).

    ``window`` is a ``convolution.Window`` with one group. As in PyTorch, a window's
    gradient goes to its first maximum (row by row; a NaN counts as the maximum),
    and windows that overlap add their gradients: the rule spreads the gradient
    over the windows' elements (a constant one-hot mask) and ``Col2Im`` adds it
    back onto the image.
    """

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, window):
        values, index = _maxima(x._data, window)
        ctx.window = window
        if ctx.recording:  # (N * oH * oW, kh * kw, C): 1 at each window's maximum
            offsets = xp.arange(window.kernel[0] * window.kernel[1]).reshape(-1, 1)
            flat = index.reshape(-1, 1, index.shape[-1])
            ctx.route = (flat == offsets).astype(x._data.dtype)
        return values.transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad):
        rows = either.permute(grad, (0, 2, 3, 1)).reshape(-1, 1, grad.shape[1])
        routed = (rows * ctx.route).reshape(ctx.window.columns_shape)
        return either.apply(Col2Im, routed, ctx.window), None


def max_pool_indices(array, window):
    """Where ``MaxPool`` finds each window's maximum in the array ``array``: positions
    h * W + w in the unpadded image, (N, C, oH, oW) int64 (``return_indices``)."""
    chosen = _maxima(array, window)[1].transpose(0, 3, 1, 2)  # offsets in each window
    width, (out_h, out_w) = window.image[3], window.out_size
    kw, (sh, sw), (dh, dw) = window.kernel[1], window.stride, window.dilation
    (top, _), (left, _) = window.padding
    rows = xp.arange(out_h).reshape(-1, 1) * sh - top + (chosen // kw) * dh
    cols = xp.arange(out_w) * sw - left + (chosen % kw) * dw
    return (rows * width + cols).astype(xp.int64)
