"""Regression tests for bugs found by cross-checking against PyTorch."""
import numpy as np
import pytest

import minitorch as mt
import minitorch.nn.functional as F


def test_inplace_on_a_view_of_a_tensor_in_a_graph_is_refused():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x * 1
    with pytest.raises(RuntimeError, match=r"in-place operation on a view \(shape \(2,\)\)"):
        b[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="view"):
        x[0:2].mul_(10)
    with pytest.raises(RuntimeError, match="view"):
        b.reshape(3, 1).add_(1)
    np.testing.assert_allclose(x._data, [1.0, 2.0, 3.0])


def test_views_share_the_version_counter():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    x.detach().zero_()  # changes the memory that Exp saved
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
    plain = mt.ones(4)
    view = plain[1:3]
    view.add_(1)
    assert plain._version == view._version == 1
    assert plain.tolist() == [1.0, 2.0, 2.0, 1.0]


def test_inplace_on_an_expanded_tensor_names_the_problem():
    y = mt.ones(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match=r"read-only tensor of shape \(2, 3\).*expand"):
        y.add_(1)


def test_inplace_with_an_operand_that_requires_grad():
    w = mt.tensor([2.0, 3.0], requires_grad=True)
    z = mt.ones(2) * 5
    z.mul_(w)
    z.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0]


def test_gradients_returned_to_the_user_own_their_memory():
    a, b = mt.ones(2, 3, requires_grad=True), mt.ones(2, 3, requires_grad=True)
    ga, gb = mt.autograd.grad((a + b).sum(1).sum(), [a, b])
    ga.mul_(2)
    assert gb.tolist() == [[1.0] * 3] * 2
    (a + b).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    (a + b).sum().backward()  # accumulates in place into a gradient it owns
    assert a.grad.tolist() == [[2.0] * 3] * 2
    y = a * 2
    y.retain_grad()
    y.sum(1).sum().backward()
    y.grad.zero_()


def test_leaf_gradient_keeps_the_leaf_dtype():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    (x * mt.tensor([1.0, 2.0], dtype=mt.float64)).sum().backward()
    assert x.grad.dtype == mt.float32


def test_binary_cross_entropy_gradient_at_zero_and_one():
    x = mt.tensor([0.0, 1.0], dtype=mt.float64, requires_grad=True)
    F.binary_cross_entropy(x, mt.tensor([0.3, 0.6], dtype=mt.float64), reduction="sum").backward()
    np.testing.assert_allclose(x.grad._data, [-3e11, 4e11], rtol=1e-6)
    x = mt.tensor([0.2, 0.7], dtype=mt.float64, requires_grad=True)
    t = mt.tensor([0.3, 0.6], dtype=mt.float64, requires_grad=True)
    assert mt.autograd.gradcheck(lambda p, q: F.binary_cross_entropy(p, q), (x, t))


def test_std_of_constant_input_has_zero_gradient():
    w = mt.tensor([2.0, 2.0, 2.0], requires_grad=True)
    w.std().backward()
    assert w.grad.tolist() == [0.0, 0.0, 0.0]


