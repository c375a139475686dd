#!/usr/bin/env python
"""A custom operation: a ``Function`` with its forward and backward side by side.

``Softplus(x) = log(1 + exp(x))`` is computed without overflow as
``max(x, 0) + log1p(exp(-|x|))``; its derivative is ``sigmoid(x)``. The
gradient is checked against finite differences with ``gradcheck``, and because
``backward`` is written with tensor operations, second derivatives work too.

Run from anywhere: python examples/custom_function.py
"""
import numpy as np

import minitorch as mt


class Softplus(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x.detach().numpy(), 0) + np.log1p(np.exp(-np.abs(x.detach().numpy())))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sigmoid()        # tensor operations: differentiable again


def softplus(x):
    return Softplus.apply(x)


x = mt.tensor([-1000.0, -2.0, 0.0, 3.0, 1000.0], requires_grad=True)
y = softplus(x)
y.sum().backward()
print("softplus(x)   =", y)
print("d/dx (= sigmoid(x)) =", x.grad)
assert bool(y.isfinite().all())
assert np.allclose(x.grad.numpy(), np.exp(-np.logaddexp(0, -x.detach().numpy())))

# Analytic gradients against finite differences, in float64.
x64 = mt.randn(4, 3, dtype=mt.float64, requires_grad=True)
assert mt.autograd.gradcheck(softplus, (x64,))
assert mt.autograd.gradgradcheck(softplus, (x64,))
print("gradcheck and gradgradcheck passed")

# Second derivative: d2/dx2 softplus(x) = sigmoid(x) * (1 - sigmoid(x)).
x = mt.tensor([0.0, 1.0], dtype=mt.float64, requires_grad=True)
(first,) = mt.autograd.grad(softplus(x).sum(), x, create_graph=True)
(second,) = mt.autograd.grad(first.sum(), x)
s = 1 / (1 + np.exp(-x.detach().numpy()))
print("second derivative:", second)
assert np.allclose(second.detach().numpy(), s * (1 - s))
