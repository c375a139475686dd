"""Every optimizer against a reference update rule written in NumPy from PyTorch's
documented algorithm (float64), state names, defaults,
param groups, zero_grad, state-dict round trips and input errors."""
import collections
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch import nn, optim

SHAPES = [(4, 3), (3,), (2, 2, 2)]
STEPS = 12


def reference_sgd(params, grads_fn, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
                  nesterov=False, maximize=False):
    params = [p.copy() for p in params]
    bufs = [None] * len(params)
    for t in range(STEPS):
        for i, g in enumerate(grads_fn(t, params)):
            g = -g if maximize else g
            g = g + weight_decay * params[i]
            if momentum:
                bufs[i] = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            params[i] = params[i] - lr * g
    return params


def reference_adam(params, grads_fn, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                   amsgrad=False, maximize=False, decoupled=False):
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    v_max = [np.zeros_like(p) for p in params]
    b1, b2 = betas
    for t in range(1, STEPS + 1):
        for i, g in enumerate(grads_fn(t - 1, params)):
            g = -g if maximize else g
            if decoupled:
                params[i] = params[i] * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * params[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            v_max[i] = np.maximum(v_max[i], v[i])
            second = v_max[i] if amsgrad else v[i]
            m_hat, v_hat = m[i] / (1 - b1 ** t), second / (1 - b2 ** t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s) for s in SHAPES]
    noise = [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]

    def grads_fn(t, params):  # gradients that depend on the current parameters
        return [n + 0.5 * p for n, p in zip(noise[t], params, strict=True)]

    return start, grads_fn


def run(optimizer_cls, start, grads_fn, steps=STEPS, **options):
    params = [nn.Parameter(mt.tensor(a, dtype=mt.float64)) for a in start]
    opt = optimizer_cls(params, **options)
    for t in range(steps):
        for p, g in zip(params, grads_fn(t, [p._data for p in params]), strict=True):
            p.grad = mt.tensor(g)
        opt.step()
    return [p._data for p in params], opt, params


