"""BatchNorm (running statistics exactly as PyTorch keeps them), LayerNorm and GroupNorm
against NumPy, gradients to second order, buffers in state dicts, errors before any change."""
import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch.autograd import gradcheck, gradgradcheck


def normalized(x, axes, eps=1e-5):
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def test_batchnorm2d_training_output_and_running_statistics():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3, momentum=0.2).double()
    with mt.no_grad():
        bn.weight.copy_(mt.tensor([1.0, 2.0, -1.0]))
        bn.bias.copy_(mt.tensor([0.0, 0.5, 1.0]))
    mean, var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = rng.standard_normal((4, 3, 5, 2)) * (step + 1) + step
        out = bn(mt.tensor(x)).detach().numpy()
        expected = normalized(x, (0, 2, 3)) * np.array([1, 2, -1.0]).reshape(3, 1, 1) + \
            np.array([0, 0.5, 1]).reshape(3, 1, 1)
        np.testing.assert_allclose(out, expected, atol=1e-10)
        mean = 0.8 * mean + 0.2 * x.mean(axis=(0, 2, 3))
        var = 0.8 * var + 0.2 * x.var(axis=(0, 2, 3), ddof=1)  # unbiased, as PyTorch
        np.testing.assert_allclose(bn.running_mean.numpy(), mean, atol=1e-12)
        np.testing.assert_allclose(bn.running_var.numpy(), var, atol=1e-12)
        assert bn.num_batches_tracked.item() == step + 1
    bn.eval()
    x = rng.standard_normal((2, 3, 5, 2))
    out = bn(mt.tensor(x)).detach().numpy()
    expected = (x - mean.reshape(3, 1, 1)) / np.sqrt(var.reshape(3, 1, 1) + 1e-5) * \
        np.array([1, 2, -1.0]).reshape(3, 1, 1) + np.array([0, 0.5, 1]).reshape(3, 1, 1)
    np.testing.assert_allclose(out, expected, atol=1e-10)
    assert bn.num_batches_tracked.item() == 3  # eval mode changes no statistics


def test_momentum_none_keeps_the_cumulative_average():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((6, 2)) + i for i in range(4)]
    for x in batches:
        bn(mt.tensor(x))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([b.mean(0) for b in batches], 0))
    np.testing.assert_allclose(bn.running_var.numpy(),
                               np.mean([b.var(0, ddof=1) for b in batches], 0))


def test_batchnorm1d_on_sequences_and_without_running_statistics():
    x = np.random.default_rng(2).standard_normal((4, 3, 5))
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False).double()
    assert bn.running_mean is None and dict(bn.state_dict()) == {}
    bn.eval()  # no running statistics: the batch's are used in eval mode too
    np.testing.assert_allclose(bn(mt.tensor(x)).numpy(), normalized(x, (0, 2)), atol=1e-10)


def test_buffers_are_in_the_state_dict_and_carry_over():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert bn.num_batches_tracked.dtype == mt.int64 and bn.num_batches_tracked.shape == ()
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    bn(mt.randn(8, 4, 3, 3))
    other = nn.BatchNorm2d(4)
    other.load_state_dict(bn.state_dict())
    np.testing.assert_array_equal(other.running_var.numpy(), bn.running_var.numpy())
    assert other.num_batches_tracked.item() == 1
    bn.eval()
    other.eval()
    x = mt.randn(2, 4, 3, 3)
    np.testing.assert_array_equal(bn(x).detach().numpy(), other(x).detach().numpy())


def test_bad_input_raises_before_any_statistic_changes():
    bn = nn.BatchNorm2d(3)
    before = {k: v.numpy().copy() for k, v in bn.state_dict().items()}
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                                         r"track_running_stats=True\): expected input of shape "
                                         r"\(N, 3, H, W\), got \(2, 4, 5, 5\)"):
        bn(mt.randn(2, 4, 5, 5))
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training"):
        bn(mt.randn(1, 3, 1, 1))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*\(N, 3\) or \(N, 3, L\), got \(2, 3, 4, 4\)"):
        nn.BatchNorm1d(3)(mt.randn(2, 3, 4, 4))
    after = {k: v.numpy() for k, v in bn.state_dict().items()}
    for key in before:
        np.testing.assert_array_equal(before[key], after[key])
    bn.eval()
    assert bn(mt.randn(1, 3, 1, 1)).shape == (1, 3, 1, 1)  # one value is fine in eval mode


def test_float32_stays_float32_with_buffers():
    for layer, shape in ((nn.BatchNorm2d(3), (4, 3, 2, 2)), (nn.LayerNorm(5), (2, 5)),
                         (nn.GroupNorm(2, 4), (2, 4, 3))):
        x = mt.randn(*shape, requires_grad=True)
        out = layer(x)
        assert out.dtype == mt.float32
        out.sum().backward()
        assert x.grad.dtype == mt.float32
        assert all(t.dtype in (mt.float32, mt.int64) for t in layer.state_dict().values())


