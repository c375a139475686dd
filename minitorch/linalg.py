"""``mt.linalg``: vector and matrix norms under PyTorch's names, ``cdist``, and
linear systems (``solve``, ``inv``).

Norms are compositions of differentiable operations. Where a norm's formula has
a kink or a zero denominator, the gradient is PyTorch's subgradient rather than
nan: the 2-norm of a zero vector has gradient 0 (PyTorch's ``norm_backward``
masks ``norm == 0``), the p-norms likewise, and the inf-norm shares the gradient
among tied maxima. The guards test ``== 0``, so a NaN input still gives a NaN
norm and a NaN gradient.
"""
import math

from .backend import xp
from .ops import LinAlgError, Solve
from .tensor import Tensor, _check_dims, _dims, _make_tensor

__all__ = ["LinAlgError", "cdist", "inv", "matrix_norm", "norm", "solve", "vector_norm"]

inf = math.inf


def _floating_input(x, dtype, where):
    """``x`` checked to be a floating tensor (after conversion to ``dtype``)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(x).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{where}: expected a floating point tensor as input, got "
                           f"{x.dtype} (shape {tuple(x.shape)}); convert it with .float()")
    return x


def _safe_root(total, power):
    """total ** power for total >= 0, with value and gradient 0 where total == 0
    (the inner ``where`` keeps the unused branch finite, so no 0 * inf = nan)."""
    zero = total._data == 0
    if not zero.any():
        return total ** power
    return total.where(~zero, 1.0).pow(power).where(~zero, 0.0)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """The vector ``ord``-norm of ``x`` over ``dim`` (None: all elements, as one vector).

    ``ord``: 2 (default), 1, inf (max |x|), -inf (min |x|), 0 (number of nonzero
    elements) or any other number p (sum(|x|**p)**(1/p)). ``x`` must be a floating
    tensor (RuntimeError otherwise, as in PyTorch); ``dtype`` converts it first.
    Gradients at zero are PyTorch's subgradients (0), not nan.
    """
    where = "linalg.vector_norm"
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"{where}: ord must be a number (2, 1, inf, -inf, 0, ...), got {ord!r}")
    x = _floating_input(x, dtype, where)
    dim = _check_dims(_dims(dim), x.ndim, where, tuple(x.shape))
    a = x.abs()
    if ord == inf:
        return a.amax(dim, keepdim)
    if ord == -inf:
        return a.amin(dim, keepdim)
    if ord == 0:  # the number of nonzero elements; its gradient is zero
        return a.where(x._data == 0, 1.0).sum(dim, keepdim)
    if ord == 1:
        return a.sum(dim, keepdim)
    if ord == 2:
        return _safe_root((x * x).sum(dim, keepdim), 0.5)
    zero = x._data == 0
    if ord > 0:
        powered = a.where(~zero, 1.0).pow(ord).where(~zero, 0.0) if zero.any() else a ** ord
        return _safe_root(powered.sum(dim, keepdim), 1.0 / ord)
    # ord < 0: any zero makes the norm 0 (|0|**ord is inf)
    has_zero = xp.any(zero, axis=dim, keepdims=keepdim)
    total = a.where(~zero, 1.0).pow(ord).sum(dim, keepdim)
    return (total ** (1.0 / ord)).where(~has_zero, 0.0)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):  # noqa: A002, N803
    """The matrix norm of ``A`` over the two dimensions ``dim``.

    ``ord``: 'fro' (Frobenius), 1 / -1 (max / min column sum of |A|), inf / -inf
    (max / min row sum). The spectral and nuclear norms (2, -2, 'nuc') need a
    differentiable SVD, which minitorch does not have: NotImplementedError.
    """
    where = "linalg.matrix_norm"
    A = _floating_input(A, dtype, where)
    if A.ndim < 2:
        raise RuntimeError(f"{where}: the input must have at least 2 dimensions, got shape "
                           f"{tuple(A.shape)}")
    dim = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dim) != 2:
        raise RuntimeError(f"{where}: dim must be a 2-tuple, got {dim}")
    _check_dims(dim, A.ndim, where, tuple(A.shape))
    rows, cols = (d % A.ndim for d in dim)
    if rows == cols:
        raise RuntimeError(f"{where}: dims must be different, got {dim}")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in (2, -2, "nuc"):
        raise NotImplementedError(
            f"{where}: ord={ord!r} (a norm from singular values) is not supported; "
            "minitorch supports ord='fro', 1, -1, inf and -inf")
    if ord not in (1, -1, inf, -inf):
        raise RuntimeError(f"{where}: order {ord!r} not supported (use 'fro', 1, -1, inf "
                           "or -inf)")
    summed, extreme = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(extreme, keepdim=True) if ord > 0 else sums.amin(extreme, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):  # noqa: A002, N803
    """``torch.linalg.norm``: a vector norm when ``dim`` is an int (or ``A`` is 1-D), a
    matrix norm when ``dim`` is a 2-tuple (or ``A`` is 2-D and ``ord`` is given).

    With ``ord=None`` it is the 2-norm of the flattened input (Frobenius for
    matrices). With ``ord`` given and no ``dim``, ``A`` must be 1-D or 2-D.
    """
    where = "linalg.norm"
    if not isinstance(A, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(A).__name__}")
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"{where}: dim must be an int or a 2-tuple, got {dim}")
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"{where}: if dim is not specified but ord is, the input must "
                               f"be 1-D or 2-D; got shape {tuple(A.shape)}")
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"{where}: ord={ord!r} is a matrix norm; a vector norm (one "
                               "dim) takes a number")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype)


def tensor_norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm`` / ``Tensor.norm``: 'fro' (default) and numbers give the vector
    norm over ``dim`` (all elements when None); 'nuc' a matrix norm."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(input, p, tuple(range(input.ndim)) if dim is None else dim,
                           keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of ``x1`` (B*, P, M) and each row of
    ``x2`` (B*, R, M): a (B*, P, R) tensor; batch dimensions broadcast.

    Computed from the differences (exact; memory B*P*R*M), whatever
    ``compute_mode`` says (PyTorch's matrix-product shortcut trades accuracy for
    speed). The gradient at a zero distance is 0, as in PyTorch.
    """
    where = "cdist"
    for name, x in (("x1", x1), ("x2", x2)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{where}: {name} must be a Tensor, got {type(x).__name__}")
        if x.ndim < 2:
            raise RuntimeError(f"{where}: {name} must have at least 2 dimensions, got shape "
                               f"{tuple(x.shape)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"{where}: x1 and x2 must have the same number of columns, got "
                           f"shapes {tuple(x1.shape)} and {tuple(x2.shape)}")
    if not isinstance(p, (int, float)) or p < 0:
        raise RuntimeError(f"{where}: only supports non-negative p values, got {p!r}")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{where}: {compute_mode!r} is not a valid compute_mode (one of "
                         f"{', '.join(_CDIST_MODES)})")
    try:
        xp.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{where}: the batch dimensions of x1 {tuple(x1.shape)} and x2 "
                           f"{tuple(x2.shape)} do not broadcast") from None
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), float(p), -1)


