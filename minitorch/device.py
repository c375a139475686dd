"""``mt.device``: PyTorch's device objects, honest about minitorch running on the CPU.

A device can be named as in PyTorch (``mt.device("cpu")``, ``mt.device("cuda:1")``,
``mt.device("cpu", 0)``), so code written for PyTorch constructs its devices
unchanged. Only the CPU can hold tensors: ``check_device`` is what every function
taking a ``device=`` argument calls, and it raises an error naming CUDA (or MPS,
or the other type) for anything else.
"""

# PyTorch's device types, in its order (its error message lists them the same way).
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")

_WHY_NOT = {
    "cuda": "CUDA is not available: minitorch runs on the CPU only "
            "(mt.cuda.is_available() is False)",
    "mps": "Apple's MPS backend is not available: minitorch runs on the CPU only "
           "(mt.backends.mps.is_available() is False)",
}


class device:  # noqa: N801  (PyTorch's name)
    """Where a tensor lives: ``type`` ("cpu", "cuda", ...) and ``index`` (an int or
    None), as ``torch.device``.

    ``device("cpu")``, ``device("cpu:0")``, ``device("cpu", 0)``, ``device(other)``;
    an int ``n`` alone means ``"cuda:n"``, as in PyTorch. Constructing any known
    type works; only ``"cpu"`` can be used for tensors (see ``check_device``).
    Raises RuntimeError for an unknown type or a malformed string, TypeError for
    arguments that are not a str, an int or a device.

    ``repr`` is ``device(type='cpu')``; ``str`` is ``cpu`` (``cpu:0`` with an index).
    A device equals another with the same type and index and, unlike PyTorch's,
    also the string that names it (``mt.device("cpu") == "cpu"``), which is what
    ``t.device == "cpu"`` in user code means. Usable as a context manager, as
    PyTorch's (a no-op for the CPU, which is always the default).
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's argument name)
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given with a device")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            if index is not None:
                raise TypeError("device(): an index cannot be given twice")
            type, index = "cuda", type  # PyTorch: a bare ordinal names a CUDA device
        elif not isinstance(type, str):
            raise TypeError(f"device(): expected a device type string such as 'cpu', an "
                            f"int or a device, got {_type_name(type)}")
        elif ":" in type:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index "
                                   f"was passed explicitly: {type}")
            type, _, text = type.partition(":")
            if not text.isdigit() or text != str(int(text)):
                raise RuntimeError(f"Invalid device string: '{type}:{text}'")
            index = int(text)
        if type not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at "
                               f"start of device string: {type}")
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' must be int, not "
                                f"{_type_name(index)}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self._type = type
        self._index = index

    @property
    def type(self):
        """The device type, e.g. ``"cpu"``."""
        return self._type

    @property
    def index(self):
        """The device index, or None when not given."""
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash(str(self))  # equal to the hash of the string it equals

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        check_device(self, "with mt.device(...)")
        return self

    def __exit__(self, *exc_info):
        return False


CPU = device("cpu")


def check_device(value, where):
    """The ``mt.device`` that ``value`` names, after checking minitorch can use it.

    ``value`` is what a user passed as ``device=`` (a str, an ``mt.device``, an
    int, or None: None is returned as is). ``where`` names the operation for the
    message. Raises RuntimeError naming CUDA (or MPS, or the device type) for
    anything but the CPU, RuntimeError for an unknown or malformed device string
    and TypeError for a value that cannot name a device.
    """
    if value is None:
        return None
    try:
        parsed = value if isinstance(value, device) else device(value)
    except (RuntimeError, TypeError) as error:
        raise type(error)(f"{where}: {error}") from None
    if parsed.type != "cpu":
        reason = _WHY_NOT.get(parsed.type,
                              f"device type '{parsed.type}' is not available: minitorch "
                              "runs on the CPU only")
        raise RuntimeError(f"{where}: cannot use device '{parsed}': {reason}. Use "
                           "device='cpu' (or leave device out)")
    return parsed


def _type_name(value):
    return type(value).__name__


def is_device(value):
    """True for what ``Tensor.to`` takes as a device: an ``mt.device``, a device string
    ("cpu", "cuda:0", ...) or an int (a CUDA ordinal, as in PyTorch)."""
    if isinstance(value, device):
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and value.split(":")[0] in DEVICE_TYPES
