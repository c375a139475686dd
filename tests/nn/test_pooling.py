"""Pooling layers against plain NumPy loops (PyTorch's window, padding and ceil_mode
rules), gradients to second order, the first-maximum convention, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch.autograd import gradcheck, gradgradcheck


def out_size(size, k, s, p, d, ceil):
    room = size + 2 * p - d * (k - 1) - 1
    out = (-(-room // s) if ceil else room // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def pool_reference(x, kind, k, s, p, d=(1, 1), ceil=False, include_pad=True):
    """Max or average over each window, one output element at a time."""
    n, c, h, w = x.shape
    oh, ow = out_size(h, k[0], s[0], p[0], d[0], ceil), out_size(w, k[1], s[1], p[1], d[1], ceil)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = [i * s[0] - p[0] + a * d[0] for a in range(k[0])]
            cols = [j * s[1] - p[1] + b * d[1] for b in range(k[1])]
            inside_r = [r for r in rows if 0 <= r < h]
            inside_c = [q for q in cols if 0 <= q < w]
            patch = x[:, :, inside_r][:, :, :, inside_c]
            if kind == "max":
                out[:, :, i, j] = patch.max(axis=(2, 3))
            else:  # PyTorch's divisor: padding counts (if asked), the ceil overhang never
                r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
                r1, c1 = min(r0 + k[0], h + p[0]), min(c0 + k[1], w + p[1])
                if include_pad:
                    count = (r1 - r0) * (c1 - c0)
                else:
                    count = (min(r1, h) - max(r0, 0)) * (min(c1, w) - max(c0, 0))
                out[:, :, i, j] = patch.sum(axis=(2, 3)) / count
    return out


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_max_and_avg_pool_match_the_definition(data):
    k = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    s = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    p = (data.draw(st.integers(0, k[0] // 2)), data.draw(st.integers(0, k[1] // 2)))
    ceil = data.draw(st.booleans())
    h, w = data.draw(st.integers(k[0], 7)), data.draw(st.integers(k[1], 7))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((2, 3, h, w))
    out = F.max_pool2d(mt.tensor(x), k, s, p, ceil_mode=ceil)
    np.testing.assert_allclose(out.numpy(), pool_reference(x, "max", k, s, p, ceil=ceil))
    include = data.draw(st.booleans())
    out = F.avg_pool2d(mt.tensor(x), k, s, p, ceil_mode=ceil, count_include_pad=include)
    np.testing.assert_allclose(out.numpy(), pool_reference(x, "avg", k, s, p, ceil=ceil,
                                                           include_pad=include), atol=1e-12)


def test_dilated_max_pool_and_return_indices():
    x = np.random.default_rng(1).standard_normal((1, 2, 7, 6))
    out, indices = F.max_pool2d(mt.tensor(x), 3, (2, 1), 1, dilation=(2, 1), return_indices=True)
    np.testing.assert_allclose(out.numpy(), pool_reference(x, "max", (3, 3), (2, 1), (1, 1),
                                                           (2, 1)))
    flat = x.reshape(1, 2, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, indices.numpy().reshape(1, 2, -1), 2),
                                  out.numpy().reshape(1, 2, -1))
    assert indices.dtype == mt.int64


def test_max_pool_gradient_goes_to_the_first_maximum_as_in_pytorch():
    x = mt.tensor([[[[1.0, 3.0], [3.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, 1.0], [0.0, 0.0]]]])
    x = mt.tensor([[[[1.0, 2.0, 1.0]]]], requires_grad=True)  # overlapping windows add up
    F.max_pool2d(x, (1, 2), stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, 2.0, 0.0]]]])


def test_max_pool_keeps_nan():
    x = mt.tensor([[[[1.0, float("nan")], [3.0, 0.0]]]])
    assert np.isnan(F.max_pool2d(x, 2).item())


POOL_CASES = {
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), "distinct"),
    "max_pool1d": (lambda x: F.max_pool1d(x.flatten(2), 3, 2, 1), "distinct"),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), "any"),
    "avg_pool1d": (lambda x: F.avg_pool1d(x.flatten(2), 2), "any"),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), "any"),
    "adaptive_avg_pool1d": (lambda x: F.adaptive_avg_pool1d(x.flatten(2), 4), "any"),
}


@pytest.mark.parametrize("name", sorted(POOL_CASES))
def test_gradients_to_second_order(name):
    fn, kind = POOL_CASES[name]
    rng = np.random.default_rng(2)
    values = rng.permutation(2 * 2 * 5 * 4).reshape(2, 2, 5, 4) * 0.1 if kind == "distinct" \
        else rng.standard_normal((2, 2, 5, 4))
    x = mt.tensor(values, dtype=mt.float64, requires_grad=True)
    assert gradcheck(lambda x: fn(x) ** 2, [x])
    assert gradgradcheck(lambda x: fn(x) ** 2, [x])


def test_adaptive_avg_pool_bins_are_pytorchs():
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 10))
    out = F.adaptive_avg_pool2d(mt.tensor(x), (3, 4)).numpy()
    for i in range(3):
        for j in range(4):
            r0, r1 = (i * 7) // 3, -((-(i + 1) * 7) // 3)
            c0, c1 = (j * 10) // 4, -((-(j + 1) * 10) // 4)
            np.testing.assert_allclose(out[:, :, i, j], x[:, :, r0:r1, c0:c1].mean(axis=(2, 3)))
    assert nn.AdaptiveAvgPool2d((None, 2))(mt.tensor(x)).shape == (2, 3, 7, 2)
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(1)(mt.tensor(x)).numpy()[..., 0, 0],
                               x.mean(axis=(2, 3)))


def test_modules_reprs_and_defaults():
    pool = nn.MaxPool2d(2)
    assert pool.stride == 2
    assert repr(pool) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, 1, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=1)"
    assert repr(nn.AdaptiveAvgPool2d((2, 2))) == "AdaptiveAvgPool2d(output_size=(2, 2))"
    out, indices = nn.MaxPool2d(2, return_indices=True)(mt.randn(1, 1, 4, 4))
    assert out.shape == indices.shape == (1, 1, 2, 2)
    assert nn.MaxPool1d(2)(mt.randn(3, 8)).shape == (3, 4)  # unbatched (C, L)
    assert nn.AvgPool1d(3, 2)(mt.randn(2, 3, 9)).shape == (2, 3, 4)
    assert nn.AdaptiveAvgPool1d(3)(mt.randn(2, 3, 9)).shape == (2, 3, 3)


def test_float32_stays_float32():
    x = mt.randn(2, 3, 6, 6, requires_grad=True)
    for layer in (nn.MaxPool2d(2), nn.AvgPool2d(3, 2, 1), nn.AdaptiveAvgPool2d(2)):
        out = layer(x)
        assert out.dtype == mt.float32
        out.sum().backward()
        assert x.grad.dtype == mt.float32


def test_errors_name_the_layer_and_the_problem():
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=2, .*\): expected input of "
                                         r"shape \(N, C, H, W\) or \(C, H, W\), got \(4, 4\)"):
        nn.MaxPool2d(2)(mt.randn(4, 4))
    with pytest.raises(ValueError, match=r"AvgPool1d\(kernel_size=\(2,\).*\(N, C, L\) or \(C, L\)"):
        nn.AvgPool1d(2)(mt.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="should be at most half of the effective kernel size"):
        F.max_pool2d(mt.randn(1, 1, 5, 5), 2, padding=2)
    with pytest.raises(ValueError, match="kernel_size must be at least 1"):
        nn.MaxPool2d(0)
    with pytest.raises(ValueError, match=r"spans \(3, 3\), more than the padded input \(2, 2\)"):
        F.max_pool2d(mt.randn(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size must be"):
        F.adaptive_avg_pool2d(mt.randn(1, 1, 4, 4), (1, 2, 3))
