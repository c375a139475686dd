"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d``.

PyTorch's names, arguments and defaults (``stride`` defaults to ``kernel_size``);
each calls its ``nn.functional`` form. Errors name the layer and the input shape
it needs.
"""
from . import functional as F
from .module import Module


class _Pool(Module):
    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"


class _MaxPoolNd(_Pool):
    _spatial = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        name, n = type(self).__name__, self._spatial
        F._ints(kernel_size, n, "kernel_size", name)
        if stride is not None:
            F._ints(stride, n, "stride", name)
        F._ints(padding, n, "padding", name, minimum=0)
        F._ints(dilation, n, "dilation", name)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return F._max_pool(input, self.kernel_size, self.stride, self.padding, self.dilation,
                           self.ceil_mode, self.return_indices, self._spatial, self._name())

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Maximum over windows of (N, C, L) or (C, L); see ``MaxPool2d``."""

    _spatial = 1


class MaxPool2d(_MaxPoolNd):
    """Maximum over each ``kernel_size`` window of (N, C, H, W) or (C, H, W) ->
    (N, C, H_out, W_out), H_out = (H + 2 padding - dilation (k - 1) - 1) // stride + 1
    (rounded up with ``ceil_mode``). ``MaxPool2d(kernel_size, stride=None, padding=0,
    dilation=1, return_indices=False, ceil_mode=False)`` as in PyTorch; the gradient
    goes to each window's first maximum; with ``return_indices`` the call returns
    ``(output, indices)``, the maxima's positions flat over H * W."""

    _spatial = 2


class _AvgPoolNd(_Pool):
    _spatial = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        name, n = type(self).__name__, self._spatial
        F._ints(kernel_size, n, "kernel_size", name)
        if stride is not None:
            F._ints(stride, n, "stride", name)
        F._ints(padding, n, "padding", name, minimum=0)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F._avg_pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                           self.count_include_pad, self.divisor_override, self._spatial,
                           self._name())

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Mean over windows of (N, C, L) or (C, L); see ``AvgPool2d``."""

    _spatial = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        # PyTorch keeps AvgPool1d's settings as 1-tuples
        self.kernel_size = F._ints(kernel_size, 1, "kernel_size", "AvgPool1d")
        self.stride = F._ints(self.stride, 1, "stride", "AvgPool1d")
        self.padding = F._ints(padding, 1, "padding", "AvgPool1d", minimum=0)


class AvgPool2d(_AvgPoolNd):
    """Mean over each ``kernel_size`` window of (N, C, H, W) or (C, H, W), shapes as
    ``MaxPool2d``. ``AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)`` as in PyTorch: the zero padding
    counts in the mean unless ``count_include_pad=False``."""

    _spatial = 2


class _AdaptiveAvgPoolNd(_Pool):
    _spatial = 2

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F._adaptive_avg_pool(input, self.output_size, self._spatial, self._name())

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Mean over ``output_size`` nearly equal bins of (N, C, L) or (C, L)."""

    _spatial = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Mean over an ``output_size`` grid (an int, or a pair whose None entries keep the
    input's size) of nearly equal bins of (N, C, H, W) or (C, H, W): bin i covers
    floor(i H / H_out) .. ceil((i + 1) H / H_out) - 1, as in PyTorch.
    ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    _spatial = 2
