"""Functions that make new tensors: from data, filled, ranges, random, ``*_like``.

Each takes PyTorch's everyday keywords: ``dtype``, ``requires_grad``, and
``device`` / ``layout`` (and ``pin_memory`` where PyTorch has it). minitorch
computes on the CPU with dense arrays, so ``device`` must name the CPU (a CUDA
request raises an error that names CUDA), ``layout`` must be ``mt.strided``, and
``pin_memory=True`` (page-locked memory for copies to a GPU) raises, as it does
in PyTorch on a machine without an accelerator.
"""
from . import dtypes
from .backend import xp
from .device import check_device
from .random import generator_or_default
from .tensor import Tensor, _make_tensor, _shape_arg


def _place(where, device=None, layout=None, pin_memory=False):
    """Check the placement keywords of a creation function (before any work is done)."""
    check_device(device, where)
    dtypes.check_layout(layout, where)
    if pin_memory:
        raise RuntimeError(f"{where}: pin_memory=True needs an accelerator (pinned memory "
                           "speeds up copies to a GPU); minitorch runs on the CPU only")


def tensor(data, dtype=None, requires_grad=False, name=None, *, device=None, pin_memory=False):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Python floats become the default dtype (float32), Python ints int64.
    ``name`` labels the tensor in graph drawings (``mt.viz``).
    """
    _place("tensor", device, None, pin_memory)
    return Tensor(data, dtype=dtype, requires_grad=requires_grad, name=name)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory when it already is a tensor or an ndarray
    of the requested dtype (as ``torch.as_tensor``); otherwise a copy."""
    _place("as_tensor", device)
    if isinstance(data, Tensor):
        if dtype is None or dtypes.to_numpy_dtype(dtype, "as_tensor") == data._data.dtype:
            return data
        return data.to(dtype)
    if isinstance(data, xp.ndarray) and data.dtype.kind in "biufc" and (
            dtype is None or dtypes.to_numpy_dtype(dtype, "as_tensor") == data.dtype):
        return _make_tensor(data)
    return Tensor(data, dtype=dtype)


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
    return dtypes.default.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)


