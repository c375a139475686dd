"""``mt.device``: where a tensor lives. minitorch computes on the CPU only.

``mt.device("cpu")`` and ``mt.device("cuda", 0)`` can be made as in PyTorch (code
often builds ``device = "cuda" if mt.cuda.is_available() else "cpu"``); asking
for a tensor on any device but the CPU raises an error that names it.
"""

_KNOWN = ("cpu", "cuda", "mps", "meta", "xpu", "xla", "hip", "ipu", "mtia", "privateuseone")


class device:  # noqa: N801  (PyTorch's name)
    """A device: ``type`` ('cpu', 'cuda', ...) and an optional ``index``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's parameter name)
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        if ":" in type:
            if index is not None:
                raise ValueError(f"device: {type!r} already names an index")
            type, _, number = type.partition(":")
            if not number.isdigit():
                raise RuntimeError(f"device: invalid device string {type + ':' + number!r}")
            index = int(number)
        if type not in _KNOWN:
            raise RuntimeError(f"device: expected one of {', '.join(_KNOWN)} device type at "
                               f"start of device string: {type}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"device: index must be a non-negative int, got {index!r}")
        self.type, self.index = type, index

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, ValueError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(requested, where):
    """Raise unless ``requested`` (None, a string, an int or a ``device``) is the CPU."""
    if requested is None:
        return
    if isinstance(requested, int) and not isinstance(requested, bool):
        requested = device("cuda", requested)  # PyTorch: an int is a CUDA ordinal
    try:
        requested = device(requested)
    except TypeError:
        raise TypeError(f"{where}: expected a device such as 'cpu', got {requested!r}") from None
    if requested.type == "cpu":
        return
    if requested.type == "cuda":
        raise RuntimeError(
            f"{where}: device {str(requested)!r} asks for CUDA, but minitorch runs on the "
            "CPU only (mt.cuda.is_available() is False); use device='cpu'")
    raise RuntimeError(f"{where}: device {str(requested)!r} is not available; minitorch "
                       "runs on the CPU only")


def is_device(value):
    """True for what ``to()`` takes as a device: a ``device`` or a device string."""
    if isinstance(value, device):
        return True
    return isinstance(value, str) and value.split(":")[0] in _KNOWN
