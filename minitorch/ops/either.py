"""Functions that work on ndarrays and on Tensors alike: the vocabulary of derivative rules.

A primitive's backward rule is written once (see ``autograd.function``): the
engine runs it on ndarrays on the training hot path and on Tensors under
``create_graph=True``. Operators (``+ - * / ** @``, comparisons, ``x[index]``,
``x.reshape(shape)``) already mean the same for both; the operations whose
spelling differs between NumPy and minitorch are here, each choosing by the
type of its first argument. On Tensors they are recorded operations, so a rule
written with them is differentiable again.
"""
import math

from ..backend import ndarray, xp
from ..tensor import Tensor, _make_tensor


def is_tensor(x):
    return isinstance(x, Tensor)


def exp(x):
    return x.exp() if isinstance(x, Tensor) else xp.exp(x)


def log(x):
    return x.log() if isinstance(x, Tensor) else xp.log(x)


def sqrt(x):
    return x.sqrt() if isinstance(x, Tensor) else xp.sqrt(x)


def sin(x):
    return x.sin() if isinstance(x, Tensor) else xp.sin(x)


def cos(x):
    return x.cos() if isinstance(x, Tensor) else xp.cos(x)


def tanh(x):
    return x.tanh() if isinstance(x, Tensor) else xp.tanh(x)


def sigmoid(x):
    return x.sigmoid() if isinstance(x, Tensor) else _sigmoid(x)


def softmax(x, dim):
    return x.softmax(dim) if isinstance(x, Tensor) else _softmax(x, dim)


def logsumexp(x, dim, keepdim=False):
    return x.logsumexp(dim, keepdim) if isinstance(x, Tensor) else _logsumexp(x, dim, keepdim)


def where(condition, a, b):
    """``a`` where the boolean array ``condition`` holds, else ``b`` (one of them a
    gradient, the other a number or another gradient)."""
    if isinstance(a, Tensor):
        return a.where(condition, b)
    if isinstance(b, Tensor):
        return b.where(~condition, a)
    return xp.where(condition, a, b)


def clamp(x, min=None, max=None):  # noqa: A002  (PyTorch's names)
    return x.clamp(min, max) if isinstance(x, Tensor) else xp.clip(x, min, max)


def sum(x, dim=None, keepdim=False):  # noqa: A001
    if isinstance(x, Tensor):
        return x.sum(dim, keepdim)
    out = x.sum(axis=dim, keepdims=keepdim)
    return out if isinstance(out, ndarray) else xp.asarray(out)  # a full sum: a NumPy scalar


def expand(x, shape):
    """``x`` broadcast to ``shape``: for arrays a read-only view, or for a one-element
    array (the gradient of a full reduction) a filled array, which NumPy makes several
    times faster than the view."""
    if isinstance(x, Tensor):
        return x.expand(shape)
    if x.size == 1:
        return x.repeat(math.prod(shape)).reshape(shape)
    return xp.broadcast_to(x, shape)


def permute(x, dims):
    return x.permute(dims) if isinstance(x, Tensor) else x.transpose(dims)


def mT(x):  # noqa: N802  (PyTorch's name)
    """The last two dimensions swapped."""
    return x.mT if isinstance(x, Tensor) else xp.swapaxes(x, -1, -2)


def flip(x, dim):
    """``x`` reversed along ``dim``."""
    return x.flip(dim) if isinstance(x, Tensor) else xp.flip(x, dim)


def cumsum(x, dim):
    return x.cumsum(dim) if isinstance(x, Tensor) else xp.cumsum(x, axis=dim)


def cumprod(x, dim):
    return x.cumprod(dim) if isinstance(x, Tensor) else xp.cumprod(x, axis=dim)


def reverse_cumsum(x, dim):
    """Sums from each position to the end along ``dim`` (the adjoint of cumsum)."""
    return flip(cumsum(flip(x, dim), dim), dim)


def cast(x, dtype):
    """``x`` converted to ``dtype`` (differentiable between float types)."""
    return x.to(dtype) if isinstance(x, Tensor) else x.astype(dtype, copy=False)


def apply(primitive, x, *args):
    """``primitive.apply(x, *args)`` in the kind of ``x``: for an array, the
    primitive's forward on it (not recorded: grad mode is off while the engine runs
    rules on arrays) and its array result. For rules whose derivative is another
    primitive (the gradient of indexing is a scatter-add, and back)."""
    if isinstance(x, Tensor):
        return primitive.apply(x, *args)
    return primitive.apply(_make_tensor(x), *args)._data


def like(x, array):
    """The constant ``array`` in the kind of ``x``: a Tensor outside the graph for a
    Tensor, the array itself for an array."""
    return _make_tensor(array) if isinstance(x, Tensor) else array


def array(x):
    """The ndarray of ``x`` (values only, never recorded)."""
    return x._data if isinstance(x, Tensor) else x


# ------------------------------------------------ array helpers shared with forwards

def _sigmoid(array):
    """1 / (1 + exp(-x)) without overflow, and accurate for large negative x."""
    small = xp.exp(-xp.abs(array))  # in (0, 1]: never overflows
    out = 1 / (1 + small)
    return xp.where(array >= 0, out, small * out)


def _softmax(array, dim):
    """Softmax of an array along ``dim``, shifted by the maximum."""
    shifted = array - array.max(axis=dim, keepdims=True)
    exp = xp.exp(shifted, out=shifted)
    exp /= exp.sum(axis=dim, keepdims=True)
    return exp


def _logsumexp(array, dim, keepdim):
    """Stable log-sum-exp of an array; rows of -inf give -inf, not nan."""
    shift = array.max(axis=dim, keepdims=True)
    shift = xp.where(xp.isfinite(shift), shift, 0)
    out = xp.log(xp.exp(array - shift).sum(axis=dim, keepdims=True))
    out += shift
    if not keepdim:
        out = out.squeeze(axis=dim)
    return out
