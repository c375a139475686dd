"""Layers (Linear, Dropout, Identity, Flatten) and activations: values and gradients."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch import nn
from minitorch.autograd import gradcheck
from minitorch.nn import functional as F


def double(array, requires_grad=True):
    return mt.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


# --- Linear ---------------------------------------------------------------------------

def test_linear_shapes_and_values():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert layer.weight.dtype == mt.float32
    x = mt.randn(5, 3)
    expected = x._data @ layer.weight._data.T + layer.bias._data
    np.testing.assert_allclose(layer(x)._data, expected, rtol=1e-6)
    assert layer(mt.randn(4, 6, 3)).shape == (4, 6, 2)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    np.testing.assert_allclose(no_bias(x)._data, x._data @ no_bias.weight._data.T, rtol=1e-6)


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p._data).max() <= bound
        assert np.abs(p._data).max() > 0.95 * bound
    # variance of U(-b, b) is b**2 / 3
    assert abs(layer.weight._data.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3


def test_linear_init_is_reproducible_from_the_seed():
    mt.manual_seed(3)
    a = nn.Linear(4, 4)
    mt.manual_seed(3)
    b = nn.Linear(4, 4)
    np.testing.assert_array_equal(a.weight._data, b.weight._data)


def test_linear_gradcheck_float64():
    layer = nn.Linear(3, 2, dtype=mt.float64)
    x = double(np.random.default_rng(0).standard_normal((4, 3)))
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (x, layer.weight, layer.bias))


def test_linear_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"linear: input of shape \(5, 4\) does not fit a "
                                         r"weight of shape \(2, 3\)"):
        nn.Linear(3, 2)(mt.randn(5, 4))
    with pytest.raises(ValueError, match="Linear: in_features must be a non-negative int"):
        nn.Linear(2.5, 3)


# --- Dropout, Identity, Flatten --------------------------------------------------------

def test_dropout_zeroes_and_rescales_in_training_and_is_identity_in_eval():
    drop = nn.Dropout(0.25)
    x = mt.ones(200, 100)
    y = drop(x)._data
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.02
    drop.eval()
    assert drop(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert np.all(F.dropout(x, 1.0)._data == 0)
    assert F.dropout(x, 0.0) is x


def test_dropout_gradient_uses_the_same_mask():
    x = mt.randn(50, 20, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, (y._data != 0) * 2.0)


def test_dropout_is_reproducible_from_the_seed():
    x = mt.ones(10, 10)
    mt.manual_seed(7)
    a = F.dropout(x, 0.5)._data
    mt.manual_seed(7)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5)._data)


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5"])
def test_dropout_rejects_bad_probabilities(p):
    with pytest.raises(ValueError, match="probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout: probability has to be between 0 and 1"):
        F.dropout(mt.ones(2), p)


def test_identity_and_flatten():
    x = mt.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


# --- activations -------------------------------------------------------------------------

def _erf(x):
    return np.vectorize(math.erf)(x)


ACTIVATIONS = {
    "relu": (nn.ReLU(), lambda x: np.maximum(x, 0)),
    "leaky_relu": (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "sigmoid": (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    "tanh": (nn.Tanh(), np.tanh),
    "gelu": (nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (nn.GELU("tanh"), lambda x: 0.5 * x * (
        1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    "softmax": (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    "log_softmax": (nn.LogSoftmax(dim=1),
                    lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@settings(max_examples=15, deadline=None)
@given(values=st.lists(st.floats(-5, 5), min_size=6, max_size=6))
def test_activation_values_match_numpy(name, values):
    module, reference = ACTIVATIONS[name]
    x = np.array(values).reshape(2, 3)
    np.testing.assert_allclose(module(double(x, False))._data, reference(x), rtol=1e-7,
                               atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradcheck(name):
    module, _ = ACTIVATIONS[name]
    x = np.random.default_rng(1).standard_normal((3, 4)) * 2
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kinks of relu/leaky_relu
    assert gradcheck(module, (double(x),))


def test_activations_are_finite_at_extreme_inputs():
    x = double([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    for name, (module, _) in ACTIVATIONS.items():
        y = module(x)
        y.sum().backward()
        assert np.all(np.isfinite(y._data)), name
        assert np.all(np.isfinite(x.grad._data)), name
        x.grad = None


def test_kink_conventions_follow_pytorch():
    x = double([0.0])
    F.relu(x).backward()
    assert x.grad._data[0] == 0.0
    x.grad = None
    F.leaky_relu(x, 0.1).backward()
    assert x.grad._data[0] == pytest.approx(0.1)


def test_activation_reprs_and_bad_arguments():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=-1)) == "Softmax(dim=-1)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="gelu: approximate must be"):
        F.gelu(mt.ones(2), approximate="erf")


def test_softmax_default_dim_follows_pytorch_legacy_rule():
    x = mt.randn(3, 4)
    np.testing.assert_allclose(F.softmax(x)._data.sum(1), 1, rtol=1e-6)
    np.testing.assert_allclose(F.softmax(mt.randn(5))._data.sum(), 1, rtol=1e-6)
