"""Convolution: windows of an image as rows (im2col), then one matrix product.

``Convolution`` is the whole 2-D convolution in one graph node: its forward
lays every window of the image out as a row (``im2col``) and multiplies by the
weight once; its rule gives the weight's gradient as one more product with those
rows and the input's gradient as ``Col2Im`` of the rows' gradient. ``Im2Col`` and
``Col2Im`` are primitives too, each the other's gradient, so the rule also runs
on Tensors (second derivatives). Pooling reads the same windows.

Layout. An image (N, C, H, W) whose C channels fall into ``groups`` groups of
Cg = C / groups channels has columns of shape (groups, N * oH * oW, kh * kw * Cg):
one row per output position (n, i, j), holding that window's values kernel row
by kernel row, kernel column by kernel column, channel by channel. Channels
last: the windows are read from NumPy's strided ``sliding_window_view`` of the
padded image held as (N, H, W, C), so every copied run is a window's channels,
contiguous (no Python loop over pixels or channels). The convolution's output is
computed as (N * oH * oW, C_out) and returned as a (N, C_out, oH, oW) view of it
(channels-last memory, which the next convolution reads without a transpose).

``Col2Im`` is the adjoint of ``Im2Col``: it adds every window's values back onto
the image positions they were read from (overlapping windows add into the same
pixels) and drops the padding. It loops over the kh * kw kernel offsets, each
step one strided ``+=`` vectorised over batch, positions and channels.
"""
from typing import NamedTuple

from ..autograd.function import Primitive
from ..backend import xp
from . import either


class Window(NamedTuple):
    """Where the windows of a convolution or pooling lie on an image.

    ``image``: the unpadded image's shape (N, C, H, W); ``kernel``, ``stride``,
    ``dilation``: pairs (rows, columns); ``padding``: ((top, bottom), (left, right));
    ``groups``: how many groups the channels fall into (1 for pooling).
    """

    image: tuple
    kernel: tuple
    stride: tuple
    dilation: tuple
    padding: tuple
    groups: int

    @property
    def padded(self):
        """(H, W) of the padded image."""
        (top, bottom), (left, right) = self.padding
        return self.image[2] + top + bottom, self.image[3] + left + right

    @property
    def span(self):
        """(rows, columns) one dilated kernel covers."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    @property
    def out_size(self):
        """(oH, oW): how many windows fit along each axis."""
        return tuple((p - s) // st + 1 for p, s, st in zip(self.padded, self.span, self.stride))

    @property
    def columns_shape(self):
        n, c = self.image[:2]
        out_h, out_w = self.out_size
        return (self.groups, n * out_h * out_w, self.kernel[0] * self.kernel[1] * c // self.groups)


def im2col(array, window, fill=0):
    """The columns (see the module docstring) of the array ``array`` (N, C, H, W); the
    padding holds ``fill`` (0 for convolutions, -inf for max pooling)."""
    n, c, h, w = array.shape
    (top, bottom), (left, right) = window.padding
    pixels = array.transpose(0, 2, 3, 1)  # (N, H, W, C): a view
    if top or bottom or left or right:
        padded = xp.full_like(array, fill, shape=(n,) + window.padded + (c,), order="C")
        padded[:, top:top + h, left:left + w] = pixels
    else:
        padded = pixels
    (sh, sw), (dh, dw) = window.stride, window.dilation
    out_h, out_w = window.out_size
    windows = xp.lib.stride_tricks.sliding_window_view(padded, window.span, axis=(1, 2))
    windows = windows[:, ::sh, ::sw, :, ::dh, ::dw][:, :out_h, :out_w]  # (N, oH, oW, C, kh, kw)
    groups = window.groups
    kh, kw = window.kernel
    windows = windows.reshape(n, out_h, out_w, groups, c // groups, kh, kw)
    columns = xp.empty_like(array, shape=(groups, n, out_h, out_w, kh, kw, c // groups),
                            order="C")  # made from the array: mt.compile records it
    columns[...] = windows.transpose(3, 0, 1, 2, 5, 6, 4)
    return columns.reshape(window.columns_shape)


def col2im(columns, window):
    """The image (N, C, H, W) with every window's values in ``columns`` added back where
    ``im2col`` read them from (the adjoint of ``im2col``); channels-last memory."""
    n, c, h, w = window.image
    groups = window.groups
    (kh, kw), (sh, sw), (dh, dw) = window.kernel, window.stride, window.dilation
    out_h, out_w = window.out_size
    # (G, N, oH, oW, kh, kw, Cg) -> (N, oH, oW, kh, kw, G, Cg)
    per_offset = columns.reshape(groups, n, out_h, out_w, kh, kw, c // groups).transpose(
        1, 2, 3, 4, 5, 0, 6)
    padded = xp.zeros_like(columns, shape=(n,) + window.padded + (groups, c // groups),
                           order="C")
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1):  # windows tile the image: one copy
        tiles = per_offset.transpose(0, 1, 3, 2, 4, 5, 6)  # (N, oH, kh, oW, kw, G, Cg)
        padded[:, :out_h * kh, :out_w * kw] = tiles.reshape(
            (n, out_h * kh, out_w * kw) + tiles.shape[-2:])
        kh = kw = 0  # nothing left to add
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
            padded[:, rows, cols] += per_offset[:, :, :, i, j]
    (top, _), (left, _) = window.padding
    image = padded.reshape((n,) + window.padded + (c,))[:, top:top + h, left:left + w]
    return image.transpose(0, 3, 1, 2)


class Im2Col(Primitive):
    """Every window of an image (N, C, H, W) as a row: columns of shape
    (groups, N * oH * oW, kh * kw * C / groups) (see the module docstring); the
    padding is zeros. Its gradient is ``Col2Im`` of the columns' gradient."""

    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, window):
        ctx.window = window
        return im2col(x._data, window)

    @staticmethod
    def backward(ctx, grad):
        return either.apply(Col2Im, grad, ctx.window), None


