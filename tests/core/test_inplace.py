"""In-place operations and the version counter that guards saved tensors."""
import numpy as np
import pytest

import minitorch as mt


def test_inplace_methods_change_values_and_return_self():
    x = mt.tensor([1.0, 2.0])
    assert x.add_(1) is x
    np.testing.assert_allclose(x._data, [2.0, 3.0])
    x.sub_(1).mul_(3).div_(2)
    np.testing.assert_allclose(x._data, [1.5, 3.0])
    x += 1
    np.testing.assert_allclose(x._data, [2.5, 4.0])
    x.copy_(mt.tensor([7.0, 8.0]))
    np.testing.assert_allclose(x._data, [7.0, 8.0])
    x.fill_(5)
    np.testing.assert_allclose(x._data, [5.0, 5.0])
    x.zero_()
    np.testing.assert_allclose(x._data, [0.0, 0.0])
    assert x._version == 8


def test_inplace_keeps_memory_so_views_see_it():
    x = mt.zeros(2, 2)
    view = x._data
    x.add_(1)
    assert view is x._data and view.sum() == 4


def test_modifying_a_saved_tensor_makes_backward_raise():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    y = (h * h).sum()  # Mul saved h
    h.add_(1)
    with pytest.raises(RuntimeError, match=r"MulBackward0: tensor 0 of shape \(2,\).*modified by an in-place"):
        y.backward()


def test_inplace_on_leaf_that_requires_grad_raises_outside_no_grad():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"in-place operation on a leaf tensor of shape \(2,\)"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf tensor"):
        w += 1
    np.testing.assert_allclose(w._data, [1.0, 2.0])  # nothing changed
    with mt.no_grad():
        w.sub_(mt.tensor([0.5, 0.5]))
    np.testing.assert_allclose(w._data, [0.5, 1.5])


def test_inplace_on_non_leaf_is_recorded():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    h.mul_(3)
    h += w
    h.sum().backward()
    np.testing.assert_allclose(w.grad._data, [4.0, 4.0])


def test_inplace_with_mismatched_shape_or_dtype_changes_nothing():
    x = mt.zeros(3)
    with pytest.raises(ValueError, match=r"result of shape \(2, 3\) does not fit a tensor of shape \(3,\)"):
        x.add_(mt.ones(2, 3))
    i = mt.tensor([1, 2])
    with pytest.raises(TypeError, match="dtype minitorch.float32 cannot be stored in a tensor of dtype minitorch.int64"):
        i.add_(mt.tensor([0.5, 0.5]))
    np.testing.assert_array_equal(i._data, [1, 2])
    assert x._version == 0


def test_setitem_records_gradients():
    w = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = mt.tensor(5.0, requires_grad=True)
    h = w * 1
    h[1] = v * 2
    h.sum().backward()
    np.testing.assert_allclose(w.grad._data, [1.0, 0.0, 1.0])
    assert v.grad.item() == 2.0
