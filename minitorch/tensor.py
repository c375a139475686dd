"""Tensor, the data structure at the bottom of minitorch: an array, its gradient,
and the operation that produced it.

A ``Tensor`` holds an ndarray (``_data``; ``numpy()`` hands it out), its
``grad``, ``requires_grad``, and ``grad_fn``: the graph node of the operation
that made it, which ``backward()`` walks to fill ``.grad``. It also carries a
version counter (shared with its views) that detects in-place changes of values
saved for backward.

This module knows nothing of operations: ``minitorch.ops`` defines them (each
with its forward and its one derivative rule), and ``minitorch.methods`` attaches
the operators and methods (``+``, ``exp``, ``sum``, ``reshape``, ...) to Tensor
in one place. So the import order is tensor -> autograd -> ops -> methods.
"""
import collections
import warnings
import weakref

from . import device, dtypes
from .backend import ndarray, xp
from .hooks import RemovableHandle


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as PyTorch's ``torch.Size``."""

    __slots__ = ()

    def numel(self):
        """The number of elements of a tensor of this shape."""
        count = 1
        for n in self:
            count *= n
        return count

    def __repr__(self):
        return f"minitorch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))


class Tensor:
    """An n-dimensional array that can take part in automatic differentiation."""

    __slots__ = ("_data", "_grad", "requires_grad", "grad_fn", "_counter", "_base", "name",
                 "_hooks", "__weakref__")
    __array_ufunc__ = None  # NumPy defers to our reflected operators (ndarray * Tensor)
    __hash__ = object.__hash__  # == is elementwise, so hashing is by identity

    def __init__(self, data, dtype=None, requires_grad=False, name=None):
        self._data = _to_array(data, dtype, "tensor")
        self._grad = None
        self.grad_fn = None
        self._counter = [0]  # the version counter, shared with views (see bump_version)
        self._base = None  # the tensor this one is a view of, if any (see make_view)
        self._hooks = None  # gradient hooks (see register_hook)
        self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def data(self):
        """This tensor's values as a Tensor that shares its memory, outside the graph.

        As in PyTorch: ``requires_grad`` is False and nothing done to it is
        recorded, so ``p.data.zero_()`` or ``p.grad.data.mul_(0.5)`` change the
        values without autograd noticing. ``t.data = other`` replaces the values
        (and may change the shape and dtype) of ``t``. The ndarray itself is
        ``t.numpy()`` (or ``t.detach().numpy()`` for a tensor that requires grad).
        """
        return _make_tensor(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def grad(self):
        """The gradient accumulated by ``backward()`` (a Tensor of this shape), or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: assigned grad must be a Tensor or None, got "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"grad: assigned grad has data of a different size: grad of shape "
                    f"{tuple(value._data.shape)} for a tensor of shape {tuple(self._data.shape)}")
            if value._data.dtype != self._data.dtype:
                raise TypeError(
                    f"grad: assigned grad has data of a different type: "
                    f"{value.dtype} for a tensor of dtype {self.dtype}")
        self._grad = value

    @property
    def shape(self):
        """The size of each dimension, as an ``mt.Size`` (a tuple)."""
        return Size(self._data.shape)

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def dtype(self):
        """The element type: ``minitorch.float32``, ``minitorch.int64``, ..."""
        return dtypes.from_numpy_dtype(self._data.dtype)

    def is_floating_point(self):
        """True for float16/32/64 tensors (a method, as in PyTorch)."""
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    @property
    def itemsize(self):
        return self._data.itemsize

    def element_size(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        """Always the CPU: ``device(type='cpu')``."""
        return device.CPU

    @property
    def is_cuda(self):
        """False: minitorch tensors live on the CPU."""
        return False

    @property
    def is_cpu(self):
        return True

    def get_device(self):
        """-1, PyTorch's answer for a CPU tensor."""
        return -1

    @property
    def layout(self):
        """``mt.strided``: minitorch tensors are dense."""
        return dtypes.strided

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded operation."""
        return self.grad_fn is None

    @property
    def T(self):
        """All dimensions reversed (the transpose of a matrix)."""
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self):
        """The last two dimensions swapped (batched matrix transpose)."""
        return self.transpose(-2, -1)

    def dim(self):
        return self._data.ndim

    def size(self, dim=None):
        """The shape (an ``mt.Size``), or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        try:
            return self._data.shape[dim]
        except (IndexError, TypeError):
            raise IndexError(f"size: dimension {dim} out of range for a tensor of shape "
                             f"{tuple(self._data.shape)}") from None

    def numel(self):
        return self._data.size

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # ------------------------------------------------------------------ conversion
    def numpy(self, force=False):
        """The underlying ndarray (shared memory, not a copy).

        As in PyTorch, a tensor that requires grad is refused (changing the array
        would go behind autograd's back): use ``t.detach().numpy()``, or
        ``force=True`` for a copy.
        """
        if self.requires_grad:
            if force:
                return self._data.copy()
            raise RuntimeError(
                "numpy: can't call numpy() on a tensor that requires grad; use "
                "tensor.detach().numpy() instead")
        return self._data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item: only one-element tensors can be converted to a Python "
                f"number, got shape {tuple(self.shape)}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)`` shares memory; ``np.array(t)`` copies, as NumPy promises."""
        if copy:
            return self._data.astype(dtype or self._data.dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor of shape {tuple(self.shape)} is ambiguous")
        return bool(self._data)

    # ------------------------------------------------------------------ autograd
    def detach(self):
        """A tensor sharing this data (and its version counter), cut off from the graph."""
        detached = _make_tensor(self._data)
        detached._counter = self._counter
        return detached

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (leaves only; floating dtypes only)."""
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"requires_grad_: only floating point tensors can require gradients, "
                f"got dtype {self.dtype}")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_: cannot turn off requires_grad of a non-leaf tensor; "
                "use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after ``backward()``."""
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)
        elif not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        return self

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed.

        The hook may return a Tensor that replaces the gradient (of the same
        shape), or None to leave it. For a leaf it runs before the gradient is
        added to ``.grad``. Returns a handle whose ``remove()`` removes the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(hook)
        if self._hooks is None:
            self._hooks = collections.OrderedDict()
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def __reduce__(self):
        """Pickle as values, dtype and requires_grad (a leaf copy, as PyTorch's pickling
        of a detached tensor); the graph is never pickled."""
        return (_rebuild, (self._data, self.requires_grad and self.grad_fn is None))

    # ------------------------------------------------------------------ printing
    def __repr__(self):
        body = xp.array2string(self._data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self._data.dtype not in (dtypes.default.dtype, dtypes.int64.dtype, dtypes.bool_.dtype):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    __str__ = __repr__


_new_object = object.__new__


def _rebuild(array, requires_grad):
    tensor = _make_tensor(array)
    tensor.requires_grad = requires_grad
    return tensor


# ----------------------------------------------- versions and views (named helpers)

def version(tensor):
    """How many in-place changes ``tensor``'s memory has had (shared with views)."""
    return tensor._counter[0]


def bump_version(tensor):
    """Record an in-place change of ``tensor``'s memory (shared with its views), so
    that a backward pass that saved the old values refuses to run."""
    tensor._counter[0] += 1


def share_version(tensor, other):
    """Make ``tensor`` count versions together with ``other`` (same memory)."""
    tensor._counter = other._counter


def make_view(view, base):
    """Mark ``view`` as a view of ``base``'s memory: one version counter for both,
    and ``view``'s base is ``base``'s own base if it has one."""
    view._counter = base._counter
    view._base = base if base._base is None else base._base


def view_base(tensor):
    """The tensor whose memory ``tensor`` views, or None."""
    return tensor._base


def _make_tensor(data):
    """A Tensor around the ndarray ``data`` (no copy, no checks): the hot path."""
    tensor = _new_object(Tensor)
    tensor._data = data
    tensor._grad = None
    tensor.requires_grad = False
    tensor.grad_fn = None
    tensor._counter = [0]
    tensor._base = None
    tensor._hooks = None
    tensor.name = None
    return tensor


def _to_array(data, dtype, where):
    """Convert user data to an ndarray, with PyTorch's dtype rules and clear errors."""
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and _holds_graph(data):
        warnings.warn(f"{where}: the data holds tensors that require grad; the new tensor is "
                      "a copy of their values outside the graph (use mt.stack or mt.cat to "
                      "keep the graph, or .detach() the parts to silence this)",
                      UserWarning, stacklevel=3)
    if dtype is not None:
        dtype = dtypes.to_numpy_dtype(dtype, where)
    try:
        array = xp.array(data, dtype=dtype)
    except ValueError as error:
        raise ValueError(
            f"{where}: cannot make a tensor from {type(data).__name__} data ({error}); "
            "nested sequences must be rectangular and hold numbers") from None
    except TypeError as error:
        raise TypeError(
            f"{where}: cannot make a tensor from {type(data).__name__}: {error}") from None
    if array.dtype.kind not in "biufc":
        raise TypeError(
            f"{where}: expected numbers, got data of dtype {array.dtype} "
            f"({type(data).__name__})")
    if dtype is None and not isinstance(data, ndarray):  # an ndarray keeps its dtype
        if array.dtype.kind == "f":
            array = array.astype(dtypes.default.dtype)  # Python floats: the default dtype
        elif array.dtype.kind in "iu" and array.dtype != dtypes.int64:
            array = array.astype(dtypes.int64)
    return array


def _holds_graph(data):
    """True when a (nested) list or tuple holds a Tensor that requires grad."""
    for item in data:
        if isinstance(item, Tensor):
            if item.requires_grad:
                return True
        elif isinstance(item, (list, tuple)) and _holds_graph(item):
            return True
    return False


def _dims(dim):
    """A reduction's ``dim`` as NumPy's ``axis``: None, an int or a tuple."""
    if dim is None or isinstance(dim, int):
        return dim
    return tuple(dim)


def reset_grads(tensors, set_to_none=True):
    """Set each tensor's ``.grad`` to None, or to zeros in its own memory
    (``zero_grad`` of modules and optimizers)."""
    for tensor in tensors:
        if tensor.grad is None:
            continue
        if set_to_none:
            tensor.grad = None
        elif tensor.grad.grad_fn is not None or not tensor.grad._data.flags.writeable:
            tensor.grad = _make_tensor(xp.zeros_like(tensor.grad._data))
        else:
            tensor.grad._data[...] = 0


def _check_dims(dim, ndim, where, shape):
    """``dim`` (None, an int or a tuple) after checking each is a valid dimension."""
    if dim is None:
        return dim
    for d in (dim,) if isinstance(dim, int) else dim:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{where}: dimension {d} out of range for a tensor of shape "
                             f"{shape} (valid: {-max(ndim, 1)} to {max(ndim, 1) - 1})")
    return dim


def _shape_arg(shape):
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return tuple(int(n) for n in shape)

