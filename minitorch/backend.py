"""The one seam between minitorch and its array library.

Every operation reaches the array library through ``xp`` (or through the arrays'
own methods), never through ``numpy`` imported elsewhere. A GPU array library
with the NumPy API (CuPy) can be plugged in here later without touching the ops.
"""
import numpy

xp = numpy
"""The array module used by every operation (NumPy today)."""

ndarray = numpy.ndarray


def erf(x):
    """Elementwise error function of an array (SciPy ships with scikit-learn)."""
    from scipy.special import erf as scipy_erf

    return scipy_erf(x)


def expand_to(array, shape):
    """``array`` broadcast to ``shape``: a read-only view, or for a one-element
    array (the gradient of a full reduction) a filled array, which NumPy makes
    several times faster than the view."""
    if array.size == 1:
        return xp.full(shape, array.reshape(()), dtype=array.dtype)
    return xp.broadcast_to(array, shape)


def unbroadcast_axes(grad_shape, shape):
    """Axes to sum a gradient of ``grad_shape`` over so it matches ``shape``.

    Returns ``(leading, kept)``: ``leading`` counts the extra leading axes that
    broadcasting added; ``kept`` lists the axes (after those) where ``shape`` has
    size 1 but the gradient does not.
    """
    leading = len(grad_shape) - len(shape)
    kept = tuple(
        i for i, n in enumerate(shape) if n == 1 and grad_shape[leading + i] != 1
    )
    return leading, kept
