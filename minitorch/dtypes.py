"""Data types (NumPy dtypes under PyTorch's names) and the default float type."""
from .backend import xp

float16 = xp.dtype(xp.float16)
float32 = xp.dtype(xp.float32)
float64 = xp.dtype(xp.float64)
int32 = xp.dtype(xp.int32)
int64 = xp.dtype(xp.int64)
bool_ = xp.dtype(xp.bool_)
half, float, double, long = float16, float32, float64, int64  # noqa: A001 (torch names)


class _DefaultDtype:
    __slots__ = ("dtype",)

    def __init__(self):
        self.dtype = float32


default = _DefaultDtype()


def get_default_dtype():
    """The float dtype of new tensors made from Python floats (float32 at start)."""
    return default.dtype


def set_default_dtype(dtype):
    """Set the float dtype of new tensors: ``mt.float32`` or ``mt.float64``."""
    dtype = xp.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {dtype}")
    default.dtype = dtype

