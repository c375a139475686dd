"""Tensor's operators and methods, attached to the class in one place.

``tensor.py`` defines the data structure; this module gives it behaviour: each
arithmetic operator, math function, reduction, shape and in-place method is a
thin call into a ``Function`` of ``minitorch.ops`` (where forward and its one
derivative rule live side by side) or a composition of such calls.
Comparisons, ``argmax`` and the like compute on the array directly and carry no
gradient. ``attach()`` at the bottom copies the methods of ``TensorMethods``
onto ``Tensor`` (the pattern of DeZero's ``setup_variable``), so every module
imports downward: tensor -> autograd -> ops -> methods.
"""
import collections
import math
import warnings

from . import dtypes, linalg, ops
from .autograd import engine
from .autograd.grad_mode import grad_state
from .backend import as_array, xp
from .device import check_device, is_device
from .random import generator_or_default
from .tensor import (Size, Tensor, _check_dims, _dims, _make_tensor, _shape_arg, _to_array,
                     bump_version, version, view_base)

MaxMin = collections.namedtuple("MaxMin", ["values", "indices"])
"""Result of ``max``/``min`` along a dimension: ``(values, indices)``, as in torch."""


class TensorMethods:
    """The methods and operators of ``Tensor`` (copied onto it by ``attach``)."""

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False,
           memory_format=None):
        """Convert to ``dtype`` (differentiable between float types).

        Accepts PyTorch's forms ``to(dtype)``, ``to("cpu")``, ``to("cpu", dtype)``,
        ``to(other_tensor)`` and ``to(device=..., dtype=...)``, each followed by
        ``non_blocking`` and ``copy``. Returns ``self`` when nothing changes, unless
        ``copy=True``. minitorch runs on the CPU, so any other device is an error
        (one naming CUDA for a CUDA device).
        """
        dtype, flags = _parse_to(args, dtype, device, "to")
        copy = flags[1] if len(flags) > 1 else copy
        if dtype is not None:
            dtype = dtypes.to_numpy_dtype(dtype, "to")
        if dtype is None or dtype == self._data.dtype:
            return self.clone() if copy else self
        if dtype.kind not in "fc":  # integers and bools carry no gradient, as in PyTorch
            return _make_tensor(self._data.astype(dtype))
        return ops.Cast.apply(self, dtype)

    def cpu(self, memory_format=None):
        """This tensor (minitorch tensors always live on the CPU)."""
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """Always an error that names CUDA: minitorch runs on the CPU only."""
        check_device("cuda" if device is None else
                     device if not isinstance(device, int) else f"cuda:{device}", "cuda")
        return self

    def type(self, dtype=None, non_blocking=False):
        """``t.type(mt.float32)`` (or a legacy type, ``t.type(mt.LongTensor)``) converts
        like ``to``; ``t.type()`` names the type as PyTorch does
        (``'minitorch.FloatTensor'``)."""
        if dtype is None:
            return _TYPE_NAMES.get(self._data.dtype.name, "minitorch.Tensor")
        if isinstance(dtype, type) and isinstance(getattr(dtype, "dtype", None), dtypes.dtype):
            dtype = dtype.dtype  # mt.LongTensor and the other legacy types
        if isinstance(dtype, str):
            dtype = _TYPE_BY_NAME.get(dtype.replace("torch.", "minitorch."), dtype)
        return self.to(dtype)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other``: ``mt.where(condition, self,
        other)``."""
        return where(condition, self, other)

    def _floating(self):
        """This tensor, or for integer and bool tensors a copy in the default float dtype."""
        return self if self._data.dtype.kind == "f" else self.to(dtypes.default.dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def long(self):
        return self.to(dtypes.int64)

    def half(self):
        return self.to(dtypes.float16)

    def int(self):
        return self.to(dtypes.int32)

    def short(self):
        return self.to(dtypes.int16)

    def char(self):
        return self.to(dtypes.int8)

    def byte(self):
        return self.to(dtypes.uint8)

    def bool(self):
        return self.to(dtypes.bool_)

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf.

        ``gradient`` (shape of ``self``) is required unless ``self`` has one
        element. The graph is freed afterwards unless ``retain_graph`` (which
        defaults to ``create_graph``).
        """
        engine.backward(self, gradient, retain_graph, create_graph)

    def clone(self):
        """A copy with its own memory; gradients flow back to ``self``."""
        return ops.Clone.apply(self)

    # ------------------------------------------------------------------ arithmetic
    def _operand(self, other):
        """``other`` as a Tensor; Python numbers take this tensor's float dtype."""
        if isinstance(other, Tensor):
            return other
        dtype = self._data.dtype
        if dtype.kind == "f" and type(other) in (float, int):  # the common case, fast
            return _make_tensor(xp.array(other, dtype))
        if dtype.kind != "f":  # integer or bool tensor: let the number decide
            dtype = dtypes.default.dtype if isinstance(other, float) else None
        return _make_tensor(_to_array(other, dtype, "operand"))

    def __add__(self, other):
        return _binary(ops.Add, self, other)

    def __radd__(self, other):
        return _binary(ops.Add, self, other, reflected=True)

    def __sub__(self, other):
        return _binary(ops.Sub, self, other)

    def __rsub__(self, other):
        return _binary(ops.Sub, self, other, reflected=True)

    def __mul__(self, other):
        return _binary(ops.Mul, self, other)

    def __rmul__(self, other):
        return _binary(ops.Mul, self, other, reflected=True)

    def __truediv__(self, other):
        return _binary(ops.Div, self, other, floating=True)

    def __rtruediv__(self, other):
        return _binary(ops.Div, self, other, reflected=True, floating=True)

    def __pow__(self, exponent):
        if isinstance(exponent, (int, float)):  # NumPy scalars too, made Python numbers
            if isinstance(exponent, float):
                return ops.PowScalar.apply(self._floating(), float(exponent))
            return ops.PowScalar.apply(self, int(exponent))
        return _binary(ops.Pow, self, exponent)

    def __rpow__(self, base):
        return _binary(ops.Pow, self, base, reflected=True)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply(self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(self._operand(other), self)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__
    neg = __neg__
    abs = __abs__
    matmul = __matmul__

    # comparisons: boolean tensors, never differentiable
    def _compare(self, other, compare):
        other = other._data if isinstance(other, Tensor) else other
        return _make_tensor(as_array(compare(self._data, other)))

    def __lt__(self, other):
        return self._compare(other, xp.less)

    def __le__(self, other):
        return self._compare(other, xp.less_equal)

    def __gt__(self, other):
        return self._compare(other, xp.greater)

    def __ge__(self, other):
        return self._compare(other, xp.greater_equal)

    def __eq__(self, other):
        return self._compare(other, xp.equal)

    def __ne__(self, other):
        return self._compare(other, xp.not_equal)

    def __invert__(self):
        return _make_tensor(xp.invert(self._data))  # logical not for bool tensors

    def __and__(self, other):
        return self._compare(other, xp.bitwise_and)  # logical and for bool tensors

    def __or__(self, other):
        return self._compare(other, xp.bitwise_or)

    def __xor__(self, other):
        return self._compare(other, xp.bitwise_xor)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __format__(self, spec):
        """``f"{loss:.4f}"``: a 0-d tensor formats as its Python number, as in PyTorch;
        other tensors accept only the empty spec (their ``str``)."""
        if self.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    def logical_and(self, other):
        """Elementwise ``self and other`` as bool (any nonzero value counts as True)."""
        return self._compare(other, xp.logical_and)

    def logical_or(self, other):
        return self._compare(other, xp.logical_or)

    def logical_xor(self, other):
        return self._compare(other, xp.logical_xor)

    def logical_not(self):
        return _make_tensor(xp.logical_not(self._data))

    def isnan(self):
        return _make_tensor(xp.isnan(self._data))

    def isfinite(self):
        return _make_tensor(xp.isfinite(self._data))


    # ------------------------------------------------------------------ elementwise
    def exp(self):
        return ops.Exp.apply(self._floating())

    def log(self):
        return ops.Log.apply(self._floating())

    def sqrt(self):
        return ops.Sqrt.apply(self._floating())

    def sin(self):
        return ops.Sin.apply(self._floating())

    def cos(self):
        return ops.Cos.apply(self._floating())

    def tanh(self):
        return ops.Tanh.apply(self._floating())

    def sigmoid(self):
        return ops.Sigmoid.apply(self._floating())

    def relu(self):
        return ops.Relu.apply(self)

    def erf(self):
        return ops.Erf.apply(self._floating())

    def square(self):
        return ops.PowScalar.apply(self, 2)

    def rsqrt(self):
        return ops.PowScalar.apply(self._floating(), -0.5)

    def reciprocal(self):
        return ops.PowScalar.apply(self._floating(), -1)

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; the gradient passes where min <= x <= max.

        ``min`` and ``max`` are numbers, or tensors (then as ``maximum``/``minimum``).
        """
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self if min is None else self.maximum(min)
            return out if max is None else out.minimum(max)
        bounds_float = isinstance(min, float) or isinstance(max, float)
        return ops.Clamp.apply(self._floating() if bounds_float else self, min, max)

    clip = clamp

    def maximum(self, other):
        """Elementwise maximum; at ties each input receives half the gradient."""
        return _binary(ops.Maximum, self, other)

    def minimum(self, other):
        """Elementwise minimum; at ties each input receives half the gradient."""
        return _binary(ops.Minimum, self, other)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False):
        return ops.Sum.apply(self, _dims(dim), keepdim)

    def mean(self, dim=None, keepdim=False):
        return ops.Mean.apply(self._floating(), _dims(dim), keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False, correction=None):
        """Variance over ``dim``; divides by n - 1 when ``unbiased`` (or n - correction).

        As in PyTorch, with n - correction <= 0 (one element, unbiased) the result is
        nan (or inf), with a warning.
        """
        dim = _check_dims(_dims(dim), self.ndim, "var", self.shape)
        correction = (1 if unbiased else 0) if correction is None else correction
        if dim is None:
            count = self._data.size
        else:
            count = math.prod(self.shape[d] for d in ((dim,) if isinstance(dim, int) else dim))
        centered = self._floating() - self.mean(dim, keepdim=True)
        total = (centered * centered).sum(dim, keepdim)
        if count - correction > 0:
            return total / (count - correction)
        warnings.warn(f"var: degrees of freedom is <= 0 ({count} elements, correction "
                      f"{correction}): the result is nan or inf, as in PyTorch", stacklevel=2)
        # total / 0 without NumPy's warnings: nan (0 / 0, with a nan gradient) or inf
        scale = xp.where(total._data == 0, xp.nan, xp.inf).astype(total._data.dtype)
        return total * _make_tensor(scale)

    def std(self, dim=None, unbiased=True, keepdim=False, correction=None):
        """Standard deviation, sqrt(var). Where it is 0 (a constant input) its gradient
        is 0, PyTorch's subgradient; one element (unbiased) or a nan input gives nan
        with a nan gradient, never 0."""
        return linalg._safe_root(self.var(dim, unbiased, keepdim, correction), 0.5)

    def max(self, dim=None, keepdim=False):
        """The maximum; along ``dim``, the pair ``(values, indices)``.

        Gradient convention (as PyTorch): the full reduction shares the gradient
        equally among tied maxima; along ``dim`` it goes to the returned index.
        """
        _check_nonempty(self, dim, "max")
        if dim is None:
            return ops.Max.apply(self, None, False)
        return self._extreme_along(dim, keepdim, xp.argmax)

    def min(self, dim=None, keepdim=False):
        """The minimum; along ``dim``, the pair ``(values, indices)`` (see ``max``)."""
        _check_nonempty(self, dim, "min")
        if dim is None:
            return ops.Min.apply(self, None, False)
        return self._extreme_along(dim, keepdim, xp.argmin)

    def _extreme_along(self, dim, keepdim, arg_extreme):
        _check_dims(dim, self.ndim, arg_extreme.__name__.replace("arg", ""), self.shape)
        indices = _make_tensor(arg_extreme(self._data, axis=dim, keepdims=True))
        values = self.gather(dim, indices)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return MaxMin(values, indices)

    def amax(self, dim=None, keepdim=False):
        """Maximum over ``dim`` (int or tuple); ties share the gradient equally."""
        _check_nonempty(self, dim, "amax")
        return ops.Max.apply(self, _dims(dim), keepdim)

    def amin(self, dim=None, keepdim=False):
        _check_nonempty(self, dim, "amin")
        return ops.Min.apply(self, _dims(dim), keepdim)

    def argmax(self, dim=None, keepdim=False):
        _check_nonempty(self, dim, "argmax")
        return _make_tensor(as_array(xp.argmax(self._data, axis=dim, keepdims=keepdim)))

    def argmin(self, dim=None, keepdim=False):
        _check_nonempty(self, dim, "argmin")
        return _make_tensor(as_array(xp.argmin(self._data, axis=dim, keepdims=keepdim)))

    def logsumexp(self, dim, keepdim=False):
        """log(sum(exp(x))) over ``dim``, computed without overflow."""
        return ops.LogSumExp.apply(self._floating(), _dims(dim), keepdim)

    def softmax(self, dim):
        return ops.Softmax.apply(self._floating(), dim)

    def log_softmax(self, dim):
        return ops.LogSoftmax.apply(self._floating(), dim)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        """The same values in ``shape`` (one -1 is inferred); a view when possible."""
        return ops.Reshape.apply(self, _shape_arg(shape), False)

    def view(self, *shape):
        """The same memory seen with ``shape``; raises (as PyTorch) when the layout
        does not allow it without a copy: use ``reshape`` then. ``view(dtype)``
        reinterprets the bytes as another dtype."""
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
            return _make_tensor(self._data.view(dtypes.to_numpy_dtype(shape[0], "view")))
        return ops.Reshape.apply(self, _shape_arg(shape), True)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def type_as(self, other):
        """This tensor in ``other``'s dtype (itself when they already agree)."""
        return self.to(other.dtype)

    def is_contiguous(self, memory_format=None):
        """True when the values lie in memory in row-major order (a transpose or an
        ``expand`` is not contiguous; ``view`` needs a compatible layout)."""
        _check_memory_format(memory_format, "is_contiguous")
        return bool(self._data.flags.c_contiguous)

    def contiguous(self, memory_format=None):
        """This tensor if it is contiguous, else a row-major copy that gradients flow
        through, as in PyTorch: ``x.transpose(1, 2).contiguous().view(n, -1)``."""
        _check_memory_format(memory_format, "contiguous")
        return self if self._data.flags.c_contiguous else self.clone()

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dimensions ``start_dim`` to ``end_dim`` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        _check_dims((start_dim, end_dim), self.ndim, "flatten", self.shape)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                             f"for a tensor of shape {tuple(self.shape)}")
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(shape)

    def permute(self, *dims):
        dims = _shape_arg(dims)
        if len(dims) == self.ndim:
            _check_dims(dims, self.ndim, "permute", self.shape)
        if sorted(d % max(1, self.ndim) for d in dims) != list(range(self.ndim)):
            raise ValueError(
                f"permute: {dims} is not a permutation of the {self.ndim} dimensions "
                f"of a tensor of shape {tuple(self.shape)}")
        return ops.Permute.apply(self, tuple(d % self.ndim for d in dims))

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        try:
            dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        except IndexError:
            raise IndexError(
                f"transpose: dimensions ({dim0}, {dim1}) out of range for a tensor "
                f"of shape {tuple(self.shape)}") from None
        return ops.Permute.apply(self, tuple(dims))

    def t(self):
        """The transpose of a matrix (tensors of at most 2 dimensions)."""
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor with at most 2 dimensions, got shape "
                             f"{tuple(self.shape)}; use transpose(dim0, dim1) or permute")
        return self.transpose(0, 1) if self.ndim == 2 else self

    def unsqueeze(self, dim):
        """Insert a dimension of size 1 at ``dim``."""
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise IndexError(
                f"unsqueeze: dimension {dim} out of range for a tensor of shape "
                f"{tuple(self.shape)}")
        dim = dim % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        """Remove dimensions of size 1 (all, or those in ``dim``)."""
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dims = _check_dims(dim, self.ndim, "squeeze", self.shape)
        dims = {d % max(1, self.ndim) for d in ((dims,) if isinstance(dims, int) else dims)}
        return self.reshape(tuple(n for i, n in enumerate(self.shape)
                                  if not (i in dims and n == 1)))

    def expand(self, *shape):
        """Broadcast to ``shape`` without copying (-1 keeps a dimension)."""
        shape = _shape_arg(shape)
        offset = len(shape) - self.ndim
        shape = tuple(self.shape[i - offset] if n == -1 and i >= offset else n
                      for i, n in enumerate(shape))
        return ops.Expand.apply(self, shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def gather(self, dim, index):
        """Values at ``index`` along ``dim`` (``index`` has this tensor's ndim)."""
        _check_dims(dim, self.ndim, "gather", self.shape)
        index = index._data.copy() if isinstance(index, Tensor) else xp.asarray(index)
        return ops.Gather.apply(self, dim, index)

    def __getitem__(self, index):
        return ops.GetItem.apply(self, _index_arg(index))

    def __setitem__(self, index, value):
        index = _index_arg(index)
        value = self._operand(value)
        self._inplace(lambda source: ops.SetItem.apply(source, index, value))

    # ------------------------------------------------------------------ in place
    def _inplace(self, compute):
        """Replace this tensor's values with ``compute(self)``, in its own memory.

        When grad mode is on, ``compute`` sees a copy of the old values (an
        operation may save it for backward), and this tensor becomes the output
        of the new operation. The version counter, shared with views, is bumped
        so that operations that saved the old values refuse to run backward.
        """
        recording = grad_state.enabled
        if recording and self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"in-place operation on a leaf tensor of shape {tuple(self.shape)} that "
                "requires grad; do it inside `with mt.no_grad():` or on a clone")
        base = view_base(self)
        view_in_graph = base is not None and (self.requires_grad or base.requires_grad)
        if recording and view_in_graph:
            raise RuntimeError(
                f"in-place operation on a view (shape {tuple(self.shape)}) of a tensor that "
                "requires grad is not supported: it would change the base tensor behind "
                "the graph's back. Use an out-of-place operation, or .clone() the view")
        if not self._data.flags.writeable:
            raise RuntimeError(
                f"in-place operation on a read-only tensor of shape {tuple(self.shape)} (a "
                "broadcast made by expand(), or a read-only array); .clone() it first")
        source = self
        if recording:
            source = _make_tensor(self._data.copy())
            source.requires_grad, source.grad_fn = self.requires_grad, self.grad_fn
        result = compute(source)
        if result.shape != self.shape:
            raise ValueError(
                f"in-place operation: result of shape {tuple(result.shape)} does not fit "
                f"a tensor of shape {tuple(self.shape)}")
        if recording and base is not None and result.requires_grad:
            raise RuntimeError(
                f"in-place operation on a view (shape {tuple(self.shape)}) with an operand that "
                "requires grad is not supported; use out-of-place operations")
        try:
            xp.copyto(self._data, result._data, casting="same_kind")
        except TypeError:
            raise TypeError(
                f"in-place operation: result of dtype {result.dtype} cannot be "
                f"stored in a tensor of dtype {self.dtype}") from None
        if recording:
            self.grad_fn = result.grad_fn
            self.requires_grad = result.requires_grad
        bump_version(self)
        return self

    @property
    def _version(self):
        """How many in-place changes this tensor's memory has had (shared with views)."""
        return version(self)

    def add_(self, other, alpha=1):
        other = self._operand(other)
        return self._inplace(lambda s: s + (other if alpha == 1 else other * alpha))

    def sub_(self, other, alpha=1):
        other = self._operand(other)
        return self._inplace(lambda s: s - (other if alpha == 1 else other * alpha))

    def mul_(self, other):
        other = self._operand(other)
        return self._inplace(lambda s: s * other)

    def div_(self, other):
        other = self._operand(other)
        return self._inplace(lambda s: s / other)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda s: s.clamp(min, max))

    def copy_(self, source):
        source = self._operand(source)
        return self._inplace(lambda s: source.expand(self.shape).to(self.dtype))

    def fill_(self, value):
        return self._inplace(lambda s: _make_tensor(xp.full(self.shape, value, self.dtype)))

    def zero_(self):
        return self.fill_(0)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        """Fill with samples of U(a, b) from ``generator`` (default: the global one)."""
        rng = generator_or_default(generator).numpy_rng
        return self._inplace(lambda s: _make_tensor(
            rng.uniform(a, b, size=self.shape).astype(self.dtype)))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        """Fill with samples of N(mean, std**2) from ``generator``."""
        rng = generator_or_default(generator).numpy_rng
        return self._inplace(lambda s: _make_tensor(
            rng.normal(mean, std, size=self.shape).astype(self.dtype)))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    # ------------------------------------------------------------------ new tensors
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor copying ``data``, with this tensor's dtype unless ``dtype``."""
        check_device(device, "new_tensor")
        return Tensor(data, dtype=self.dtype if dtype is None else dtype,
                      requires_grad=requires_grad)

    def _new_filled(self, where, size, fill, dtype, device, requires_grad):
        check_device(device, where)
        dtype = self._data.dtype if dtype is None else dtypes.to_numpy_dtype(dtype, where)
        out = _make_tensor(fill(_shape_arg(size), dtype))
        return out.requires_grad_(True) if requires_grad else out

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of shape ``size`` with this tensor's dtype (unless ``dtype``)."""
        return self._new_filled("new_zeros", size, xp.zeros, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled("new_ones", size, xp.ones, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled("new_empty", size, xp.empty, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return self._new_filled("new_full", (size,),
                                lambda shape, d: xp.full(shape, fill_value, d),
                                dtype, device, requires_grad)

    # ------------------------------------------------------------------ more math
    def log1p(self):
        """log(1 + x), accurate for tiny x."""
        return ops.Log1p.apply(self._floating())

    def expm1(self):
        """exp(x) - 1, accurate for tiny x."""
        return ops.Expm1.apply(self._floating())

    def log2(self):
        return ops.Log2.apply(self._floating())

    def log10(self):
        return ops.Log10.apply(self._floating())

    def sign(self):
        """-1, 0 or 1 by the sign of each element (nan for nan); gradient zero, as PyTorch."""
        if self._data.dtype == xp.bool_:
            return _make_tensor(self._data.copy())
        return _step(self, xp.sign(self._data))

    sgn = sign

    def floor(self):
        """Round down; integer tensors are returned as a copy. Gradient zero, as PyTorch."""
        return _step(self, xp.floor(self._data) if self._data.dtype.kind == "f" else None)

    def ceil(self):
        """Round up (gradient zero)."""
        return _step(self, xp.ceil(self._data) if self._data.dtype.kind == "f" else None)

    def trunc(self):
        """Round toward zero (gradient zero)."""
        return _step(self, xp.trunc(self._data) if self._data.dtype.kind == "f" else None)

    fix = trunc

    def round(self, decimals=0):
        """Round half to even (as PyTorch), to ``decimals`` decimal places (gradient zero)."""
        if self._data.dtype.kind != "f":
            if decimals != 0:
                raise TypeError(f"round: decimals={decimals} needs a floating point tensor, "
                                f"got {self.dtype}")
            return _step(self, None)
        return _step(self, xp.round(self._data, decimals))

    def clamp_min(self, min):  # noqa: A002  (PyTorch's name)
        """``clamp(min=min)``."""
        return self.clamp(min=min)

    def clamp_max(self, max):  # noqa: A002
        """``clamp(max=max)``."""
        return self.clamp(max=max)

    def masked_fill(self, mask, value):
        """``value`` where the boolean ``mask`` (broadcast to this shape) is true, this
        tensor elsewhere. ``value`` is a number or a 0-d tensor (the gradient reaches it
        too) and takes this tensor's dtype, as in PyTorch."""
        mask = _bool_mask(self, mask, "masked_fill")
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, "
                                   f"got a tensor of shape {tuple(value.shape)}")
            if value._data.dtype != self._data.dtype:
                value = value.to(self.dtype)
        else:
            value = _make_tensor(xp.asarray(value).astype(self._data.dtype))
        return ops.Where.apply(mask, value, self)

    def masked_fill_(self, mask, value):
        """In-place ``masked_fill``."""
        _bool_mask(self, mask, "masked_fill_")  # checked before anything changes
        return self._inplace(lambda s: s.masked_fill(mask, value))

    # ------------------------------------------------------------------ logical
    def any(self, dim=None, keepdim=False):
        """True where any element (over ``dim``: None, an int or a tuple) is nonzero."""
        dim = _check_dims(_dims(dim), self.ndim, "any", tuple(self.shape))
        return _make_tensor(as_array(xp.any(self._data, axis=dim, keepdims=keepdim)))

    def all(self, dim=None, keepdim=False):
        """True where all elements (over ``dim``) are nonzero."""
        dim = _check_dims(_dims(dim), self.ndim, "all", tuple(self.shape))
        return _make_tensor(as_array(xp.all(self._data, axis=dim, keepdims=keepdim)))

    def equal(self, other):
        """True if ``other`` has this shape and the same values (a Python bool; nan is
        never equal)."""
        if not isinstance(other, Tensor):
            raise TypeError(f"equal: expected a Tensor, got {type(other).__name__}")
        return self.shape == other.shape and bool(xp.array_equal(self._data, other._data))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """Elementwise |self - other| <= atol + rtol * |other| (a bool tensor)."""
        other = _same_dtype_operand(self, other, "isclose")
        return _make_tensor(as_array(xp.isclose(self._data, other, rtol=rtol, atol=atol,
                                                  equal_nan=equal_nan)))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """True if every element ``isclose`` (a Python bool)."""
        other = other._data if isinstance(other, Tensor) else other
        return bool(xp.allclose(self._data, other, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isinf(self):
        return _make_tensor(xp.isinf(self._data))

    # ------------------------------------------------------------------ products
    def mm(self, mat2):
        """Matrix product of two matrices (n, m) @ (m, p) -> (n, p); no broadcasting."""
        _check_operands("mm", ((self, 2, "self"), (mat2, 2, "mat2")))
        return matmul(self, mat2)

    def bmm(self, mat2):
        """Batched matrix product (b, n, m) @ (b, m, p) -> (b, n, p); no broadcasting."""
        _check_operands("bmm", ((self, 3, "self"), (mat2, 3, "batch2")))
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: {tuple(self.shape)} and "
                               f"{tuple(mat2.shape)}")
        return matmul(self, mat2)

    def mv(self, vec):
        """Matrix-vector product (n, m) @ (m,) -> (n,)."""
        _check_operands("mv", ((self, 2, "self"), (vec, 1, "vec")))
        return matmul(self, vec)

    def dot(self, other):
        """Dot product of two 1-D tensors of equal length (a 0-d tensor)."""
        _check_operands("dot", ((self, 1, "self"), (other, 1, "tensor")))
        return matmul(self, other)

    def outer(self, vec2):
        """Outer product of two 1-D tensors: (n,) x (m,) -> (n, m)."""
        _check_operands("outer", ((self, 1, "self"), (vec2, 1, "vec2")))
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """beta * self + alpha * (mat1 @ mat2); self broadcasts to (n, p). With
        ``beta=0`` self is ignored (its nan and inf do not propagate), as in PyTorch."""
        _check_operands("addmm", ((mat1, 2, "mat1"), (mat2, 2, "mat2")))
        out_shape = (mat1.shape[0], mat2.shape[1])
        try:
            if xp.broadcast_shapes(self.shape, out_shape) != out_shape:
                raise ValueError
        except ValueError:
            raise RuntimeError(f"addmm: input of shape {tuple(self.shape)} does not broadcast "
                               f"to the product's shape {out_shape} ({tuple(mat1.shape)} @ "
                               f"{tuple(mat2.shape)})") from None
        if beta == 1 and alpha == 1 and self.shape == out_shape[1:]:
            return ops.Linear.apply(mat1, mat2.mT, self)  # one fused node, as nn.Linear
        product = matmul(mat1, mat2)
        if alpha != 1:
            product = product * alpha
        if beta == 0:
            return product
        return product + (self if beta == 1 else self * beta)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """The vector p-norm over ``dim`` (all elements when None): 'fro' (default) and
        2 give sqrt(sum(x**2)), 1, inf, -inf, 0 and other numbers as in
        ``mt.linalg.vector_norm``. The gradient of the 2-norm at zero is 0."""
        return linalg.tensor_norm(self, p, dim, keepdim, dtype)

    # ------------------------------------------------------------------ cumulative
    def cumsum(self, dim, dtype=None):
        """Running sums along ``dim``; integer and bool tensors give int64 (as PyTorch)."""
        x = _accumulated(self, dim, dtype, "cumsum")
        if x.ndim == 0:
            return x.clone()
        return ops.Cumsum.apply(x, dim % x.ndim)

    def cumprod(self, dim, dtype=None):
        """Running products along ``dim``; the gradient is exact where inputs are zero."""
        x = _accumulated(self, dim, dtype, "cumprod")
        if x.ndim == 0:
            return x.clone()
        return ops.Cumprod.apply(x, dim % x.ndim)

    def prod(self, dim=None, keepdim=False, dtype=None):
        """Product of all elements, or over the int ``dim``; integer and bool tensors
        give int64 (as PyTorch). The gradient is the product of the other elements,
        exact where inputs are zero."""
        if dim is not None and not isinstance(dim, int):
            raise TypeError(f"prod: dim must be an int or None, got {dim!r}")
        x = _accumulated(self, dim, dtype, "prod")
        return ops.Prod.apply(x, dim, keepdim if dim is not None else False)

    # ------------------------------------------------------------------ more shapes
    def select(self, dim, index):
        """The slice at ``index`` along ``dim`` (that dimension removed); a view."""
        _check_dims(dim, self.ndim, "select", tuple(self.shape))
        size = self.shape[dim]
        if not -size <= index < size:
            raise IndexError(f"select: index {index} out of range for dimension {dim} of size "
                             f"{size} (tensor of shape {tuple(self.shape)})")
        return self[_along(dim, self.ndim, index)]

    def narrow(self, dim, start, length):
        """Elements ``start`` to ``start + length`` along ``dim``; a view."""
        _check_dims(dim, self.ndim, "narrow", tuple(self.shape))
        size = self.shape[dim]
        start = start + size if start < 0 else start
        if not (0 <= start <= size and 0 <= length <= size - start):
            raise IndexError(f"narrow: start {start} and length {length} exceed dimension "
                             f"{dim} of size {size} (tensor of shape {tuple(self.shape)})")
        return self[_along(dim, self.ndim, slice(start, start + length))]

    def split(self, split_size_or_sections, dim=0):
        """Views of consecutive pieces along ``dim``: of ``split_size`` each (the last
        may be smaller), or of the sizes in a list, which must add up to the dimension."""
        _check_dims(dim, self.ndim, "split", tuple(self.shape))
        size = self.shape[dim]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step < 0 or (step == 0 and size):
                raise RuntimeError(f"split: split_size must be positive, got {step} (dimension "
                                   f"{dim} of size {size})")
            sizes = [step] * (size // step) + ([size % step] if size % step else []) \
                if step else [0]
        else:
            sizes = [int(n) for n in split_size_or_sections]
            if sum(sizes) != size or any(n < 0 for n in sizes):
                raise RuntimeError(f"split: split sizes {sizes} must be non-negative and sum "
                                   f"exactly to {size}, the size of dimension {dim} of a "
                                   f"tensor of shape {tuple(self.shape)}")
        pieces, start = [], 0
        for n in sizes:
            pieces.append(self[_along(dim, self.ndim, slice(start, start + n))])
            start += n
        return tuple(pieces)

    def chunk(self, chunks, dim=0):
        """At most ``chunks`` views along ``dim``, each of ceil(size / chunks) elements
        (the last may be smaller, and there may be fewer chunks, as in PyTorch)."""
        if not isinstance(chunks, int) or chunks <= 0:
            raise RuntimeError(f"chunk: expects chunks to be greater than 0, got {chunks!r}")
        _check_dims(dim, self.ndim, "chunk", tuple(self.shape))
        size = self.shape[dim]
        if size == 0:
            return tuple(self for _ in range(chunks))
        return self.split(-(-size // chunks), dim)

    def unbind(self, dim=0):
        """The slices along ``dim`` (that dimension removed), as a tuple of views."""
        _check_dims(dim, self.ndim, "unbind", tuple(self.shape))
        return tuple(self[_along(dim, self.ndim, i)] for i in range(self.shape[dim]))

    def repeat(self, *sizes):
        """This tensor tiled ``sizes[i]`` times along dimension i (``sizes`` may add
        leading dimensions); a copy. Gradients of the copies add up."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: the number of repeat dims ({len(sizes)}) can not be "
                               f"smaller than the number of dimensions of the tensor "
                               f"({self.ndim}, shape {tuple(self.shape)})")
        if any(n < 0 for n in sizes):
            raise RuntimeError(f"repeat: repeats must be non-negative, got {sizes}")
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        spread = [n for size in shape for n in (1, size)]
        tiled = [n for repeat, size in zip(sizes, shape) for n in (repeat, size)]
        out = self.reshape(spread).expand(tiled)
        return out.reshape(tuple(r * n for r, n in zip(sizes, shape)))

    def tile(self, *dims):
        """``repeat`` with ``dims`` padded with leading 1s to this tensor's ndim."""
        dims = _shape_arg(dims)
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def flip(self, *dims):
        """Reverse the order of elements along ``dims``; a view."""
        dims = _shape_arg(dims)
        _check_dims(dims, self.ndim, "flip", tuple(self.shape))
        index = [slice(None)] * self.ndim
        for d in dims:
            if index[d] != slice(None):
                raise RuntimeError(f"flip: dim {d} appears multiple times in dims {dims}")
            index[d] = slice(None, None, -1)
        return self[tuple(index)]

    def fliplr(self):
        return self.flip(1)

    def flipud(self):
        return self.flip(0)

    def roll(self, shifts, dims=None):
        """Shift elements by ``shifts`` along ``dims`` (wrapping around); without
        ``dims`` the tensor is flattened, rolled and reshaped."""
        shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        if dims is None:
            if len(shifts) != 1:
                raise RuntimeError(f"roll: without dims, shifts must be one int, got {shifts}")
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts and dimensions must align, got shifts {shifts} "
                               f"and dims {dims}")
        _check_dims(dims, self.ndim, "roll", tuple(self.shape))
        out = self
        for shift, dim in zip(shifts, dims):
            size = out.shape[dim]
            if size == 0 or shift % size == 0:
                continue
            cut = size - shift % size
            out = cat([out[_along(dim, out.ndim, slice(cut, None))],
                       out[_along(dim, out.ndim, slice(0, cut))]], dim)
        return out

    def tril(self, diagonal=0):
        """The lower triangle of the last two dimensions (zeros above ``diagonal``)."""
        return self.where(_triangle(self, diagonal, "tril"), 0)

    def triu(self, diagonal=0):
        """The upper triangle of the last two dimensions (zeros below ``diagonal``)."""
        return self.where(~_triangle(self, diagonal - 1, "triu"), 0)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """The diagonal ``offset`` (above the main one when > 0, below when < 0) of the
        planes (``dim1``, ``dim2``): those two dimensions removed and the diagonal
        appended as the last one; a view, as in PyTorch. IndexError for a dimension
        out of range, RuntimeError when ``dim1`` and ``dim2`` are the same."""
        _check_dims((dim1, dim2), self.ndim, "diagonal", tuple(self.shape))
        first, second = dim1 % self.ndim, dim2 % self.ndim
        if first == second:
            raise RuntimeError(f"diagonal: dim1 and dim2 must be different dimensions, got "
                               f"{dim1} and {dim2} (tensor of shape {tuple(self.shape)})")
        return ops.Diagonal.apply(self, offset, first, second)

    def diag(self, diagonal=0):
        """``torch.diag``: a vector (n,) gives the square matrix (n + |diagonal|) with it
        on the diagonal ``diagonal`` and zeros elsewhere; a matrix gives a copy of its
        diagonal ``diagonal`` as a vector."""
        if self.ndim == 1:
            size = self.shape[0] + abs(diagonal)
            return ops.DiagonalScatter.apply(self, (diagonal, 0, 1), (size, size))
        if self.ndim == 2:
            return self.diagonal(diagonal).clone()
        raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {tuple(self.shape)}")

    def trace(self):
        """The sum of the main diagonal of a matrix (2-D only, as ``torch.trace``)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix (2-D), got a tensor of shape "
                               f"{tuple(self.shape)}")
        return self.diagonal().sum()

    def index_select(self, dim, index):
        """The entries at the integer ``index`` (1-D) along ``dim``; repeated indices get
        summed gradients."""
        _check_dims(dim, self.ndim, "index_select", tuple(self.shape))
        array = index._data if isinstance(index, Tensor) else xp.asarray(index)
        if array.ndim > 1 or array.dtype.kind not in "iu":
            raise IndexError(f"index_select: index must be a 1-D integer tensor, got shape "
                             f"{tuple(array.shape)} and dtype {array.dtype}")
        size = self.shape[dim] if self.ndim else 1
        if array.size and not (array.min() >= -size and array.max() < size):
            bad = array[(array < -size) | (array >= size)][0]
            raise IndexError(f"index_select: index {bad} is out of range for dimension {dim} "
                             f"of size {size} (tensor of shape {tuple(self.shape)})")
        if self.ndim == 0:
            return self.reshape(1)[array.reshape(-1)].reshape(array.shape)
        return self[_along(dim, self.ndim, array.reshape(-1).copy())]

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        """The n-th forward difference along ``dim``, after joining ``prepend`` and
        ``append`` (tensors shaped like this one except along ``dim``)."""
        _check_dims(dim, self.ndim, "diff", tuple(self.shape))
        if self.ndim == 0:
            raise RuntimeError("diff: expects the input to be at least one-dimensional")
        out = self
        if prepend is not None or append is not None:
            edge = list(self.shape)
            edge[dim] = 1  # a number joins as one slice along dim
            parts = [t if isinstance(t, Tensor) else self._operand(t).expand(edge)
                     for t in (prepend, self, append) if t is not None]
            out = cat(parts, dim)
        for _ in range(n):
            later = out[_along(dim, out.ndim, slice(1, None))]
            earlier = out[_along(dim, out.ndim, slice(0, -1))]
            out = later ^ earlier if out._data.dtype == xp.bool_ else later - earlier
        return out

    # ------------------------------------------------------------------ sorting, counting
    def sort(self, dim=-1, descending=False, stable=False):
        """``(values, indices)`` sorted along ``dim``; indices are int64, equal elements
        keep their order (a stable sort, whatever ``stable`` says), and nan counts as
        the largest value, as in PyTorch. The values carry gradients."""
        indices = _argsort(self, dim, descending, "sort")
        return SortResult(_gather(self, dim, indices), _make_tensor(indices))

    def argsort(self, dim=-1, descending=False, stable=False):
        """The int64 indices that sort along ``dim`` (stable; nan last ascending)."""
        return _make_tensor(_argsort(self, dim, descending, "argsort"))

    def msort(self):
        return self.sort(0).values

    def topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002  (PyTorch's name)
        """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``,
        in sorted order; ties keep the earlier index; indices are int64."""
        _check_dims(dim, self.ndim, "topk", tuple(self.shape))
        size = self.shape[dim] if self.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"topk: k={k} is out of range for dimension {dim} of size "
                               f"{size} (tensor of shape {tuple(self.shape)})")
        indices = _argsort(self, dim, largest, "topk")
        if self.ndim:
            indices = indices[_along(dim, self.ndim, slice(0, k))]
        return TopkResult(_gather(self, dim, indices), _make_tensor(indices))

    def unique(self, sorted=True, return_inverse=False, return_counts=False,  # noqa: A002
               dim=None):
        """The distinct values (sorted), or distinct slices along ``dim``; with
        ``return_inverse`` the int64 index of each element's value, with
        ``return_counts`` how often each occurs. nan values are each distinct."""
        if dim is not None:
            _check_dims(dim, self.ndim, "unique", tuple(self.shape))
        values, inverse, counts = xp.unique(self._data, return_inverse=True,
                                            return_counts=True, axis=dim, equal_nan=False)
        inverse = inverse.reshape(self.shape if dim is None else (self.shape[dim],))
        out = [_make_tensor(values)]
        if return_inverse:
            out.append(_make_tensor(inverse.astype(xp.int64)))
        if return_counts:
            out.append(_make_tensor(counts.astype(xp.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights=None, minlength=0):
        """How often each value 0..max occurs in this 1-D non-negative integer tensor
        (int64), or the sums of ``weights`` per value (the weights' float dtype, float64
        for integer weights); at least ``minlength`` bins. Not differentiable (as PyTorch)."""
        array = self._data
        if array.ndim != 1 or array.dtype.kind not in "iub" or (array.size and array.min() < 0):
            raise RuntimeError(f"bincount: only supports 1-d non-negative integral inputs, got "
                               f"shape {tuple(self.shape)} and dtype {self.dtype}")
        if minlength < 0:
            raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
        if weights is None:
            return _make_tensor(xp.bincount(array, minlength=minlength).astype(xp.int64))
        weight_array = weights._data if isinstance(weights, Tensor) else xp.asarray(weights)
        if weight_array.shape != array.shape:
            raise RuntimeError(f"bincount: weights of shape {tuple(weight_array.shape)} must "
                               f"have the input's shape {tuple(self.shape)}")
        dtype = weight_array.dtype if weight_array.dtype.kind == "f" else xp.float64
        return _make_tensor(xp.bincount(array, weight_array, minlength).astype(dtype))

    def nonzero(self, as_tuple=False):
        """The int64 indices of nonzero elements: an (n, ndim) tensor, or with
        ``as_tuple`` one 1-D tensor per dimension."""
        if as_tuple:
            array = self._data if self.ndim else self._data.reshape(1)
            return tuple(_make_tensor(i.astype(xp.int64)) for i in xp.nonzero(array))
        return _make_tensor(xp.argwhere(self._data).astype(xp.int64))

    argwhere = nonzero

    def count_nonzero(self, dim=None):
        """The number of nonzero elements (over ``dim``), int64."""
        dim = _check_dims(_dims(dim), self.ndim, "count_nonzero", tuple(self.shape))
        return _make_tensor(as_array(xp.count_nonzero(self._data, axis=dim)).astype(xp.int64))



def _binary(function, tensor, other, reflected=False, floating=False):
    """Apply a two-input Function to a tensor and a tensor or number.

    Dtypes follow PyTorch: a number takes the tensor's float dtype, and an
    integer tensor meeting a float tensor takes the float tensor's dtype.
    With ``floating`` (true division), two integer tensors become float.
    """
    other = tensor._operand(other)
    if other._data.dtype != tensor._data.dtype:
        tensor, other = _promote(tensor, other)
    if floating and tensor._data.dtype.kind != "f":
        tensor, other = tensor._floating(), other._floating()
    return function.apply(other, tensor) if reflected else function.apply(tensor, other)


def _promote(a, b):
    a_float, b_float = a._data.dtype.kind == "f", b._data.dtype.kind == "f"
    if a_float and not b_float:
        return a, b.to(a._data.dtype)
    if b_float and not a_float:
        return a.to(b._data.dtype), b
    return a, b


def _index_arg(index):
    """Tensors inside an index become arrays (integer or boolean), copied: the
    backward keeps them, and later in-place changes must not move the gradient."""
    if isinstance(index, Tensor):
        return index._data.copy()
    if isinstance(index, tuple):
        return tuple(i._data.copy() if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return xp.asarray(index)
    return index


def matmul(a, b):
    """Matrix product with NumPy's rules for 1-D operands and batch broadcasting.

    Both operands must have the same dtype, as in PyTorch (an int64 tensor times
    a float32 one raises instead of silently computing in float64).
    """
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected two Tensors, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, but got "
                           f"{a.dtype} and {b.dtype} (shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}); convert one with .to()")
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise ValueError(f"matmul: cannot multiply {tuple(a.shape)} by {tuple(b.shape)} "
                         f"({a.shape[-1]} != {inner_b})")
    if a.ndim >= 2 and b.ndim >= 2:
        return ops.MatMul.apply(a, b)
    product = ops.MatMul.apply(a.unsqueeze(0) if a.ndim == 1 else a,
                               b.unsqueeze(-1) if b.ndim == 1 else b)
    if b.ndim == 1:
        product = product.squeeze(-1)
    if a.ndim == 1:
        product = product.squeeze(-2 if b.ndim > 1 else -1)
    return product


def where(condition, a=None, b=None):
    """``a`` where ``condition`` holds, else ``b`` (either may be a number).

    ``where(condition)`` alone is ``condition.nonzero(as_tuple=True)``, as in PyTorch.
    """
    if a is None and b is None:
        condition = condition if isinstance(condition, Tensor) else Tensor(condition)
        return condition.nonzero(as_tuple=True)
    if a is None or b is None:
        raise TypeError("where: expected where(condition) or where(condition, input, other)")
    # copied: the backward keeps the condition, which may later change in place
    condition = condition._data.copy() if isinstance(condition, Tensor) else xp.asarray(condition)
    if not isinstance(a, Tensor):
        a = b._operand(a) if isinstance(b, Tensor) else Tensor(a)
    if not isinstance(b, Tensor):
        b = a._operand(b)
    if a._data.dtype != b._data.dtype:
        a, b = _promote(a, b)
    return ops.Where.apply(condition.astype(bool, copy=False), a, b)


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    tensors = _tensor_list(tensors, "cat")
    _check_dims(dim, tensors[0].ndim, "cat", tuple(tensors[0]._data.shape))
    floats = [t._data.dtype for t in tensors if t._data.dtype.kind == "f"]
    if floats and len(floats) < len(tensors):  # mixed int and float: all become float
        dtype = max(floats, key=lambda d: d.itemsize)
        tensors = [t.to(dtype) for t in tensors]
    return ops.Cat.apply(dim, *tensors)


def _tensor_list(tensors, where):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{where}: expected a sequence of tensors, got a single Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{where}: expected a non-empty sequence of tensors")
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: expected a sequence of tensors, got "
                            f"{type(t).__name__} at position {position}")
    return tensors


def stack(tensors, dim=0):
    """Join tensors of equal shape along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (a 0-d one counts as one element), as
    ``torch.meshgrid``. With ``indexing='ij'`` every output has the shape
    (len(t0), len(t1), ...) and output i varies along dimension i; ``'xy'`` (NumPy's
    default) swaps the first two dimensions. Without ``indexing``: 'ij', with
    PyTorch's warning. The outputs are expanded views; gradients reach the inputs.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("meshgrid: pass indexing='ij' or 'xy' (without it, 'ij' is used; "
                      "PyTorch will require the argument)", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for position, t in enumerate(tensors):
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0-D or 1-D tensors, got shape "
                               f"{tuple(t.shape)} at position {position}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"meshgrid: all tensors must have the same dtype, got "
                               f"{tensors[0].dtype} and {t.dtype} at position {position}")
    dims = list(range(len(tensors)))  # the output dimension along which tensor i varies
    if indexing == "xy" and len(dims) >= 2:
        dims[0], dims[1] = 1, 0
    shape = [0] * len(tensors)
    for t, dim in zip(tensors, dims):
        shape[dim] = t.numel()
    grids = []
    for t, dim in zip(tensors, dims):
        along = [1] * len(tensors)
        along[dim] = t.numel()
        grids.append(t.reshape(along).expand(shape))
    return tuple(grids)


def einsum(equation, *operands):
    """Einstein summation over the letters of ``equation`` (NumPy's and PyTorch's
    notation): ``einsum('ij,jk->ik', a, b)`` is ``a @ b``, ``'ii->i'`` a diagonal,
    ``'...ij,...jk'`` a batched product. Without ``->`` the output holds the
    letters used once, in alphabetical order. Operands may also come as one list.
    Differentiable in every operand (the gradient is again an einsum).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string such as 'ij,jk->ik', got "
                        f"{type(equation).__name__} (the sublist form is not supported)")
    for position, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum: operand {position} must be a Tensor, got "
                            f"{type(t).__name__}")
    if not operands:
        raise ValueError("einsum: expected at least one operand")
    if len({t._data.dtype for t in operands}) > 1:
        raise RuntimeError(f"einsum: operands must have one dtype, got "
                           f"{', '.join(str(t.dtype) for t in operands)}")
    return ops.Einsum.apply(_einsum_equation(equation, operands), *operands)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_equation(equation, operands):
    """``equation`` with ``...`` spelled out as letters and the output made explicit,
    after checking it against the operands' shapes."""
    def fail(message):
        raise ValueError(f"einsum: {message} in {equation!r} (operand shapes "
                         f"{', '.join(str(tuple(t.shape)) for t in operands)})")

    text = equation.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    if "->" in output:
        fail("more than one '->'")
    if any(c not in _LETTERS and c not in ",." for c in inputs + output):
        fail("subscripts must be letters a-z or A-Z (with ',', '...' and '->')")
    specs = inputs.split(",")
    if len(specs) != len(operands):
        fail(f"{len(specs)} operand subscripts for {len(operands)} tensors")
    free = [c for c in _LETTERS if c not in text]
    spans = []  # how many dimensions each operand's '...' covers
    for position, (spec, t) in enumerate(zip(specs, operands)):
        body = spec.replace("...", "", 1)
        if "." in body:
            fail(f"a misplaced '.' in operand {position}'s subscripts {spec!r}")
        span = t.ndim - len(body)
        if span < 0 or (span and "..." not in spec):
            fail(f"operand {position} has {t.ndim} dimensions but subscripts {spec!r}")
        spans.append(span)
    ellipsis = "".join(free[:max(spans, default=0)])
    specs = [spec.replace("...", ellipsis[len(ellipsis) - span:] if span else "")
             for spec, span in zip(specs, spans)]
    sizes = {}
    for position, (spec, t) in enumerate(zip(specs, operands)):
        for letter, n in zip(spec, t.shape):
            known = sizes.setdefault(letter, n)
            if n != known and 1 not in (n, known):
                fail(f"subscript {letter!r} has size {n} in operand {position} but {known} "
                     "elsewhere")
            sizes[letter] = n if known == 1 else known
    if not arrow:
        once = [c for c in sorted(set("".join(specs)))
                if "".join(specs).count(c) == 1 and c not in ellipsis]
        output = ellipsis + "".join(once)
    else:
        if "." in output.replace("...", "", 1):
            fail("a misplaced '.' in the output")
        output = output.replace("...", ellipsis)
        for letter in output:
            if letter not in sizes:
                fail(f"output subscript {letter!r} does not appear in the inputs")
            if output.count(letter) > 1:
                fail(f"output subscript {letter!r} appears more than once")
    return ",".join(specs) + "->" + output


SortResult = collections.namedtuple("sort", ["values", "indices"])
"""Result of ``sort``: ``(values, indices)``, as ``torch.return_types.sort``."""

TopkResult = collections.namedtuple("topk", ["values", "indices"])
"""Result of ``topk``: ``(values, indices)``."""

_TRUE = xp.ones((), dtype=bool)


def _step(tensor, values):
    """``values`` (an array; None: a copy of ``tensor``) as the result of a step
    function of ``tensor`` (sign, floor, round...): recorded when ``tensor``
    requires grad, with a zero gradient, as in PyTorch."""
    out = _make_tensor(tensor._data.copy() if values is None else values)
    if tensor.requires_grad and grad_state.enabled:
        return ops.Where.apply(_TRUE, out, tensor)  # picks out; tensor's gradient is 0
    return out


def _bool_mask(tensor, mask, where):
    """The boolean array of ``mask`` (a copy: backward keeps it), checked to broadcast
    with ``tensor``."""
    array = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
    if array.dtype != xp.bool_:
        raise RuntimeError(f"{where}: only supports boolean masks, got a mask of dtype "
                           f"{dtypes.from_numpy_dtype(array.dtype)}")
    try:
        xp.broadcast_shapes(array.shape, tensor.shape)
    except ValueError:
        raise RuntimeError(f"{where}: mask of shape {tuple(array.shape)} does not broadcast "
                           f"with the tensor's shape {tuple(tensor.shape)}") from None
    return array.copy()


def _same_dtype_operand(tensor, other, where):
    """``other``'s values for an elementwise comparison; a tensor must have
    ``tensor``'s dtype (as PyTorch requires)."""
    if not isinstance(other, Tensor):
        return other
    if other._data.dtype != tensor._data.dtype:
        raise RuntimeError(f"{where}: {other.dtype} did not match {tensor.dtype} (shapes "
                           f"{tuple(other.shape)} and {tuple(tensor.shape)}); convert one")
    return other._data


def _check_operands(where, operands):
    """Each ``(tensor, ndim, name)`` is a Tensor of that many dimensions; all one dtype."""
    for tensor, ndim, name in operands:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{where}: {name} must be a Tensor, got {type(tensor).__name__}")
        if tensor.ndim != ndim:
            raise RuntimeError(f"{where}: {name} must be a {ndim}-D tensor, got shape "
                               f"{tuple(tensor.shape)}")
    found = {tensor._data.dtype for tensor, _, _ in operands}
    if len(found) > 1:
        raise RuntimeError(f"{where}: expected operands of one dtype, got " + " and ".join(
            f"{t.dtype} {tuple(t.shape)}" for t, _, _ in operands))


def _accumulated(tensor, dim, dtype, where):
    """The input of a sum-like accumulation: converted to ``dtype``, or for integer and
    bool tensors to int64 (PyTorch's rule, which avoids overflow)."""
    if dim is not None:
        _check_dims(dim, tensor.ndim, where, tuple(tensor.shape))
    if dtype is not None:
        return tensor.to(dtype)
    if tensor._data.dtype.kind in "biu":
        return tensor.to(dtypes.int64)
    return tensor


def _along(dim, ndim, index):
    """An index tuple applying ``index`` to dimension ``dim``."""
    return (slice(None),) * (dim % ndim) + (index,)


def _triangle(tensor, diagonal, where):
    """The boolean (rows, cols) mask of entries on or below ``diagonal``."""
    if tensor.ndim < 2:
        raise RuntimeError(f"{where}: input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(tensor.shape)}")
    return xp.tri(tensor.shape[-2], tensor.shape[-1], k=diagonal, dtype=bool)


def _argsort(tensor, dim, descending, where):
    """Stable int64 sorting indices along ``dim``; nan sorts as the largest value."""
    _check_dims(dim, tensor.ndim, where, tuple(tensor.shape))
    array = tensor._data if tensor.ndim else tensor._data.reshape(1)
    if descending:  # sort the reversed array, then reverse: equal elements keep their order
        order = xp.argsort(xp.flip(array, axis=dim), axis=dim, kind="stable")
        indices = xp.flip(array.shape[dim] - 1 - order, axis=dim)
    else:
        indices = xp.argsort(array, axis=dim, kind="stable")
    indices = indices.astype(xp.int64, copy=False)
    return indices if tensor.ndim else indices.reshape(())


def _gather(tensor, dim, indices):
    """The values of ``tensor`` at ``indices`` along ``dim`` (differentiable)."""
    if tensor.ndim == 0:
        return tensor.clone()
    return ops.Gather.apply(tensor, dim, xp.ascontiguousarray(indices))



_TYPE_NAMES = {"float32": "minitorch.FloatTensor", "float64": "minitorch.DoubleTensor",
               "float16": "minitorch.HalfTensor", "int64": "minitorch.LongTensor",
               "int32": "minitorch.IntTensor", "int16": "minitorch.ShortTensor",
               "int8": "minitorch.CharTensor", "uint8": "minitorch.ByteTensor",
               "bool": "minitorch.BoolTensor"}
_TYPE_BY_NAME = {name: dtypes.from_numpy_dtype(xp.dtype(d)) for d, name in _TYPE_NAMES.items()}


def _check_memory_format(memory_format, where):
    if memory_format is not None:
        raise NotImplementedError(f"{where}: memory_format={memory_format!r} is not supported; "
                                  "minitorch tensors are row-major (contiguous_format)")


def _check_nonempty(tensor, dim, where):
    """PyTorch's errors for a max/min/argmax over nothing (checked before any work)."""
    shape = tuple(tensor._data.shape)
    _check_dims(dim, tensor.ndim, where, shape)
    if tensor._data.size:
        return
    if dim is None:
        raise RuntimeError(f"{where}: expected a reduction dim to be specified for an input "
                           f"with no elements (shape {shape}); specify it with the 'dim' "
                           "argument")
    for d in (dim,) if isinstance(dim, int) else dim:
        if shape and shape[d] == 0:
            raise IndexError(f"{where}: expected reduction dim {d} to have non-zero size "
                             f"(shape {shape})")


def parse_to_args(args, dtype, device, where):
    """The dtype asked for by PyTorch's ``to(dtype)``, ``to("cpu")``, ``to("cpu", dtype)``,
    ``to(device=..., dtype=...)`` or ``to(other_tensor)``; any device but the CPU is an
    error."""
    return _parse_to(args, dtype, device, where)[0]


def _parse_to(args, dtype, device, where):
    """``(dtype, flags)`` from ``to``'s positional arguments: a device, a dtype or a
    tensor, then the booleans ``non_blocking`` and ``copy`` (``flags``)."""
    flags = []
    for arg in args:
        if isinstance(arg, bool):
            flags.append(arg)
        elif is_device(arg):
            device = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, (dtypes.dtype, type, xp.dtype)) or isinstance(arg, str):
            dtype = arg
        else:
            raise TypeError(f"{where}: expected a device, a dtype or a tensor, got {arg!r}")
    check_device(device, where)
    return dtype, flags


def attach(cls=Tensor, methods=TensorMethods):
    """Copy every method, property and operator of ``methods`` onto ``cls``."""
    for name, value in vars(methods).items():
        # (__hash__ is None here because the class defines __eq__; Tensor keeps its own)
        if name not in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                        "__hash__"):
            setattr(cls, name, value)


attach()
