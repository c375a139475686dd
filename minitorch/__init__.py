"""minitorch: a small, readable, fast autodiff and neural-network library on NumPy.

``import minitorch as mt`` and write code as with ``torch``.
"""
from .tensor import Size, Tensor  # noqa: I001  (the layers in order, bottom first)
from . import autograd, ops
from .methods import cat, einsum, matmul, meshgrid, stack, where
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       is_tensor, linspace, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .device import device
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                     HalfTensor, IntTensor, LongTensor, ShortTensor)
from .dtypes import (bool_ as bool, cdouble, cfloat, complex64, complex128, double, dtype,  # noqa: A004
                     float, float16, float32, float64, get_default_dtype, half, int, int8,
                     int16, int32, int64, layout, long, set_default_dtype, short, strided,
                     uint8)
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                     seed, set_rng_state)
from . import linalg, nn, optim, utils, viz
from .linalg import cdist
from .serialization import load, save
from . import backends, cuda  # the device API (CPU only, as PyTorch names it)
from .threads import get_num_threads, set_num_threads
from .compiler import compile  # noqa: A004  (as torch.compile; the module is minitorch.compiler)

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

# Everyday tensor functions (issue 10): mt.X(t, ...) is t.X(...).
mm = Tensor.mm
bmm = Tensor.bmm
mv = Tensor.mv
dot = Tensor.dot
outer = Tensor.outer
addmm = Tensor.addmm
norm = Tensor.norm
chunk = Tensor.chunk
split = Tensor.split
unbind = Tensor.unbind
narrow = Tensor.narrow
select = Tensor.select
tile = Tensor.tile
flip = Tensor.flip
fliplr = Tensor.fliplr
flipud = Tensor.flipud
roll = Tensor.roll
tril = Tensor.tril
triu = Tensor.triu
diagonal = Tensor.diagonal
diag = Tensor.diag
trace = Tensor.trace
index_select = Tensor.index_select
masked_fill = Tensor.masked_fill
cumsum = Tensor.cumsum
cumprod = Tensor.cumprod
prod = Tensor.prod
topk = Tensor.topk
sort = Tensor.sort
argsort = Tensor.argsort
msort = Tensor.msort
unique = Tensor.unique
bincount = Tensor.bincount
nonzero = Tensor.nonzero
argwhere = Tensor.argwhere
count_nonzero = Tensor.count_nonzero
any = Tensor.any  # noqa: A001
all = Tensor.all  # noqa: A001
equal = Tensor.equal
eq = Tensor.eq
ne = Tensor.ne
lt = Tensor.lt
le = Tensor.le
gt = Tensor.gt
ge = Tensor.ge
logical_and = Tensor.logical_and
logical_or = Tensor.logical_or
logical_xor = Tensor.logical_xor
logical_not = Tensor.logical_not
isclose = Tensor.isclose
isnan = Tensor.isnan
isinf = Tensor.isinf
isfinite = Tensor.isfinite
diff = Tensor.diff
log1p = Tensor.log1p
expm1 = Tensor.expm1
log2 = Tensor.log2
log10 = Tensor.log10
rsqrt = Tensor.rsqrt
reciprocal = Tensor.reciprocal
sign = Tensor.sign
sgn = Tensor.sgn
floor = Tensor.floor
ceil = Tensor.ceil
round = Tensor.round  # noqa: A001
trunc = Tensor.trunc
fix = Tensor.fix
clamp_min = Tensor.clamp_min
clamp_max = Tensor.clamp_max
clip = Tensor.clamp
