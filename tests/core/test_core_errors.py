"""Issue 12, section 3: bad input to the core gets PyTorch's error type and a message that
names the operation and the offending shape or value, and nothing changes."""
import warnings

import numpy as np
import pytest

import minitorch as mt


@pytest.mark.parametrize("call, error, message", [
    (lambda: mt.zeros(0, 3).max(0), IndexError, r"max: expected reduction dim 0 to have "
                                                 r"non-zero size \(shape \(0, 3\)\)"),
    (lambda: mt.zeros(0, 3).min(0), IndexError, "min: expected reduction dim 0"),
    (lambda: mt.zeros(0).argmax(), RuntimeError, r"argmax: expected a reduction dim .* no "
                                                  r"elements \(shape \(0,\)\)"),
    (lambda: mt.zeros(0).max(), RuntimeError, "max: expected a reduction dim"),
    (lambda: mt.zeros(2, 0).amax(1), IndexError, "amax: expected reduction dim 1"),
    (lambda: mt.cat([mt.ones(2), mt.ones(2)], 5), IndexError,
     r"cat: dimension 5 out of range for a tensor of shape \(2,\)"),
    (lambda: mt.tensor([[1, 2]]) @ mt.randn(2, 2), RuntimeError,
     r"matmul: expected both operands to have the same dtype, but got minitorch.int64 and "
     r"minitorch.float32 \(shapes \(1, 2\) and \(2, 2\)\)"),
])
def test_errors_name_the_operation_and_shape(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_backward_with_an_array_gradient_is_a_type_error_and_changes_nothing():
    x = mt.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(TypeError, match="backward: gradient must be a Tensor.*got ndarray"):
        y.backward(np.ones(3))
    with pytest.raises(TypeError, match="gradient 0 must be a Tensor or None, got list"):
        y.backward([[1.0, 1.0, 1.0]])
    assert x.grad is None
    y.backward(mt.ones(3))  # the graph is still there
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_int_times_float32_is_float32_as_in_pytorch():
    assert (mt.tensor([1, 2]) * mt.ones(2)).dtype == mt.float32
    assert (mt.tensor([1, 2]) @ mt.tensor([3, 4])).dtype == mt.int64


def test_tensor_of_tensors_that_require_grad_warns_that_the_graph_is_dropped():
    a = mt.tensor(1.0, requires_grad=True)
    with pytest.warns(UserWarning, match="tensor: the data holds tensors that require grad"):
        t = mt.tensor([a, a * 2])
    assert t.tolist() == [1.0, 2.0] and not t.requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mt.tensor([a.detach(), 2.0])  # no warning without a graph to drop
    assert mt.stack([a, a * 2]).requires_grad  # the way to keep it


@pytest.mark.parametrize("make", [lambda: mt.zeros(-1), lambda: mt.ones(2, -3),
                                  lambda: mt.randn(-1), lambda: mt.full((-1,), 2.0),
                                  lambda: mt.empty(3, -2)])
def test_negative_sizes_are_refused_naming_the_function(make):
    with pytest.raises(RuntimeError, match=r"trying to create a tensor with negative dimension "
                                           r"-\d: \["):
        make()
