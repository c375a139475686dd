"""Second and higher derivatives through create_graph=True and autograd.grad."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.autograd import gradgradcheck


def test_second_derivative_of_cube():
    x = mt.tensor(2.0, requires_grad=True)
    (first,) = mt.autograd.grad(x ** 3, x, create_graph=True)
    (second,) = mt.autograd.grad(first, x)
    assert first.item() == pytest.approx(12.0)
    assert second.item() == pytest.approx(12.0)


def test_backward_with_create_graph_gives_differentiable_grad():
    x = mt.tensor(2.0, dtype=mt.float64, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    grad_x = x.grad
    assert grad_x.requires_grad
    x.grad = None
    grad_x.backward()
    assert x.grad.item() == pytest.approx(12.0)  # d/dx 3x^2 = 6x


def test_third_derivative():
    x = mt.tensor(1.5, dtype=mt.float64, requires_grad=True)
    y = x.sin()
    for _ in range(3):
        (y,) = mt.autograd.grad(y, x, create_graph=True)
    assert y.item() == pytest.approx(-np.cos(1.5))


def _mlp_loss(params, x, target):
    w1, b1, w2, b2 = params
    hidden = (x @ w1.T + b1).tanh()
    return ((hidden @ w2.T + b2 - target) ** 2).mean()


def test_hessian_vector_product_of_mlp_matches_finite_differences(rng):
    shapes = [(5, 3), (5,), (2, 5), (2,)]
    params = [mt.tensor(rng.normal(0, 0.5, s), dtype=mt.float64, requires_grad=True) for s in shapes]
    x = mt.tensor(rng.normal(size=(4, 3)), dtype=mt.float64)
    target = mt.tensor(rng.normal(size=(4, 2)), dtype=mt.float64)
    vector = [rng.normal(size=s) for s in shapes]

    grads = mt.autograd.grad(_mlp_loss(params, x, target), params, create_graph=True)
    dot = sum((g * mt.tensor(v, dtype=mt.float64)).sum() for g, v in zip(grads, vector))
    hvp = mt.autograd.grad(dot, params)

    def gradient_at(offset):
        moved = [mt.tensor(p._data + offset * v, requires_grad=True) for p, v in zip(params, vector)]
        return [g._data for g in mt.autograd.grad(_mlp_loss(moved, x, target), moved)]

    eps = 1e-5
    plus, minus = gradient_at(eps), gradient_at(-eps)
    for analytic, p_plus, p_minus in zip(hvp, plus, minus):
        np.testing.assert_allclose(analytic._data, (p_plus - p_minus) / (2 * eps), rtol=1e-5, atol=1e-7)


def test_autograd_grad_leaves_dot_grad_untouched_and_checks_usage():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    unused = mt.tensor([1.0], requires_grad=True)
    y = (x * x).sum()
    (g,) = mt.autograd.grad(y, x, retain_graph=True)
    np.testing.assert_allclose(g._data, [2.0, 4.0])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="input 1 .* was not used"):
        mt.autograd.grad(y, [x, unused], retain_graph=True)
    _, none = mt.autograd.grad(y, [x, unused], allow_unused=True)
    assert none is None


def test_grad_with_respect_to_an_intermediate_tensor():
    x = mt.tensor(3.0, requires_grad=True)
    h = x * 2
    y = h * h
    (dh,) = mt.autograd.grad(y, h)
    assert dh.item() == pytest.approx(12.0)


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    class SquareWithConstantBackward(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x._data ** 2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * mt.tensor(2 * x._data)  # right value, but cut from the graph

    x = mt.tensor([0.5, -1.0], dtype=mt.float64, requires_grad=True)
    assert mt.autograd.gradcheck(SquareWithConstantBackward.apply, (x,))
    with pytest.raises(mt.autograd.GradcheckError):
        gradgradcheck(SquareWithConstantBackward.apply, (x,))
