"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``, ``GroupNorm``.

PyTorch's names, defaults, parameters (``weight`` ones, ``bias`` zeros) and
buffers (``running_mean`` zeros, ``running_var`` ones, ``num_batches_tracked``),
so state dicts carry over. Batch norm in training normalises with the batch's
statistics and updates the running ones (PyTorch's momentum rule, unbiased
variance; ``momentum=None`` gives their cumulative average); in eval mode it
normalises with the running statistics.
"""
from ..autograd import no_grad
from ..creation import empty, ones, tensor, zeros
from ..device import check_device
from .. import dtypes
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def _check_count(name, what, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}: {what} must be a positive int, got {value!r}")


class _BatchNorm(Module):
    _dims = ()  # input ndims accepted
    _layout = ""  # how the input shape reads, for error messages

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        _check_count(name, "num_features", num_features)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(empty(num_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batch seen."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def forward(self, input):
        name = self._name()
        F._check_tensor(name, "input", input)
        if input.ndim not in self._dims or input.shape[1] != self.num_features:
            layout = self._layout.format(C=self.num_features)
            raise ValueError(f"{name}: expected input of shape {layout}, got "
                             f"{tuple(input.shape)}")
        if self.training and input.numel() // self.num_features <= 1:
            raise ValueError(f"{name}: expected more than 1 value per channel when training, "
                             f"got input size {tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / self.num_batches_tracked.item()
        use_batch = self.training or self.running_mean is None
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None,
                            self.running_var if keep else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) per feature C:
    ``(x - mean) / sqrt(var + eps) * weight + bias``.

    ``BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)`` as in PyTorch (``bias=False``: a scale
    without a shift). Training: the batch's mean and biased
    variance (over N, and L), and the running statistics updated as
    ``(1 - momentum) * running + momentum * batch`` with the unbiased variance
    (``momentum=None``: their cumulative average); ``num_batches_tracked`` counts
    the batches. Eval: the running statistics. A training batch with one value per
    feature raises ValueError.
    """

    _dims = (2, 3)
    _layout = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (N, C, H, W) per channel, as ``BatchNorm1d`` with
    the statistics taken over N, H and W."""

    _dims = (4,)
    _layout = "(N, {C}, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last dimensions (``normalized_shape``), then
    ``* weight + bias`` elementwise (each of ``normalized_shape``; ones and zeros).

    ``LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)`` as
    in PyTorch; the statistics are the mean and biased variance of each sample, in
    training and eval alike.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        check_device(device, "LayerNorm")
        shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                 else tuple(normalized_shape))
        for n in shape:
            _check_count("LayerNorm", "normalized_shape", n)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(*shape, dtype=dtype))
            if bias:
                self.bias = Parameter(zeros(*shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        F._check_tensor("LayerNorm", "input", input)
        shape = self.normalized_shape
        if tuple(input.shape[max(0, input.ndim - len(shape)):]) != shape:
            raise ValueError(f"LayerNorm({self.extra_repr()}): expected input of shape "
                             f"(*, {', '.join(map(str, shape))}), got {tuple(input.shape)}")
        return F.layer_norm(input, shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise each sample of (N, C, *) over groups of C / num_groups channels (and
    all positions), then ``* weight + bias`` per channel (ones and zeros).

    ``GroupNorm(num_groups, num_channels, eps=1e-5, affine=True, *, bias=True)`` as in
    PyTorch.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        check_device(device, "GroupNorm")
        _check_count("GroupNorm", "num_groups", num_groups)
        _check_count("GroupNorm", "num_channels", num_channels)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(ones(num_channels, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(zeros(num_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.affine:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        F._check_tensor("GroupNorm", "input", input)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.extra_repr()}): expected input of shape "
                             f"(N, {self.num_channels}, *), got {tuple(input.shape)}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
