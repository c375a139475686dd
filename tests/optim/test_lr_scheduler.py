"""Learning-rate schedulers: values from PyTorch's documented formulas, chaining, state
dicts, resuming in any order, and argument errors."""
import inspect
import math
import warnings

import numpy as np

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch import nn, optim
from minitorch.optim import lr_scheduler


def make_optimizer(lrs=(0.1,), cls=optim.SGD, **options):
    groups = [{"params": [nn.Parameter(mt.zeros(1))], "lr": lr} for lr in lrs]
    return cls(groups, lr=lrs[0], **options)


def lrs_over(scheduler, optimizer, epochs, metrics=None):
    """The lrs each epoch runs at (one list per epoch), stepping as a training loop does."""
    seen = []
    for epoch in range(epochs):
        seen.append([g["lr"] for g in optimizer.param_groups])
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[epoch])
    return seen


def assert_lrs(seen, expected):
    assert len(seen) == len(expected)
    for epoch, (got, want) in enumerate(zip(seen, expected, strict=True)):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), f"epoch {epoch}"


# --- values --------------------------------------------------------------------------

def test_step_lr_decays_every_step_size_epochs():
    opt = make_optimizer((0.1, 1.0))
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    seen = lrs_over(sched, opt, 6)
    assert_lrs(seen, [[0.1 * 0.5 ** (e // 2), 1.0 * 0.5 ** (e // 2)] for e in range(6)])
    assert sched.get_last_lr() == pytest.approx([0.1 * 0.5 ** 3, 0.5 ** 3])


def test_multistep_lr_counts_repeated_milestones():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.MultiStepLR(opt, milestones=[6, 2, 6], gamma=0.5)
    assert_lrs(lrs_over(sched, opt, 9),
               [[0.5 ** ((e >= 2) + 2 * (e >= 6))] for e in range(9)])


def test_exponential_lr():
    opt = make_optimizer((0.3, 1.0))
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.8)
    assert_lrs(lrs_over(sched, opt, 7), [[0.3 * 0.8 ** e, 0.8 ** e] for e in range(7)])


@pytest.mark.parametrize("options", [{}, dict(start_factor=0.25, total_iters=4),
                                     dict(start_factor=1.0, end_factor=0.1, total_iters=3)])
def test_linear_lr(options):
    start = options.get("start_factor", 1 / 3)
    end = options.get("end_factor", 1.0)
    total = options.get("total_iters", 5)
    opt = make_optimizer((0.2,))
    sched = lr_scheduler.LinearLR(opt, **options)
    assert_lrs(lrs_over(sched, opt, 9),
               [[0.2 * (start + (end - start) * min(e, total) / total)] for e in range(9)])


def test_cosine_annealing_follows_the_closed_form_past_t_max():
    opt = make_optimizer((0.2,))
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.01)
    assert_lrs(lrs_over(sched, opt, 16),
               [[0.01 + 0.19 * (1 + math.cos(math.pi * e / 5)) / 2] for e in range(16)])


def test_lambda_lr_one_function_per_group():
    opt = make_optimizer((0.1, 0.2))
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 0.9 ** e, lambda e: 1.0 / (e + 1)])
    assert_lrs(lrs_over(sched, opt, 4), [[0.1 * 0.9 ** e, 0.2 / (e + 1)] for e in range(4)])
    with pytest.raises(ValueError, match="LambdaLR: expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])


def test_cosine_annealing_warm_restarts():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.1)
    t_cur, t_i, expected = 0, 3, []
    for _ in range(22):  # periods of 3, 6, 12 epochs
        expected.append([0.1 + 0.9 * (1 + math.cos(math.pi * t_cur / t_i)) / 2])
        t_cur += 1
        if t_cur == t_i:
            t_cur, t_i = 0, t_i * 2
    assert_lrs(lrs_over(sched, opt, 22), expected)
    sched.step(4.5)  # a fractional epoch: inside the second period, 1.5 epochs in
    assert sched.get_last_lr() == pytest.approx([0.1 + 0.9 * (1 + math.cos(math.pi * 1.5 / 6)) / 2])


