"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

Names, arguments, defaults, parameter shapes and initialisation are PyTorch's,
so state dicts carry over: ``weight`` is (out, in / groups, *kernel) for a
convolution and (in, out / groups, *kernel) for a transposed one, ``bias`` (out,);
both are drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_ with
a=sqrt(5) for the weight), fan_in = weight.shape[1] * prod(kernel).
"""

from ..creation import empty
from ..device import check_device
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolutions share: checked arguments, parameters, repr."""

    _spatial = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", output_padding=0,
                 device=None, dtype=None):
        super().__init__()
        name, n = type(self).__name__, self._spatial
        check_device(device, name)
        for what, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("groups", groups)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: {what} must be a positive int, got {value!r}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by "
                             f"groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by "
                             f"groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of "
                             f"{', '.join(map(repr, _PADDING_MODES))}, got {padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = F._ints(kernel_size, n, "kernel_size", name)
        self.stride = F._ints(stride, n, "stride", name)
        self.dilation = F._ints(dilation, n, "dilation", name)
        if isinstance(padding, str):
            if self._transposed or padding not in ("same", "valid"):
                allowed = ("an int or a tuple" if self._transposed
                           else "'same', 'valid', an int or a tuple")
                raise ValueError(f"{name}: padding must be {allowed}, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions (stride {self.stride})")
            self.padding = padding
        else:
            self.padding = F._ints(padding, n, "padding", name, minimum=0)
        self.output_padding = F._ints(output_padding, n, "output_padding", name, minimum=0)
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got "
                             f"{padding_mode!r}")
        self.groups = groups
        self.padding_mode = padding_mode
        self.transposed = self._transposed
        if self._transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(*shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw weight and bias with PyTorch's default initialisation."""
        init._reset_weight_and_bias_(self.weight, self.bias)

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self):
        """PyTorch's: the settings that differ from their defaults, besides the kernel
        and stride, which always show."""
        n = self._spatial
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def forward(self, input):
        name, n = self._name(), self._spatial
        padding = self.padding
        if self.padding_mode != "zeros":
            F._image(input, n, name, self.in_channels)  # check the shape before padding it
            pairs = F._conv_padding(padding, self.kernel_size, self.dilation, self.stride, n,
                                    name)
            pads = tuple(p for pair in reversed(pairs) for p in pair)
            input = F.pad(input, pads, mode=self.padding_mode)
            padding = 0
        return F._conv(input, self.weight, self.bias, self.stride, padding, self.dilation,
                       self.groups, n, name)


class Conv1d(_Conv):
    """1-D convolution over input (N, C_in, L) or (C_in, L) -> (N, C_out, L_out),
    L_out = (L + 2 padding - dilation (kernel_size - 1) - 1) // stride + 1.

    ``Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')`` as in PyTorch; ``padding`` may be
    'same' or 'valid'; ``padding_mode``: 'zeros', 'reflect', 'replicate', 'circular'.
    """

    _spatial = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)


class Conv2d(_Conv):
    """2-D convolution over input (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out),
    H_out = (H + 2 padding - dilation (kh - 1) - 1) // stride + 1 (likewise W_out).

    ``Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')`` as in PyTorch. ``kernel_size``,
    ``stride``, ``padding``, ``dilation``: an int or a pair; ``padding`` may be 'same'
    (stride 1) or 'valid'; ``padding_mode``: 'zeros', 'reflect', 'replicate' or
    'circular'. ``weight``: (C_out, C_in / groups, kh, kw); ``bias``: (C_out,).
    An input of the wrong shape raises ValueError naming the layer and the shape it
    needs, e.g. ``Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1)): expected input
    of shape (N, 1, H, W) or (1, H, W), got (64, 8, 8)``.
    """

    _spatial = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)


class _ConvTranspose(_ConvNd):
    _transposed = True

    def _output_padding(self, input, output_size):
        """``output_padding``, or the one that gives ``output_size`` (PyTorch's rule)."""
        if output_size is None:
            return self.output_padding
        n = self._spatial
        size = tuple(output_size)[-n:]
        if len(size) != n:
            raise ValueError(f"{self._name()}: output_size must have {n} or more elements, got "
                             f"{output_size!r}")
        extra = []
        for d in range(n):
            length = input.shape[input.ndim - n + d]
            smallest = ((length - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            largest = smallest + self.stride[d] - 1
            if not smallest <= size[d] <= largest:
                raise ValueError(f"{self._name()}: requested an output size of {size}, but "
                                 f"valid sizes range from {smallest} to {largest} in dimension "
                                 f"{d} (for an input of shape {tuple(input.shape)})")
            extra.append(size[d] - smallest)
        return tuple(extra)

    def forward(self, input, output_size=None):
        name = self._name()
        F._check_tensor(name, "input", input)
        output_padding = self._output_padding(input, output_size)
        return F._conv_transpose(input, self.weight, self.bias, self.stride, self.padding,
                                 output_padding, self.groups, self.dilation, self._spatial,
                                 name)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution (the gradient of ``Conv1d`` with respect to its input):
    (N, C_in, L) -> (N, C_out, (L - 1) stride - 2 padding + dilation (k - 1) +
    output_padding + 1); ``weight`` (C_in, C_out / groups, k)."""

    _spatial = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device=device, dtype=dtype)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution, the gradient of ``Conv2d`` with respect to its input
    (it upsamples): (N, C_in, H, W) -> (N, C_out, H_out, W_out) with
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1.

    ``ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1)`` as in PyTorch; ``weight`` is
    (C_in, C_out / groups, kh, kw). ``forward(input, output_size=None)``: an
    ``output_size`` picks the output_padding that gives it.
    """

    _spatial = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device=device, dtype=dtype)