def solve(A, B, *, left=True, out=None):  # noqa: N803  (PyTorch's names)
    """The solution X of ``A @ X = B`` (``left=False``: of ``X @ A = B``), as
    ``torch.linalg.solve``; differentiable in A and B.

    A: (*, n, n) floating; B: (*, n, k), or a batch of vectors (*, n) when B is 1-D
    or has the shape ``A.shape[:-1]``; batch dimensions broadcast. A and B must
    have the same dtype. A singular A raises ``LinAlgError`` (a RuntimeError).
    """
    where = "linalg.solve"
    if out is not None:
        raise NotImplementedError(f"{where}: out= is not supported; use the returned tensor")
    for x in (A, B):
        _floating_input(x, None, where)
    if A.dtype != B.dtype:
        raise RuntimeError(f"{where}: expected A and B to have the same dtype, got {A.dtype} "
                           f"and {B.dtype}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{where}: A must be a batch of square matrices, got shape "
                           f"{tuple(A.shape)}")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    axis = -1 if left else -2  # a vector is a column (left) or a row (right)
    if vector:
        B = B.unsqueeze(axis)
    X = Solve.apply(A, B) if left else Solve.apply(A.mT, B.mT).mT  # X A = B: A^T X^T = B^T
    return X.squeeze(axis) if vector else X


def inv(A, *, out=None):  # noqa: N803
    """The inverse of each square matrix in A (*, n, n), as ``torch.linalg.inv``:
    ``solve(A, I)``, so its gradient is the solver's. A singular matrix raises
    ``LinAlgError``."""
    if out is not None:
        raise NotImplementedError("linalg.inv: out= is not supported; use the returned tensor")
    A = _floating_input(A, None, "linalg.inv")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.inv: A must be a batch of square matrices, got shape "
                           f"{tuple(A.shape)}")
    return Solve.apply(A, _make_tensor(xp.eye(A.shape[-1], dtype=A._data.dtype)))
