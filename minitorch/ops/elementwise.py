"""Elementwise operations: forward on arrays, backward in tensor operations.

Operations whose derivative is a function of their output (exp, tanh, sigmoid)
recompute it from the saved input in backward rather than keep the output
array: an in-place change to the output can then never corrupt the gradient.

Binary operations broadcast like NumPy; their backward returns gradients of the
broadcast shape and the engine sums them back to each input's shape.
"""
import math

from ..autograd.function import Function
from ..backend import erf, xp


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a._data + b._data

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    backward_arrays = backward


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a._data - b._data

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad

    backward_arrays = backward


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._data * b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        return (grad * b if grad_a else None), (grad * a if grad_b else None)

    @staticmethod
    def backward_arrays(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        return (grad * b._data if grad_a else None), (grad * a._data if grad_b else None)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._data / b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b
        return grad_a, -grad_a * a / b

    @staticmethod
    def backward_arrays(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b._data
        return grad_a, -grad_a * a._data / b._data


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a._data

    @staticmethod
    def backward(ctx, grad):
        return -grad

    backward_arrays = backward


class PowScalar(Function):
    """``a ** exponent`` for a Python number ``exponent`` (d/da of a**0 is 0)."""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return a._data ** exponent

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return grad * 0.0, None
        if p == 2:
            return grad * a * 2, None
        return grad * p * a ** (p - 1), None

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return xp.zeros_like(grad), None
        if p == 2:
            return grad * 2 * a._data, None
        return grad * p * a._data ** (p - 1), None


class Pow(Function):
    """``a ** b`` for tensors. As in PyTorch, d/da is 0 where b == 0, and d/db
    (a**b * log(a)) is 0 where a == 0 and b >= 0 (nan where a < 0)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._data ** b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        zero = _zero_like(grad)
        return (Where.apply(b._data == 0, zero, grad * b * a ** (b - 1)) if grad_a else None,
                Where.apply((a._data == 0) & (b._data >= 0), zero, grad * a ** b * a.log())
                if grad_b else None)

    @staticmethod
    def backward_arrays(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a, grad_b = ctx.needs_input_grad
        a, b = a._data, b._data
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (xp.where(b == 0, 0, grad * b * a ** (b - 1)) if grad_a else None,
                    xp.where((a == 0) & (b >= 0), 0, grad * a ** b * xp.log(a))
                    if grad_b else None)


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.exp(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.exp()

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * xp.exp(a._data)


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.sqrt(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a.sqrt() * 2)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.sin(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.cos(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * a.sin()


class Tanh(Function):
    """tanh; its gradient 1 - tanh(x)**2 is finite (0) at +-1000."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.tanh(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        out = a.tanh()
        return grad * (1 - out * out)

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        out = xp.tanh(a._data)
        return grad * (1 - out * out)


class Sigmoid(Function):
    """1 / (1 + exp(-x)), from exp(-|x|): no overflow at +-1000, exact tails."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _sigmoid(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        out = a.sigmoid()
        return grad * out * (1 - out)

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        out = _sigmoid(a._data)
        return grad * out * (1 - out)


class Relu(Function):
    """max(x, 0); the gradient at exactly 0 is 0, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.maximum(a._data, 0)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return Where.apply(a._data > 0, grad, _zero_like(grad))

    @staticmethod
    def backward_arrays(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a._data > 0)  # ~10x faster than where() in NumPy


class Abs(Function):
    """|x|; the gradient at 0 is 0 (sign(0)), as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.abs(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _constant(xp.sign(a._data))


class Erf(Function):
    """The error function; d/dx erf(x) = 2/sqrt(pi) * exp(-x**2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return erf(a._data).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (-(a * a)).exp() * (2 / math.sqrt(math.pi))


class Clamp(Function):
    """Clip to [low, high] (either may be None); gradient flows where low <= x <= high."""

    @staticmethod
    def forward(ctx, a, low, high):
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        return xp.clip(a._data, low, high)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        inside = xp.ones(a.shape, dtype=bool)
        if ctx.low is not None:
            inside &= a._data >= ctx.low
        if ctx.high is not None:
            inside &= a._data <= ctx.high
        return Where.apply(inside, grad, _zero_like(grad)), None, None


class _Choose(Function):
    """Elementwise choice between a and b; where a == b each gets half the gradient
    (as PyTorch). ``choose`` picks the values, ``prefers_a`` says where a wins."""

    choose = prefers_a = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.choose(a._data, b._data)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        share = cls.prefers_a(a._data, b._data) + 0.5 * (a._data == b._data)
        return _split_by_share(grad, share)


class Maximum(_Choose):
    """Elementwise max; ties split the gradient."""

    choose, prefers_a = staticmethod(xp.maximum), staticmethod(xp.greater)


class Minimum(_Choose):
    """Elementwise min; ties split the gradient."""

    choose, prefers_a = staticmethod(xp.minimum), staticmethod(xp.less)


class Where(Function):
    """``a`` where the boolean array ``condition`` holds, else ``b``."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        return xp.where(condition, a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        zero = _zero_like(grad)
        condition = ctx.condition
        return None, Where.apply(condition, grad, zero), Where.apply(condition, zero, grad)

    @staticmethod
    def backward_arrays(ctx, grad):
        condition = ctx.condition
        return None, xp.where(condition, grad, 0), xp.where(condition, 0, grad)


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return a._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    backward_arrays = backward


class Cast(Function):
    """Convert to another dtype; the gradient is converted back."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        return a._data.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype), None


def _sigmoid(array):
    """1 / (1 + exp(-x)) without overflow, and accurate for large negative x."""
    small = xp.exp(-xp.abs(array))  # in (0, 1]: never overflows
    out = 1 / (1 + small)
    return xp.where(array >= 0, out, small * out)


def _constant(array):
    """A tensor outside the graph, for arrays kept by forward to speed up backward."""
    return _make_tensor(array)


def _zero_like(grad):
    return _make_tensor(xp.zeros((), dtype=grad.dtype))


def _split_by_share(grad, share):
    """Gradients ``grad * share`` and ``grad * (1 - share)`` for a two-input choice."""
    share = share.astype(grad.dtype, copy=False)
    return grad * _constant(share), grad * _constant(1 - share)


from ..tensor import _make_tensor  # noqa: E402
