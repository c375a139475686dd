"""Will a chain of Linear layers fit in memory? Checked before anything is allocated."""
from __future__ import annotations

import os

import numpy as np

from ..dtypes import get_default_dtype


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux's MemAvailable, else the
    free physical pages), or None where the system does not say."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def training_bytes(widths, rows: int, optimizer: str, itemsize: int | None = None
                   ) -> tuple[int, int]:
    """(parameters, bytes) of training and evaluating a chain of Linear layers of
    ``widths`` (features, hidden..., outputs) on ``rows`` samples at a time: each
    parameter with its gradient, a saved copy and the optimizer's buffers (Adam: 2,
    SGD: 1), and two activations per layer and row; ``itemsize`` defaults to that of
    the default dtype."""
    itemsize = itemsize or np.dtype(get_default_dtype()).itemsize
    params = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
    buffers = 3 + (2 if optimizer == "adam" else 1)
    return params, itemsize * (params * buffers + 2 * rows * sum(widths[1:]))


def check_fits_in_memory(widths, rows: int, optimizer: str, what: str = "the model") -> None:
    """Raise ValueError if training ``widths`` (see ``training_bytes``) needs more memory
    than is available, naming the parameter count and both sizes."""
    params, need = training_bytes(widths, rows, optimizer)
    available = available_memory()
    if available is not None and need > available:
        raise ValueError(f"{what} ({'-'.join(map(str, widths))}) has {params:,} parameters and "
                         f"needs about {_size(need)} to train on {rows} rows at a time, more "
                         f"than the {_size(available)} of memory available; use smaller "
                         "layer widths")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024:
            return f"{n:.1f} {unit}"
    return f"{n / 1024:.1f} TiB"
