"""minitorch: a small, readable, fast autodiff and neural-network library on NumPy.

``import minitorch as mt`` and write code as with ``torch``.
"""
from .tensor import Size, Tensor  # noqa: I001  (the layers in order, bottom first)
from . import autograd, ops
from .methods import cat, matmul, stack, where
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, empty, eye, from_numpy, full, full_like, is_tensor, linspace,
                       ones, ones_like, rand, randint, randn, randperm, tensor, zeros,
                       zeros_like)
from .device import device
from .dtypes import (bool_ as bool, cdouble, cfloat, complex64, complex128, double, dtype,  # noqa: A004
                     float, float16, float32, float64, get_default_dtype, half, int, int8,
                     int16, int32, int64, long, set_default_dtype, short, uint8)
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                     seed, set_rng_state)
from . import nn, optim, utils, viz
from .serialization import load, save
from . import backends, cuda  # the device API (CPU only, as PyTorch names it)
from .threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

# Functional forms of Tensor methods: mt.exp(x) is x.exp().
abs = Tensor.abs  # noqa: A001
exp = Tensor.exp
log = Tensor.log
sqrt = Tensor.sqrt
sin = Tensor.sin
cos = Tensor.cos
tanh = Tensor.tanh
sigmoid = Tensor.sigmoid
relu = Tensor.relu
erf = Tensor.erf
clamp = Tensor.clamp
maximum = Tensor.maximum
minimum = Tensor.minimum
sum = Tensor.sum  # noqa: A001
mean = Tensor.mean
var = Tensor.var
std = Tensor.std

def max(input, dim=None, keepdim=False):  # noqa: A001
    """``input.max(dim, keepdim)``; with a tensor as second argument, ``maximum``."""
    return input.maximum(dim) if isinstance(dim, Tensor) else input.max(dim, keepdim)


def min(input, dim=None, keepdim=False):  # noqa: A001
    """``input.min(dim, keepdim)``; with a tensor as second argument, ``minimum``."""
    return input.minimum(dim) if isinstance(dim, Tensor) else input.min(dim, keepdim)


amax = Tensor.amax
amin = Tensor.amin
argmax = Tensor.argmax
argmin = Tensor.argmin
logsumexp = Tensor.logsumexp
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax
reshape = Tensor.reshape
flatten = Tensor.flatten
transpose = Tensor.transpose
permute = Tensor.permute
unsqueeze = Tensor.unsqueeze
squeeze = Tensor.squeeze
gather = Tensor.gather
clone = Tensor.clone
square = Tensor.square
allclose = Tensor.allclose