SGD_OPTIONS = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, momentum=0.8, nesterov=True),
    dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.05),
    dict(lr=0.1, maximize=True),
    dict(lr=0.1, momentum=0.5, weight_decay=0.05, maximize=True),
]


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=lambda o: ",".join(o))
def test_sgd_matches_reference_rule(options):
    start, grads_fn = make_problem()
    got, _, _ = run(optim.SGD, start, grads_fn, **options)
    for a, b in zip(got, reference_sgd(start, grads_fn, **options), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


ADAM_OPTIONS = [
    dict(lr=0.01),
    dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True),
]


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=lambda o: ",".join(o))
def test_adam_matches_reference_rule(options):
    start, grads_fn = make_problem(1)
    got, _, _ = run(optim.Adam, start, grads_fn, **options)
    for a, b in zip(got, reference_adam(start, grads_fn, **options), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("options", [dict(lr=0.01), dict(lr=0.01, weight_decay=0.3),
                                     dict(lr=0.02, weight_decay=0.1, amsgrad=True,
                                          betas=(0.5, 0.9))], ids=lambda o: ",".join(o))
def test_adamw_matches_reference_rule(options):
    start, grads_fn = make_problem(2)
    options_with_default = {"weight_decay": 1e-2, **options}
    got, _, _ = run(optim.AdamW, start, grads_fn, **options)
    expected = reference_adam(start, grads_fn, decoupled=True, **options_with_default)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# --- the other optimizers: one reference step each, written from PyTorch's documented
# algorithm (p: parameter, g: gradient, s: the parameter's state dict, t: step number)

def _decayed(p, g, weight_decay=0.0, maximize=False, **_):
    g = -g if maximize else g
    return g + weight_decay * p


def rmsprop_rule(p, g, s, t, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
    g = _decayed(p, g, weight_decay, maximize)
    s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
    v = s["v"]
    if centered:
        s["g_avg"] = alpha * s.get("g_avg", 0.0) + (1 - alpha) * g
        v = v - s["g_avg"] ** 2
    if momentum > 0:
        s["b"] = momentum * s.get("b", 0.0) + g / (np.sqrt(v) + eps)
        return p - lr * s["b"]
    return p - lr * g / (np.sqrt(v) + eps)


def adagrad_rule(p, g, s, t, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    g = _decayed(p, g, weight_decay, maximize)
    clr = lr / (1 + (t - 1) * lr_decay)
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return p - clr * g / (np.sqrt(s["sum"]) + eps)


def adadelta_rule(p, g, s, t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    g = _decayed(p, g, weight_decay, maximize)
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("u", 0.0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0.0) + (1 - rho) * delta * delta
    return p - lr * delta


def adamax_rule(p, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                maximize=False):
    g = _decayed(p, g, weight_decay, maximize)
    b1, b2 = betas
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g) + eps)
    return p - lr / (1 - b1 ** t) * s["m"] / s["u"]


def nadam_rule(p, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):
    g = -g if maximize else g
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    b1, b2 = betas
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    s["mu_product"] = s.get("mu_product", 1.0) * mu
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    m_hat = (mu_next * s["m"] / (1 - s["mu_product"] * mu_next)
             + (1 - mu) * g / (1 - s["mu_product"]))
    v_hat = s["v"] / (1 - b2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def radam_rule(p, g, s, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               decoupled_weight_decay=False, maximize=False):
    g = -g if maximize else g
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    b1, b2 = betas
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    m_hat = s["m"] / (1 - b1 ** t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    if rho_t > 5:
        l_t = np.sqrt(1 - b2 ** t) / (np.sqrt(s["v"]) + eps)
        r_t = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return p - lr * m_hat * l_t * r_t
    return p - lr * m_hat


def reference(rule, start, grads_fn, **options):
    params = [p.copy() for p in start]
    states = [{} for _ in params]
    for t in range(1, STEPS + 1):
        for i, g in enumerate(grads_fn(t - 1, params)):
            params[i] = rule(params[i], g, states[i], t, **options)
    return params


OTHER_OPTIMIZERS = [
    (optim.RMSprop, rmsprop_rule, dict()),
    (optim.RMSprop, rmsprop_rule, dict(lr=0.01, momentum=0.9)),
    (optim.RMSprop, rmsprop_rule, dict(lr=0.01, centered=True)),
    (optim.RMSprop, rmsprop_rule, dict(lr=0.01, centered=True, momentum=0.5, alpha=0.9,
                                       weight_decay=0.1, eps=1e-3, maximize=True)),
    (optim.Adagrad, adagrad_rule, dict()),
    (optim.Adagrad, adagrad_rule, dict(lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                       initial_accumulator_value=0.5)),
    (optim.Adagrad, adagrad_rule, dict(lr=0.1, eps=1e-3, maximize=True)),
    (optim.Adadelta, adadelta_rule, dict()),
    (optim.Adadelta, adadelta_rule, dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1,
                                         maximize=True)),
    (optim.Adamax, adamax_rule, dict()),
    (optim.Adamax, adamax_rule, dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1,
                                     maximize=True)),
    (optim.NAdam, nadam_rule, dict()),
    (optim.NAdam, nadam_rule, dict(lr=0.01, momentum_decay=0.01, weight_decay=0.1)),
    (optim.NAdam, nadam_rule, dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1,
                                   maximize=True, betas=(0.5, 0.9))),
    (optim.RAdam, radam_rule, dict()),  # rho_t <= 5 for all 12 steps: the SGD branch
    (optim.RAdam, radam_rule, dict(lr=0.01, betas=(0.9, 0.9))),  # rectified from step 6
    (optim.RAdam, radam_rule, dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.5))),
    (optim.RAdam, radam_rule, dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1,
                                   maximize=True, betas=(0.9, 0.9))),
]


@pytest.mark.parametrize("cls, rule, options", OTHER_OPTIMIZERS,
                         ids=lambda x: getattr(x, "__name__", None) or ",".join(x) or "defaults")