def one_cycle_expected(step, total, max_lr, pct=0.3, div=25.0, final_div=1e4, cos=True,
                       three_phase=False, momenta=(0.85, 0.95)):
    """PyTorch's documented 1cycle policy at ``step``: (lr, momentum)."""
    initial, top = max_lr / div, max_lr
    low = initial / final_div
    base_m, max_m = momenta
    if three_phase:
        phases = [(pct * total - 1, initial, top, max_m, base_m),
                  (2 * pct * total - 2, top, initial, base_m, max_m),
                  (total - 1, initial, low, max_m, max_m)]
    else:
        phases = [(pct * total - 1, initial, top, max_m, base_m),
                  (total - 1, top, low, base_m, max_m)]
    begin = 0.0
    for i, (end, lr0, lr1, m0, m1) in enumerate(phases):
        if step <= end or i == len(phases) - 1:
            frac = (step - begin) / (end - begin)
            if cos:
                shape = (1 + math.cos(math.pi * frac)) / 2
                return lr1 + (lr0 - lr1) * shape, m1 + (m0 - m1) * shape
            return lr0 + (lr1 - lr0) * frac, m0 + (m1 - m0) * frac
        begin = end


def test_one_cycle_defaults_are_pytorchs():
    defaults = {k: v.default for k, v in
                inspect.signature(lr_scheduler.OneCycleLR).parameters.items()}
    assert defaults == dict(optimizer=inspect.Parameter.empty, max_lr=inspect.Parameter.empty,
                            total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                            anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                            max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
                            three_phase=False, last_epoch=-1)


def test_one_cycle_lr_and_momentum_with_sgd():
    opt = make_optimizer((0.5,), momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=20)
    momenta = []
    for step in range(20):
        lr, momentum = one_cycle_expected(step, 20, 1.0)
        assert opt.param_groups[0]["lr"] == pytest.approx(lr, rel=1e-12)
        assert opt.param_groups[0]["momentum"] == pytest.approx(momentum, rel=1e-12)
        momenta.append(momentum)
        opt.step()
        if step < 19:
            sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.04 / 1e4)  # ends at initial/final_div
    sched.step()  # step 20 is allowed (PyTorch's bound), step 21 is not
    with pytest.raises(ValueError, match="tried to step 21 times; the specified number of "
                                         "total steps is 20"):
        sched.step()


def test_one_cycle_three_phase_linear_with_adam_betas_and_group_max_lrs():
    opt = make_optimizer((0.1, 0.1), cls=optim.Adam)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=[0.5, 2.0], epochs=4, steps_per_epoch=5,
                                    pct_start=0.25, anneal_strategy="linear", three_phase=True)
    for step in range(20):
        for group, max_lr in zip(opt.param_groups, (0.5, 2.0), strict=True):
            lr, momentum = one_cycle_expected(step, 20, max_lr, pct=0.25, cos=False,
                                              three_phase=True)
            assert group["lr"] == pytest.approx(lr, rel=1e-12)
            assert group["betas"] == pytest.approx((momentum, 0.999), rel=1e-12)
        opt.step()
        sched.step()


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_and_momentum(mode):
    """Triangle waves: up over 2 steps, down over 4; the amplitude scaled per mode."""
    opt = make_optimizer((5.0, 5.0), momentum=0.9)
    sched = lr_scheduler.CyclicLR(opt, base_lr=[0.1, 0.01], max_lr=1.0, step_size_up=2,
                                  step_size_down=4, mode=mode, gamma=0.9)
    for step in range(15):
        cycle, position = divmod(step, 6)
        rise = position / 2 if position <= 2 else (6 - position) / 4
        scale = {"triangular": 1.0, "triangular2": 0.5 ** cycle, "exp_range": 0.9 ** step}[mode]
        for group, base in zip(opt.param_groups, (0.1, 0.01), strict=True):
            assert group["lr"] == pytest.approx(base + (1.0 - base) * rise * scale, rel=1e-12)
            assert group["momentum"] == pytest.approx(0.9 - 0.1 * rise * scale, rel=1e-12)
        opt.step()
        sched.step()


