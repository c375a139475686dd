"""Data types under PyTorch's names (``mt.float32``, ...) and the default float type.

A ``dtype`` prints as PyTorch's does (``minitorch.float32``) and wraps the NumPy
dtype that stores the values. NumPy accepts it wherever it takes a dtype
(``np.zeros(3, dtype=mt.float32)``: NumPy reads its ``.dtype`` attribute), and
it compares equal to that NumPy dtype, so ``t.dtype == np.float32`` holds too.
"""
from .backend import xp


class dtype:  # noqa: N801  (PyTorch's name)
    """One element type: ``mt.float32``, ``mt.int64``, ``mt.bool``, ...

    ``dtype.dtype`` is the NumPy dtype (the attribute NumPy looks for), and
    ``itemsize``, ``is_floating_point`` and ``is_complex`` are as in PyTorch.
    """

    __slots__ = ("dtype", "name")

    def __init__(self, numpy_dtype, name):
        self.dtype = numpy_dtype
        self.name = name

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def is_floating_point(self):
        return self.dtype.kind == "f"

    @property
    def is_complex(self):
        return self.dtype.kind == "c"

    @property
    def is_signed(self):
        return self.dtype.kind in "ifc"

    @property
    def kind(self):
        """NumPy's one-letter kind code ('f', 'i', 'u', 'b', 'c')."""
        return self.dtype.kind

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self is other
        try:
            return self.dtype == xp.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.dtype)  # equal to its NumPy dtype, so the same hash

    def __repr__(self):
        return f"minitorch.{self.name}"

    def __reduce__(self):  # pickles as a reference to the module-level object
        return (from_numpy_dtype, (self.dtype,))


_BY_NUMPY = {}  # NumPy dtype -> minitorch dtype


def _register(numpy_type, name):
    made = dtype(xp.dtype(numpy_type), name)
    _BY_NUMPY[made.dtype] = made
    return made


float16 = _register(xp.float16, "float16")
float32 = _register(xp.float32, "float32")
float64 = _register(xp.float64, "float64")
complex64 = _register(xp.complex64, "complex64")
complex128 = _register(xp.complex128, "complex128")
uint8 = _register(xp.uint8, "uint8")
int8 = _register(xp.int8, "int8")
int16 = _register(xp.int16, "int16")
int32 = _register(xp.int32, "int32")
int64 = _register(xp.int64, "int64")
bool_ = _register(xp.bool_, "bool")
half, float, double, long, int, short = (  # noqa: A001 (PyTorch's aliases)
    float16, float32, float64, int64, int32, int16)
cfloat, cdouble = complex64, complex128


def from_numpy_dtype(numpy_dtype):
    """The minitorch dtype of a NumPy dtype (made on first use for uncommon ones)."""
    found = _BY_NUMPY.get(numpy_dtype)
    if found is None:
        numpy_dtype = xp.dtype(numpy_dtype)
        found = _BY_NUMPY.get(numpy_dtype)
        if found is None:
            found = _BY_NUMPY[numpy_dtype] = dtype(numpy_dtype, str(numpy_dtype))
    return found


def to_numpy_dtype(value, where="dtype"):
    """The NumPy dtype for a minitorch dtype, a NumPy dtype or a type such as ``float``."""
    if isinstance(value, dtype):
        return value.dtype
    try:
        return xp.dtype(value)
    except TypeError:
        raise TypeError(f"{where}: {value!r} is not a dtype") from None


class layout:  # noqa: N801  (PyTorch's name)
    """How a tensor's elements are stored: minitorch has only ``mt.strided`` (dense)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"minitorch.{self.name}"

    def __reduce__(self):
        return "strided"


strided = layout("strided")


def check_layout(value, where):
    """Raise unless ``value`` is None or ``mt.strided`` (the only layout minitorch has)."""
    if value is not None and value is not strided and value != "strided":
        raise RuntimeError(f"{where}: layout {value!r} is not supported; minitorch tensors are "
                           "dense (layout=mt.strided)")


class _DefaultDtype:
    __slots__ = ("dtype",)

    def __init__(self):
        self.dtype = float32.dtype  # the NumPy dtype, used on the hot path


default = _DefaultDtype()


def get_default_dtype():
    """The float dtype of new tensors made from Python floats (float32 at start)."""
    return from_numpy_dtype(default.dtype)


def set_default_dtype(d):
    """Set the float dtype of new tensors: ``mt.float32`` or ``mt.float64``."""
    d = to_numpy_dtype(d, "set_default_dtype")
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got "
                        f"{from_numpy_dtype(d)}")
    default.dtype = d