def test_optimizer_matches_reference_rule(cls, rule, options):
    start, grads_fn = make_problem(4)
    got, _, _ = run(cls, start, grads_fn, **options)
    for a, b in zip(got, reference(rule, start, grads_fn, **options), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


def test_defaults_are_pytorchs():
    p = [nn.Parameter(mt.ones(1))]
    expected = {
        optim.SGD: dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False),
        optim.Adam: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
        optim.AdamW: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                          amsgrad=False, decoupled_weight_decay=True),
        optim.RMSprop: dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                            centered=False),
        optim.Adagrad: dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                            eps=1e-10),
        optim.Adadelta: dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
        optim.Adamax: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0),
        optim.NAdam: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                          momentum_decay=4e-3, decoupled_weight_decay=False),
        optim.RAdam: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                          decoupled_weight_decay=False),
    }
    for cls, values in expected.items():
        group = cls(p).param_groups[0]
        assert {k: group[k] for k in values} == values, cls.__name__
        assert group["maximize"] is False and group["foreach"] is None
        assert group["differentiable"] is False


STATE_KEYS = [
    (lambda ps: optim.SGD(ps, lr=0.1), set()),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), {"momentum_buffer"}),
    (lambda ps: optim.Adam(ps), {"step", "exp_avg", "exp_avg_sq"}),
    (lambda ps: optim.AdamW(ps, amsgrad=True), {"step", "exp_avg", "exp_avg_sq",
                                                "max_exp_avg_sq"}),
    (lambda ps: optim.RMSprop(ps), {"step", "square_avg"}),
    (lambda ps: optim.RMSprop(ps, momentum=0.9, centered=True),
     {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    (lambda ps: optim.Adagrad(ps), {"step", "sum"}),
    (lambda ps: optim.Adadelta(ps), {"step", "square_avg", "acc_delta"}),
    (lambda ps: optim.Adamax(ps), {"step", "exp_avg", "exp_inf"}),
    (lambda ps: optim.NAdam(ps), {"step", "mu_product", "exp_avg", "exp_avg_sq"}),
    (lambda ps: optim.RAdam(ps), {"step", "exp_avg", "exp_avg_sq"}),
]


@pytest.mark.parametrize("make, keys", STATE_KEYS, ids=lambda x: "" if callable(x) else
                         ",".join(sorted(x)) or "none")
def test_state_uses_pytorchs_names(make, keys):
    p = nn.Parameter(mt.ones(2, 3))
    opt = make([p])
    assert isinstance(opt.state, collections.defaultdict)
    p.grad = mt.ones(2, 3)
    opt.step()
    opt.step()
    assert set(opt.state[p]) == keys
    for key, value in opt.state[p].items():
        if key == "step":
            assert value == 2 and isinstance(value, int)
        elif key == "mu_product":
            assert isinstance(value, float)
        else:
            assert isinstance(value, mt.Tensor) and value.shape == (2, 3)
            assert value.numpy().dtype == np.float32
    sd = opt.state_dict()
    assert list(sd["state"]) == ([0] if keys else [])
    assert sd["param_groups"][0]["params"] == [0]


def test_adagrad_state_exists_from_the_start_as_in_pytorch():
    p = nn.Parameter(mt.ones(2))
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["step"] == 0
    np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), [0.25, 0.25])
    q = nn.Parameter(mt.ones(1))
    opt.add_param_group({"params": [q], "initial_accumulator_value": 1.0})
    np.testing.assert_array_equal(opt.state[q]["sum"].numpy(), [1.0])


def test_named_parameters_are_accepted_and_named_in_errors():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]
    model.weight.grad = mt.ones(2, 3)
    model.weight.grad.data = mt.ones(3, 2)  # a wrong shape that got past assignment
    with pytest.raises(ValueError, match=r"parameter 0 \('weight'\) of group 0"):
        opt.step()


def test_step_runs_in_place_without_a_graph_and_bumps_the_version():
    p = nn.Parameter(mt.ones(3))
    data, version = p._data, p._version
    (p * p).sum().backward()
    optim.Adam([p], lr=0.1).step()
    assert p._data is data and p.is_leaf and p.grad_fn is None and p._version == version + 1
    np.testing.assert_allclose(p._data, 0.9, rtol=1e-6)


def test_float32_parameters_stay_float32():
    layer = nn.Linear(3, 2)
    opt = optim.Adam(layer.parameters(), lr=0.1)
    layer(mt.randn(4, 3)).sum().backward()
    opt.step()
    assert all(p.dtype == mt.float32 for p in layer.parameters())
    assert all(s["exp_avg"].numpy().dtype == np.float32 for s in opt.state.values())


