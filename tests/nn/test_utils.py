"""nn.utils: gradient clipping against PyTorch's values, and parameters <-> vector."""
import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                                vector_to_parameters)


def three_parameters():
    a, b, c = nn.Parameter(mt.zeros(2)), nn.Parameter(mt.zeros(1)), nn.Parameter(mt.zeros(1))
    a.grad, b.grad = mt.tensor([3.0, -4.0]), mt.tensor([12.0])  # c has no gradient
    return a, b, c


# torch.nn.utils.clip_grad_norm_([a, b, c], 1.0, norm_type) in PyTorch 2.13 (float32)
PYTORCH = {
    2.0: (13.0, [0.23076921701431274, -0.307692289352417], 0.923076868057251),
    1.0: (19.0, [0.15789471566677094, -0.21052628755569458], 0.6315788626670837),
    3.0: (12.207056045532227, [0.2457594871520996, -0.327679306268692], 0.9830379486083984),
    math.inf: (12.0, [0.2499999850988388, -0.3333333134651184], 0.9999999403953552),
    0.0: (2.0, [1.4999992847442627, -1.9999990463256836], 5.999997138977051),
    -math.inf: (3.0, [0.9999996423721313, -1.333332896232605], 3.9999985694885254),
}


@pytest.mark.parametrize("norm_type", list(PYTORCH))
def test_clip_grad_norm_matches_pytorch(norm_type):
    a, b, c = three_parameters()
    total = clip_grad_norm_([a, b, c], 1.0, norm_type, foreach=True)
    expected_total, expected_a, expected_b = PYTORCH[norm_type]
    assert total.dtype == mt.float32 and total.shape == ()
    np.testing.assert_allclose(total.item(), expected_total, rtol=1e-6)
    np.testing.assert_allclose(a.grad.tolist(), expected_a, rtol=1e-6)
    np.testing.assert_allclose(b.grad.tolist(), [expected_b], rtol=1e-6)
    assert c.grad is None


def test_clip_grad_norm_nonfinite_cases_follow_pytorch():
    p = nn.Parameter(mt.zeros(2))
    p.grad = mt.tensor([float("nan"), 1.0])
    assert math.isnan(clip_grad_norm_(p, 1.0).item())
    assert all(math.isnan(g) for g in p.grad.tolist())  # scaled by the NaN norm, as PyTorch
    p.grad = mt.tensor([float("inf"), 1.0])
    assert clip_grad_norm_(p, 1.0).item() == math.inf
    assert math.isnan(p.grad.tolist()[0]) and p.grad.tolist()[1] == 0.0
    p.grad = mt.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match=r"total norm of order 2.0 for gradients from "
                                           r"`parameters` is non-finite \(inf\)"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert p.grad.tolist() == [float("inf"), 1.0]  # unchanged by the refused call


def test_clip_grad_norm_small_gradients_dtype_and_no_gradients():
    p = nn.Parameter(mt.zeros(2, dtype=mt.float64))
    p.grad = mt.tensor([3.0, -4.0], dtype=mt.float64)
    version = p.grad._version
    total = clip_grad_norm_(iter([p]), 10.0)  # a generator of parameters works too
    assert total.dtype == mt.float64 and total.item() == 5.0
    assert p.grad.tolist() == [3.0, -4.0] and p.grad._version == version  # left alone
    empty = clip_grad_norm_([nn.Parameter(mt.ones(2))], 1.0)
    assert empty.item() == 0.0 and empty.dtype == mt.float32


def test_clip_grad_value_clamps_in_place_keeping_nan():
    p = nn.Parameter(mt.zeros(4))
    p.grad = mt.tensor([-5.0, 0.5, 3.0, float("nan")])
    grad = p.grad
    assert clip_grad_value_(p, 1, foreach=None) is None
    assert p.grad is grad  # in place
    assert p.grad.tolist()[:3] == [-1.0, 0.5, 1.0] and math.isnan(p.grad.tolist()[3])
    with pytest.raises(TypeError, match="clip_value must be a number, got str"):
        clip_grad_value_(p, "1")


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    vector = parameters_to_vector(model.parameters())
    assert vector.shape == (13,) and vector.requires_grad
    expected = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vector.detach().numpy(), expected)
    vector.sum().backward()  # differentiable: each parameter gets ones
    assert all((p.grad.numpy() == 1).all() for p in model.parameters())
    new = mt.arange(13, dtype=mt.float64)
    vector_to_parameters(new, model.parameters())
    assert model[0].weight.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert model[1].bias.tolist() == [12.0] and model[0].weight.dtype == mt.float32
    assert model[0].weight.grad_fn is None and model[0].weight.requires_grad
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).detach().numpy(),
                                  np.arange(13))


def test_vector_to_parameters_refuses_bad_vectors_before_changing_anything():
    model = nn.Linear(2, 2)
    before = parameters_to_vector(model.parameters()).detach().numpy().copy()
    for vec, error, message in ((np.zeros(6), TypeError, "expected torch.Tensor, but got: "
                                                         "ndarray"),
                                (mt.zeros(5), ValueError, r"expected a 1-D tensor of 6 "
                                                          r"elements .*got shape \(5,\)"),
                                (mt.zeros(7), ValueError, "got shape"),
                                (mt.zeros(2, 3), ValueError, r"got shape \(2, 3\)")):
        with pytest.raises(error, match=message):
            vector_to_parameters(vec, model.parameters())
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).detach().numpy(),
                                  before)
    with pytest.raises(ValueError, match="expected at least one parameter"):
        parameters_to_vector([])
