"""How much memory can still be allocated, and a check to run before allocating.

Building ``nn.Linear(2**40, 2**40)`` or ``train.py --hidden 100000000`` should say
at once that the parameters do not fit, naming the layer and the sizes, rather
than fail deep inside NumPy ("array is too big") or be killed by the system
after minutes of swapping. ``check_allocation`` compares the bytes that arrays
of given shapes need with ``available_bytes()``.
"""
import math
import os
import resource

from .backend import xp


def available_bytes():
    """The bytes this process can still allocate, as far as the system tells:
    the smallest of the memory available to programs (MemAvailable plus free swap
    on Linux, else free physical pages), the address-space limit (ulimit -v) and
    a cgroup (container) memory limit; None when none of these is known."""
    limits = []
    meminfo = _meminfo()
    if "MemAvailable" in meminfo:
        limits.append(meminfo["MemAvailable"] + meminfo.get("SwapFree", 0))
    else:
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft)
    cgroup = _cgroup_room()
    if cgroup is not None:
        limits.append(cgroup)
    return min(limits) if limits else None


def check_allocation(where, shapes, dtype):
    """Raise RuntimeError naming ``where`` and the shapes when arrays of ``shapes``
    (a list of tuples of ints) and ``dtype`` need more bytes than can be allocated
    (``available_bytes()``; also when the size overflows what NumPy can index).
    Returns the number of bytes needed."""
    itemsize = xp.dtype(dtype).itemsize
    needed = sum(math.prod(shape) for shape in shapes) * itemsize
    room = available_bytes()
    too_big_for_numpy = any(math.prod(shape) * itemsize > xp.iinfo(xp.intp).max
                            for shape in shapes)
    if too_big_for_numpy or (room is not None and needed > room):
        listed = ", ".join(str(tuple(shape)) for shape in shapes)
        have = "" if room is None else f", but only about {format_bytes(room)} can be allocated"
        raise RuntimeError(f"{where}: its parameters of shapes {listed} in {xp.dtype(dtype)} "
                           f"need {format_bytes(needed)} ({needed} bytes){have}; use smaller "
                           "sizes")
    return needed


def format_bytes(n):
    """``n`` bytes for people: '512 B', '1.5 KiB', ..., '4.0 EiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"):
        if n < 1024:
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} YiB"


def _meminfo():
    """/proc/meminfo in bytes ({} where there is none)."""
    values = {}
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    values[name] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    except OSError:
        pass
    return values


def _cgroup_room():
    """Bytes left under a cgroup v2 memory limit, or None."""
    try:
        with open("/sys/fs/cgroup/memory.max") as file:
            limit = file.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as file:
            return max(int(limit) - int(file.read().strip()), 0)
    except (OSError, ValueError):
        return None
