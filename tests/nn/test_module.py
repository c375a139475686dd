"""Module system: registration, naming, modes, state dicts, containers, repr."""
import copy

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(mt.ones(1))
        self.register_buffer("count", mt.zeros(1))
        self.note = "plain attribute"

    def forward(self, x):
        return self.out(self.act(self.hidden(x))) * self.scale


def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_data():
    t = mt.randn(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, mt.Tensor) and p.requires_grad and p.is_leaf
    assert p._data is t._data
    assert type(p * 2) is mt.Tensor
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    with pytest.raises(TypeError, match="Parameter: expected a Tensor, got list"):
        nn.Parameter([1.0, 2.0])


def test_assignment_registers_parameters_modules_and_buffers_in_order():
    m = TwoLayer()
    assert [n for n, _ in m.named_parameters()] == [
        "scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [n for n, _ in m.named_children()] == ["hidden", "act", "out"]
    assert [type(c).__name__ for c in m.children()] == ["Linear", "ReLU", "Linear"]
    assert [n for n, _ in m.named_modules()] == ["", "hidden", "act", "out"]
    assert len(list(m.modules())) == 4
    assert [n for n, _ in m.named_buffers()] == ["count"]
    assert list(m.parameters(recurse=False)) == [m.scale]
    assert m.note == "plain attribute" and "note" not in m._parameters
    assert m.hidden is m._modules["hidden"]


def test_dotted_names_through_sequential_and_module_list():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert [n for n, _ in seq.named_parameters()] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])

    assert [n for n, _ in Net().named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    seq = nn.Sequential(layer, layer)
    assert len(list(seq.parameters())) == 2


def test_reassigning_and_deleting_updates_the_registries():
    m = TwoLayer()
    m.hidden = nn.Linear(3, 4, bias=False)
    assert "hidden.bias" not in dict(m.named_parameters())
    m.scale = None
    assert "scale" not in dict(m.named_parameters()) and m.scale is None
    del m.out
    assert "out" not in dict(m.named_children())
    with pytest.raises(AttributeError):
        m.out  # noqa: B018
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        m.scale = mt.ones(1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'act'"):
        m.act = 3


def test_assignment_before_init_is_a_clear_error():
    class Forgot(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgot()


def test_register_errors_name_the_problem():
    m = nn.Module()
    with pytest.raises(KeyError, match="must be non-empty and without dots"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.register_buffer("b", [1.0])
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        m.register_buffer("forward", mt.zeros(1))


def test_forward_is_called_by_call_and_missing_forward_is_reported():
    m = TwoLayer()
    x = mt.randn(5, 3)
    assert m(x).shape == (5, 2)
    with pytest.raises(NotImplementedError, match="Module has no forward"):
        nn.Module()(x)


def test_train_eval_are_recursive_and_return_self():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    with pytest.raises(ValueError, match="mode is expected to be a bool"):
        m.train("no")


def test_zero_grad_and_requires_grad():
    m = TwoLayer()
    m(mt.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad._data == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())


def test_state_dict_holds_parameters_and_persistent_buffers_detached():
    m = TwoLayer()
    m.register_buffer("scratch", mt.zeros(2), persistent=False)
    sd = m.state_dict()
    assert list(sd) == ["scale", "count", "hidden.weight", "hidden.bias", "out.weight",
                        "out.bias"]
    assert all(not t.requires_grad for t in sd.values())
    assert sd["hidden.weight"]._data is m.hidden.weight._data  # shares memory, like torch


def test_state_dict_round_trip_copies_values_into_another_model():
    a, b = TwoLayer(), TwoLayer()
    a.count._data[...] = 7
    x = mt.randn(3, 3)
    assert not np.allclose(a(x)._data, b(x)._data)
    result = b.load_state_dict(copy.deepcopy(a.state_dict()))
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(a(x)._data, b(x)._data)
    assert b.count._data[0] == 7
    assert b.hidden.weight._data is not a.hidden.weight._data
    assert b.hidden.weight.requires_grad and b.hidden.weight.is_leaf


def test_load_state_dict_accepts_arrays():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.load_state_dict({k: v._data.copy() for k, v in a.state_dict().items()})
    np.testing.assert_array_equal(a.weight._data, b.weight._data)


def test_strict_loading_reports_missing_and_unexpected_keys_by_name():
    m = TwoLayer()
    sd = m.state_dict()
    del sd["out.bias"]
    sd["extra.weight"] = mt.zeros(1)
    before = m.out.weight._data.copy()
    sd["out.weight"] = mt.zeros(2, 4)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    message = str(info.value)
    assert "Error(s) in loading state_dict for TwoLayer" in message
    assert 'Missing key(s) in state_dict: "out.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    np.testing.assert_array_equal(m.out.weight._data, before)  # nothing was copied
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["out.bias"] and result.unexpected_keys == ["extra.weight"]
    assert np.all(m.out.weight._data == 0)


def test_shape_mismatch_is_reported_even_when_not_strict():
    m = nn.Linear(3, 2)
    with pytest.raises(RuntimeError,
                       match=r'size mismatch for "weight": copying a param with shape \(2, 4\)'
                             r" from checkpoint, the shape in current model is \(2, 3\)"):
        m.load_state_dict({"weight": mt.zeros(2, 4), "bias": mt.zeros(2)}, strict=False)


def test_repr_nests_like_pytorch():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.25)))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.25, inplace=False)\n"
        "  )\n"
        ")")


def test_sequential_indexing_iteration_and_len():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    assert isinstance(seq[1:], nn.Sequential) and list(seq[1:]) == layers[1:]
    x = mt.randn(4, 2)
    np.testing.assert_allclose(seq(x)._data, layers[2](layers[1](layers[0](x)))._data)
    with pytest.raises(IndexError, match="index 3 is out of range for length 3"):
        seq[3]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and seq(x).shape == (4, 1)
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]


def test_module_list_behaves_like_a_list_of_registered_modules():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 2)).extend([nn.ReLU()])
    ml.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in ml] == ["Tanh", "Linear", "Linear", "ReLU"]
    assert len(list(ml.parameters())) == 4
    ml[0] = nn.Sigmoid()
    assert isinstance(ml[0], nn.Sigmoid)
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2


def test_double_converts_parameters_and_get_submodule():
    m = nn.Sequential(nn.Linear(2, 2))
    assert m.double() is m
    assert all(p.dtype == mt.float64 for p in m.parameters())
    assert m.get_submodule("0") is m[0]
    with pytest.raises(AttributeError, match="no submodule 'x'"):
        m.get_submodule("0.x")
