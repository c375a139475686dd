"""``mt.backends``: PyTorch's backend switches, for a library that runs on the CPU.

``mt.backends.mps.is_available()`` and ``mt.backends.cudnn.is_available()`` are
False; the cuDNN flags that seeding code sets (``deterministic``, ``benchmark``)
can be set and read, and have no effect (NumPy on the CPU is deterministic).
"""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
