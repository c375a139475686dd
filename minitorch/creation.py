"""Functions that make new tensors: from data, filled, ranges, random."""
from . import dtypes
from .backend import xp
from .random import generator_or_default
from .tensor import Tensor, _make_tensor, _shape_arg


def tensor(data, dtype=None, requires_grad=False, name=None):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays).

    Python floats become the default dtype (float32), Python ints int64.
    ``name`` labels the tensor in graph drawings (``mt.viz``).
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad, name=name)


def from_numpy(array):
    """A tensor sharing memory with the ndarray ``array`` (dtype kept)."""
    if not isinstance(array, xp.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return _make_tensor(array)


def is_tensor(value):
    return isinstance(value, Tensor)


def _new(array, requires_grad):
    out = _make_tensor(array)
    return out.requires_grad_(True) if requires_grad else out


def _float_dtype(dtype):
    return dtypes.default.dtype if dtype is None else xp.dtype(dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    return _new(xp.zeros(_shape_arg(shape), _float_dtype(dtype)), requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    return _new(xp.ones(_shape_arg(shape), _float_dtype(dtype)), requires_grad)


def empty(*shape, dtype=None, requires_grad=False):
    return _new(xp.empty(_shape_arg(shape), _float_dtype(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    if dtype is None and isinstance(fill_value, bool):
        dtype = dtypes.bool_
    elif dtype is None and isinstance(fill_value, int):
        dtype = dtypes.int64
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _new(xp.full(shape, fill_value, _float_dtype(dtype)), requires_grad)


def zeros_like(other, dtype=None, requires_grad=False):
    return _new(xp.zeros(other.shape, dtype or other.dtype), requires_grad)


def ones_like(other, dtype=None, requires_grad=False):
    return _new(xp.ones(other.shape, dtype or other.dtype), requires_grad)


def full_like(other, fill_value, dtype=None, requires_grad=False):
    return _new(xp.full(other.shape, fill_value, dtype or other.dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; int64 unless a float is given."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.default.dtype if floats else dtypes.int64
    return _new(xp.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return _new(xp.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _new(xp.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*shape, generator=None, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    rng = generator_or_default(generator).numpy_rng
    array = rng.random(_shape_arg(shape)).astype(_float_dtype(dtype), copy=False)
    return _new(array, requires_grad)


def randn(*shape, generator=None, dtype=None, requires_grad=False):
    """Standard normal samples."""
    rng = generator_or_default(generator).numpy_rng
    array = rng.standard_normal(_shape_arg(shape)).astype(_float_dtype(dtype), copy=False)
    return _new(array, requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None):
    """Integers in [low, high) (int64): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, (size if high is None else high)
    rng = generator_or_default(generator).numpy_rng
    return _make_tensor(rng.integers(low, high, size=size, dtype=dtype or dtypes.int64))


def randperm(n, generator=None):
    """A random permutation of 0..n-1 (int64)."""
    rng = generator_or_default(generator).numpy_rng
    return _make_tensor(rng.permutation(n).astype(dtypes.int64, copy=False))
