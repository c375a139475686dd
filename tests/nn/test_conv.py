"""Convolution layers against a plain NumPy loop, their gradients to second order, PyTorch's
parameter names, shapes, initialisation and repr, and errors that name the layer."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch.autograd import gradcheck, gradgradcheck


def conv2d_reference(x, w, b, stride, padding, dilation, groups):
    """The definition, one output element at a time (padding: ((top, bottom), (left, right)))."""
    (sh, sw), (dh, dw) = stride, dilation
    x = np.pad(x, ((0, 0), (0, 0)) + tuple(padding))
    n, c, h, width = x.shape
    out_c, per_group, kh, kw = w.shape
    out_h = (h - dh * (kh - 1) - 1) // sh + 1
    out_w = (width - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, out_c, out_h, out_w))
    for o in range(out_c):
        g = o // (out_c // groups)
        for i in range(out_h):
            for j in range(out_w):
                patch = x[:, g * per_group:(g + 1) * per_group,
                          i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
                out[:, o, i, j] = (patch * w[o]).sum(axis=(1, 2, 3)) + (0 if b is None else b[o])
    return out


def conv_transpose2d_reference(x, w, b, stride, padding, output_padding, dilation, groups):
    """Each input pixel scatters its weighted kernel onto the output (the definition)."""
    n, c_in, h, width = x.shape
    _, per_group, kh, kw = w.shape
    (sh, sw), (dh, dw), (ph, pw), (oph, opw) = stride, dilation, padding, output_padding
    full_h, full_w = (h - 1) * sh + dh * (kh - 1) + 1 + oph, (width - 1) * sw + dw * (kw - 1) + 1 + opw
    out = np.zeros((n, per_group * groups, full_h + ph, full_w + pw))
    in_per_group = c_in // groups
    for ci in range(c_in):
        g = ci // in_per_group
        for i in range(h):
            for j in range(width):
                for a in range(kh):
                    for bb in range(kw):
                        out[:, g * per_group:(g + 1) * per_group, i * sh + a * dh, j * sw + bb * dw] += \
                            x[:, ci, i, j, None] * w[ci, :, a, bb]
    out = out[:, :, ph:ph + full_h - 2 * ph, pw:pw + full_w - 2 * pw]
    return out + (0 if b is None else b.reshape(-1, 1, 1))


def _tensors(*arrays, grad=True):
    return [mt.tensor(a, dtype=mt.float64, requires_grad=grad) for a in arrays]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_conv2d_matches_the_definition(data):
    groups = data.draw(st.sampled_from([1, 2]))
    per_group = data.draw(st.integers(1, 2))
    out_c = groups * data.draw(st.integers(1, 2))
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    stride = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)))
    dilation = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)))
    padding = (data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2)))
    h = data.draw(st.integers(dilation[0] * (kh - 1) + 1, 7))
    w = data.draw(st.integers(dilation[1] * (kw - 1) + 1, 7))
    rng = np.random.default_rng(data.draw(st.integers(0, 100)))
    x = rng.standard_normal((2, groups * per_group, h, w))
    weight = rng.standard_normal((out_c, per_group, kh, kw))
    bias = rng.standard_normal(out_c) if data.draw(st.booleans()) else None
    out = F.conv2d(mt.tensor(x), mt.tensor(weight), None if bias is None else mt.tensor(bias),
                   stride, padding, dilation, groups)
    expected = conv2d_reference(x, weight, bias, stride, [(p, p) for p in padding], dilation,
                                groups)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-10)


@pytest.mark.parametrize("kernel, dilation", [(3, 1), (2, 1), ((4, 3), (1, 2))])
def test_same_padding_keeps_the_size_and_puts_the_odd_row_at_the_end(kernel, dilation):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 6, 5)), rng.standard_normal((3, 2) + ((kernel,) * 2 if isinstance(kernel, int) else kernel))
    out = F.conv2d(mt.tensor(x), mt.tensor(w), padding="same", dilation=dilation)
    assert out.shape == (1, 3, 6, 5)
    d = (dilation,) * 2 if isinstance(dilation, int) else dilation
    pads = [(d[i] * (w.shape[2 + i] - 1) // 2, d[i] * (w.shape[2 + i] - 1) - d[i] * (w.shape[2 + i] - 1) // 2)
            for i in range(2)]
    np.testing.assert_allclose(out.numpy(), conv2d_reference(x, w, None, (1, 1), pads, d, 1),
                               atol=1e-10)
    assert F.conv2d(mt.tensor(x), mt.tensor(w), padding="valid").shape == \
        F.conv2d(mt.tensor(x), mt.tensor(w)).shape


def test_conv1d_is_conv2d_on_one_row():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 2, 3)), rng.standard_normal(6)
    out = F.conv1d(mt.tensor(x), mt.tensor(w), mt.tensor(b), stride=2, padding=1, dilation=2,
                   groups=2)
    expected = conv2d_reference(x[:, :, None], w[:, :, None], b, (1, 2), [(0, 0), (1, 1)],
                                (1, 2), 2)[:, :, 0]
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-10)
    assert F.conv1d(mt.tensor(x[0]), mt.tensor(w), groups=2).shape == (6, 7)  # unbatched


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups",
                         [(1, 0, 0, 1, 1), (2, 1, 1, 1, 2), (3, 1, (2, 1), 2, 1)])
def test_conv_transpose2d_matches_the_definition(stride, padding, output_padding, dilation,
                                                 groups):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 4, 3, 4)), rng.standard_normal((4, 3, 3, 2)), \
        rng.standard_normal(3 * groups)
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    out = F.conv_transpose2d(mt.tensor(x), mt.tensor(w), mt.tensor(b), stride, padding,
                             output_padding, groups, dilation)
    expected = conv_transpose2d_reference(x, w, b, pair(stride), pair(padding),
                                          pair(output_padding), pair(dilation), groups)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-10)


def test_conv_transpose_is_the_gradient_of_conv_with_respect_to_its_input():
    rng = np.random.default_rng(3)
    x = mt.tensor(rng.standard_normal((2, 4, 7, 6)), requires_grad=True)
    w = mt.tensor(rng.standard_normal((6, 2, 3, 3)))
    out = F.conv2d(x, w, stride=2, padding=1, groups=2)
    seed = mt.tensor(rng.standard_normal(tuple(out.shape)))
    out.backward(seed)
    transposed = F.conv_transpose2d(seed, w, stride=2, padding=1, output_padding=(0, 1),
                                    groups=2)
    np.testing.assert_allclose(transposed.numpy(), x.grad.numpy(), atol=1e-10)


CONV_CASES = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, (2, 1), 1, (1, 2), 2),
               [(2, 4, 5, 5), (4, 2, 2, 3), (4,)]),
    "conv2d same": (lambda x, w, b: F.conv2d(x, w, b, padding="same"),
                    [(1, 2, 4, 3), (2, 2, 2, 2), (2,)]),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b, 2, 1), [(2, 2, 6), (3, 2, 3), (3,)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
                         [(1, 2, 3, 3), (2, 2, 3, 2), (2,)]),
    "conv_transpose1d": (lambda x, w, b: F.conv_transpose1d(x, w, b, 2, 0, 1, 2),
                         [(1, 4, 3), (4, 1, 2), (2,)]),
}


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_input_weight_and_bias_gradients_to_second_order(name):
    fn, shapes = CONV_CASES[name]
    rng = np.random.default_rng(4)
    inputs = _tensors(*(rng.standard_normal(s) for s in shapes))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_layer_gradients_with_every_padding_mode(mode):
    mt.manual_seed(0)
    layer = nn.Conv2d(2, 2, (3, 2), padding="same", padding_mode=mode).double()
    x = mt.tensor(np.random.default_rng(5).standard_normal((1, 2, 4, 3)), requires_grad=True)
    params = list(layer.parameters())
    assert gradcheck(lambda x, *p: layer(x), [x, *params])
    assert gradgradcheck(lambda x, *p: layer(x) ** 2, [x, *params])


def test_padding_modes_pad_as_numpy_does():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 1, 4, 5))
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
    for mode, np_mode in numpy_mode.items():
        layer = nn.Conv2d(1, 1, 3, padding=(1, 2), padding_mode=mode, bias=False).double()
        padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)), mode=np_mode)
        expected = conv2d_reference(padded, layer.weight.detach().numpy(), None, (1, 1),
                                    [(0, 0), (0, 0)], (1, 1), 1)
        np.testing.assert_allclose(layer(mt.tensor(x)).detach().numpy(), expected, atol=1e-10)


@pytest.mark.parametrize("layer", [nn.Conv2d(3, 4, 3, padding=1), nn.Conv1d(3, 4, 3),
                                   nn.ConvTranspose2d(3, 4, 3, stride=2)])
def test_float32_stays_float32(layer):
    x = mt.randn(2, 3, 5, 5) if not isinstance(layer, nn.Conv1d) else mt.randn(2, 3, 5)
    x.requires_grad_()
    out = layer(x)
    assert out.dtype == mt.float32
    out.sum().backward()
    assert x.grad.dtype == mt.float32
    assert all(p.grad.dtype == mt.float32 for p in layer.parameters())


def test_parameter_names_shapes_and_pytorch_initialisation():
    mt.manual_seed(0)
    conv = nn.Conv2d(4, 8, (3, 2), groups=2)
    assert {k: tuple(v.shape) for k, v in conv.state_dict().items()} == \
        {"weight": (8, 2, 3, 2), "bias": (8,)}
    bound = 1 / math.sqrt(2 * 3 * 2)  # fan_in = in / groups * kh * kw
    for p in (conv.weight, conv.bias):
        values = p.detach().numpy()
        assert values.min() >= -bound and values.max() <= bound
        assert values.max() - values.min() > bound  # spread over the range, not constant
    transposed = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(transposed.weight.shape) == (4, 3, 3, 3)
    assert nn.Conv1d(2, 3, 4, bias=False).bias is None


def test_repr_is_pytorchs():
    assert repr(nn.Conv2d(1, 16, 3)) == "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1))"
    assert repr(nn.Conv2d(2, 4, (3, 5), stride=2, padding=(1, 2),
                          dilation=2, groups=2, bias=False, padding_mode="reflect")) == (
        "Conv2d(2, 4, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), "
        "groups=2, bias=False, padding_mode=reflect)")
    assert repr(nn.Conv1d(2, 4, 3, padding="same")) == \
        "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same)"
    assert repr(nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1)) == \
        "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"


def test_a_wrong_input_names_the_layer_and_the_shape_it_needs():
    conv = nn.Conv2d(1, 16, 3)
    with pytest.raises(ValueError, match=r"Conv2d\(1, 16, kernel_size=\(3, 3\), stride=\(1, 1\)\): "
                                         r"expected input of shape \(N, 1, H, W\) or \(1, H, W\), "
                                         r"got \(64, 8, 8\)"):
        conv(mt.randn(64, 8, 8))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 1, H, W\).*got \(64, 64\)"):
        conv(mt.randn(64, 64))
    with pytest.raises(ValueError, match=r"Conv1d\(3, 2.*expected input of shape \(N, 3, L\)"):
        nn.Conv1d(3, 2, 3)(mt.randn(2, 4, 5))
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(3, 2.*\(N, 3, H, W\)"):
        nn.ConvTranspose2d(3, 2, 3)(mt.randn(2, 2, 5, 5))
    with pytest.raises(ValueError, match=r"Conv2d\(1, 1.*spans \(5, 5\), more than the padded "
                                         r"input \(4, 4\)"):
        nn.Conv2d(1, 1, 5)(mt.randn(1, 1, 4, 4))
    with pytest.raises(ValueError, match="expected input of shape"):  # checked before padding
        nn.Conv2d(2, 1, 3, padding=1, padding_mode="reflect")(mt.randn(1, 3, 4, 4))


def test_functional_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\)"):
        F.conv2d(mt.randn(1, 2, 5, 5), mt.randn(4, 2, 3, 3), mt.randn(3))
    with pytest.raises(ValueError, match=r"conv2d: weight must have shape \(out, in / groups, kh, kw\)"):
        F.conv2d(mt.randn(1, 2, 5, 5), mt.randn(4, 2, 3))
    with pytest.raises(ValueError, match="divisible by groups=3"):
        F.conv2d(mt.randn(1, 3, 5, 5), mt.randn(4, 1, 3, 3), groups=3)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(mt.randn(1, 2, 5, 5), mt.randn(4, 2, 3, 3), stride=2, padding="same")
    with pytest.raises(TypeError, match="must have the same dtype"):
        F.conv2d(mt.randn(1, 2, 5, 5, dtype=mt.float64), mt.randn(4, 2, 3, 3))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(mt.randn(1, 2, 3, 3), mt.randn(2, 2, 3, 3), stride=1,
                           output_padding=1)


def test_constructor_errors():
    for kwargs, message in [(dict(in_channels=3, groups=2), "in_channels \\(3\\) must be divisible"),
                            (dict(out_channels=3, groups=2), "out_channels \\(3\\) must be"),
                            (dict(padding="full"), "padding must be"),
                            (dict(padding="same", stride=2), "not supported for strided"),
                            (dict(padding_mode="mirror"), "padding_mode must be one of"),
                            (dict(kernel_size=0), "kernel_size must be at least 1")]:
        args = dict(in_channels=2, out_channels=4, kernel_size=3)
        args.update(kwargs)
        with pytest.raises(ValueError, match=message):
            nn.Conv2d(**args)


def test_conv_transpose_output_size_picks_the_output_padding():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = mt.randn(1, 2, 4, 4)
    assert layer(x).shape == (1, 3, 7, 7)
    assert layer(x, output_size=(8, 7)).shape == (1, 3, 8, 7)
    with pytest.raises(ValueError, match="valid sizes range from 7 to 8"):
        layer(x, output_size=(9, 9))


def test_state_dict_round_trip_between_layers():
    a, b = nn.Conv2d(2, 3, 3), nn.Conv2d(2, 3, 3)
    b.load_state_dict(a.state_dict())
    x = mt.randn(1, 2, 5, 5)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


def test_unfold_and_fold_are_pytorchs_im2col_and_col2im():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 5, 4))
    columns = F.unfold(mt.tensor(x), (2, 3), padding=1, stride=(2, 1))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.stack([padded[:, :, i:i + 2, j:j + 3].reshape(2, -1)
                         for i in range(0, 6, 2) for j in range(4)], axis=-1)
    np.testing.assert_allclose(columns.numpy(), expected)
    folded = F.fold(columns, (5, 4), (2, 3), padding=1, stride=(2, 1))
    counts = F.fold(F.unfold(mt.ones(1, 1, 5, 4, dtype=mt.float64), (2, 3), padding=1,
                             stride=(2, 1)), (5, 4), (2, 3), padding=1, stride=(2, 1))
    np.testing.assert_allclose(folded.numpy(), x * counts.numpy())  # each pixel times its windows
