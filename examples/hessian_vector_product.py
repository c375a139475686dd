#!/usr/bin/env python
"""Second-order derivatives: a Hessian-vector product by double backward.

For f(x) = sum(100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2) (Rosenbrock), the product
H v of the Hessian with a vector v is the gradient of g(x) . v, where g is the
gradient of f taken with ``create_graph=True``. It costs two backward passes and
never forms H. We check it against the Hessian written out by hand.

Run from anywhere: python examples/hessian_vector_product.py
"""
import numpy as np

import minitorch as mt


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def hessian_vector_product(f, x, v):
    (g,) = mt.autograd.grad(f(x), x, create_graph=True)   # g is itself differentiable
    (hv,) = mt.autograd.grad((g * v).sum(), x)
    return hv


def rosenbrock_hessian(x):
    """The Hessian of ``rosenbrock`` at the array ``x``, by hand."""
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i + 1, i + 1] += 200
        h[i, i + 1] = h[i + 1, i] = -400 * x[i]
    return h


x = mt.tensor([-1.2, 1.0, 0.5, 2.0], dtype=mt.float64, requires_grad=True)
v = mt.tensor([1.0, -1.0, 0.5, 0.25], dtype=mt.float64)
hv = hessian_vector_product(rosenbrock, x, v)
expected = rosenbrock_hessian(x.detach().numpy()) @ v.numpy()
print("H v by double backward:", hv)
print("H v by hand:           ", expected)
assert np.allclose(hv.numpy(), expected)

# The full Hessian, one column per unit vector (fine for small n).
columns = [hessian_vector_product(rosenbrock, x, mt.eye(4, dtype=mt.float64)[i]).detach().numpy()
           for i in range(4)]
assert np.allclose(np.stack(columns, axis=1), rosenbrock_hessian(x.detach().numpy()))
print("full Hessian matches the hand-written one")
