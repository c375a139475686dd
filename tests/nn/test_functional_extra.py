"""F.pad and the activations/distances of issue 10 with their nn modules: values
against NumPy, PyTorch's reprs and argument checks. (Gradients:
tests/core/test_tensor_api_gradients.py.)"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
import minitorch.nn.functional as F
from minitorch import nn

NUMPY_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
               "circular": "wrap"}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(NUMPY_MODES)), st.integers(1, 3),
       st.lists(st.integers(0, 2), min_size=6, max_size=6), st.integers(0, 1000))
def test_pad_matches_numpy(mode, dims, amounts, seed):
    rng = np.random.default_rng(seed)
    shape = (2,) + tuple(rng.integers(3, 5, size=dims))  # a batch dimension, then padded ones
    values = rng.standard_normal(shape)
    pad = tuple(amounts[:2 * dims])
    widths = [(0, 0)] + [(pad[2 * i], pad[2 * i + 1]) for i in range(dims)][::-1]
    expected = np.pad(values, widths, NUMPY_MODES[mode])
    np.testing.assert_array_equal(F.pad(mt.tensor(values), pad, mode).numpy(), expected)


def test_pad_details_follow_pytorch():
    x = mt.arange(6.0).reshape(1, 2, 3)
    assert F.pad(x, (1, 1), value=9.0).tolist() == [[[9, 0, 1, 2, 9], [9, 3, 4, 5, 9]]]
    assert F.pad(x, (-1, -1, 1, 0), value=9.0).tolist() == [[[9], [1], [4]]]  # crops
    assert F.pad(x, (-1, 1), "replicate").tolist() == [[[1, 2, 2], [4, 5, 5]]]
    assert F.pad(x, (-1, 1), "circular").tolist() == [[[1, 2, 1], [4, 5, 4]]]  # crop first
    assert F.pad(x, (3, 1), "circular").tolist() == [[[0, 1, 2, 0, 1, 2, 0],
                                                      [3, 4, 5, 3, 4, 5, 3]]]
    assert F.pad(mt.arange(3).reshape(1, 1, 3), (1, 1)).tolist() == [[[0, 0, 1, 2, 0]]]
    assert F.pad(mt.ones(2), (1, 0)).tolist() == [0.0, 1.0, 1.0]  # constant: any ndim
    assert F.pad(mt.ones(2, 2, 2, 2), (1, 1, 1, 1, 1, 1), "reflect").shape == (2, 4, 4, 4)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.pad(mt.ones(1, 2, 3), (1,)), ValueError, "pad: padding length must be "
                                                        r"divisible by 2, got \(1,\)"),
    (lambda: F.pad(mt.ones(2), (1, 1, 1, 1)), ValueError,
     r"pad: padding \(1, 1, 1, 1\) names 2 dimensions but the input has shape \(2,\)"),
    (lambda: F.pad(mt.ones(1, 2, 3), (3, 1), "reflect"), ValueError,
     r"pad: reflect padding \(3, 1\) must be less than the size 3 of dimension 2 \(input "
     r"shape \(1, 2, 3\)\)"),
    (lambda: F.pad(mt.ones(1, 2, 3), (4, 1), "circular"), ValueError,
     "pad: circular padding .* would wrap around more than once"),
    (lambda: F.pad(mt.ones(3), (1, 1), "reflect"), NotImplementedError,
     r"pad: reflect padding of 1 dimension\(s\) needs an input with 2 or 3 dimensions, got "
     r"shape \(3,\)"),
    (lambda: F.pad(mt.ones(1, 3), (1, 1), "wrap"), NotImplementedError,
     "pad: unrecognised padding mode 'wrap'"),
    (lambda: F.pad(mt.ones(1, 3), (1, 1), "reflect", value=1.0), ValueError,
     "pad: padding mode 'reflect' doesn't take a value argument"),
    (lambda: F.pad(mt.ones(1, 3), (-2, -2)), ValueError,
     r"pad: padding \(-2, -2\) removes more than the size 3 of dimension 1"),
    (lambda: F.hardtanh(mt.ones(2), 1.0, -1.0), ValueError,
     r"hardtanh: min_val \(1.0\) cannot be greater than max_val \(-1.0\)"),
    (lambda: F.cosine_similarity(mt.ones(2, 3), mt.ones(4, 3)), ValueError,
     r"cosine_similarity: shapes \(2, 3\) and \(4, 3\) do not broadcast"),
    (lambda: nn.ZeroPad2d((1, 1)), ValueError,
     r"ZeroPad2d: padding must be an int or a tuple of 4 ints, got \(1, 1\)"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_modules_call_their_functions_and_print_as_pytorch(rng):
    x = mt.tensor(rng.standard_normal((2, 3)))
    pairs = [(nn.Softplus(beta=2.0, threshold=5.0), lambda t: F.softplus(t, 2.0, 5.0),
              "Softplus(beta=2.0, threshold=5.0)"),
             (nn.SiLU(), F.silu, "SiLU()"), (nn.ELU(alpha=0.5), lambda t: F.elu(t, 0.5),
                                            "ELU(alpha=0.5)"),
             (nn.SELU(), F.selu, "SELU()"),
             (nn.Hardtanh(-2.0, 2.0), lambda t: F.hardtanh(t, -2.0, 2.0),
              "Hardtanh(min_val=-2.0, max_val=2.0)"),
             (nn.ReLU6(), F.relu6, "ReLU6()"), (nn.Softmin(dim=1), lambda t: F.softmin(t, 1),
                                               "Softmin(dim=1)"),
             (nn.ZeroPad1d(1), lambda t: F.pad(t, (1, 1)), "ZeroPad1d((1, 1))"),
             (nn.ConstantPad1d((1, 2), 3), lambda t: F.pad(t, (1, 2), value=3),
              "ConstantPad1d(padding=(1, 2), value=3)"),
             (nn.ReflectionPad1d(2), lambda t: F.pad(t, (2, 2), "reflect"),
              "ReflectionPad1d((2, 2))"),
             (nn.ReplicationPad1d((0, 3)), lambda t: F.pad(t, (0, 3), "replicate"),
              "ReplicationPad1d((0, 3))"),
             (nn.CircularPad1d(1), lambda t: F.pad(t, (1, 1), "circular"),
              "CircularPad1d((1, 1))")]
    for module, fn, text in pairs:
        np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())
        assert repr(module) == text
        assert list(module.parameters()) == []
    images = mt.tensor(rng.standard_normal((1, 2, 3, 3)))
    for module, mode in ((nn.ZeroPad2d(1), "constant"), (nn.ReflectionPad2d(1), "reflect"),
                         (nn.ReplicationPad2d(1), "replicate"),
                         (nn.CircularPad2d(1), "circular")):
        np.testing.assert_array_equal(module(images).numpy(),
                                      F.pad(images, (1, 1, 1, 1), mode).numpy())
    volumes = mt.ones(1, 2, 2, 2)
    assert nn.ZeroPad3d(1)(volumes).shape == (1, 4, 4, 4)
    assert nn.ConstantPad3d(1, 2.0)(volumes).sum().item() == 8 + 2.0 * (64 - 8)
    assert nn.ReflectionPad3d(1)(volumes).shape == nn.ReplicationPad3d(1)(volumes).shape
    a, b = mt.tensor(rng.standard_normal((4, 3))), mt.tensor(rng.standard_normal((4, 3)))
    np.testing.assert_array_equal(nn.CosineSimilarity()(a, b).numpy(),
                                  F.cosine_similarity(a, b).numpy())
    np.testing.assert_array_equal(nn.PairwiseDistance(p=1.0)(a, b).numpy(),
                                  F.pairwise_distance(a, b, 1.0).numpy())


def test_activation_modules_train_in_a_small_network():
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.SiLU(), nn.Linear(8, 8), nn.ELU(),
                          nn.Linear(8, 8), nn.Softplus(), nn.Linear(8, 1), nn.Hardtanh(-3, 3))
    optimizer = mt.optim.SGD(model.parameters(), lr=0.05)
    x = mt.randn(32, 2)
    y = (x[:, :1] * x[:, 1:]).tanh()
    losses = []
    for _ in range(60):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