def test_parameters_without_grad_are_skipped():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(2))
    a.grad = mt.ones(2)
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    opt.step()
    np.testing.assert_allclose(a._data, 0.5)
    np.testing.assert_allclose(b._data, 1.0)
    assert b not in opt.state


def test_param_groups_have_their_own_hyper_parameters():
    a, b = nn.Parameter(mt.ones(1)), nn.Parameter(mt.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.0)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    a.grad, b.grad = mt.ones(1), mt.ones(1)
    opt.step()
    np.testing.assert_allclose([a._data[0], b._data[0]], [0.9, 0.5])
    c = nn.Parameter(mt.ones(1))
    opt.add_param_group({"params": c, "momentum": 0.9})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.9


def test_zero_grad_sets_to_none_or_zero():
    layer = nn.Linear(2, 2)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    layer(mt.randn(3, 2)).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert all(np.all(p.grad._data == 0) for p in layer.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in layer.parameters())


def test_closure_is_evaluated_with_grad_enabled():
    p = nn.Parameter(mt.tensor([2.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with mt.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and p._data[0] == pytest.approx(1.0)


ROUND_TRIP = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    "adadelta": lambda ps: optim.Adadelta(ps),
    "adamax": lambda ps: optim.Adamax(ps),
    "nadam": lambda ps: optim.NAdam(ps, lr=0.01),
    "radam": lambda ps: optim.RAdam(ps, lr=0.01, betas=(0.9, 0.9)),
}


@pytest.mark.parametrize("make", ROUND_TRIP.values(), ids=ROUND_TRIP.keys())
def test_state_dict_round_trip_continues_identically(make, tmp_path):
    start, grads_fn = make_problem(3)

    def fresh():
        params = [nn.Parameter(mt.tensor(a, dtype=mt.float64)) for a in start]
        return params, make(params)

    def steps(params, opt, ts):
        for t in ts:
            for p, g in zip(params, grads_fn(t, [p.detach().numpy() for p in params]),
                            strict=True):
                p.grad = mt.tensor(g)
            opt.step()

    params, opt = fresh()
    steps(params, opt, range(5))
    saved_params = [p.detach().numpy().copy() for p in params]
    saved = opt.state_dict()
    mt.save(saved, tmp_path / "opt.npz")
    steps(params, opt, range(5, 10))

    for loaded in (saved, mt.load(tmp_path / "opt.npz")):
        params2, opt2 = fresh()
        for p, data in zip(params2, saved_params, strict=True):
            p.data = mt.tensor(data)
        opt2.load_state_dict(loaded)
        steps(params2, opt2, range(5, 10))
        for a, b in zip(params, params2, strict=True):
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    # the saved dict was copied, not shared with the running optimizer
    for key, value in saved["state"][0].items():
        if isinstance(value, mt.Tensor):
            assert not np.array_equal(value.numpy(), opt.state[params[0]][key].numpy()), key


def test_state_dict_layout_is_pytorchs():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(3))
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = mt.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert list(sd["state"]) == [0] and sd["state"][0]["step"] == 1
    assert isinstance(sd["state"][0]["exp_avg"], mt.Tensor)


def test_load_state_dict_errors_are_raised_before_anything_changes():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(3))
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = mt.ones(2), mt.ones(3)
    opt.step()
    sd = opt.state_dict()
    other = optim.SGD([nn.Parameter(mt.ones(2))], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="parameter group 0 of the loaded state dict has 2 "
                                         "parameters, the optimizer's has 1"):
        other.load_state_dict(sd)
    swapped = optim.SGD([nn.Parameter(mt.ones(3)), nn.Parameter(mt.ones(2))], lr=0.7)
    with pytest.raises(ValueError, match=r"state 'momentum_buffer' of parameter 0 has shape "
                                         r"\(2,\), the parameter has shape \(3,\)"):
        swapped.load_state_dict(sd)
    assert swapped.param_groups[0]["lr"] == 0.7 and swapped.state == {}
    with pytest.raises(ValueError, match="loaded state dict has 2 parameter groups, the "
                                         "optimizer has 1"):
        opt.load_state_dict({"state": {}, "param_groups": sd["param_groups"] * 2})


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-1.0), "SGD: invalid lr -1.0"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), r"Adam: invalid betas \(0.9, 1.0\)"),
    (lambda p: optim.AdamW(p, eps=-1e-8), "AdamW: invalid eps"),
    (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
    (lambda p: optim.SGD(p[0], lr=0.1), "params should be an iterable of Tensors"),
    (lambda p: optim.SGD(set(p), lr=0.1), "got set"),
    (lambda p: optim.SGD([p[0], p[0]], lr=0.1), "more than one parameter group"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), "can't optimize a non-leaf Tensor"),
    (lambda p: optim.SGD([3.0], lr=0.1), "can only optimize Tensors"),
    (lambda p: optim.SGD([{"params": p}, {"params": p, "lr": -2}], lr=0.1), "invalid lr -2"),
])
def test_bad_arguments_are_reported(make, message):
    params = [nn.Parameter(mt.ones(2))]
    with pytest.raises((ValueError, TypeError), match=message):
        make(params)


