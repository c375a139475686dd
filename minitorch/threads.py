"""``mt.set_num_threads`` / ``mt.get_num_threads``: how many threads the linear
algebra runs on.

minitorch's heavy work (matrix products, convolutions as matrix products) runs in
NumPy's BLAS (OpenBLAS, MKL, ...), which starts one thread per core. These
functions set and read that number through ``threadpoolctl``, the library
scikit-learn uses for the same purpose; OpenMP pools loaded in the process are
limited too. As with ``threadpoolctl``, a library loaded after the call is not
limited (NumPy's BLAS is loaded with minitorch, so it always is).
"""
import os

from threadpoolctl import threadpool_info, threadpool_limits

_requested = None  # the last number given to set_num_threads


def set_num_threads(num_threads):
    """Use ``num_threads`` threads (a positive int) in BLAS and OpenMP from now on.

    Raises TypeError for a non-int and RuntimeError for ``num_threads < 1``, as
    PyTorch does.
    """
    global _requested
    if not isinstance(num_threads, int) or isinstance(num_threads, bool):
        raise TypeError(f"set_num_threads(): argument 'int' must be int, not "
                        f"{type(num_threads).__name__}")
    if num_threads < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {num_threads}")
    threadpool_limits(limits=num_threads)  # used as a function: stays in force
    _requested = num_threads


def get_num_threads():
    """The number of threads BLAS uses now (the largest, if several BLAS libraries
    are loaded); without a BLAS that reports it, the number last set, else the
    number of CPUs."""
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    if counts:
        return max(counts)
    return _requested if _requested is not None else (os.cpu_count() or 1)
