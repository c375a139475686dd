"""Module hooks with PyTorch's semantics: forward pre-hooks and hooks (may replace
inputs and outputs), full backward hooks and pre-hooks, removable handles."""
import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.autograd import gradcheck
from minitorch.hooks import RemovableHandle


class Two(nn.Module):
    """Three positional arguments (one not a Tensor), two outputs."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 2)

    def forward(self, x, y, k):
        return self.a(x) * y, (x * k).sum(1)


def two():
    model = Two()
    with mt.no_grad():
        model.a.weight.copy_(mt.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 10))
        model.a.bias.copy_(mt.tensor([0.5, -0.5]))
    return model


def inputs():
    return (mt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True),
            mt.tensor([[1.0, -1.0], [2.0, 0.5]], requires_grad=True))


def rounded(grads):
    return [None if g is None else np.round(g.detach().numpy().astype(np.float64), 4).tolist()
            for g in grads]


def test_full_backward_hooks_match_pytorch():
    """Values printed by the same program run with PyTorch 2.13."""
    model = two()
    log = []

    def hook(module, grad_input, grad_output):
        assert module is model
        log.append(("hook", rounded(grad_input), rounded(grad_output)))
        return grad_input[0] * 2, grad_input[1], grad_input[2]

    def pre_hook(module, grad_output):
        log.append(("pre", len(grad_output)))
        return grad_output[0] * 3, grad_output[1]

    h1 = model.register_full_backward_hook(hook)
    h2 = model.register_full_backward_pre_hook(pre_hook)
    x, y = inputs()
    o1, o2 = model(x, y, 2.0)
    (o1.sum() + (o2 ** 2).sum()).backward()
    assert log == [("pre", 2), ("hook",
                                [[[47.1, 47.1, 47.1], [120.45, 121.2, 121.95]],
                                 [[3.9, 6.3], [6.6, 17.1]], None],
                                [[[3.0, 3.0], [3.0, 3.0]], [24.0, 60.0]])]
    np.testing.assert_allclose(x.grad.numpy(), [[94.2, 94.2, 94.2], [240.9, 242.4, 243.9]],
                               rtol=1e-5)
    np.testing.assert_allclose(y.grad.numpy(), [[3.9, 6.3], [6.6, 17.1]], rtol=1e-5)
    h1.remove()
    h2.remove()
    x.grad = None
    o1, o2 = model(x, y, 2.0)
    (o1.sum() + (o2 ** 2).sum()).backward()
    assert len(log) == 2  # removed: not called again
    np.testing.assert_allclose(x.grad.numpy(), [[47.7, 47.7, 47.7], [120.15, 120.4, 120.65]],
                               rtol=1e-5)


def test_backward_hook_when_no_input_requires_grad_sees_grad_output():
    layer = nn.Linear(3, 1)
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    layer(mt.ones(2, 3)).sum().backward()
    assert seen == [((None,), (2, 1))]
    layer.register_full_backward_hook(lambda m, gi, go: (mt.ones(2, 3),))
    with pytest.raises(RuntimeError, match="no input requires gradient should always return "
                                           "None"):
        layer(mt.ones(2, 3)).sum().backward()


def test_backward_hook_errors_name_the_problem():
    layer = nn.Linear(3, 2)
    x = mt.ones(1, 3, requires_grad=True)
    handle = layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of "
                                           "grad_input, got 2, but expected 1"):
        layer(x).sum().backward()
    handle.remove()
    handle = layer.register_full_backward_hook(lambda m, gi, go: (mt.ones(5),))
    with pytest.raises(RuntimeError, match=r"gradient 0 should be a Tensor of shape \(1, 3\)"):
        layer(x).sum().backward()
    handle.remove()
    layer.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="Backward pre hook returned an invalid number of "
                                           "grad_output, got 2, but expected 1"):
        layer(x).sum().backward()


def test_backward_hooks_are_not_set_up_without_grad_and_keep_gradients_exact():
    layer = nn.Linear(3, 2).double()
    calls = []
    layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    with mt.no_grad():
        out = layer(mt.ones(1, 3, dtype=mt.float64))
    assert out.grad_fn is None and calls == []
    x = mt.randn(4, 3, dtype=mt.float64, requires_grad=True)
    assert gradcheck(lambda t: layer(t).tanh(), (x,))  # the identity is exact
    assert calls


def test_backward_hooks_on_children_of_a_sequential_run_last_layer_first():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    order = []
    for name, child in model.named_children():
        child.register_full_backward_hook(lambda m, gi, go, name=name: order.append(name))
    model(mt.randn(4, 2, requires_grad=True)).sum().backward()
    assert order == ["2", "1", "0"]


def test_forward_pre_hook_and_forward_hook_may_replace_input_and_output():
    layer = nn.Linear(3, 2)
    x = mt.ones(1, 3)
    pre = layer.register_forward_pre_hook(lambda m, args: args[0] * 0)  # a single value
    post = layer.register_forward_hook(lambda m, args, out: out + 1)
    np.testing.assert_allclose(layer(x).detach().numpy(),
                               layer.bias.detach().numpy()[None] + 1)
    pre.remove()
    post.remove()
    np.testing.assert_allclose(layer(x).detach().numpy(),
                               (x @ layer.weight.T + layer.bias).detach().numpy())
    seen = []
    layer.register_forward_hook(lambda m, args, out: seen.append((args[0].shape, out.shape)))
    layer(x)
    assert seen == [((1, 3), (1, 2))]


def test_hook_order_prepend_kwargs_and_context_manager():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    module = Scale()
    order = []
    module.register_forward_pre_hook(lambda m, a: order.append("first"))
    module.register_forward_pre_hook(lambda m, a: order.append("zeroth"), prepend=True)

    def double_factor(m, args, kwargs):
        order.append("kwargs")
        return args, {**kwargs, "factor": kwargs["factor"] * 2}

    module.register_forward_pre_hook(double_factor, with_kwargs=True)
    outputs = []
    module.register_forward_hook(lambda m, a, kw, out: outputs.append((kw, out.item())),
                                 with_kwargs=True)
    assert module(mt.tensor(3.0), factor=2.0).item() == 12.0
    assert order == ["zeroth", "first", "kwargs"] and outputs == [({"factor": 4.0}, 12.0)]
    with module.register_forward_hook(lambda m, a, out: out * 10) as handle:
        assert isinstance(handle, RemovableHandle)
        assert module(mt.tensor(1.0), factor=1.0).item() == 20.0
    assert module(mt.tensor(1.0), factor=1.0).item() == 2.0
    module.register_forward_pre_hook(lambda m, a, kw: "oops", with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple of "
                                           r"\(new_args, new_kwargs\)"):
        module(mt.tensor(1.0), factor=1.0)
    with pytest.raises(TypeError, match="a hook must be callable, got int"):
        module.register_forward_hook(3)


def test_always_call_hooks_run_when_forward_raises():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("broken forward")

    module = Broken()
    seen = []
    module.register_forward_hook(lambda m, a, out: seen.append(("always", out)),
                                 always_call=True)
    module.register_forward_hook(lambda m, a, out: seen.append(("normal", out)))
    with pytest.raises(ValueError, match="broken forward"):
        module(mt.ones(1))
    assert seen == [("always", None)]


def test_handles_remove_once_and_do_not_keep_the_module_alive():
    import gc
    import weakref

    layer = nn.Linear(1, 1)
    handle = layer.register_forward_hook(lambda m, a, out: None)
    handle.remove()
    handle.remove()  # twice is fine
    assert not layer._forward_hooks
    ref = weakref.ref(layer)
    handle = layer.register_forward_hook(lambda m, a, out: None)
    del layer
    gc.collect()
    assert ref() is None
    handle.remove()  # after the module is gone: nothing to do


def test_register_buffer_is_in_state_dict_and_moves_with_to():
    module = nn.Module()
    module.register_buffer("running", mt.zeros(2))
    module.register_buffer("scratch", mt.zeros(1), persistent=False)
    assert list(module.state_dict()) == ["running"]
    module.to(mt.float64)
    assert module.running.dtype == mt.float64 and module.scratch.dtype == mt.float64
    with pytest.raises(TypeError, match="cannot assign 'list' object to buffer 'bad'"):
        module.register_buffer("bad", [1])
