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

from . import dtypes, ops
from .autograd import engine
from .autograd.grad_mode import grad_state
from .backend import xp
from .device import check_device, is_device
from .random import generator_or_default
from .tensor import (Size, Tensor, _check_dims, _dims, _make_tensor, _shape_arg, _to_array,
                     bump_version, version, view_base)

MaxMin = collections.namedtuple("MaxMin", ["values", "indices"])
"""Result of ``max``/``min`` along a dimension: ``(values, indices)``, as in torch."""


class TensorMethods:
    """The methods and operators of ``Tensor`` (copied onto it by ``attach``)."""

    def to(self, *args, dtype=None, device=None):
        """Convert to ``dtype`` (differentiable between float types).

        Accepts PyTorch's forms ``to(dtype)``, ``to("cpu")`` and ``to("cpu", dtype)``;
        minitorch runs on the CPU, so any other device is an error.
        """
        dtype = parse_to_args(args, dtype, device, "to")
        if dtype is None:
            return self
        dtype = dtypes.to_numpy_dtype(dtype, "to")
        if dtype == self._data.dtype:
            return self
        if dtype.kind not in "fc":  # integers and bools carry no gradient, as in PyTorch
            return _make_tensor(self._data.astype(dtype))
        return ops.Cast.apply(self, dtype)

    def cpu(self, memory_format=None):
        """This tensor (minitorch tensors always live on the CPU)."""
        return self

    def type(self, dtype=None, non_blocking=False):
        """``t.type(mt.float32)`` converts like ``to``; ``t.type()`` names the type as
        PyTorch does (``'minitorch.FloatTensor'``)."""
        if dtype is None:
            return _TYPE_NAMES.get(self._data.dtype.name, "minitorch.Tensor")
        if isinstance(dtype, str):
            dtype = _TYPE_BY_NAME.get(dtype.replace("torch.", "minitorch."), dtype)
        return self.to(dtype)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (``mt.where(condition, self, other)``)."""
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
        return _make_tensor(xp.asarray(compare(self._data, other)))

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

    def any(self, dim=None, keepdim=False):
        return _make_tensor(xp.asarray(xp.any(self._data, axis=dim, keepdims=keepdim)))

    def all(self, dim=None, keepdim=False):
        return _make_tensor(xp.asarray(xp.all(self._data, axis=dim, keepdims=keepdim)))

    def eq(self, other):
        return self == other

    def isnan(self):
        return _make_tensor(xp.isnan(self._data))

    def isfinite(self):
        return _make_tensor(xp.isfinite(self._data))

    def allclose(self, other, rtol=1e-5, atol=1e-8):
        other = other._data if isinstance(other, Tensor) else other
        return bool(xp.allclose(self._data, other, rtol=rtol, atol=atol))

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

    def sign(self):
        return _make_tensor(xp.sign(self._data))

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

    def masked_fill(self, mask, value):
        """``value`` where ``mask`` is true, ``self`` elsewhere."""
        return where(mask, self._operand(value), self)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False):
        return ops.Sum.apply(self, _dims(dim), keepdim)

    def mean(self, dim=None, keepdim=False):
        return ops.Mean.apply(self._floating(), _dims(dim), keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False, correction=None):
        """Variance over ``dim``; divides by n - 1 when ``unbiased`` (or n - correction)."""
        dim = _check_dims(_dims(dim), self.ndim, "var", self.shape)
        correction = (1 if unbiased else 0) if correction is None else correction
        if dim is None:
            count = self._data.size
        else:
            count = math.prod(self.shape[d] for d in ((dim,) if isinstance(dim, int) else dim))
        centered = self._floating() - self.mean(dim, keepdim=True)
        return (centered * centered).sum(dim, keepdim) / max(0, count - correction)

    def std(self, dim=None, unbiased=True, keepdim=False, correction=None):
        """Standard deviation; where it is 0 its gradient is 0 (as PyTorch), not nan."""
        variance = self.var(dim, unbiased, keepdim, correction)
        positive = variance._data > 0
        return where(positive, where(positive, variance, 1.0).sqrt(), 0.0)

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
        return _make_tensor(xp.asarray(xp.argmax(self._data, axis=dim, keepdims=keepdim)))

    def argmin(self, dim=None, keepdim=False):
        _check_nonempty(self, dim, "argmin")
        return _make_tensor(xp.asarray(xp.argmin(self._data, axis=dim, keepdims=keepdim)))

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
                f"unsqueeze: dimension {dim} out of range for a tensor of shape {tuple(self.shape)}")
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


def where(condition, a, b):
    """``a`` where ``condition`` holds, else ``b`` (either may be a number)."""
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



_TYPE_NAMES = {"float32": "minitorch.FloatTensor", "float64": "minitorch.DoubleTensor",
               "float16": "minitorch.HalfTensor", "int64": "minitorch.LongTensor",
               "int32": "minitorch.IntTensor", "int16": "minitorch.ShortTensor",
               "int8": "minitorch.CharTensor", "uint8": "minitorch.ByteTensor",
               "bool": "minitorch.BoolTensor"}
_TYPE_BY_NAME = {name: dtypes.from_numpy_dtype(xp.dtype(d)) for d, name in _TYPE_NAMES.items()}


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
    for arg in args:
        if is_device(arg):
            device = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        else:
            dtype = arg
    check_device(device, where)
    return dtype


def attach(cls=Tensor, methods=TensorMethods):
    """Copy every method, property and operator of ``methods`` onto ``cls``."""
    for name, value in vars(methods).items():
        # (__hash__ is None here because the class defines __eq__; Tensor keeps its own)
        if name not in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                        "__hash__"):
            setattr(cls, name, value)


attach()
