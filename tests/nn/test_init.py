"""nn.init: gains, bounds and statistics, run under no_grad; clip_grad_norm_."""
import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import init


def test_calculate_gain_matches_pytorch_table():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_inits_fill_parameters_in_place_without_recording_a_graph():
    p = nn.Parameter(mt.empty(200, 100))
    data = p._data
    for fill in (init.zeros_, init.ones_, lambda t: init.constant_(t, 2.5),
                 init.uniform_, init.normal_, init.kaiming_uniform_, init.kaiming_normal_,
                 init.xavier_uniform_, init.xavier_normal_):
        assert fill(p) is p
        assert p.is_leaf and p.requires_grad and p._data is data
    init.constant_(p, 2.5)
    assert np.all(p._data == 2.5)


def test_uniform_inits_respect_their_bounds():
    w = mt.empty(300, 200)
    init.uniform_(w, -0.5, 0.25)
    assert w._data.min() >= -0.5 and w._data.max() < 0.25
    bound = math.sqrt(2) * math.sqrt(3 / 200)  # relu gain, fan_in = 200
    init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.95 * bound
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    assert np.abs(w._data).max() <= math.sqrt(2) * math.sqrt(3 / 300)
    init.xavier_uniform_(w, gain=2.0)
    assert np.abs(w._data).max() <= 2.0 * math.sqrt(6 / 500)


def test_normal_inits_have_the_right_standard_deviation():
    w = mt.empty(400, 250)
    init.normal_(w, 1.0, 0.5)
    assert abs(w._data.mean() - 1.0) < 0.01 and abs(w._data.std() - 0.5) < 0.01
    init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w._data.std() - math.sqrt(2 / 250)) < 0.02 * math.sqrt(2 / 250)
    init.xavier_normal_(w)
    assert abs(w._data.std() - math.sqrt(2 / 650)) < 0.02 * math.sqrt(2 / 650)


def test_fan_needs_two_dimensions_and_a_valid_mode():
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(got shape \(5,\)\)"):
        init.kaiming_uniform_(mt.empty(5))
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported"):
        init.kaiming_normal_(mt.empty(2, 2), mode="fan_avg")


def test_init_with_a_generator_is_reproducible():
    a, b = mt.empty(3, 3), mt.empty(3, 3)
    init.normal_(a, generator=mt.Generator().manual_seed(5))
    init.normal_(b, generator=mt.Generator().manual_seed(5))
    np.testing.assert_array_equal(a._data, b._data)


def test_clip_grad_norm_scales_all_gradients_together():
    a, b = nn.Parameter(mt.zeros(2)), nn.Parameter(mt.zeros(1))
    a.grad, b.grad = mt.tensor([3.0, 0.0]), mt.tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad._data, [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad._data, [0.8], rtol=1e-5)
    total = nn.utils.clip_grad_norm_([a, b], max_norm=10.0)  # already small: unchanged
    assert total.item() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(b.grad._data, [0.8], rtol=1e-5)


def test_clip_grad_norm_inf_norm_and_nonfinite_error():
    p = nn.Parameter(mt.zeros(3))
    p.grad = mt.tensor([1.0, -4.0, 2.0])
    assert nn.utils.clip_grad_norm_(p, 2.0, norm_type="inf").item() == 4.0
    np.testing.assert_allclose(p.grad._data, [0.5, -2.0, 1.0], rtol=1e-5)
    p.grad = mt.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError, match=r"total norm of order 2.0 for gradients from `parameters` "
                                            r"is non-finite \(nan\)"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_():
    p = nn.Parameter(mt.zeros(3))
    p.grad = mt.tensor([1.0, -4.0, 0.2])
    nn.utils.clip_grad_value_([p], 0.5)
    np.testing.assert_allclose(p.grad._data, [0.5, -0.5, 0.2])