def test_reduce_lr_on_plateau_min_rel_with_patience_and_cooldown():
    opt = make_optimizer((1.0, 0.02))
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1,
                                           min_lr=[0.0, 0.015])
    metrics = [1.0, 0.99995, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.5]
    # epoch 1: 0.99995 is not below 1.0 * (1 - 1e-4): bad (1); epoch 2: better;
    # 3, 4: bad (1, 2 > patience) -> halve after epoch 4, cooldown 1;
    # 5: ignored (cooldown); 6, 7: bad -> halve after 7 (group 1 stops at min_lr 0.015)
    seen = lrs_over(sched, opt, 9, metrics)
    assert_lrs(seen, [[1.0, 0.02]] * 5 + [[0.5, 0.015]] * 3 + [[0.25, 0.015]])
    assert sched.get_last_lr() == pytest.approx([0.25, 0.015])
    assert sched.best == 0.5 and sched.num_bad_epochs == 0


def test_reduce_lr_on_plateau_max_abs_and_eps():
    opt = make_optimizer((1e-7,))
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="max", threshold_mode="abs",
                                           threshold=0.1, patience=0, factor=0.5, eps=1e-7)
    seen = lrs_over(sched, opt, 3, [1.0, 1.05, 1.2])  # 1.05 is not above 1.0 + 0.1
    assert seen == [[1e-7]] * 3  # a reduction smaller than eps is skipped
    opt2 = make_optimizer((1.0,))
    sched2 = lr_scheduler.ReduceLROnPlateau(opt2, mode="max", threshold_mode="abs",
                                            threshold=0.1, patience=0, factor=0.5)
    assert_lrs(lrs_over(sched2, opt2, 4, [1.0, 1.05, 1.2, mt.tensor(1.25)]),
               [[1.0], [1.0], [0.5], [0.5]])
    assert sched2.get_last_lr() == [0.25]


def test_reduce_lr_on_plateau_defaults_are_pytorchs():
    sched = lr_scheduler.ReduceLROnPlateau(make_optimizer())
    assert (sched.mode, sched.factor, sched.patience, sched.threshold, sched.threshold_mode,
            sched.cooldown, sched.min_lrs, sched.eps) == ("min", 0.1, 10, 1e-4, "rel", 0,
                                                          [0], 1e-8)


def test_sequential_lr_warmup_then_exponential():
    opt = make_optimizer((1.0,))
    warmup = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
    decay = lr_scheduler.ExponentialLR(opt, gamma=0.8)
    sched = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[4])
    expected = [[0.1 + 0.9 * min(e, 3) / 3] for e in range(4)] + [[0.8 ** (e - 4)]
                                                                    for e in range(4, 9)]
    assert_lrs(lrs_over(sched, opt, 9), expected)


def test_schedulers_chain_as_in_pytorch():
    """PyTorch's documented example: ExponentialLR and MultiStepLR stepped together."""
    opt = make_optimizer((1.0,))
    first = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    second = lr_scheduler.MultiStepLR(opt, milestones=[3, 5], gamma=0.1)
    seen = []
    for _ in range(7):
        seen.append([opt.param_groups[0]["lr"]])
        opt.step()
        first.step()
        second.step()
    assert_lrs(seen, [[0.9 ** e * 0.1 ** ((e >= 3) + (e >= 5))] for e in range(7)])


def test_constant_polynomial_and_multiplicative_lr():
    opt = make_optimizer((0.6,))
    sched = lr_scheduler.ConstantLR(opt)  # factor 1/3 for 5 epochs
    assert_lrs(lrs_over(sched, opt, 8), [[0.6 / 3 if e < 5 else 0.6] for e in range(8)])
    opt = make_optimizer((0.6,))
    sched = lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
    assert_lrs(lrs_over(sched, opt, 7), [[0.6 * (1 - min(e, 4) / 4) ** 2] for e in range(7)])
    opt = make_optimizer((1.0, 2.0))
    sched = lr_scheduler.MultiplicativeLR(opt, [lambda e: 0.5, lambda e: 1 / (e + 1)])
    assert_lrs(lrs_over(sched, opt, 4), [[0.5 ** e, 2.0 / math.factorial(e + 1)] for e in range(4)])


