"""PyTorch's legacy tensor types, still common in tutorials: ``mt.FloatTensor``,
``mt.LongTensor``, ... ``x.type(mt.LongTensor)`` converts, ``mt.FloatTensor([1, 2])``
creates (``mt.FloatTensor(2, 3)``: uninitialised, of that shape), and
``isinstance(x, mt.FloatTensor)`` checks the dtype. As in PyTorch they are not
subclasses of ``Tensor``: every tensor is a plain ``mt.Tensor``.
"""
from . import dtypes
from .creation import empty, tensor
from .tensor import Tensor


class _LegacyType(type):
    """The class of the legacy types: instance checks compare dtypes."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'minitorch.{cls.__name__}'>"


def _new(cls, *args):
    """``T()``: empty; ``T(2, 3)``: uninitialised of shape (2, 3); ``T(data)``: a
    tensor of ``data`` (a sequence or an array) in this type's dtype."""
    if all(isinstance(n, int) and not isinstance(n, bool) for n in args):
        return empty(*args, dtype=cls.dtype) if args else empty(0, dtype=cls.dtype)
    if len(args) != 1:
        raise TypeError(f"{cls.__name__}: expected sizes (ints) or one sequence of data, got "
                        f"{len(args)} arguments")
    data = args[0]
    if isinstance(data, Tensor):
        if data.dtype != cls.dtype:
            raise TypeError(f"{cls.__name__}: expected a tensor of dtype {cls.dtype}, got "
                            f"{data.dtype}; convert it with .type(minitorch.{cls.__name__})")
        return data
    return tensor(data, dtype=cls.dtype)


def _legacy_type(name, dtype):
    return _LegacyType(name, (), {"dtype": dtype, "__new__": _new, "__module__": "minitorch",
                                  "__doc__": f"The legacy type of {dtype} tensors."})


FloatTensor = _legacy_type("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", dtypes.float16)
LongTensor = _legacy_type("LongTensor", dtypes.int64)
IntTensor = _legacy_type("IntTensor", dtypes.int32)
ShortTensor = _legacy_type("ShortTensor", dtypes.int16)
CharTensor = _legacy_type("CharTensor", dtypes.int8)
ByteTensor = _legacy_type("ByteTensor", dtypes.uint8)
BoolTensor = _legacy_type("BoolTensor", dtypes.bool_)