def test_optimizer_repr_lists_groups():
    text = repr(optim.SGD([nn.Parameter(mt.ones(1))], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1" in text


def test_training_a_quadratic_converges():
    target = np.array([1.0, -2.0, 3.0])
    for opt_cls, options in [(optim.SGD, dict(lr=0.1, momentum=0.9)),
                             (optim.Adam, dict(lr=0.1)), (optim.AdamW, dict(lr=0.1))]:
        p = nn.Parameter(mt.zeros(3, dtype=mt.float64))
        opt = opt_cls([p], **options)
        for _ in range(300):
            opt.zero_grad()
            ((p - mt.tensor(target)) ** 2).sum().backward()
            opt.step()
        np.testing.assert_allclose(p._data, target, atol=0.05 if opt_cls is optim.AdamW else 1e-3)
        assert math.isfinite(p._data.sum())


def test_backward_through_a_graph_that_saved_the_old_weights_raises_after_step():
    layer = nn.Linear(2, 2)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    out = layer(mt.randn(3, 2, requires_grad=True)).sum()
    for p in layer.parameters():
        p.grad = mt.ones(*p.shape)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.backward()


def test_a_user_optimizer_written_as_in_pytorch_works():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @mt.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]  # a defaultdict(dict), as in PyTorch
                    state["step"] = state.get("step", 0) + 1
                    p.sub_(p.grad.sign(), alpha=group["lr"])

    p = nn.Parameter(mt.tensor([1.0, -2.0]))
    opt = SignSGD([p], lr=0.5)
    (p * p).sum().backward()
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.5, -1.5])
    sd = opt.state_dict()
    assert sd["state"] == {0: {"step": 1}} and sd["param_groups"][0]["lr"] == 0.5
    opt.load_state_dict(sd)
    assert opt.state[p]["step"] == 1


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]),
       lr=st.floats(1e-4, 0.5), weight_decay=st.sampled_from([0.0, 0.01, 0.3]),
       maximize=st.booleans(), beta1=st.floats(0.0, 0.95), beta2=st.floats(0.5, 0.999),
       eps=st.sampled_from([1e-8, 1e-3]), seed=st.integers(0, 2 ** 16))
def test_random_hyper_parameters_match_the_reference(name, lr, weight_decay, maximize, beta1,
                                                      beta2, eps, seed):
    options = dict(lr=lr, weight_decay=weight_decay, maximize=maximize, eps=eps)
    if name in ("Adamax", "NAdam", "RAdam"):
        options["betas"] = (beta1, beta2)
    elif name == "RMSprop":
        options.update(alpha=beta2, momentum=beta1, centered=seed % 2 == 0)
    elif name == "Adadelta":
        options["rho"] = beta2
    else:
        options["lr_decay"] = beta1 / 10
    rule = {"RMSprop": rmsprop_rule, "Adagrad": adagrad_rule, "Adadelta": adadelta_rule,
            "Adamax": adamax_rule, "NAdam": nadam_rule, "RAdam": radam_rule}[name]
    start, grads_fn = make_problem(seed)
    got, _, _ = run(getattr(optim, name), start, grads_fn, **options)
    for a, b in zip(got, reference(rule, start, grads_fn, **options), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