def zeros(*size, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of zeros of shape ``size`` (default dtype unless ``dtype``)."""
    _place("zeros", device, layout)
    return _new(xp.zeros(_size(size, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ones of shape ``size``."""
    _place("ones", device, layout)
    return _new(xp.ones(_size(size, "ones"), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """An uninitialised tensor of shape ``size`` (its values are arbitrary)."""
    _place("empty", device, layout, pin_memory)
    return _new(xp.empty(_size(size, "empty"), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value
    (bool, int64, or the default float dtype) unless ``dtype`` is given."""
    _place("full", device, layout)
    if dtype is None and isinstance(fill_value, bool):
        dtype = dtypes.bool_
    elif dtype is None and isinstance(fill_value, int):
        dtype = dtypes.int64
    size = (size,) if isinstance(size, int) else tuple(size)
    return _new(xp.full(_size((size,), "full"), fill_value, _float_dtype(dtype)), requires_grad)


def _like_dtype(input, dtype, where):
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}: expected a Tensor as input, got {type(input).__name__}")
    return input._data.dtype if dtype is None else dtypes.to_numpy_dtype(dtype, where)


def zeros_like(input, dtype=None, layout=None, device=None, requires_grad=False):
    """Zeros of ``input``'s shape and (unless ``dtype``) dtype."""
    _place("zeros_like", device, layout)
    return _new(xp.zeros(input.shape, _like_dtype(input, dtype, "zeros_like")), requires_grad)


def ones_like(input, dtype=None, layout=None, device=None, requires_grad=False):
    """Ones of ``input``'s shape and (unless ``dtype``) dtype."""
    _place("ones_like", device, layout)
    return _new(xp.ones(input.shape, _like_dtype(input, dtype, "ones_like")), requires_grad)


def empty_like(input, dtype=None, layout=None, device=None, requires_grad=False):
    """An uninitialised tensor of ``input``'s shape and dtype."""
    _place("empty_like", device, layout)
    return _new(xp.empty(input.shape, _like_dtype(input, dtype, "empty_like")), requires_grad)


def full_like(input, fill_value, dtype=None, layout=None, device=None, requires_grad=False):
    """``fill_value`` in ``input``'s shape and (unless ``dtype``) dtype."""
    _place("full_like", device, layout)
    array = xp.full(input.shape, fill_value, _like_dtype(input, dtype, "full_like"))
    return _new(array, requires_grad)


def _random_like(where, input, dtype, layout, device):
    _place(where, device, layout)
    dtype = _like_dtype(input, dtype, where)
    if dtype.kind != "f":
        raise TypeError(f"{where}: expected a floating point dtype, got "
                        f"{dtypes.from_numpy_dtype(dtype)} (input of shape {tuple(input.shape)})")
    return dtype


def rand_like(input, dtype=None, layout=None, device=None, requires_grad=False,
              generator=None):
    """Uniform samples in [0, 1) in ``input``'s shape and float dtype."""
    dtype = _random_like("rand_like", input, dtype, layout, device)
    rng = generator_or_default(generator).numpy_rng
    return _new(rng.random(input.shape).astype(dtype, copy=False), requires_grad)


def randn_like(input, dtype=None, layout=None, device=None, requires_grad=False,
               generator=None):
    """Standard normal samples in ``input``'s shape and float dtype."""
    dtype = _random_like("randn_like", input, dtype, layout, device)
    rng = generator_or_default(generator).numpy_rng
    return _new(rng.standard_normal(input.shape).astype(dtype, copy=False), requires_grad)


def randint_like(input, low=0, high=None, dtype=None, layout=None, device=None,
                 requires_grad=False, generator=None):
    """Integers in [low, high) in ``input``'s shape and dtype: ``randint_like(x, high)``
    or ``randint_like(x, low, high)``."""
    _place("randint_like", device, layout)
    if high is None:
        low, high = 0, low
    dtype = _like_dtype(input, dtype, "randint_like")
    rng = generator_or_default(generator).numpy_rng
    return _new(rng.integers(low, high, size=input.shape).astype(dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; int64 unless a float is given."""
    _place("arange", device, layout)
    if end is None:
        start, end = 0, start
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.default.dtype if floats else dtypes.int64
    return _new(xp.arange(start, end, step, dtype=_float_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    _place("linspace", device, layout)
    return _new(xp.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The (n, m) identity matrix (m defaults to n)."""
    _place("eye", device, layout)
    return _new(xp.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*size, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples in [0, 1)."""
    _place("rand", device, layout, pin_memory)
    rng = generator_or_default(generator).numpy_rng
    array = rng.random(_size(size, "rand")).astype(_float_dtype(dtype), copy=False)
    return _new(array, requires_grad)


def randn(*size, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples."""
    _place("randn", device, layout, pin_memory)
    rng = generator_or_default(generator).numpy_rng
    array = rng.standard_normal(_size(size, "randn")).astype(_float_dtype(dtype), copy=False)
    return _new(array, requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    """Integers in [low, high) (int64): ``randint(high, size)`` or ``randint(low, high, size)``."""
    _place("randint", device, layout)
    if high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, (size if high is None else high)
    rng = generator_or_default(generator).numpy_rng
    dtype = dtypes.int64.dtype if dtype is None else dtypes.to_numpy_dtype(dtype, "randint")
    if dtype.kind in "iu":
        return _new(rng.integers(low, high, size=size, dtype=dtype), requires_grad)
    return _new(rng.integers(low, high, size=size).astype(dtype), requires_grad)


def randperm(n, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1 (int64 unless ``dtype``)."""
    _place("randperm", device, layout, pin_memory)
    rng = generator_or_default(generator).numpy_rng
    dtype = dtypes.int64 if dtype is None else dtypes.to_numpy_dtype(dtype, "randperm")
    return _new(rng.permutation(n).astype(dtype, copy=False), requires_grad)


def _size(size, where):
    """A creation function's shape (``f(2, 3)`` or ``f((2, 3))``), refusing negative sizes
    as PyTorch does."""
    shape = _shape_arg(size)
    for n in shape:
        if n < 0:
            raise RuntimeError(f"{where}: trying to create a tensor with negative dimension "
                               f"{n}: {list(shape)}")
    return shape
