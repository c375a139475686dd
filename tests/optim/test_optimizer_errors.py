"""Bad input to optimizers: every error names the problem and is raised before anything
changes (parameters, state, step counters, hyper-parameters)."""
import copy
import itertools

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn, optim

MAKERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    "Adam": lambda ps: optim.Adam(ps, amsgrad=True),
    "AdamW": lambda ps: optim.AdamW(ps),
    "RMSprop": lambda ps: optim.RMSprop(ps, momentum=0.5, centered=True),
    "Adagrad": lambda ps: optim.Adagrad(ps),
    "Adadelta": lambda ps: optim.Adadelta(ps),
    "Adamax": lambda ps: optim.Adamax(ps),
    "NAdam": lambda ps: optim.NAdam(ps),
    "RAdam": lambda ps: optim.RAdam(ps),
}


def trained(name, shapes=((3,), (2, 2))):
    """An optimizer of kind ``name`` over fresh parameters, after one step."""
    params = [nn.Parameter(mt.ones(*s)) for s in shapes]
    opt = MAKERS[name](params)
    for p in params:
        p.grad = mt.full(p.shape, 0.5)
    opt.step()
    return params, opt


def snapshot(params, opt):
    """Everything a failed call must leave as it was."""
    state = {id(p): {k: v.numpy().copy() if isinstance(v, mt.Tensor) else v
                     for k, v in opt.state[p].items()} for p in params if p in opt.state}
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    return [p.detach().numpy().copy() for p in params], state, copy.deepcopy(groups)


def assert_unchanged(before, params, opt):
    values, state, groups = snapshot(params, opt)
    for a, b in zip(before[0], values, strict=True):
        np.testing.assert_array_equal(a, b)
    assert state.keys() == before[1].keys()
    for key, saved in before[1].items():
        assert saved.keys() == state[key].keys()
        for name, value in saved.items():
            np.testing.assert_array_equal(value, state[key][name])
    assert groups == before[2]


# --- step(): every gradient is checked before any parameter changes --------------------

@pytest.mark.parametrize("name", MAKERS)
def test_a_wrong_gradient_shape_changes_nothing(name):
    params, opt = trained(name)
    before = snapshot(params, opt)
    versions = [p._version for p in params]
    with pytest.raises(RuntimeError, match=r"grad of shape \(4,\) for a tensor of shape \(2, 2\)"):
        params[1].grad = mt.ones(4)  # refused at assignment, as in PyTorch
    # a gradient whose values are replaced through .data escapes that check: step() checks
    params[1].grad.data = mt.ones(4)  # the second parameter is (2, 2)
    with pytest.raises(ValueError, match=rf"{name}.step: the gradient of parameter 1 of group 0 "
                                         r"has shape \(4,\) .* the parameter has shape \(2, 2\)"):
        opt.step()
    assert_unchanged(before, params, opt)
    assert [p._version for p in params] == versions


def test_a_wrong_gradient_dtype_or_type_changes_nothing():
    params, opt = trained("Adam")
    before = snapshot(params, opt)
    params[1].grad.data = mt.ones(2, 2, dtype=mt.float64)
    with pytest.raises(ValueError, match="dtype float64, the parameter has shape "
                                         r"\(2, 2\) and dtype float32"):
        opt.step()
    with pytest.raises(TypeError, match="assigned grad must be a Tensor or None, got ndarray"):
        params[1].grad = np.ones((2, 2), dtype=np.float32)
    assert_unchanged(before, params, opt)


def test_the_error_names_the_group():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = mt.ones(2), mt.ones(2)
    b.grad.data = mt.ones(3)
    with pytest.raises(ValueError, match="parameter 0 of group 1"):
        opt.step()
    np.testing.assert_array_equal(a.detach().numpy(), [1.0, 1.0])


