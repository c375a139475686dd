"""The one seam between minitorch and its array library.

Every operation reaches the array library through ``xp`` (or through the arrays'
own methods), never through ``numpy`` imported elsewhere. A GPU array library
with the NumPy API (CuPy) can be plugged in here later without touching the ops.
"""
import numpy

xp = numpy
"""The array module used by every operation (NumPy today)."""

ndarray = numpy.ndarray


def as_array(value):
    """``value`` as an ndarray: a NumPy scalar (what a full reduction gives) becomes a
    0-d array; an ndarray, subclasses included (``mt.compile`` records through one),
    is returned as it is."""
    return value if isinstance(value, ndarray) else numpy.asarray(value)


def erf(x):
    """Elementwise error function of an array (from SciPy)."""
    from scipy.special import erf as scipy_erf

    return scipy_erf(x)
