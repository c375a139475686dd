"""Names that ordinary PyTorch programs use and the PyTorch-program test found missing:
comparison and logical functions, formatting a 0-d tensor, meshgrid, and the legacy
tensor types (``x.type(mt.LongTensor)``)."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt

pairs = st.integers(1, 5).flatmap(lambda n: st.tuples(
    hnp.arrays(np.int64, n, elements=st.integers(-2, 2)),
    hnp.arrays(np.int64, n, elements=st.integers(-2, 2))))


@given(pairs)
def test_comparisons_and_logical_functions_match_numpy(pair):
    a, b = pair
    x, y = mt.tensor(a), mt.tensor(b)
    for name, expected in [("eq", a == b), ("ne", a != b), ("lt", a < b), ("le", a <= b),
                           ("gt", a > b), ("ge", a >= b),
                           ("logical_and", np.logical_and(a, b)),
                           ("logical_or", np.logical_or(a, b)),
                           ("logical_xor", np.logical_xor(a, b))]:
        for out in (getattr(x, name)(y), getattr(mt, name)(x, y)):
            assert out.dtype == mt.bool
            np.testing.assert_array_equal(out.numpy(), expected, err_msg=name)
    assert mt.logical_not(x).tolist() == np.logical_not(a).tolist()
    assert x.gt(0).tolist() == (a > 0).tolist()  # a Python number on the right


def test_a_0d_tensor_formats_as_its_number():
    loss = mt.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123" and f"{mt.tensor(7):>3d}" == "  7"
    assert f"{loss}" == format(loss.item())
    assert f"{mt.tensor([1.0, 2.0])}" == str(mt.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="format"):
        f"{mt.tensor([1.0, 2.0]):.2f}"


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_numpy(indexing):
    a, b, c = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0]), np.array([6.0, 7.0, 8.0, 9.0])
    grids = mt.meshgrid(mt.tensor(a), mt.tensor(b), mt.tensor(c), indexing=indexing)
    for grid, expected in zip(grids, np.meshgrid(a, b, c, indexing=indexing)):
        assert grid.shape == expected.shape
        np.testing.assert_array_equal(grid.numpy(), expected)
    as_list = mt.meshgrid([mt.tensor(a), mt.tensor(2.0, dtype=mt.float64)], indexing=indexing)
    for grid, expected in zip(as_list, np.meshgrid(a, [2.0], indexing=indexing)):
        np.testing.assert_array_equal(grid.numpy(), expected)


def test_meshgrid_gradients_reach_the_inputs():
    x = mt.tensor([1.0, 2.0, 3.0], dtype=mt.float64, requires_grad=True)
    y = mt.tensor([4.0, 5.0], dtype=mt.float64, requires_grad=True)
    gx, gy = mt.meshgrid(x, y, indexing="xy")
    (gx * gy).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [9.0, 9.0, 9.0])
    np.testing.assert_array_equal(y.grad.numpy(), [6.0, 6.0])
    assert mt.autograd.gradcheck(lambda u, v: mt.meshgrid(u, v, indexing="ij")[0] ** 2 *
                                 mt.meshgrid(u, v, indexing="ij")[1], (x, y))


def test_meshgrid_without_indexing_warns_and_uses_ij():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grid, _ = mt.meshgrid(mt.arange(3), mt.arange(2))
    assert grid.shape == (3, 2) and "indexing" in str(caught[0].message)
    assert caught[0].filename == __file__  # the warning points at the caller


@pytest.mark.parametrize("call, error, words", [
    (lambda: mt.meshgrid(mt.zeros(2), mt.zeros(2), indexing="ji"), ValueError,
     ["meshgrid", "'ji'"]),
    (lambda: mt.meshgrid(mt.zeros(2), mt.zeros(2, 2), indexing="ij"), RuntimeError,
     ["meshgrid", "(2, 2)", "position 1"]),
    (lambda: mt.meshgrid(mt.zeros(2), mt.arange(2), indexing="ij"), RuntimeError,
     ["meshgrid", "float32", "int64"]),
    (lambda: mt.meshgrid(indexing="ij"), ValueError, ["meshgrid", "non-empty"]),
])
def test_meshgrid_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)


def test_legacy_tensor_types():
    y = mt.from_numpy(np.array([0, 1, 2], dtype=np.int32)).type(mt.LongTensor)
    assert y.dtype == mt.int64 and y.tolist() == [0, 1, 2]
    assert mt.zeros(2).type(mt.DoubleTensor).dtype == mt.float64
    x = mt.FloatTensor([1, 2])
    assert x.dtype == mt.float32 and x.tolist() == [1.0, 2.0]
    assert mt.FloatTensor(2, 3).shape == (2, 3) and mt.LongTensor().shape == (0,)
    assert mt.BoolTensor([True, False]).dtype == mt.bool
    assert isinstance(x, mt.FloatTensor) and not isinstance(x, mt.LongTensor)
    assert isinstance(x, mt.Tensor) and not isinstance(np.zeros(2), mt.FloatTensor)
    assert mt.FloatTensor.dtype == mt.float32 and x.type() == "minitorch.FloatTensor"
    assert repr(mt.LongTensor) == "<class 'minitorch.LongTensor'>"
    assert mt.FloatTensor(x) is x
    with pytest.raises(TypeError, match="LongTensor.*float32"):
        mt.LongTensor(x)
    with pytest.raises(TypeError, match="FloatTensor"):
        mt.FloatTensor([1.0], [2.0])


def test_contiguous_type_as_reshape_as():
    x = mt.arange(6.0).reshape(2, 3)
    assert x.is_contiguous() and x.contiguous() is x
    assert not x.t().is_contiguous() and not x.expand(2, 2, 3).is_contiguous()
    y = mt.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    flat = y.t().contiguous().view(-1)  # the attention-code idiom
    assert flat.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    (flat * mt.arange(6.0, dtype=mt.float64)).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]])
    with pytest.raises(NotImplementedError, match="contiguous.*memory_format"):
        x.contiguous(memory_format="channels_last")
    assert mt.zeros(2, dtype=mt.int64).type_as(mt.zeros(1, dtype=mt.float64)).dtype == mt.float64
    assert mt.arange(6).reshape_as(mt.zeros(3, 2)).shape == (3, 2)