# --- construction: hyper-parameters and parameters ------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.Adam(p, lr="0.1"), TypeError, "Adam: invalid lr '0.1' in group 0 "
                                                   r"\(lr must be a real number\)"),
    (lambda p: optim.SGD(p, lr=-1.0), ValueError, r"SGD: invalid lr -1.0 .*must be >= 0"),
    (lambda p: optim.SGD(p, lr=float("nan")), ValueError, "invalid lr nan"),
    (lambda p: optim.SGD(p, lr=True), TypeError, "invalid lr True"),
    (lambda p: optim.SGD(p, lr=mt.tensor(0.1)), TypeError, "invalid lr"),
    (lambda p: optim.SGD(p, momentum=-0.1), ValueError, "invalid momentum -0.1"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError,
     "Nesterov momentum requires a momentum"),
    (lambda p: optim.SGD(p, nesterov="yes"), TypeError, "nesterov must be True or False"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), ValueError,
     r"Adam: invalid betas \(0.9, 1.0\) .*each must be in \[0, 1\)"),
    (lambda p: optim.Adam(p, betas=0.9), TypeError, "must be a pair of real numbers"),
    (lambda p: optim.AdamW(p, eps=-1e-8), ValueError, "AdamW: invalid eps"),
    (lambda p: optim.Adam(p, weight_decay=-1), ValueError, "invalid weight_decay -1"),
    (lambda p: optim.Adam(p, amsgrad=None), TypeError, "amsgrad must be True or False"),
    (lambda p: optim.Adam(p, capturable=True), ValueError,
     "capturable is not supported by minitorch"),
    (lambda p: optim.SGD(p, differentiable=True), ValueError, "invalid differentiable True"),
    (lambda p: optim.Adam(p, foreach="no"), TypeError, "foreach must be True or False"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), ValueError, "RMSprop: invalid alpha -0.5"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), ValueError, "Adagrad: invalid lr_decay"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), ValueError,
     "invalid initial_accumulator_value"),
    (lambda p: optim.Adadelta(p, rho=1.5), ValueError, r"Adadelta: invalid rho 1.5 .*\[0, 1\]"),
    (lambda p: optim.Adamax(p, betas=(-0.1, 0.9)), ValueError, "Adamax: invalid betas"),
    (lambda p: optim.NAdam(p, momentum_decay=-1), ValueError, "NAdam: invalid momentum_decay"),
    (lambda p: optim.RAdam(p, eps="1e-8"), TypeError, "RAdam: invalid eps '1e-8'"),
    (lambda p: optim.SGD(p, lr=0.1, bogus=1), TypeError, "unexpected keyword argument 'bogus'"),
    (lambda p: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
    (lambda p: optim.Adam(iter([])), ValueError, "optimizer got an empty parameter list"),
    (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "params should be an iterable of Tensors"),
    (lambda p: optim.SGD([mt.zeros(2, dtype=mt.int64)], lr=0.1), TypeError,
     r"SGD: can only optimize floating-point Tensors, but parameter 0 of group 0 "
     r"\(shape \(2,\)\) has dtype int64"),
    (lambda p: optim.SGD([{"params": p}, {"params": [nn.Parameter(mt.ones(1))], "lr": -2}],
                         lr=0.1), ValueError, "invalid lr -2 in group 1"),
])
def test_bad_constructor_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make([nn.Parameter(mt.ones(2))])


def test_pytorch_keywords_that_change_nothing_are_accepted():
    p = [nn.Parameter(mt.ones(2))]
    for opt in (optim.SGD(p, foreach=True, fused=False), optim.Adam(p, foreach=False, fused=True),
                optim.RMSprop(p, foreach=True, capturable=False), optim.Adagrad(p, fused=None),
                optim.NAdam(p, differentiable=False)):
        p[0].grad = mt.ones(2)
        opt.step()
    assert np.all(np.isfinite(p[0].detach().numpy()))


def test_add_param_group_errors_change_nothing():
    a = nn.Parameter(mt.ones(2))
    opt = optim.Adam([a])
    for group, message in [({"params": [nn.Parameter(mt.ones(1))], "lr": "x"}, "invalid lr 'x' "
                                                                            "in group 1"),
                           ({"params": [a]}, "more than one parameter group"),
                           ({"params": [mt.zeros(1, dtype=mt.int64)]}, "floating-point")]:
        with pytest.raises((TypeError, ValueError), match=message):
            opt.add_param_group(group)
        assert len(opt.param_groups) == 1


# --- load_state_dict: the state must fit, checked before anything changes --------------