def test_layer_norm_and_group_norm_match_numpy():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3, 5))
    ln = nn.LayerNorm((3, 5)).double()
    with mt.no_grad():
        ln.weight.copy_(mt.tensor(rng.standard_normal((3, 5))))
        ln.bias.copy_(mt.tensor(rng.standard_normal((3, 5))))
    expected = normalized(x, (2, 3)) * ln.weight.detach().numpy() + ln.bias.detach().numpy()
    np.testing.assert_allclose(ln(mt.tensor(x)).detach().numpy(), expected, atol=1e-10)
    gn = nn.GroupNorm(2, 4).double()
    grouped = normalized(x.reshape(2, 2, -1), (2,)).reshape(x.shape)
    np.testing.assert_allclose(gn(mt.tensor(x)).detach().numpy(), grouped, atol=1e-10)
    assert nn.LayerNorm(5, elementwise_affine=False).weight is None
    assert nn.LayerNorm(5, bias=False).bias is None
    assert repr(nn.LayerNorm((3, 5))) == "LayerNorm((3, 5), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"


NORM_CASES = {
    "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                   [(4, 3, 2, 2), (3,), (3,)]),
    "batch_norm eval": (lambda x, w, b: F.batch_norm(
        x, mt.tensor([0.1, -0.2, 0.3], dtype=mt.float64),
        mt.tensor([1.5, 0.5, 2.0], dtype=mt.float64), w, b) ** 2, [(4, 3, 2), (3,), (3,)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3, 2), w, b), [(2, 3, 2), (3, 2), (3, 2)]),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
}


@pytest.mark.parametrize("name", sorted(NORM_CASES))
def test_input_and_parameter_gradients_to_second_order(name):
    fn, shapes = NORM_CASES[name]
    rng = np.random.default_rng(4)
    inputs = [mt.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_module_gradients_through_running_statistics_modes():
    bn = nn.BatchNorm1d(3).double()
    x = mt.tensor(np.random.default_rng(5).standard_normal((5, 3)), requires_grad=True)
    params = list(bn.parameters())
    assert gradcheck(lambda x, *p: bn(x), [x, *params])  # (updates the statistics: harmless)
    bn.eval()
    assert gradgradcheck(lambda x, *p: bn(x) ** 2, [x, *params])


def test_errors_of_the_constructors_and_functions():
    with pytest.raises(ValueError, match="num_channels \\(5\\) must be divisible by num_groups"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ValueError, match="momentum must be in"):
        nn.BatchNorm2d(3, momentum=2.0)
    with pytest.raises(ValueError, match=r"LayerNorm\(\(4,\).*\(\*, 4\), got \(2, 5\)"):
        nn.LayerNorm(4)(mt.randn(2, 5))
    with pytest.raises(ValueError, match=r"layer_norm: given normalized_shape=\[3\]"):
        F.layer_norm(mt.randn(2, 4), (3,))
    with pytest.raises(ValueError, match=r"batch_norm: weight must have shape \(3,\)"):
        F.batch_norm(mt.randn(2, 3), None, None, mt.ones(4), training=True)
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 4.*\(N, 4, \*\), got \(2, 3\)"):
        nn.GroupNorm(2, 4)(mt.randn(2, 3))


def test_channels_last_memory_gives_the_same_values_gradients_and_statistics():
    """Batch norm computes on a channels-last view when the memory is laid out so (as
    a convolution leaves it); the results must not depend on the layout."""
    rng = np.random.default_rng(6)
    values = rng.standard_normal((4, 5, 3, 3))  # (N, H, W, C) memory
    grad = rng.standard_normal((4, 3, 5, 3))
    results = []
    for x in (mt.tensor(values).permute(0, 3, 1, 2),
              mt.tensor(np.ascontiguousarray(values.transpose(0, 3, 1, 2)))):
        x = x.detach().requires_grad_()
        bn = nn.BatchNorm2d(3).double()
        with mt.no_grad():
            bn.weight.copy_(mt.tensor([0.5, -1.0, 2.0]))
        bn(x).backward(mt.tensor(grad))
        results.append([x.grad.numpy(), bn.weight.grad.numpy(), bn.bias.grad.numpy(),
                        bn.running_mean.numpy(), bn.running_var.numpy()])
    for channels_last, contiguous in zip(*results):
        np.testing.assert_allclose(channels_last, contiguous, atol=1e-12)
    x = mt.tensor(values, requires_grad=True)
    assert gradgradcheck(lambda x: F.batch_norm(x.permute(0, 3, 1, 2), None, None,
                                                training=True) ** 2, [x])


def test_bias_false_keeps_the_scale_only_as_pytorch_2():
    bn = nn.BatchNorm2d(3, bias=False)
    assert list(bn.state_dict()) == ["weight", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert "affine=True, bias=False" in repr(bn)
    gn = nn.GroupNorm(1, 3, bias=False)
    assert gn.bias is None and [n for n, _ in gn.named_parameters()] == ["weight"]
    x = mt.randn(4, 3, 2, 2, requires_grad=True)
    bn(x).sum().backward()
    assert bn.weight.grad is not None
