"""Layers: ``Linear``, ``Dropout``, ``Identity``, ``Flatten``, ``Dropout1d``, ``Dropout2d``,
``Unflatten``."""
import math

from ..creation import empty
from ..dtypes import get_default_dtype
from ..memory import check_allocation

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x @ weight.T + bias: input (*, in_features) -> output (*, out_features).

    ``weight`` has shape (out_features, in_features) and ``bias`` (out_features,),
    both initialised as in PyTorch: U(-1/sqrt(in_features), 1/sqrt(in_features))
    (kaiming_uniform_ with a=sqrt(5) for the weight).
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"Linear: {what} must be a non-negative int, got {n!r}")
        check_allocation(f"Linear({in_features}, {out_features})",
                         [(out_features, in_features)] + [(out_features,)] * bool(bias),
                         get_default_dtype() if dtype is None else dtype)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw weight and bias with PyTorch's default initialisation."""
        init._reset_weight_and_bias_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and
    scale the others by 1/(1-p); the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        F._check_probability("Dropout", p)
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Identity(Module):
    """Returns its input unchanged (arguments to the constructor are ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flatten dims ``start_dim`` to ``end_dim``: (N, *rest) -> (N, prod(rest)) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class _ChannelDropout(Module):
    _functional = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        F._check_probability(type(self).__name__, p)
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return self._functional(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_ChannelDropout):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p`` in training
    (the rest scaled by 1/(1-p)); the identity in eval mode."""

    _functional = staticmethod(F.dropout1d)


class Dropout2d(_ChannelDropout):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p`` in
    training (the rest scaled by 1/(1-p)); the identity in eval mode."""

    _functional = staticmethod(F.dropout2d)


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (a tuple; one entry may be -1):
    ``Unflatten(1, (1, 8, 8))`` turns (N, 64) into (N, 1, 8, 8)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        sizes = tuple(unflattened_size)
        if not sizes or not all(isinstance(n, int) and (n > 0 or n == -1) for n in sizes) \
                or sizes.count(-1) > 1:
            raise ValueError("Unflatten: unflattened_size must be a non-empty tuple of positive "
                             f"ints (at most one -1), got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = sizes

    def forward(self, input):
        dim = self.dim
        if not -input.ndim <= dim < input.ndim:
            raise IndexError(f"Unflatten: dim {dim} is out of range for input of shape "
                             f"{tuple(input.shape)}")
        dim %= input.ndim
        sizes, length = self.unflattened_size, input.shape[dim]
        known = -1 * math.prod(sizes) if -1 in sizes else math.prod(sizes)
        if (-1 in sizes and length % known) or (-1 not in sizes and known != length):
            raise ValueError(f"Unflatten: cannot split dimension {dim} of size {length} "
                             f"(input of shape {tuple(input.shape)}) into {sizes}")
        return input.reshape(input.shape[:dim] + sizes + input.shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