class Col2Im(Primitive):
    """Columns back onto the image (N, C, H, W): each window's values added where
    ``Im2Col`` read them, the padding dropped. Its gradient is ``Im2Col``."""

    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, columns, window):
        if columns._data.shape != window.columns_shape:
            raise ValueError(f"col2im: columns of shape {tuple(columns.shape)} do not fit the "
                             f"windows of an image {window.image} (expected "
                             f"{window.columns_shape})")
        ctx.window = window
        return col2im(columns._data, window)

    @staticmethod
    def backward(ctx, grad):
        return either.apply(Im2Col, grad, ctx.window), None


class Convolution(Primitive):
    """2-D convolution (cross-correlation) of x (N, C, H, W) with weight
    (C_out, C / groups, kh, kw) and bias (C_out,) or None, on the windows ``window``
    -> (N, C_out, oH, oW).

    With X the columns of x (``Im2Col``), K the weight as (groups, C_out / groups,
    kh * kw * C / groups) and G the output's gradient as (groups, N * oH * oW,
    C_out / groups): out = X K^T, so dL/dK = G^T X, dL/dX = G K and
    dL/dx = ``Col2Im``(G K); dL/dbias sums G. The columns the forward computed are
    kept for the weight's gradient (on Tensors they are ``Im2Col(x)``, recorded).
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, window):
        columns = im2col(x._data, window)  # (G, N * oH * oW, kh * kw * Cg)
        kernels = _kernels(weight._data, window.groups)  # (G, C_out / G, kh * kw * Cg)
        out = columns @ kernels.transpose(0, 2, 1)  # (G, N * oH * oW, C_out / G)
        n, out_h, out_w, groups = window.image[0], *window.out_size, window.groups
        if groups == 1:
            out = out[0]
        else:  # (G, N * oH * oW, C_out / G) -> (N * oH * oW, C_out)
            out = out.transpose(1, 0, 2).reshape(n * out_h * out_w, -1)
        if bias is not None:
            out += bias._data
        ctx.save_for_backward(x, weight)
        ctx.window = window
        if ctx.recording:
            ctx.columns = columns
        return out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        window = ctx.window
        groups = window.groups
        per_group = weight.shape[0] // groups
        rows = either.permute(grad, (0, 2, 3, 1)).reshape(-1, groups, per_group)
        rows = either.permute(rows, (1, 0, 2))  # (G, N * oH * oW, C_out / G)
        grad_x = grad_weight = grad_bias = None
        if need_x:
            kernels = _kernels(weight, groups)
            grad_x = either.apply(Col2Im, rows @ kernels, window)
        if need_weight:
            columns = ctx.columns if not either.is_tensor(x) else either.apply(Im2Col, x, window)
            kh, kw = window.kernel
            grad_weight = either.permute((either.mT(rows) @ columns).reshape(
                weight.shape[0], kh, kw, weight.shape[1]), (0, 3, 1, 2))
        if need_bias:
            grad_bias = either.sum(grad, (0, 2, 3))
        return grad_x, grad_weight, grad_bias, None


def _kernels(weight, groups):
    """The weight (C_out, Cg, kh, kw), array or Tensor, as (groups, C_out / groups,
    kh * kw * Cg): the order of the columns."""
    out_channels = weight.shape[0]
    return either.permute(weight, (0, 2, 3, 1)).reshape(groups, out_channels // groups, -1)
