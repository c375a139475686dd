"""The machinery of ``Module.register_full_backward_hook`` and
``register_full_backward_pre_hook``, built on the public autograd API.

Around one call of a module with backward hooks, its tensor inputs that require
grad pass through an identity operation (``BackwardHookFunction``, an
``mt.autograd.Function``) before ``forward``, and its tensor outputs through
another after it. In the backward pass the outputs' identity runs first: it
records ``grad_output`` (after the backward pre-hooks, which may replace it).
The inputs' identity runs once the module's own operations are done: it calls
each hook with ``(module, grad_input, grad_output)`` and passes on the
``grad_input`` a hook returns instead, as PyTorch's ``BackwardHook`` does.

A Function here has one output, so several tensors go through one identity as
a single flat tensor (their concatenation) that is sliced back into tensors of
the original shapes: one node then sees all their gradients at once, as
PyTorch's multi-output ``BackwardHookFunction`` does. (Consequences: inputs the
module modifies in place are copies when there are several; an output that gets
no gradient is seen as zeros, where PyTorch shows None.)
"""
import math

from ..autograd import Function
from ..backend import xp
from ..tensor import Tensor


class BackwardHookFunction(Function):
    """Identity on ``tensors`` (as one flat tensor when there are several) whose
    backward calls ``callback(grads)`` and returns what it gives back."""

    makes_view = True  # one tensor: the output is a view of it (shares its version)

    @staticmethod
    def forward(ctx, *args):
        *tensors, callback = args
        ctx.callback = callback
        ctx.shapes = [t.shape for t in tensors]
        ctx.dtypes = [t._data.dtype for t in tensors]
        if len(tensors) == 1:
            return tensors[0]._data.view()
        common = xp.result_type(*ctx.dtypes)
        return xp.concatenate([t._data.reshape(-1).astype(common, copy=False)
                               for t in tensors])

    @staticmethod
    def backward(ctx, grad):
        shapes = ctx.shapes
        pieces = [grad] if len(shapes) == 1 else split(grad, shapes, ctx.dtypes)
        new = ctx.callback(tuple(pieces))
        for position, (g, shape) in enumerate(zip(new, shapes)):
            if g is not None and (not isinstance(g, Tensor) or tuple(g.shape) != tuple(shape)):
                got = tuple(g.shape) if isinstance(g, Tensor) else type(g).__name__
                raise RuntimeError(f"backward hook: gradient {position} should be a Tensor of "
                                   f"shape {tuple(shape)} (or None), got {got}")
        return (*new, None)


def split(flat, shapes, dtypes):
    """Tensors of ``shapes`` and ``dtypes`` sliced (differentiably) from ``flat``."""
    pieces, start = [], 0
    for shape, dtype in zip(shapes, dtypes):
        stop = start + math.prod(shape)
        piece = flat[start:stop].reshape(shape)
        pieces.append(piece if piece._data.dtype == dtype else piece.to(dtype))
        start = stop
    return pieces


def through_identity(tensors, callback):
    """New tensors equal to ``tensors`` whose gradients go through ``callback``."""
    out = BackwardHookFunction.apply(*tensors, callback)
    if len(tensors) == 1:
        return [out]
    return split(out, [t.shape for t in tensors], [t._data.dtype for t in tensors])


class BackwardHook:
    """The backward hooks of one call of ``module``: wraps its inputs
    (``setup_inputs``) and outputs (``setup_outputs``) and calls the hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_positions = None  # positions of the inputs that require grad
        self.n_outputs = 0
        self.output_positions = None

    def setup_inputs(self, args):
        self.n_inputs = len(args)
        positions = _requiring_grad(args)
        if not positions:
            return args
        self.input_positions = positions
        args = list(args)
        for i, new in zip(positions, through_identity([args[i] for i in positions],
                                                      self._on_input_grads)):
            args[i] = new
        return tuple(args)

    def setup_outputs(self, output):
        single = not isinstance(output, tuple)
        outputs = [output] if single else list(output)
        self.n_outputs = len(outputs)
        positions = _requiring_grad(outputs)
        if not positions:
            return output
        self.output_positions = positions
        for i, new in zip(positions, through_identity([outputs[i] for i in positions],
                                                      self._on_output_grads)):
            outputs[i] = new
        if single:
            return outputs[0]
        return type(output)(*outputs) if hasattr(output, "_fields") else tuple(outputs)

    def _on_output_grads(self, grads):
        grad_outputs = _with_none(self.output_positions, grads, self.n_outputs)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_outputs)
            if result is None:
                continue
            result = _as_tuple(result)
            if len(result) != len(grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(result)}, but expected "
                                   f"{len(grad_outputs)}")
            grad_outputs = result
        self.grad_outputs = grad_outputs
        if self.input_positions is None:  # no input requires grad: the hooks run now
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_inputs, grad_outputs)
                if result is not None and not all(g is None for g in _as_tuple(result)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_positions)

    def _on_input_grads(self, grads):
        if self.grad_outputs is None:  # the gradient did not come through the outputs
            return grads
        grad_inputs = _with_none(self.input_positions, grads, self.n_inputs)
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            result = _as_tuple(result)
            if len(result) != len(grad_inputs):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                   f"got {len(result)}, but expected {len(grad_inputs)}")
            grad_inputs = result
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in self.input_positions)


def _requiring_grad(values):
    return [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]


def _with_none(positions, values, n):
    """A tuple of ``n`` with ``values`` at ``positions`` and None elsewhere."""
    result = [None] * n
    for i, value in zip(positions, values):
        result[i] = value
    return tuple(result)


def _as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)
