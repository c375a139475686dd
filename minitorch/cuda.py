"""``mt.cuda``: PyTorch's CUDA queries, answered honestly: minitorch has no CUDA.

``is_available()`` is False and ``device_count()`` 0, so the usual
``device = "cuda" if mt.cuda.is_available() else "cpu"`` picks the CPU. The
seeding and cache calls that PyTorch documents as safe without CUDA are silent
no-ops here too; calls that need a GPU raise an error naming CUDA.
"""


def is_available():
    """False: minitorch runs on the CPU only."""
    return False


def device_count():
    """0: no CUDA device."""
    return 0


def is_initialized():
    """False: CUDA is never initialised."""
    return False


def manual_seed(seed):
    """Ignored, as PyTorch ignores it without CUDA (seed with ``mt.manual_seed``)."""


def manual_seed_all(seed):
    """Ignored, as PyTorch ignores it without CUDA (seed with ``mt.manual_seed``)."""


def empty_cache():
    """Nothing to free: a no-op, as in PyTorch without CUDA."""


def _unavailable(name):
    def call(*args, **kwargs):
        raise RuntimeError(f"mt.cuda.{name}(): CUDA is not available: minitorch runs on the "
                           "CPU only (mt.cuda.is_available() is False)")
    call.__name__ = name
    call.__doc__ = "Raises RuntimeError: minitorch has no CUDA device."
    return call


current_device = _unavailable("current_device")
get_device_name = _unavailable("get_device_name")
get_device_properties = _unavailable("get_device_properties")
set_device = _unavailable("set_device")
synchronize = _unavailable("synchronize")
