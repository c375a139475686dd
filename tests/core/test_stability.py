"""The awkward points: extreme inputs, ties, and float32 kept float32."""
import numpy as np
import pytest

import minitorch as mt


@pytest.mark.parametrize("op", [mt.sigmoid, mt.tanh, lambda x: x.softmax(0),
                                lambda x: x.log_softmax(0), lambda x: x.logsumexp(0)])
def test_extreme_inputs_give_finite_values_and_gradients(op):
    x = mt.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    y = op(x)
    assert np.isfinite(y._data).all()
    y.sum().backward()
    assert np.isfinite(x.grad._data).all()


def test_sigmoid_saturates_exactly():
    y = mt.tensor([-1000.0, 1000.0]).sigmoid()
    assert y.tolist() == [0.0, 1.0]


def test_log_softmax_and_logsumexp_on_huge_logits():
    logits = mt.tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    out = logits.log_softmax(-1)
    assert np.isfinite(out._data).all() and out._data[0, 0] == 0.0
    lse = logits.logsumexp(-1)
    assert lse.item() == pytest.approx(1e4)
    (out[0, 1] + lse.sum()).backward()
    assert np.isfinite(logits.grad._data).all()
    loss = mt.ops.cross_entropy(logits, mt.tensor([2]))
    assert loss.item() == pytest.approx(2e4) and np.isfinite(loss._data)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_logsumexp_of_all_minus_infinity_is_minus_infinity():
    assert mt.tensor([-np.inf, -np.inf]).logsumexp(0).item() == -np.inf


def test_relu_gradient_at_zero_is_zero():
    x = mt.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]


def test_max_ties_share_the_gradient_and_dim_max_picks_the_index():
    x = mt.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]
    y = mt.tensor([[3.0, 3.0]], requires_grad=True)
    y.max(dim=1).values.sum().backward()
    assert y.grad.tolist() == [[1.0, 0.0]]


def test_maximum_ties_split_the_gradient():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.tensor([1.0, 0.0], requires_grad=True)
    mt.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


def test_clamp_passes_gradient_at_the_boundary():
    x = mt.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clamp(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


FLOAT32_OPS = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - 2.5, "mul": lambda x, y: 3 * x * y,
    "div": lambda x, y: x / (y + 3), "pow": lambda x, y: x ** 2, "rpow": lambda x, y: 2.0 ** x,
    "exp": lambda x, y: x.exp(), "log": lambda x, y: (x.abs() + 1).log(),
    "sqrt": lambda x, y: (x.abs() + 1).sqrt(), "sin": lambda x, y: x.sin(), "cos": lambda x, y: x.cos(),
    "tanh": lambda x, y: x.tanh(), "sigmoid": lambda x, y: x.sigmoid(), "relu": lambda x, y: x.relu(),
    "erf": lambda x, y: x.erf(), "abs": lambda x, y: x.abs(), "clamp": lambda x, y: x.clamp(-1, 1),
    "maximum": lambda x, y: mt.maximum(x, y), "where": lambda x, y: mt.where(x > 0, x, 0.5),
    "sum": lambda x, y: x.sum(0), "mean": lambda x, y: x.mean(), "var": lambda x, y: x.var(1),
    "max": lambda x, y: x.max(1).values, "amax": lambda x, y: x.amax(), "logsumexp": lambda x, y: x.logsumexp(1),
    "softmax": lambda x, y: x.softmax(1), "log_softmax": lambda x, y: x.log_softmax(0),
    "matmul": lambda x, y: x @ y.T, "linear": lambda x, y: mt.ops.linear(x, y, y[0]),
    "cross_entropy": lambda x, y: mt.ops.cross_entropy(x, mt.tensor([0, 1, 2])),
    "getitem": lambda x, y: x[[0, 0]], "cat": lambda x, y: mt.cat([x, y]), "expand": lambda x, y: x[None].expand(2, 3, 3),
    "masked_fill": lambda x, y: x.masked_fill(x > 0, 1.0), "gather": lambda x, y: x.gather(1, mt.tensor([[0], [1], [2]])),
    "int_tensor": lambda x, y: x * mt.tensor([1, 2, 3]),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_OPS))
def test_float32_stays_float32_forward_and_backward(name, rng):
    x = mt.tensor(rng.normal(size=(3, 3)).astype(np.float32), requires_grad=True)
    y = mt.tensor(rng.normal(size=(3, 3)).astype(np.float32), requires_grad=True)
    out = FLOAT32_OPS[name](x, y)
    assert out.dtype == mt.float32
    out.sum().backward()
    assert x.grad.dtype == mt.float32
    if y.grad is not None:
        assert y.grad.dtype == mt.float32
