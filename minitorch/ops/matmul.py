"""Matrix products: ``MatMul`` (batched, broadcasting), the fused ``Linear``, ``Einsum``,
and their inverse, ``Solve`` (the solution X of A X = B)."""
import math

from ..autograd.function import Primitive
from ..backend import as_array, xp
from . import either


class MatMul(Primitive):
    """``a @ b`` for operands with at least 2 dimensions (batch dims broadcast).

    d(a @ b)/da = grad @ b^T and d(a @ b)/db = a^T @ grad; batch dimensions that
    were broadcast are summed back by the engine.
    """

    @staticmethod
    def forward(ctx, a, b):
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"matmul: cannot multiply {tuple(a.shape)} by {tuple(b.shape)} "
                             f"({a.shape[-1]} != {b.shape[-2]})")
        ctx.save_for_backward(a, b)
        try:
            return a._data @ b._data
        except ValueError:
            raise ValueError(f"matmul: cannot broadcast the batch dimensions of "
                             f"{tuple(a.shape)} and {tuple(b.shape)}") from None

    node_name = "MmBackward0"

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        return (grad @ either.mT(b) if grad_a else None), (either.mT(a) @ grad if grad_b else None)


class Linear(Primitive):
    """``x @ weight.T + bias`` in one node: x (..., in), weight (out, in), bias (out,)."""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias):
        x_shape, w_shape = x._data.shape, weight._data.shape
        if not x_shape or len(w_shape) != 2 or x_shape[-1] != w_shape[1]:
            raise ValueError(f"linear: input of shape {x_shape} does not fit a weight of "
                             f"shape {w_shape} (expected (..., {w_shape[-1]}))")
        if bias is not None and bias._data.shape != w_shape[:1]:
            raise ValueError(f"linear: bias of shape {tuple(bias.shape)} does not fit a weight "
                             f"of shape {w_shape}")
        ctx.save_for_backward(x, weight)
        out = x._data @ weight._data.T
        if bias is not None:
            out += bias._data
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad
        grad_2d = grad
        if grad.ndim != 2:  # batch dimensions (..., n) -> (batch, n)
            x, grad_2d = x.reshape(-1, x.shape[-1]), grad.reshape(-1, grad.shape[-1])
        return (grad @ weight if need_x else None,
                either.mT(grad_2d) @ x if need_weight else None,
                either.sum(grad_2d, 0) if need_bias else None)


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix): PyTorch's
    ``torch.linalg.LinAlgError``, a RuntimeError."""


class Solve(Primitive):
    """X = A^-1 B for square A (..., n, n) and B (..., n, k); batch dimensions broadcast.

    From A X = B: dB = A^T-solve of the output's gradient G (dB = A^-T G) and
    dA = -dB X^T (PyTorch's ``linalg_solve`` backward). The rule is written with
    Solve itself, so it is differentiable again. B may come as an array when the
    engine runs this rule on arrays.
    """

    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, A, B):  # noqa: N803  (the names of the equation)
        a, b = A._data, either.array(B)
        if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
            raise RuntimeError(f"linalg.solve: A must be a batch of square matrices, got shape "
                               f"{tuple(a.shape)}")
        if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
            raise RuntimeError(f"linalg.solve: incompatible shapes of A {tuple(a.shape)} and "
                               f"B {tuple(b.shape)} for the equation AX = B")
        try:
            xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise RuntimeError(f"linalg.solve: the batch dimensions of A {tuple(a.shape)} and "
                               f"B {tuple(b.shape)} do not broadcast") from None
        ctx.save_for_backward(A, B)
        try:
            return xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise LinAlgError(f"linalg.solve: the solver failed because the input matrix "
                              f"(shape {tuple(a.shape)}) is singular") from None

    @staticmethod
    def backward(ctx, grad):
        A, B = ctx.saved_tensors
        need_a, _ = ctx.needs_input_grad
        grad_b = either.apply(Solve, either.mT(A), grad)
        grad_a = -(grad_b @ either.mT(either.apply(Solve, A, B))) if need_a else None
        return grad_a, grad_b


class Einsum(Primitive):
    """``einsum(equation, *operands)`` for an equation with explicit letters and an
    explicit output (``mt.einsum`` expands ``...`` and an implicit output first).

    The gradient of an operand is another einsum: the output's gradient contracted
    with the other operands, onto the operand's letters. A letter repeated in the
    operand (a diagonal, as in ``'ii->i'``) is routed through an identity matrix,
    and a letter summed in this operand only is broadcast back through ones.
    """

    @staticmethod
    def forward(ctx, equation, *operands):
        ctx.equation = equation
        ctx.save_for_backward(*operands)
        return _einsum(equation, [t._data for t in operands])

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        inputs, output = ctx.equation.split("->")
        specs = inputs.split(",")
        sizes = {}
        for spec, operand in zip(specs, operands):
            for letter, n in zip(spec, operand.shape):
                sizes[letter] = max(n, sizes.get(letter, 1))
        dtype = either.array(grad).dtype
        grads = [None]
        for k, (spec, needed) in enumerate(zip(specs, ctx.needs_input_grad[1:])):
            if not needed:
                grads.append(None)
                continue
            terms = [output] + [s for j, s in enumerate(specs) if j != k]
            args = [grad] + [t for j, t in enumerate(operands) if j != k]
            free = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    if c not in ctx.equation]
            target = ""
            for letter in spec:
                if letter in target:  # a diagonal: the gradient lives on it only
                    fresh = free.pop()
                    terms.append(letter + fresh)
                    args.append(either.like(grad, xp.eye(sizes[letter], dtype=dtype)))
                    letter = fresh
                target += letter
            for letter in set(spec):
                if not any(letter in term for term in terms):  # summed here only
                    terms.append(letter)
                    args.append(either.like(grad, xp.ones(sizes[letter], dtype=dtype)))
            equation = ",".join(terms) + "->" + target
            grads.append(_einsum(equation, args) if not either.is_tensor(grad)
                         else Einsum.apply(equation, *args))
        return tuple(grads)


def _einsum(equation, arrays):
    """NumPy's einsum. Three or more operands, or two with much work, go through an
    optimised contraction order (pairwise BLAS products); small ones skip the ~25 us
    spent choosing it."""
    sizes = {}
    for spec, array in zip(equation.split("->")[0].split(","), arrays):
        sizes.update(zip(spec, array.shape))
    work = math.prod(sizes.values())  # multiply-adds of the plain nested loops
    optimize = len(arrays) > 2 or (len(arrays) == 2 and work > 30_000)
    return as_array(xp.einsum(equation, *arrays, optimize=optimize))
