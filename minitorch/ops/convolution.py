"""Windows over images: ``Im2Col`` (unfold) and ``Col2Im`` (fold), each the other's gradient.

A convolution is a matrix product once every window of the image is laid out as
a row (im2col): ``nn.functional.conv2d`` is ``Im2Col`` followed by one ``@``
with the reshaped weight, so its gradients come from two rules, this module's and
``MatMul``'s. Pooling reads the same windows.

Layout. For an image (N, C, H, W) whose C channels fall into ``groups`` groups
of Cg = C / groups channels, ``Im2Col`` gives columns of shape
(groups, N * oH * oW, Cg * kh * kw): one row per output position (n, i, j), the
row holding that window's values channel by channel, then kernel row by kernel
row, the order of a weight of shape (out, Cg, kh, kw) flattened. The windows are
read from NumPy's strided ``sliding_window_view`` of the padded image (no
Python loop over pixels or channels) and copied once into that layout.

``Col2Im`` is the adjoint: it adds every window's values back onto the image
positions they were read from (a window overlapping its neighbour adds into the
same pixels) and drops the padding. It loops over the kh * kw kernel offsets,
each step one strided ``+=`` vectorised over batch, channels and positions.
"""
from typing import NamedTuple

from ..autograd.function import Primitive
from ..backend import xp
from . import either


class Window(NamedTuple):
    """Where the windows of a convolution or pooling lie on an image.

    ``image``: the unpadded image's shape (N, C, H, W); ``kernel``, ``stride``,
    ``dilation``: pairs (rows, columns); ``padding``: ((top, bottom), (left, right));
    ``groups``: how many groups the channels fall into (C for pooling).
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
        return (self.groups, n * out_h * out_w, c // self.groups * self.kernel[0] * self.kernel[1])


def im2col(array, window, fill=0):
    """The columns (see the module docstring) of the array ``array`` (N, C, H, W); the
    padding holds ``fill`` (0 for convolutions, -inf for max pooling)."""
    n, c, h, w = array.shape
    (top, bottom), (left, right) = window.padding
    if top or bottom or left or right:
        padded = xp.full((n, c) + window.padded, fill, dtype=array.dtype)
        padded[:, :, top:top + h, left:left + w] = array
    else:
        padded = array
    (sh, sw), (dh, dw) = window.stride, window.dilation
    out_h, out_w = window.out_size
    windows = xp.lib.stride_tricks.sliding_window_view(padded, window.span, axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :out_h, :out_w]  # (N, C, oH, oW, kh, kw)
    groups = window.groups
    kh, kw = window.kernel
    columns = xp.empty((groups, n, out_h, out_w, c // groups, kh, kw), dtype=array.dtype)
    columns[...] = windows.reshape(n, groups, c // groups, out_h, out_w, kh, kw).transpose(
        1, 0, 3, 4, 2, 5, 6)
    return columns.reshape(window.columns_shape)


def col2im(columns, window):
    """The image (N, C, H, W) with every window's values in ``columns`` added back where
    ``im2col`` read them from (the adjoint of ``im2col``)."""
    n, c, h, w = window.image
    groups = window.groups
    (kh, kw), (sh, sw), (dh, dw) = window.kernel, window.stride, window.dilation
    out_h, out_w = window.out_size
    # (G, N, oH, oW, Cg, kh, kw) -> (N, G, Cg, oH, oW, kh, kw): image axes first
    per_offset = columns.reshape(groups, n, out_h, out_w, c // groups, kh, kw).transpose(
        1, 0, 4, 2, 3, 5, 6)
    padded = xp.zeros((n, groups, c // groups) + window.padded, dtype=columns.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
            padded[..., rows, cols] += per_offset[..., i, j]
    (top, _), (left, _) = window.padding
    return padded.reshape((n, c) + window.padded)[:, :, top:top + h, left:left + w]


class Im2Col(Primitive):
    """Every window of an image (N, C, H, W) as a row: columns of shape
    (groups, N * oH * oW, C / groups * kh * kw) (see the module docstring); the
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
