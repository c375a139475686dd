"""Finite-difference checks of analytic gradients (first and second order).

Central differences in float64: d f / d x_i ~ (f(x + eps e_i) - f(x - eps e_i)) / 2 eps.
The analytic Jacobian is built one row per output element with ``autograd.grad``;
a mismatch names the input, the element, and both values.
"""
import itertools

from ..backend import xp
from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the gradients of ``fn(*inputs)`` against central differences.

    ``inputs`` is a Tensor or a tuple; the float64 tensors among them that
    require grad are checked. Returns True, or raises ``GradcheckError`` (returns
    False with ``raise_exception=False``).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if inputs[i].dtype != xp.float64:
            raise ValueError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; finite differences "
                "need float64 (use .double())")
    analytic = _analytic_jacobians(fn, inputs, checked)
    numeric = _numeric_jacobians(fn, inputs, checked, eps)
    for i, a, n in zip(checked, analytic, numeric):
        bad = ~xp.isclose(a, n, rtol=rtol, atol=atol)
        if bad.any():
            out_index, in_flat = (int(k) for k in xp.argwhere(bad)[0])
            element = tuple(int(k) for k in xp.unravel_index(in_flat, inputs[i].shape))
            message = (
                f"gradcheck: Jacobian mismatch for input {i} (shape {tuple(inputs[i].shape)}) "
                f"at element {element}, output element {out_index}: analytic "
                f"{a[out_index, in_flat]:.8g} vs numeric {n[out_index, in_flat]:.8g} "
                f"({int(bad.sum())} of {bad.size} entries differ)")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True):
    """Check second derivatives: gradcheck of the vector-Jacobian product of ``fn``.

    The product uses ``grad_outputs`` (random float64 when not given), itself
    treated as an input so that its derivative is checked too.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outputs = _as_tuple(fn(*inputs))
    if grad_outputs is None:
        rng = xp.random.default_rng(0)
        grad_outputs = tuple(
            Tensor(rng.standard_normal(o.shape), dtype=xp.float64, requires_grad=True)
            for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_inputs = len(inputs)
    differentiable = [i for i, x in enumerate(inputs)
                      if isinstance(x, Tensor) and x.requires_grad]

    def vector_jacobian_product(*args):
        with enable_grad():  # also during the finite differences, which run under no_grad
            outs = _as_tuple(fn(*args[:n_inputs]))
            used = [o for o in outs if o.requires_grad]
            seeds = [v for o, v in zip(outs, args[n_inputs:]) if o.requires_grad]
            grads = grad(used, [args[i] for i in differentiable], seeds,
                         create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vector_jacobian_product, inputs + grad_outputs, eps, atol, rtol,
                     raise_exception)


def _as_tuple(value):
    return (value,) if isinstance(value, Tensor) else tuple(value)


def _flat_outputs(fn, inputs):
    return xp.concatenate([o._data.reshape(-1) for o in _as_tuple(fn(*inputs))]
                          or [xp.zeros(0)])


def _analytic_jacobians(fn, inputs, checked):
    """One (n_outputs, n_inputs) matrix per checked input, a row per output element."""
    outputs = _as_tuple(fn(*inputs))
    sizes = [inputs[i]._data.size for i in checked]
    total = sum(o._data.size for o in outputs)
    jacobians = [xp.zeros((total, size)) for size in sizes]
    row = 0
    for output in outputs:
        for k in range(output._data.size):
            if output.requires_grad:
                seed = xp.zeros(output.shape)
                seed.reshape(-1)[k] = 1.0
                grads = grad(output, [inputs[i] for i in checked], Tensor(seed),
                             retain_graph=True, allow_unused=True)
                for jacobian, g in zip(jacobians, grads):
                    if g is not None:
                        jacobian[row] = g._data.reshape(-1)
            row += 1
    return jacobians


def _numeric_jacobians(fn, inputs, checked, eps):
    """Central-difference Jacobians, perturbing one element of one input at a time."""
    jacobians = []
    with no_grad():
        for i in checked:
            values = inputs[i]._data
            columns = []
            for index in itertools.product(*(range(n) for n in values.shape)):
                original = values[index]
                values[index] = original + eps
                plus = _flat_outputs(fn, inputs)
                values[index] = original - eps
                minus = _flat_outputs(fn, inputs)
                values[index] = original
                columns.append((plus - minus) / (2 * eps))
            jacobians.append(xp.stack(columns, axis=1) if columns
                             else xp.zeros((0, 0)))
    return jacobians

