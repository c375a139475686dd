"""Tensor creation, attributes, printing, and the errors of bad input."""
import numpy as np
import pytest

import minitorch as mt


def test_creation_functions_and_default_dtypes():
    assert mt.tensor([1.0, 2.0]).dtype == mt.float32
    assert mt.tensor([1, 2]).dtype == mt.int64
    assert mt.tensor([True]).dtype == mt.bool
    assert mt.tensor(np.zeros(2, dtype=np.float64)).dtype == mt.float64
    assert mt.tensor([1, 2], dtype=mt.float64).dtype == mt.float64
    assert mt.zeros(2, 3).shape == (2, 3) and mt.zeros((2, 3)).shape == (2, 3)
    assert mt.ones(4)._data.sum() == 4
    assert mt.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert mt.zeros_like(mt.ones(3, dtype=mt.float64)).dtype == mt.float64
    assert mt.ones_like(mt.zeros(2)).tolist() == [1.0, 1.0]
    assert mt.arange(4).tolist() == [0, 1, 2, 3] and mt.arange(4).dtype == mt.int64
    assert mt.arange(0.0, 1.0, 0.5).tolist() == [0.0, 0.5]
    assert mt.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert mt.randn(3, 2).shape == (3, 2) and mt.rand(5).dtype == mt.float32
    shared = np.arange(3.0)
    assert mt.from_numpy(shared)._data is shared


def test_set_default_dtype():
    mt.set_default_dtype(mt.float64)
    assert mt.tensor([1.0]).dtype == mt.float64 and mt.zeros(1).dtype == mt.float64
    mt.set_default_dtype(mt.float32)
    with pytest.raises(TypeError, match="only floating dtypes"):
        mt.set_default_dtype(mt.int64)


def test_manual_seed_makes_random_tensors_reproducible():
    mt.manual_seed(3)
    a = mt.randn(4)
    mt.manual_seed(3)
    assert a.tolist() == mt.randn(4).tolist()
    generator = mt.Generator().manual_seed(3)
    state = generator.get_state()
    first = mt.rand(3, generator=generator).tolist()
    generator.set_state(state)
    assert mt.rand(3, generator=generator).tolist() == first


def test_attributes():
    x = mt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and len(x) == 2
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.T.shape == (3, 2) and x.numel() == 6
    assert x.is_leaf and x.grad is None and x.grad_fn is None
    assert x.detach().numpy() is x._data
    assert mt.tensor(3.5).item() == 3.5
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert x.clone()._data is not x._data and x.clone().grad_fn is not None
    assert [row.tolist() for row in x] == x.tolist()