def test_adam_refuses_an_sgd_state_dict():
    _, sgd = trained("SGD")
    params, adam = trained("Adam")
    before = snapshot(params, adam)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: parameter group 0 of the loaded "
                                         r"state dict lacks \['amsgrad', 'betas', 'eps'\]"):
        adam.load_state_dict(sgd.state_dict())
    assert_unchanged(before, params, adam)
    adam.step()  # still works


COMPATIBLE = {("Adam", "AdamW"), ("AdamW", "Adam"), ("Adam", "RAdam"), ("AdamW", "RAdam")}


@pytest.mark.parametrize("source, target", [
    pair for pair in itertools.permutations(MAKERS, 2) if pair not in COMPATIBLE])
def test_a_state_dict_of_another_optimizer_is_refused(source, target):
    _, other = trained(source)
    params, opt = trained(target)
    before = snapshot(params, opt)
    with pytest.raises(ValueError, match=f"{target}.load_state_dict: .*(lacks|does not fit)"):
        opt.load_state_dict(other.state_dict())
    assert_unchanged(before, params, opt)


def _broken(change):
    sd = trained("Adam")[1].state_dict()
    change(sd)
    return sd


@pytest.mark.parametrize("change, error, message", [
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), ValueError,
     "loaded state dict has 2 parameter groups, the optimizer has 1"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), ValueError,
     "parameter group 0 of the loaded state dict has 1 parameters, the optimizer's has 2"),
    (lambda sd: sd["param_groups"][0].update(lr="0.1"), TypeError,
     "invalid lr '0.1' in parameter group 0 of the loaded state dict"),
    (lambda sd: sd["param_groups"][0].update(betas=(0.9, 2.0)), ValueError, "invalid betas"),
    (lambda sd: sd["state"][1].pop("exp_avg_sq"), ValueError,
     r"state of parameter 1 does not fit Adam with these options: missing \['exp_avg_sq'\]"),
    (lambda sd: sd["state"][1].update(momentum_buffer=mt.ones(2, 2)), ValueError,
     r"unexpected \['momentum_buffer'\]"),
    (lambda sd: sd["state"][1].update(exp_avg=mt.ones(4)), ValueError,
     r"state 'exp_avg' of parameter 1 has shape \(4,\), the parameter has shape \(2, 2\)"),
    (lambda sd: sd["state"][0].update(exp_avg=np.array(["x", "y", "z"])), TypeError,
     "state 'exp_avg' of parameter 0 has dtype <U1; expected numbers"),
    (lambda sd: sd["state"][0].update(exp_avg=np.array([None] * 3, dtype=object)), TypeError,
     "has dtype object"),
    (lambda sd: sd["state"][0].update(step=-1), ValueError, "state 'step' of parameter 0 is -1"),
    (lambda sd: sd["state"][0].update(step=1.5), ValueError, "expected a count of steps"),
    (lambda sd: sd["state"][0].update(step="1"), TypeError, "state 'step' of parameter 0 is '1'"),
    (lambda sd: sd["state"].update({7: {}}), ValueError, "state for unknown parameter 7"),
    (lambda sd: sd.pop("state"), ValueError, "expected a dict with 'state' and 'param_groups'"),
])
def test_load_state_dict_errors_change_nothing(change, error, message):
    sd = _broken(change)
    params, opt = trained("Adam")
    before = snapshot(params, opt)
    with pytest.raises(error, match=message):
        opt.load_state_dict(sd)
    assert_unchanged(before, params, opt)


def test_an_older_state_dict_without_the_newer_flags_loads():
    params, opt = trained("Adam")
    sd = opt.state_dict()
    for key in ("foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay"):
        del sd["param_groups"][0][key]
    params2, opt2 = trained("Adam")
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["decoupled_weight_decay"] is False
    assert opt2.param_groups[0]["foreach"] is None


def test_a_state_with_pytorch_style_tensor_steps_loads():
    params, opt = trained("Adam")
    sd = opt.state_dict()
    sd["state"][0]["step"] = mt.tensor(1.0)  # PyTorch keeps step as a float tensor
    opt.load_state_dict(sd)
    assert opt.state[params[0]]["step"] == 1 and isinstance(opt.state[params[0]]["step"], int)