def test_chained_scheduler_applies_each_in_turn():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2),
                                           lr_scheduler.ExponentialLR(opt, gamma=0.9)])
    assert_lrs(lrs_over(sched, opt, 5), [[0.9 ** e * (0.1 if e < 2 else 1)] for e in range(5)])
    assert sched.get_last_lr() == pytest.approx([0.9 ** 5])


def test_step_with_an_epoch_warns_and_uses_the_closed_form():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)` is "
                                         "deprecated"):
        sched.step(5)
    assert opt.param_groups[0]["lr"] == 0.25 and sched.last_epoch == 5


def test_a_user_scheduler_subclass_works_as_in_pytorch():
    class Halving(lr_scheduler.LRScheduler):
        def get_lr(self):
            return [base / 2 ** self.last_epoch for base in self.base_lrs]

    opt = make_optimizer((1.0,))
    assert_lrs(lrs_over(Halving(opt), opt, 3), [[1.0], [0.5], [0.25]])
    assert lr_scheduler._LRScheduler is lr_scheduler.LRScheduler


# --- state dicts and resuming ---------------------------------------------------------------

SCHEDULERS = {
    "StepLR": lambda o: lr_scheduler.StepLR(o, 3, 0.5),
    "MultiStepLR": lambda o: lr_scheduler.MultiStepLR(o, [2, 5, 6], 0.5),
    "ExponentialLR": lambda o: lr_scheduler.ExponentialLR(o, 0.8),
    "LinearLR": lambda o: lr_scheduler.LinearLR(o, 0.25, 1.0, 10),
    "CosineAnnealingLR": lambda o: lr_scheduler.CosineAnnealingLR(o, 10, 0.01),
    "LambdaLR": lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.9 ** e),
    "OneCycleLR": lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=20),
    "CosineAnnealingWarmRestarts":
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 3, 2, 0.01),
    "SequentialLR": lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, 0.1, 1.0, 3), lr_scheduler.ExponentialLR(o, 0.8)], [4]),
    "ReduceLROnPlateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=1, factor=0.5),
    "ConstantLR": lambda o: lr_scheduler.ConstantLR(o, 0.5, 9),
    "CyclicLR": lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=3, mode="triangular2"),
    "PolynomialLR": lambda o: lr_scheduler.PolynomialLR(o, 10, 2.0),
    "MultiplicativeLR": lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.9),
    "ChainedScheduler": lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.LinearLR(o, 0.5, 1.0, 9), lr_scheduler.ExponentialLR(o, 0.9)]),
}
METRICS = [1.0, 0.9, 0.95, 0.97, 0.99, 0.8, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0]
ORDERS = {
    "opt.load, build, sched.load": ("load_optimizer", "build", "load_scheduler"),
    "build, opt.load, sched.load": ("build", "load_optimizer", "load_scheduler"),
    "build, sched.load, opt.load": ("build", "load_scheduler", "load_optimizer"),
}
STOP, EPOCHS = 7, 12


def _fresh(cls):
    param = nn.Parameter(mt.zeros(1))
    options = dict(momentum=0.9) if cls is optim.SGD else {}
    return cls([param], lr=1.0, **options)


def _train(optimizer, scheduler, epochs, plateau):
    """(lr, momentum or beta1) each epoch runs at."""
    seen = []
    for epoch in epochs:
        group = optimizer.param_groups[0]
        seen.append((group["lr"], group.get("momentum", group.get("betas", (None,))[0])))
        optimizer.param_groups[0]["params"][0].grad = mt.ones(1)
        optimizer.step()
        scheduler.step(METRICS[epoch]) if plateau else scheduler.step()
    return seen


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name", SCHEDULERS)
@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam], ids=["sgd", "adam"])
def test_resuming_in_any_order_gives_the_uninterrupted_learning_rates(name, order, cls,
                                                                      tmp_path):
    make, plateau = SCHEDULERS[name], name == "ReduceLROnPlateau"
    opt = _fresh(cls)
    uninterrupted = _train(opt, make(opt), range(EPOCHS), plateau)

    opt = _fresh(cls)
    sched = make(opt)
    _train(opt, sched, range(STOP), plateau)
    mt.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
            tmp_path / "checkpoint.npz")
    checkpoint = mt.load(tmp_path / "checkpoint.npz")

    opt2, sched2 = _fresh(cls), None
    for action in ORDERS[order]:
        if action == "build":
            sched2 = make(opt2)
        elif action == "load_optimizer":
            opt2.load_state_dict(checkpoint["optimizer"])
        else:
            sched2.load_state_dict(checkpoint["scheduler"])
    resumed = _train(opt2, sched2, range(STOP, EPOCHS), plateau)
    expected = uninterrupted[STOP:]
    assert len(resumed) == len(expected)
    for got, want in zip(resumed, expected):  # (lr, momentum) pairs: pytest 9 approx is flat
        assert np.allclose(got, want, rtol=1e-12, atol=0), (got, want)


def test_scheduler_state_dict_is_a_copy_with_pytorchs_keys():
    opt = make_optimizer()
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    lrs_over(sched, opt, 3)
    state = sched.state_dict()
    assert {"last_epoch", "base_lrs", "_last_lr", "_step_count", "step_size",
            "gamma"} == set(state)
    assert state["last_epoch"] == 3 and state["base_lrs"] == [0.1]
    state["base_lrs"].append(5.0)
    assert sched.base_lrs == [0.1]


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = make_optimizer((1.0, 1.0))
    decay = Decay()
    sched = lr_scheduler.LambdaLR(opt, [decay, lambda e: 1.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    state["lr_lambdas"][0]["rate"] = 0.25
    opt2 = make_optimizer((1.0, 1.0))
    decay2 = Decay()
    sched2 = lr_scheduler.LambdaLR(opt2, [decay2, lambda e: 1.0])
    sched2.load_state_dict(state)
    assert decay2.rate == 0.25 and decay.rate == 0.5


def test_loading_another_schedulers_state_is_refused_before_anything_changes():
    opt = make_optimizer((0.1, 0.2))
    step = lr_scheduler.StepLR(opt, 2)
    cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    before = dict(cosine.__dict__), [dict(g) for g in opt.param_groups]
    with pytest.raises(ValueError, match=r"CosineAnnealingLR.load_state_dict: the state dict "
                                         r"does not fit CosineAnnealingLR: missing \['T_max', "
                                         r"'eta_min'\], unexpected \['gamma', 'step_size'\]"):
        cosine.load_state_dict(step.state_dict())
    other = lr_scheduler.StepLR(make_optimizer((0.1,)), 2)
    with pytest.raises(ValueError, match=r"base_lrs must hold one number per parameter group "
                                         r"\(2\), got \[0.1\]"):
        step.load_state_dict(other.state_dict())
    with pytest.raises(TypeError, match="expected a dict"):
        step.load_state_dict([1, 2])
    assert cosine.__dict__ == before[0] and [dict(g) for g in opt.param_groups] == before[1]


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError,
     "StepLR: step_size must be a positive int"),
    (lambda o: lr_scheduler.StepLR([], step_size=1), TypeError,
     "StepLR: expected an Optimizer, got list"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma="0.9"), TypeError,
     "ExponentialLR: gamma must be a real number"),
    (lambda o: lr_scheduler.MultiStepLR(o, [1.5]), TypeError, "milestones must be ints"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError,
     r"start_factor must be in \(0, 1\]"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError,
     r"end_factor must be in \[0, 1\]"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError,
     "CosineAnnealingLR: T_max must be positive"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0 must be >= 1"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), TypeError,
     "T_mult must be an int"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0), ValueError,
     r"you must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=10, pct_start=1), ValueError,
     "a float between 0 and 1 for pct_start"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
     ValueError, "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda o: lr_scheduler.OneCycleLR(o, [1.0, 2.0], total_steps=10), ValueError,
     "expected 1 values for max_lr"),
    (lambda o: lr_scheduler.OneCycleLR(optim.Adagrad(o.param_groups[0]["params"]), 1.0,
                                       total_steps=10), ValueError,
     "optimizer must support momentum or beta1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError,
     "factor should be < 1.0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError,
     "mode must be 'min' or 'max'"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError,
     "threshold_mode must be 'rel' or 'abs'"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be"),
    (lambda o: lr_scheduler.SequentialLR(o, [], []), ValueError, "at least one scheduler"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ReduceLROnPlateau(o)], []),
     ValueError, "does not support ReduceLROnPlateau"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 1)], [2]), ValueError,
     "one milestone fewer than schedulers"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(make_optimizer(), 1)], []),
     ValueError, "belong to the same optimizer"),
    (lambda o: lr_scheduler.ConstantLR(o, factor=2), ValueError, r"factor must be in \[0, 1\]"),
    (lambda o: lr_scheduler.PolynomialLR(o, total_iters=0), ValueError, "total_iters must be >= 1"),
    (lambda o: lr_scheduler.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda must be callable"),
    (lambda o: lr_scheduler.ChainedScheduler([]), ValueError, "at least one scheduler"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError,
     "mode must be 'triangular', 'triangular2' or 'exp_range'"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=0), ValueError,
     "step sizes must be positive"),
    (lambda o: lr_scheduler.StepLR(o, 2, last_epoch=3), KeyError,
     "param 'initial_lr' is not specified"),
])
def test_scheduler_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(make_optimizer())


def test_reduce_lr_on_plateau_refuses_a_non_number_metric():
    sched = lr_scheduler.ReduceLROnPlateau(make_optimizer())
    with pytest.raises(TypeError, match="metrics must be a number or a one-element Tensor"):
        sched.step("low")
    assert sched.last_epoch == 0


def test_no_warnings_in_ordinary_use():
    opt = make_optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = lr_scheduler.CosineAnnealingLR(opt, 3)
        lrs_over(sched, opt, 3)


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["step", "multistep", "exponential", "linear", "cosine", "poly"]),
       lr=st.floats(1e-4, 10.0), gamma=st.floats(0.05, 1.0), size=st.integers(1, 6),
       milestones=st.lists(st.integers(0, 15), max_size=4))
def test_recursive_forms_follow_the_closed_forms(kind, lr, gamma, size, milestones):
    """step() uses PyTorch's chainable forms; they must give the documented closed form."""
    opt = make_optimizer((lr,))
    make, closed = {
        "step": (lambda: lr_scheduler.StepLR(opt, size, gamma),
                 lambda e: lr * gamma ** (e // size)),
        "multistep": (lambda: lr_scheduler.MultiStepLR(opt, milestones, gamma),
                      lambda e: lr * gamma ** sum(m <= e for m in milestones)),
        "exponential": (lambda: lr_scheduler.ExponentialLR(opt, gamma),
                        lambda e: lr * gamma ** e),
        "linear": (lambda: lr_scheduler.LinearLR(opt, gamma, 1.0, size),
                   lambda e: lr * (gamma + (1 - gamma) * min(e, size) / size)),
        "cosine": (lambda: lr_scheduler.CosineAnnealingLR(opt, size, lr * gamma / 2),
                   lambda e: lr * gamma / 2 + (lr - lr * gamma / 2)
                   * (1 + math.cos(math.pi * e / size)) / 2),
        "poly": (lambda: lr_scheduler.PolynomialLR(opt, size, 1 + gamma),
                 lambda e: lr * (1 - min(e, size) / size) ** (1 + gamma)),
    }[kind]
    seen = lrs_over(make(), opt, 16)
    for epoch, (got,) in enumerate(seen):
        assert got == pytest.approx(closed(epoch), rel=1e-9, abs=1e-12 * lr), epoch
