"""Diagonals (``diagonal``, ``diag``, ``trace``) and linear systems (``linalg.solve``,
``linalg.inv``): values against NumPy, views, gradients in float64, and errors that
name the operation and the shapes. (Rules at first and second order: test_every_op.)"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt
from minitorch.autograd import gradcheck, gradgradcheck

planes = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=4, max_side=5),
                    elements=st.floats(-5, 5, allow_nan=False, width=32))


@settings(max_examples=60, deadline=None)
@given(planes, st.integers(-6, 6), st.data())
def test_diagonal_matches_numpy(array, offset, data):
    ndim = array.ndim
    dim1 = data.draw(st.integers(-ndim, ndim - 1))
    dim2 = data.draw(st.integers(-ndim, ndim - 1).filter(lambda d: d % ndim != dim1 % ndim))
    x = mt.tensor(array)
    out = x.diagonal(offset, dim1, dim2)
    expected = np.diagonal(array, offset, dim1 % ndim, dim2 % ndim)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(mt.diagonal(x, offset, dim1, dim2).numpy(), expected)


def test_diagonal_is_a_writable_view():
    x = mt.zeros(3, 4)
    d = x.diagonal(1)
    d.fill_(2.0)
    np.testing.assert_array_equal(x.numpy(), np.eye(3, 4, k=1) * 2)
    x.diagonal().add_(mt.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.diagonal().numpy(), [1.0, 2.0, 3.0])
    assert x.diagonal()._base is x


def test_diagonal_gradient():
    x = mt.tensor(np.arange(24.0).reshape(2, 3, 4), dtype=mt.float64, requires_grad=True)
    out = x.diagonal(-1, 2, 1)  # planes P[r, c] = x[:, c, r]; P[i + 1, i] = x[:, i, i + 1]
    assert out.shape == (2, 3) and out.grad_fn.__class__.__name__ == "DiagonalBackward0"
    np.testing.assert_array_equal(out.detach().numpy(), [[1, 6, 11], [13, 18, 23]])
    weights = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (out * mt.tensor(weights, dtype=mt.float64)).sum().backward()
    expected = np.zeros((2, 3, 4))
    for i in range(3):
        expected[:, i, i + 1] = weights[:, i]
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    assert gradcheck(lambda t: t.diagonal(1) ** 3, (x,))
    assert gradgradcheck(lambda t: t.diagonal(0, 0, 2) ** 3, (x,))


@pytest.mark.parametrize("k", [-2, 0, 1, 3])
def test_diag_of_a_vector_and_of_a_matrix(k):
    v = np.array([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(mt.diag(mt.tensor(v), k).numpy(), np.diag(v, k))
    m = np.arange(12.0).reshape(3, 4)
    out = mt.tensor(m).diag(k)
    np.testing.assert_array_equal(out.numpy(), np.diag(m, k))
    out.add_(1.0)  # a copy, as torch.diag of a matrix
    np.testing.assert_array_equal(np.diag(m, k), np.diag(np.arange(12.0).reshape(3, 4), k))
    assert mt.diag(mt.tensor([1, 2])).dtype == mt.int64
    x = mt.tensor(v, requires_grad=True)
    assert gradcheck(lambda t: mt.diag(t, k) ** 2, (x,))


def test_trace():
    m = np.arange(12.0).reshape(3, 4)
    assert mt.tensor(m).trace().item() == np.trace(m)
    assert mt.trace(mt.tensor([[1, 2], [3, 4]])).dtype == mt.int64
    x = mt.tensor(m, requires_grad=True)
    x.trace().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(3, 4))


@pytest.mark.parametrize("call, error, words", [
    (lambda: mt.zeros(3).diagonal(), IndexError, ["diagonal", "dimension 1", "(3,)"]),
    (lambda: mt.zeros(3, 3).diagonal(0, 1, -1), RuntimeError, ["diagonal", "different",
                                                               "(3, 3)"]),
    (lambda: mt.zeros(2, 2, 2).trace(), RuntimeError, ["trace", "(2, 2, 2)"]),
    (lambda: mt.zeros(2, 2, 2).diag(), RuntimeError, ["diag", "(2, 2, 2)"]),
])
def test_diagonal_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)


def _system(a_shape, b_shape, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(a_shape) + 3 * np.eye(a_shape[-1])
    return a, rng.standard_normal(b_shape)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 4)),
    ((3, 3), (2, 3, 4)), ((2, 1, 3, 3), (4, 3, 1)),
])
def test_solve_matches_numpy_and_broadcasts(a_shape, b_shape):
    a, b = _system(a_shape, b_shape)
    x = mt.linalg.solve(mt.tensor(a), mt.tensor(b))
    vector = len(b_shape) == 1 or b_shape == a_shape[:-1]
    expected = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
    assert x.shape == expected.shape
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-12)


def test_solve_from_the_right_and_inv():
    a, b = _system((3, 3), (2, 3))
    x = mt.linalg.solve(mt.tensor(a), mt.tensor(b), left=False)
    np.testing.assert_allclose(x.numpy() @ a, b, atol=1e-12)
    batch = _system((2, 4, 4), (1,))[0]
    np.testing.assert_allclose(mt.linalg.inv(mt.tensor(batch)).numpy(), np.linalg.inv(batch),
                               rtol=1e-12)
    assert mt.linalg.inv(mt.eye(3)).dtype == mt.float32


def test_solve_gradients_in_float64():
    a, b = _system((2, 3, 3), (3, 2))
    A = mt.tensor(a, requires_grad=True)
    B = mt.tensor(b, requires_grad=True)
    assert gradcheck(mt.linalg.solve, (A, B))
    assert gradgradcheck(mt.linalg.solve, (A, B))
    v = mt.tensor(b[:, 0], requires_grad=True)
    assert gradcheck(lambda m, w: mt.linalg.solve(m, w, left=False), (A, v))
    assert gradcheck(mt.linalg.inv, (A,))
    # the closed form: d(sum(X))/dB = A^-T 1, d/dA = -A^-T 1 X^T
    M, w = mt.tensor(a[0], requires_grad=True), mt.tensor(b[:, 0], requires_grad=True)
    x = mt.linalg.solve(M, w)
    x.sum().backward()
    g = np.linalg.solve(a[0].T, np.ones(3))
    np.testing.assert_allclose(w.grad.numpy(), g, rtol=1e-12)
    np.testing.assert_allclose(M.grad.numpy(), -np.outer(g, x.detach().numpy()), rtol=1e-12)


@pytest.mark.parametrize("call, error, words", [
    (lambda: mt.linalg.solve(mt.zeros(3, 3), mt.ones(3)), mt.linalg.LinAlgError,
     ["linalg.solve", "singular", "(3, 3)"]),
    (lambda: mt.linalg.inv(mt.ones(2, 2)), mt.linalg.LinAlgError, ["singular", "(2, 2)"]),
    (lambda: mt.linalg.solve(mt.zeros(3, 4), mt.ones(3)), RuntimeError,
     ["linalg.solve", "square", "(3, 4)"]),
    (lambda: mt.linalg.solve(mt.eye(3), mt.ones(4)), RuntimeError,
     ["linalg.solve", "(3, 3)", "(4, 1)"]),
    (lambda: mt.linalg.solve(mt.eye(3), mt.ones(3, 2, 3)), RuntimeError,
     ["linalg.solve", "(3, 3)", "(3, 2, 3)"]),
    (lambda: mt.linalg.solve(mt.ones(2, 3, 3), mt.ones(4, 3, 1)), RuntimeError,
     ["batch", "(2, 3, 3)", "(4, 3, 1)"]),
    (lambda: mt.linalg.solve(mt.eye(3), mt.ones(3, dtype=mt.float64)), RuntimeError,
     ["same dtype", "float32", "float64"]),
    (lambda: mt.linalg.solve(mt.eye(3, dtype=mt.int64), mt.ones(3)), RuntimeError,
     ["floating", "int64"]),
    (lambda: mt.linalg.inv(mt.ones(2, 3)), RuntimeError, ["linalg.inv", "(2, 3)"]),
])
def test_solve_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)
    assert isinstance(info.value, RuntimeError)  # LinAlgError is one too, as in PyTorch


def test_solve_error_changes_nothing():
    A = mt.zeros(3, 3, requires_grad=True)
    B = mt.ones(3, requires_grad=True)
    with pytest.raises(mt.linalg.LinAlgError):
        mt.linalg.solve(A, B)
    assert A.grad is None and B.grad is None and A._version == 0 and B._version == 0
