"""The backward engine: the classic examples, accumulation, graph freeing, grad mode."""
import gc
import sys
import weakref

import numpy as np
import pytest

import minitorch as mt


def test_introductory_product_example(capsys):
    a = mt.ones(1, requires_grad=True)
    b = mt.zeros(1, requires_grad=True)
    c = a * b
    c.backward()
    print("a gradient:", a.grad, "| b gradient:", b.grad)
    assert capsys.readouterr().out.strip() == "a gradient: tensor([0.]) | b gradient: tensor([1.])"


def test_introductory_chain_rule_example():
    a = mt.tensor(2.2, requires_grad=True)
    b = mt.tensor(-1.8, requires_grad=True)
    c = mt.tensor(0.1, requires_grad=True)
    d = a * (b + c)
    d.backward()
    assert d.item() == pytest.approx(-3.74, abs=1e-6)
    assert a.grad.item() == pytest.approx(-1.7, abs=1e-6)
    assert b.grad.item() == pytest.approx(2.2, abs=1e-6)
    assert c.grad.item() == pytest.approx(2.2, abs=1e-6)


def test_user_defined_function_with_apply():
    class Cube(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3  # tensor ops work in forward too (run without recording)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    x = mt.tensor([1.0, -2.0], requires_grad=True)
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 12.0])
    assert mt.autograd.gradcheck(Cube.apply, (x.double().detach().requires_grad_(),))


def test_reused_nodes_sum_every_path():
    a = mt.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0
    x = mt.tensor(2.0, requires_grad=True)
    y = x * x * x  # x used three times
    y.backward()
    assert x.grad.item() == 12.0


def test_deep_chain_has_no_recursion_limit():
    x = mt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a 100,000-node graph must not overflow the C stack either


def test_gradients_accumulate_across_backward_calls():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * 3).sum().backward()
    np.testing.assert_allclose(w.grad._data, [6.0, 6.0])


def test_shared_gradient_is_not_aliased_between_leaves():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(10)
    np.testing.assert_allclose(b.grad._data, [1.0, 1.0])


def test_graph_is_freed_and_second_backward_raises():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, [4.0, 8.0])


def test_non_scalar_backward_needs_a_gradient():
    x = mt.ones(3, 2, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"only for outputs with one element.*\(3, 2\)"):
        y.backward()
    y.backward(mt.ones(3, 2))
    np.testing.assert_allclose(x.grad._data, 2.0)
    with pytest.raises(RuntimeError, match=r"gradient of shape \(2,\) does not match.*\(3, 2\)"):
        (x * 2).backward(mt.ones(2))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mt.ones(2).sum().backward()


def test_no_grad_and_enable_grad_as_context_managers_and_decorators():
    x = mt.ones(2, requires_grad=True)
    with mt.no_grad():
        y = x * 2
        with mt.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    assert mt.is_grad_enabled()

    @mt.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert mt.is_grad_enabled()
    with mt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert mt.is_grad_enabled()


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mt.no_grad():
            raise ZeroDivisionError
    assert mt.is_grad_enabled()


def test_detach_and_is_leaf():
    x = mt.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d._data is y._data


def test_retain_grad_keeps_intermediate_gradient():
    a = mt.tensor(2.0, requires_grad=True)
    e = (a + 1).retain_grad()
    (e * 3).backward()
    assert e.grad.item() == 3.0 and a.grad.item() == 3.0


def test_no_graph_without_requires_grad():
    y = mt.ones(2) * 3
    assert y.grad_fn is None and not y.requires_grad


def _mlp_step(x, target, params):
    w1, b1, w2, b2 = params
    hidden = mt.ops.linear(x, w1, b1).relu()
    loss = mt.ops.cross_entropy(mt.ops.linear(hidden, w2, b2), target)
    loss.backward()
    return loss


def _mlp(rng):
    shapes = [(16, 4), (16,), (3, 16), (3,)]
    return [mt.tensor(rng.normal(0, 0.3, s), requires_grad=True) for s in shapes]


def test_no_intermediate_tensor_survives_backward(rng):
    params = _mlp(rng)
    x, target = mt.tensor(rng.normal(size=(8, 4))), mt.tensor(rng.integers(0, 3, 8))
    w1, b1, w2, b2 = params
    hidden = mt.ops.linear(x, w1, b1)
    activation = hidden.relu()
    logits = mt.ops.linear(activation, w2, b2)
    created = [weakref.ref(t) for t in (hidden, activation, logits)]
    loss = mt.ops.cross_entropy(logits, target)
    del hidden, activation, logits
    loss.backward()
    assert all(ref() is None for ref in created), "an intermediate tensor is still alive"
    assert loss.grad_fn.saved == ()


def test_memory_does_not_grow_over_training_steps(rng):
    params = _mlp(rng)
    x, target = mt.tensor(rng.normal(size=(8, 4))), mt.tensor(rng.integers(0, 3, 8))

    def live_tensors():
        gc.collect()
        return sum(isinstance(o, mt.Tensor) for o in gc.get_objects())

    for _ in range(50):
        _mlp_step(x, target, params)
    before = live_tensors()
    for _ in range(2000):
        for p in params:
            p.grad = None
        _mlp_step(x, target, params).item()
    assert live_tensors() <= before


def test_engine_iterates_instead_of_recursing():
    limit = sys.getrecursionlimit()
    x = mt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(limit * 3):
        y = y + 0.0
    y.backward()
    assert x.grad.item() == 1.0
