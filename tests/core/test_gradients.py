"""Every differentiable operation against central differences, in float64."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt
from minitorch.autograd import gradcheck, gradgradcheck


def leaf(shape, rng, low=-2.0, high=2.0):
    return mt.tensor(rng.uniform(low, high, size=shape), dtype=mt.float64, requires_grad=True)


def positive(shape, rng):
    return leaf(shape, rng, 0.5, 2.0)


def away_from_zero(shape, rng):
    values = rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return mt.tensor(values, dtype=mt.float64, requires_grad=True)


BINARY = {
    "add": (lambda a, b: a + b, leaf),
    "sub": (lambda a, b: a - b, leaf),
    "mul": (lambda a, b: a * b, leaf),
    "div": (lambda a, b: a / b, away_from_zero),
    "pow": (lambda a, b: a ** b, positive),
    "maximum": (mt.maximum, leaf),
    "minimum": (mt.minimum, leaf),
    "where": (lambda a, b: mt.where(a > 0, a, b), leaf),
}

UNARY = {
    "neg": (lambda x: -x, leaf),
    "exp": (mt.exp, leaf),
    "log": (mt.log, positive),
    "sqrt": (mt.sqrt, positive),
    "sin": (mt.sin, leaf),
    "cos": (mt.cos, leaf),
    "tanh": (mt.tanh, leaf),
    "sigmoid": (mt.sigmoid, leaf),
    "relu": (mt.relu, away_from_zero),
    "abs": (mt.abs, away_from_zero),
    "erf": (mt.erf, leaf),
    "pow_scalar": (lambda x: x ** 3, leaf),
    "pow_fraction": (lambda x: x ** 0.5, positive),
    "square": (lambda x: x ** 2, leaf),
    "rsub_scalar": (lambda x: 2 - x, leaf),
    "rdiv_scalar": (lambda x: 2 / x, away_from_zero),
    "rpow_scalar": (lambda x: 2 ** x, leaf),
    "clamp": (lambda x: x.clamp(-0.5, 0.7), leaf),
    "clamp_min": (lambda x: x.clamp(min=0.1), leaf),
    "clone": (lambda x: x.clone(), leaf),
    "sum": (lambda x: x.sum(), leaf),
    "sum_dim": (lambda x: x.sum(-1), leaf),
    "sum_keepdim": (lambda x: x.sum(0, keepdim=True), leaf),
    "mean": (lambda x: x.mean(), leaf),
    "mean_dim": (lambda x: x.mean(0), leaf),
    "var": (lambda x: x.var(), leaf),
    "var_dim": (lambda x: x.var(-1, keepdim=True), leaf),
    "std_biased": (lambda x: x.std(0, unbiased=False), leaf),
    "max": (lambda x: x.max(), leaf),
    "min": (lambda x: x.min(), leaf),
    "max_dim": (lambda x: x.max(-1).values, leaf),
    "min_dim_keepdim": (lambda x: x.min(0, keepdim=True).values, leaf),
    "amax": (lambda x: x.amax(-1), leaf),
    "logsumexp": (lambda x: x.logsumexp(-1), leaf),
    "softmax": (lambda x: x.softmax(-1), leaf),
    "log_softmax": (lambda x: x.log_softmax(0), leaf),
    "reshape": (lambda x: x.reshape(-1), leaf),
    "transpose": (lambda x: x.transpose(0, -1), leaf),
    "T": (lambda x: x.T, leaf),
    "unsqueeze_squeeze": (lambda x: x.unsqueeze(1).squeeze(1) * x, leaf),
    "expand": (lambda x: x.unsqueeze(0).expand(3, *x.shape), leaf),
    "flatten": (lambda x: x.flatten(), leaf),
    "getitem_slice": (lambda x: x[..., ::2], leaf),
    "getitem_int": (lambda x: x[0], leaf),
    "getitem_repeated": (lambda x: x[[0, 0, 1, 0]], leaf),
    "getitem_mask": (lambda x: x[x._data > 0], leaf),
    "getitem_none": (lambda x: x[None, 0], leaf),
    "cat": (lambda x: mt.cat([x, x * 2], -1), leaf),
    "stack": (lambda x: mt.stack([x, x.exp()], 0), leaf),
    "masked_fill": (lambda x: x.masked_fill(x._data > 0.5, 0.0), leaf),
}

SHAPES = [(3,), (2, 3), (2, 3, 4)]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                    ((4, 1, 3), (2, 1)), ((), (2, 2))])
def test_binary_gradients(name, shapes, rng):
    fn, make = BINARY[name]
    a, b = make(shapes[0], rng), make(shapes[1], rng)
    assert gradcheck(fn, (a, b))


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_gradients(name, shape, rng):
    fn, make = UNARY[name]
    if name == "cat" and len(shape) == 0:
        pytest.skip("cat needs a dimension")
    assert gradcheck(fn, (make(shape, rng),))


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((2, 3, 4), (4, 5)), ((4,), (4, 3)),
                                    ((3, 4), (4,)), ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_gradients(shapes, rng):
    a, b = leaf(shapes[0], rng), leaf(shapes[1], rng)
    assert gradcheck(lambda x, y: x @ y, (a, b))


@pytest.mark.parametrize("x_shape", [(5, 3), (2, 4, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear_gradients(x_shape, bias, rng):
    x, w = leaf(x_shape, rng), leaf((2, 3), rng)
    b = leaf((2,), rng) if bias else None
    assert gradcheck(lambda x, w, *b: mt.ops.linear(x, w, *b), (x, w) + ((b,) if bias else ()))
    reference = x._data @ w._data.T + (b._data if bias else 0)
    np.testing.assert_allclose(mt.ops.linear(x, w, b)._data, reference)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_cross_entropy_gradients(reduction, rng):
    logits = leaf((4, 3), rng)
    target = mt.tensor([0, 2, 1, 2])
    assert gradcheck(lambda z: mt.ops.cross_entropy(z, target, reduction), (logits,))
    log_probs = logits._data - np.log(np.exp(logits._data).sum(1, keepdims=True))
    losses = -log_probs[np.arange(4), target._data]
    expected = {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]
    np.testing.assert_allclose(mt.ops.cross_entropy(logits, target, reduction)._data, expected)


def test_gather_gradient_accumulates_repeated_indices(rng):
    x = leaf((3, 4), rng)
    index = mt.tensor([[0, 0], [3, 1], [2, 2]])
    assert gradcheck(lambda t: t.gather(1, index), (x,))
    x.gather(1, index).sum().backward()
    assert x.grad._data[0, 0] == 2 and x.grad._data[2, 2] == 2 and x.grad._data[1, 0] == 0


def test_setitem_gradients(rng):
    def fn(x, v):
        y = x * 1
        y[1:, 0] = v
        return y
    assert gradcheck(fn, (leaf((3, 2), rng), leaf((2,), rng)))


# --- second order -----------------------------------------------------------
SECOND_ORDER = ["mul", "div", "pow", "where", "maximum"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_binary_second_order(name, rng):
    fn, make = BINARY[name]
    assert gradgradcheck(fn, (make((2, 3), rng), make((3,), rng)))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
                                  "erf", "pow_scalar", "sum_dim", "mean_dim", "var_dim",
                                  "logsumexp", "softmax", "log_softmax", "max_dim",
                                  "getitem_repeated", "expand", "transpose", "cat"])
def test_unary_second_order(name, rng):
    fn, make = UNARY[name]
    assert gradgradcheck(fn, (make((2, 3), rng),))


def test_matmul_and_linear_second_order(rng):
    assert gradgradcheck(lambda a, b: a @ b, (leaf((2, 3), rng), leaf((3, 2), rng)))
    assert gradgradcheck(lambda x, w, b: mt.ops.linear(x, w, b).tanh(),
                         (leaf((2, 3), rng), leaf((2, 3), rng), leaf((2,), rng)))
    target = mt.tensor([1, 0])
    assert gradgradcheck(lambda z: mt.ops.cross_entropy(z, target), (leaf((2, 3), rng),))


# --- property-based: broadcastable shape pairs ------------------------------
@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div", "maximum"]),
       seed=st.integers(0, 2 ** 16))
def test_broadcast_binary_ops_have_input_shaped_gradients(shapes, op, seed):
    rng = np.random.default_rng(seed)
    fn, make = BINARY[op]
    a, b = make(shapes.input_shapes[0], rng), make(shapes.input_shapes[1], rng)
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    out.sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    assert gradcheck(fn, (a, b))


def test_gradcheck_reports_the_input_and_element():
    class BadSquare(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x._data ** 2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x * 3  # wrong: should be 2x

    x = mt.tensor([1.0, 2.0], dtype=mt.float64, requires_grad=True)
    with pytest.raises(mt.autograd.GradcheckError, match=r"input 0 .*element \(0,\).*analytic 3.*numeric 2"):
        gradcheck(BadSquare.apply, (x,))
    assert gradcheck(BadSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_refuses_float32():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="input 0 has dtype minitorch.float32.*float64"):
        gradcheck(mt.exp, (x,))
