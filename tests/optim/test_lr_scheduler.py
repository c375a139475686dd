"""Learning-rate schedulers: closed-form values, per-group base lrs, state dicts."""
import math

import pytest

import minitorch as mt
from minitorch import nn, optim
from minitorch.optim import lr_scheduler


def make_optimizer(lrs=(0.1,)):
    groups = [{"params": [nn.Parameter(mt.zeros(1))], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=lrs[0])


def lrs_over(scheduler, optimizer, epochs):
    seen = []
    for _ in range(epochs):
        seen.append([g["lr"] for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return seen


def test_step_lr_decays_every_step_size_epochs():
    opt = make_optimizer((0.1, 1.0))
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    seen = lrs_over(sched, opt, 6)
    expected = [[0.1 * 0.5 ** (e // 2), 1.0 * 0.5 ** (e // 2)] for e in range(6)]
    for got, want in zip(seen, expected, strict=True):
        assert got == pytest.approx(want)
    assert sched.get_last_lr() == pytest.approx([0.1 * 0.5 ** 3, 0.5 ** 3])


def test_cosine_annealing_follows_the_closed_form():
    opt = make_optimizer((0.2,))
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    seen = lrs_over(sched, opt, 11)
    for epoch, (lr,) in enumerate(seen):
        assert lr == pytest.approx(0.01 + 0.19 * (1 + math.cos(math.pi * epoch / 10)) / 2)
    assert seen[-1][0] == pytest.approx(0.01)


def test_lambda_lr_one_function_per_group():
    opt = make_optimizer((0.1, 0.2))
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 0.9 ** e, lambda e: 1.0 / (e + 1)])
    seen = lrs_over(sched, opt, 4)
    assert seen[3] == pytest.approx([0.1 * 0.9 ** 3, 0.2 / 4])
    with pytest.raises(ValueError, match="LambdaLR: expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])


def test_scheduler_state_dict_resumes():
    opt = make_optimizer()
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    lrs_over(sched, opt, 3)
    state = sched.state_dict()
    assert state["last_epoch"] == 3 and "optimizer" not in state
    opt2 = make_optimizer()
    sched2 = lr_scheduler.StepLR(opt2, step_size=1, gamma=0.5)
    sched2.load_state_dict(state)
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == pytest.approx(sched.get_last_lr())


def test_scheduler_errors():
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive int"):
        lr_scheduler.StepLR(make_optimizer(), step_size=0)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be positive"):
        lr_scheduler.CosineAnnealingLR(make_optimizer(), T_max=0)
    with pytest.raises(TypeError, match="StepLR: expected an Optimizer, got list"):
        lr_scheduler.StepLR([], step_size=1)