def test_repr_looks_like_pytorch():
    assert repr(mt.tensor([0.0])) == "tensor([0.])"
    assert repr(mt.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(mt.tensor(2.0, requires_grad=True) * 3) == "tensor(6., grad_fn=<MulBackward0>)"
    assert repr(mt.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(mt.tensor([1.5], dtype=mt.float64)) == "tensor([1.5], dtype=minitorch.float64)"


def test_arithmetic_with_python_scalars_on_either_side():
    x = mt.tensor([1.0, 2.0])
    assert (x + 1).tolist() == [2.0, 3.0] and (1 + x).tolist() == [2.0, 3.0]
    assert (x - 1).tolist() == [0.0, 1.0] and (1 - x).tolist() == [0.0, -1.0]
    assert (x * 2).tolist() == [2.0, 4.0] and (2 * x).tolist() == [2.0, 4.0]
    assert (x / 2).tolist() == [0.5, 1.0] and (2 / x).tolist() == [2.0, 1.0]
    assert (x ** 2).tolist() == [1.0, 4.0] and (2 ** x).tolist() == [2.0, 4.0]
    assert (-x).tolist() == [-1.0, -2.0] and abs(-x).tolist() == [1.0, 2.0]
    assert (np.array([1.0, 1.0]) + x).tolist() == [2.0, 3.0]
    assert isinstance(np.ones(2) * x, mt.Tensor)


def test_comparisons_give_boolean_tensors_without_grad():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert result.dtype == mt.bool and not result.requires_grad
    assert (x > 1.5).tolist() == [False, True, True]
    assert x.argmax().item() == 2 and not x.argmax().requires_grad
    values, indices = mt.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]


def test_reductions_with_dims_and_keepdim():
    x = mt.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.sum().item() == 276
    assert x.sum((0, -1)).shape == (3,)
    assert x.mean(1, keepdim=True).shape == (2, 1, 4)
    np.testing.assert_allclose(x.var(-1)._data, np.var(x._data, axis=-1, ddof=1))
    np.testing.assert_allclose(x.var(-1, unbiased=False)._data, np.var(x._data, axis=-1))
    np.testing.assert_allclose(x.logsumexp(0)._data, np.log(np.exp(x._data).sum(0)), rtol=1e-6)
    np.testing.assert_allclose(x.softmax(-1)._data.sum(-1), 1.0, rtol=1e-6)


def test_shape_operations():
    x = mt.tensor(np.arange(6.0).reshape(2, 3))
    assert x.reshape(3, 2).shape == (3, 2) and x.view(-1).shape == (6,)
    assert x.permute(1, 0).shape == (3, 2) and x.transpose(0, 1).shape == (3, 2)
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(-1).shape == (2, 3, 1)
    assert x.unsqueeze(0).squeeze().shape == (2, 3) and x.unsqueeze(1).squeeze(1).shape == (2, 3)
    assert x[:, None].expand(2, 4, 3).shape == (2, 4, 3)
    assert x.flatten().shape == (6,)
    assert mt.cat([x, x], 1).shape == (2, 6) and mt.stack([x, x], 1).shape == (2, 2, 3)
    assert x[x > 2].tolist() == [3.0, 4.0, 5.0]
    assert x[..., 1].tolist() == [1.0, 4.0]
    assert x[mt.tensor([1, 1])].shape == (2, 3)


def test_integer_indices_repeated_accumulate_gradient():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


@pytest.mark.parametrize("data, error, message", [
    ([[1.0, 2.0], [3.0]], ValueError, "rectangular"),
    (["a", "b"], TypeError, "expected numbers"),
    ({"a": 1}, TypeError, "expected numbers"),
    (None, TypeError, "expected numbers"),
])
def test_bad_tensor_data_gives_a_clear_error(data, error, message):
    with pytest.raises(error, match=message):
        mt.tensor(data)


def test_requires_grad_only_for_floats():
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients"):
        mt.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("action, error, message", [
    (lambda: mt.ones(3, 4) @ mt.ones(5, 2), ValueError, r"matmul: cannot multiply \(3, 4\) by \(5, 2\)"),
    (lambda: mt.ones(3) + mt.ones(4), ValueError, r"add: .*\(3,\).*\(4,\)"),
    (lambda: mt.ones(2, 3) * mt.ones(4, 3), ValueError, r"mul: .*\(2, 3\), \(4, 3\)"),
    (lambda: mt.ones(2, 3).reshape(4, 2), ValueError, r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4, 2\)"),
    (lambda: mt.ones(2, 3).sum(2), IndexError, r"sum: .*axis 2 is out of bounds.*\(2, 3\)"),
    (lambda: mt.ones(2, 3)[5], IndexError, r"getitem: index 5 is invalid for a tensor of shape \(2, 3\)"),
    (lambda: mt.ones(2, 3).transpose(0, 2), IndexError, r"transpose: dimensions \(0, 2\) out of range.*\(2, 3\)"),
    (lambda: mt.ones(2, 3).permute(0, 0), ValueError, r"permute: \(0, 0\) is not a permutation"),
    (lambda: mt.ones(2, 3).expand(4, 4), ValueError, r"expand: cannot expand shape \(2, 3\) to \(4, 4\)"),
    (lambda: mt.cat([mt.ones(2, 3), mt.ones(2, 4)]), ValueError, r"cat: .*\(2, 3\), \(2, 4\)"),
    (lambda: mt.stack([mt.ones(2), mt.ones(3)]), ValueError, r"stack: all tensors must have the same shape"),
    (lambda: mt.cat([]), ValueError, "cat: expected a non-empty sequence"),
    (lambda: mt.ones(3).item(), ValueError, r"item: only one-element tensors.*\(3,\)"),
    (lambda: mt.ops.linear(mt.ones(2, 3), mt.ones(4, 5)), ValueError, r"linear: input of shape \(2, 3\) does not fit a weight of shape \(4, 5\)"),
    (lambda: mt.ones(2).clamp(), ValueError, "clamp: at least one of min and max"),
    (lambda: mt.ones(2, 2).unsqueeze(4), IndexError, r"unsqueeze: dimension 4 out of range.*\(2, 2\)"),
    (lambda: bool(mt.ones(2)), RuntimeError, r"ambiguous"),
])
def test_errors_name_the_operation_and_the_shapes(action, error, message):
    with pytest.raises(error, match=message):
        action()


def test_failed_operation_records_nothing():
    w = mt.ones(3, 4, requires_grad=True)
    with pytest.raises(ValueError):
        w @ mt.ones(5, 2)
    assert w.grad is None and w._version == 0