def test_pow_gradients_at_zero_follow_pytorch():
    x = mt.tensor([0.0, 1.0], requires_grad=True)
    (x ** 0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    e = mt.tensor([0.0, 1.0, 2.0], requires_grad=True)
    (0.0 ** e).sum().backward()
    assert np.isfinite(e.grad._data).all() and e.grad.tolist() == [0.0, 0.0, 0.0]
    base = mt.tensor([0.0], requires_grad=True)
    exponent = mt.tensor([0.0], requires_grad=True)
    (base ** exponent).sum().backward()
    assert base.grad.tolist() == [0.0] and exponent.grad.tolist() == [0.0]


def test_bitwise_operators_on_integer_tensors():
    assert (mt.tensor([1, 2]) & mt.tensor([3, 1])).tolist() == [1, 0]
    assert (mt.tensor([1, 2]) | mt.tensor([3, 1])).tolist() == [3, 3]
    assert (mt.tensor([1, 2]) ^ mt.tensor([3, 1])).tolist() == [2, 3]
    assert (mt.tensor([True, False]) & mt.tensor([True, True])).tolist() == [True, False]
    assert (~mt.tensor([True, False])).tolist() == [False, True]


@pytest.mark.parametrize("action, message", [
    (lambda: mt.ones(3, 4).flatten(1, 0), r"flatten: start_dim 1 comes after end_dim 0"),
    (lambda: mt.ones(3, 4).squeeze(5), r"squeeze: dimension 5 out of range"),
    (lambda: mt.ones(2, 3, 4).t(), r"t: expects a tensor with at most 2 dimensions"),
    (lambda: mt.ones(2, 3).argmax(2), r"argmax: dimension 2 out of range"),
    (lambda: mt.ones(2, 3).max(4), r"max: dimension 4 out of range"),
    (lambda: mt.ones(2, 3).var(3), r"var: dimension 3 out of range"),
    (lambda: mt.cat([mt.ones(2), [1.0, 2.0]]), r"cat: expected a sequence of tensors, got list at position 1"),
    (lambda: mt.ones(3) @ mt.ones(4), r"matmul: cannot multiply \(3,\) by \(4,\)"),
    (lambda: mt.ones(2).to("cuda"), r"CPU only"),
])
def test_bad_arguments_raise_named_errors(action, message):
    with pytest.raises((ValueError, IndexError, TypeError, RuntimeError), match=message):
        action()


def test_empty_and_zero_dim_edge_cases():
    x = mt.zeros(0, 3, requires_grad=True)
    assert mt.zeros(0, 3).amax(1).shape == (0,)
    (g,) = mt.autograd.grad(x.mean(), x, create_graph=True)
    assert g.shape == (0, 3)
    s = mt.tensor(2.0, requires_grad=True)
    (g,) = mt.autograd.grad(s.sum(0), s, create_graph=True)
    assert g.item() == 1.0


def test_sigmoid_is_accurate_in_the_negative_tail():
    x = mt.tensor([-17.0, -30.0], dtype=mt.float32)
    np.testing.assert_allclose(x.sigmoid()._data, 1 / (1 + np.exp(-x._data.astype(np.float64))), rtol=1e-6)
    z = mt.tensor([-50.0], dtype=mt.float64, requires_grad=True)
    z.sigmoid().log().sum().backward()
    assert z.grad.item() == pytest.approx(1.0)


def test_integer_tensors_become_the_default_float_like_pytorch():
    ints = mt.tensor([1, 2, 3])
    for result in (ints / 2, ints / mt.tensor([2]), ints.exp(), ints.sqrt(), ints.sigmoid(),
                   ints ** 0.5, ints.clamp(0.5, 2.5), mt.where(ints > 1, ints, 0.5),
                   mt.cat([ints, mt.ones(2)]), ints.mean()):
        assert result.dtype == mt.float32


def test_pytorch_call_forms():
    assert mt.max(mt.tensor([1.0, 4.0]), mt.tensor([3.0, 2.0])).tolist() == [3.0, 4.0]
    assert mt.min(mt.tensor([1.0, 4.0]), mt.tensor([3.0, 2.0])).tolist() == [1.0, 2.0]
    assert mt.tensor([0.0, 5.0]).clamp(mt.tensor([1.0, 1.0]), mt.tensor([2.0, 2.0])).tolist() == [1.0, 2.0]
    assert mt.ones(2).to("cpu").cpu().dtype == mt.float32
    assert mt.randint(5, (2, 2)).shape == (2, 2)
    assert mt.ones(3, 4).gather(1, mt.tensor([[0], [1]])).shape == (2, 1)

    @mt.no_grad
    def double(t):
        return t * 2

    assert not double(mt.ones(2, requires_grad=True)).requires_grad
    model = mt.nn.Linear(2, 2).to("cpu")
    assert model.to(mt.float64).weight.dtype == mt.float64
    loader = mt.utils.data.DataLoader(mt.utils.data.TensorDataset(mt.arange(10)), batch_size=5,
                                      shuffle=True, seed=3)
    first = [b[0].tolist() for b in loader]
    again = [b[0].tolist() for b in mt.utils.data.DataLoader(
        mt.utils.data.TensorDataset(mt.arange(10)), batch_size=5, shuffle=True, seed=3)]
    assert first == again


def test_np_array_of_a_tensor_is_a_copy_and_asarray_shares():
    t = mt.tensor([1.0, 2.0])
    copied = np.array(t)
    copied[0] = 99
    assert t.tolist() == [1.0, 2.0]
    assert np.asarray(t) is t._data


def test_zero_dim_parameter_gets_an_array_gradient_that_tools_can_modify():
    p = mt.nn.Parameter(mt.tensor(2.0))
    (p * mt.ones(3) * 100).sum().backward()
    assert isinstance(p.grad._data, np.ndarray) and p.grad.item() == 300.0
    assert mt.nn.utils.clip_grad_norm_([p], 1.0).item() == pytest.approx(300.0)
    assert p.grad.item() == pytest.approx(1.0, rel=1e-5)
    mt.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad.item() == 0.0


def test_integer_casts_carry_no_gradient():
    x = mt.tensor([1.5, 2.5], requires_grad=True)
    assert not x.long().requires_grad and not x.bool().requires_grad
    assert x.double().requires_grad


@pytest.mark.parametrize("action", [
    lambda t: t.gather(2, mt.zeros(2, 3, dtype=mt.int64)),
    lambda t: t.permute(0, 3),
    lambda t: t.flatten(5),
])
def test_out_of_range_dims_raise_instead_of_wrapping(action):
    with pytest.raises(IndexError, match="out of range"):
        action(mt.ones(2, 3))


def test_later_changes_to_index_or_condition_tensors_do_not_move_gradients():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = mt.tensor([True, False, True])
    y = mt.where(mask, x, 0.0)
    mask.fill_(False)
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]
    x.grad = None
    index = mt.tensor([0, 0])
    z = x[index]
    index.fill_(2)
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0]


def test_parameter_shares_the_version_counter_of_its_tensor():
    t = mt.tensor([1.0, 2.0])
    q = mt.nn.Parameter(t)
    out = (q * q).sum()
    t.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.backward()


def test_numpy_scalar_exponent_and_integer_reciprocals_keep_float32():
    x = mt.ones(2)
    assert (x ** np.float64(2)).dtype == mt.float32
    assert mt.tensor([4]).rsqrt().dtype == mt.float32
    assert mt.tensor([4]).reciprocal().tolist() == [0.25]


def test_linear_with_zero_inputs_initialises():
    layer = mt.nn.Linear(0, 3)
    assert layer.weight.shape == (3, 0)
    assert layer(mt.zeros(2, 0)).shape == (2, 3)


def test_unshuffled_batches_are_copies_of_the_data():
    data = mt.arange(6.0)
    for (batch,) in mt.utils.data.DataLoader(mt.utils.data.TensorDataset(data), batch_size=3):
        batch.mul_(0)
    assert data.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
