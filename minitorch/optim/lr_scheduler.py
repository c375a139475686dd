"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``: call ``scheduler.step()``
once per epoch (per batch for ``OneCycleLR``), after ``optimizer.step()``.

As in PyTorch, ``step()`` uses each scheduler's chainable (recursive) form, which
changes the groups' current ``lr`` (so two schedulers may be applied one after the
other), and the deprecated ``step(epoch)`` the closed form where PyTorch has one.
A scheduler records ``initial_lr`` in each parameter group and keeps ``base_lrs``,
``last_epoch`` and ``_last_lr`` in its state dict.

Resuming: ``load_state_dict`` also sets every group's ``lr`` (and the momentum a
cycling scheduler drives) to the scheduler's last values, so the next epoch runs at
the uninterrupted run's rate whatever the order in which the optimizer and the
scheduler were built and loaded. (In PyTorch, building LinearLR, ConstantLR, LambdaLR,
OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts, SequentialLR or ChainedScheduler
after loading the optimizer's state resumes at a wrong rate; here every order works.)
"""
import bisect
import collections
import copy
import math
import numbers
import types
import warnings

from ..autograd.tracing import replayed_as_call
from .optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` is deprecated (as in PyTorch); call "
    "`scheduler.step()` without it.")


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check(condition, error, message):
    if not condition:
        raise error(message)


def _check_optimizer(owner, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")


def _check_real(owner, name, value):
    _check(_is_real(value), TypeError,
           f"{owner}: {name} must be a real number, got {type(value).__name__} {value!r}")


def _check_int(owner, name, value, low):
    _check(isinstance(value, numbers.Integral) and not isinstance(value, bool), TypeError,
           f"{owner}: {name} must be an int, got {type(value).__name__} {value!r}")
    _check(value >= low, ValueError, f"{owner}: {name} must be >= {low}, got {value}")


class LRScheduler:
    """Base class. A subclass defines ``get_lr()``: the learning rates at
    ``self.last_epoch``, one per parameter group, computed from the groups' current
    ``lr`` (chainable form) or from ``self.base_lrs``; and optionally
    ``_get_closed_form_lr()`` for ``step(epoch)``.

    ``last_epoch=-1`` starts a schedule (recording ``initial_lr`` in each group); a
    larger value resumes one, and then every group needs an ``initial_lr`` (KeyError
    otherwise, as in PyTorch).
    """

    _is_initial = False  # True during the step made by the constructor

    def __init__(self, optimizer, last_epoch=-1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        _check(isinstance(last_epoch, int) and last_epoch >= -1, ValueError,
               f"{name}: last_epoch must be an int >= -1, got {last_epoch!r}")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{name}: param 'initial_lr' is not specified in "
                               f"param_groups[{i}] when resuming a schedule (last_epoch="
                               f"{last_epoch}); load the optimizer's state dict first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # mt.compile calls step() again at each replay
            cls.step = replayed_as_call(cls.step)

    def _initial_step(self):
        """The step made on construction (it sets the first epoch's learning rates)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial  # back to the class's False

    def get_lr(self):
        """The learning rates for ``self.last_epoch``, one per parameter group."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    @replayed_as_call
    def step(self, epoch=None):
        """Advance one epoch and set the groups' learning rates. ``epoch`` (deprecated,
        as in PyTorch) jumps to that epoch, with the closed form where there is one."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the last ``step()``, one per group (a new list)."""
        return list(self._last_lr)

    # --- state dict -----------------------------------------------------------

    def state_dict(self):
        """A copy of the scheduler's attributes but the optimizer (PyTorch's layout:
        ``last_epoch``, ``base_lrs``, ``_last_lr``, ``_step_count`` and the
        scheduler's own settings); ``mt.save`` can write it."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict()`` of the same kind of scheduler, and
        set the groups' ``lr`` to its last learning rates (see the module's doc).
        Checked first: a state of another scheduler or for another number of
        parameter groups raises ValueError, and then nothing has changed."""
        self._check_state(state_dict)
        self.__dict__.update(copy.deepcopy(state_dict))
        self._restore_lrs()

    def _check_state(self, state_dict):
        name = f"{type(self).__name__}.load_state_dict"
        _check(isinstance(state_dict, dict), TypeError,
               f"{name}: expected a dict (from state_dict()), got {type(state_dict).__name__}")
        expected = set(self.state_dict())
        missing, extra = sorted(expected - set(state_dict)), sorted(set(state_dict) - expected)
        _check(not missing and not extra, ValueError,
               f"{name}: the state dict does not fit {type(self).__name__}: missing "
               f"{missing}, unexpected {extra} (a state dict of another scheduler?)")
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr", "min_lrs"):
            if key in state_dict:
                values = state_dict[key]
                _check(isinstance(values, (list, tuple)) and len(values) == groups
                       and all(_is_real(v) for v in values), ValueError,
                       f"{name}: {key} must hold one number per parameter group "
                       f"({groups}), got {values!r}")
        _check(isinstance(state_dict.get("last_epoch", 0), int), TypeError,
               f"{name}: last_epoch must be an int, got {state_dict.get('last_epoch')!r}")

    def _restore_lrs(self):
        for group, lr in zip(self.optimizer.param_groups, self._last_lr, strict=True):
            group["lr"] = lr


_LRScheduler = LRScheduler  # PyTorch's old name


class LambdaLR(LRScheduler):
    """lr = initial_lr * lr_lambda(epoch): one function, or a list of one per group.
    The state dict holds the ``__dict__`` of callable objects and None for plain
    functions, which are not saved (as in PyTorch)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer("LambdaLR", optimizer)
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType)
                               else copy.deepcopy(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        self._check_state(state_dict)
        saved = state_dict["lr_lambdas"]
        _check(isinstance(saved, (list, tuple)) and len(saved) == len(self.lr_lambdas),
               ValueError, f"{type(self).__name__}.load_state_dict: expected "
               f"{len(self.lr_lambdas)} lr_lambdas states, got {saved!r}")
        self.__dict__.update(copy.deepcopy({k: v for k, v in state_dict.items()
                                            if k != "lr_lambdas"}))
        for fn, fn_state in zip(self.lr_lambdas, saved, strict=True):
            if fn_state is not None:
                fn.__dict__.update(copy.deepcopy(fn_state))
        self._restore_lrs()


def _lambdas(owner, optimizer, lr_lambda):
    """One callable per parameter group, from one callable or a list of them."""
    groups = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        _check(len(lr_lambda) == groups, ValueError,
               f"{owner}: expected {groups} lr_lambdas (one per parameter group), "
               f"got {len(lr_lambda)}")
        lambdas = list(lr_lambda)
    else:
        lambdas = [lr_lambda] * groups
    for fn in lambdas:
        _check(callable(fn), TypeError,
               f"{owner}: lr_lambda must be callable, got {type(fn).__name__}")
    return lambdas


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs:
    lr = initial_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check(isinstance(step_size, int) and step_size > 0, ValueError,
               f"StepLR: step_size must be a positive int, got {step_size!r}")
        _check_real("StepLR", "gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch in ``milestones`` (by gamma**n for
    a milestone listed n times): lr = initial_lr * gamma ** (milestones passed)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        _check(all(isinstance(m, int) and not isinstance(m, bool) for m in milestones),
               TypeError, f"MultiStepLR: milestones must be ints, got {milestones!r}")
        _check_real("MultiStepLR", "gamma", gamma)
        self.milestones = collections.Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch not in self.milestones:
            return lrs
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in lrs]

    def _get_closed_form_lr(self):
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = collections.Counter({int(k): v for k, v in self.milestones.items()})


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: lr = initial_lr * gamma ** epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_real("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        return lrs if self._is_initial else [lr * self.gamma for lr in lrs]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class MultiplicativeLR(LRScheduler):
    """Multiply the lr by ``lr_lambda(epoch)`` every epoch after the first (one
    function, or a list of one per group)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer("MultiplicativeLR", optimizer)
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self._is_initial:
            return lrs
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, lrs, strict=True)]

    state_dict = LambdaLR.state_dict
    load_state_dict = LambdaLR.load_state_dict


class ConstantLR(LRScheduler):
    """Multiply the lr by ``factor`` for the first ``total_iters`` epochs:
    lr = initial_lr * (factor if epoch < total_iters else 1)."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        _check_real("ConstantLR", "factor", factor)
        _check(0 <= factor <= 1, ValueError,
               f"ConstantLR: factor must be in [0, 1], got {factor}")
        _check_int("ConstantLR", "total_iters", total_iters, 0)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch != self.total_iters:
            return lrs
        return [lr * (1.0 / self.factor) for lr in lrs]

    def _get_closed_form_lr(self):
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base_lr * factor for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Polynomial decay to 0 over ``total_iters`` epochs, then constant:
    lr = initial_lr * (1 - min(epoch, total_iters) / total_iters) ** power."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        _check_int("PolynomialLR", "total_iters", total_iters, 1)
        _check_real("PolynomialLR", "power", power)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        decay = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [lr * decay for lr in lrs]

    def _get_closed_form_lr(self):
        factor = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [base_lr * factor for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor``
    over ``total_iters`` epochs, then constant: lr = initial_lr * (start_factor +
    (end_factor - start_factor) * min(epoch, total_iters) / total_iters)."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        for name, value in (("start_factor", start_factor), ("end_factor", end_factor)):
            _check_real("LinearLR", name, value)
        _check(0 < start_factor <= 1, ValueError,
               f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        _check(0 <= end_factor <= 1, ValueError,
               f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        _check_int("LinearLR", "total_iters", total_iters, 1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        change = self.end_factor - self.start_factor
        ratio = 1 + change / (self.total_iters * self.start_factor
                              + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in lrs]

    def _get_closed_form_lr(self):
        factor = self.start_factor + (self.end_factor - self.start_factor) * min(
            self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * factor for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial lr to ``eta_min`` over ``T_max`` epochs
    (SGDR without restarts; past T_max the cosine goes on):
    lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2,
    computed recursively by ``step()`` as in PyTorch."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_real("CosineAnnealingLR", "T_max", T_max)
        _check(T_max > 0, ValueError, f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        _check_real("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups, epoch, t_max, eta_min = (self.optimizer.param_groups, self.last_epoch,
                                         self.T_max, self.eta_min)
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and epoch > 0:
            return self._get_closed_form_lr()
        if (epoch - 1 - t_max) % (2 * t_max) == 0:  # leaving the minimum: the ratio is 0/0
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]
        ratio = (1 + math.cos(math.pi * epoch / t_max)) / (
            1 + math.cos(math.pi * (epoch - 1) / t_max))
        return [eta_min + ratio * (group["lr"] - eta_min) for group in groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter): cosine annealing from the initial lr to ``eta_min``
    over T_i epochs, then a restart; T_0 = first period, T_i grows by ``T_mult``:
    lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2.
    ``step(epoch)`` may be given a fractional epoch (e.g. ``epoch + i / iters``)."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        name = "CosineAnnealingWarmRestarts"
        _check_int(name, "T_0", T_0, 1)
        _check_int(name, "T_mult", T_mult, 1)
        _check_real(name, "eta_min", eta_min)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or go to ``epoch`` (a float is allowed)."""
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            _check(_is_real(epoch) and epoch >= 0, ValueError,
                   f"CosineAnnealingWarmRestarts: expected a non-negative epoch, got {epoch!r}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class _CyclingScheduler(LRScheduler):
    """OneCycleLR and CyclicLR: closed-form lrs (``_values_at``) that also move the
    momentum (or Adam's beta1) when ``cycle_momentum`` is set."""

    def _values_at(self, step):
        """(lrs, momentums) at ``step``."""
        raise NotImplementedError

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _start_momentum(self, owner, optimizer, max_momentum, base_momentum, last_epoch):
        """Check the optimizer has a momentum; on a fresh start set it to the top.
        Returns the (max, base) momentum of each group."""
        _check("momentum" in optimizer.defaults or "betas" in optimizer.defaults,
               ValueError, f"{owner}: optimizer must support momentum or beta1 with the "
               "`cycle_momentum` option enabled")
        self.use_beta1 = "betas" in optimizer.defaults
        tops = _per_group(owner, "max_momentum", optimizer, max_momentum)
        bottoms = _per_group(owner, "base_momentum", optimizer, base_momentum)
        if last_epoch == -1:
            for group, top, bottom in zip(optimizer.param_groups, tops, bottoms, strict=True):
                self._set_momentum(group, top)
                group["max_momentum"] = top
                group["base_momentum"] = bottom
        return tops, bottoms

    def get_lr(self):
        lrs, momentums = self._values_at(self.last_epoch)
        for group, momentum in zip(self.optimizer.param_groups, momentums):
            self._set_momentum(group, momentum)
        return lrs

    def _restore_lrs(self):
        super()._restore_lrs()
        if self.cycle_momentum and self.last_epoch >= 0:
            _, momentums = self._values_at(self.last_epoch)
            for group, momentum in zip(self.optimizer.param_groups, momentums):
                self._set_momentum(group, momentum)


class OneCycleLR(_CyclingScheduler):
    """The 1cycle policy (Smith & Topin), as ``torch.optim.lr_scheduler.OneCycleLR``:
    call ``step()`` after every batch. The lr goes from max_lr / div_factor up to
    ``max_lr`` over the first ``pct_start`` of ``total_steps`` (or ``epochs *
    steps_per_epoch``), then down to initial_lr / final_div_factor, annealed by
    cosine (``anneal_strategy='cos'``) or linearly; with ``three_phase=True`` it goes
    back to the initial lr first, symmetrically, then down to the minimum. With
    ``cycle_momentum`` the momentum (or Adam's beta1) moves inversely between
    ``max_momentum`` and ``base_momentum``. Stepping past total_steps raises
    ValueError. Values follow PyTorch's implementation step for step."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
                 base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                 final_div_factor=1e4, three_phase=False, last_epoch=-1):
        name = "OneCycleLR"
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            _check_int(name, "total_steps", total_steps, 1)
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            _check_int(name, "epochs", epochs, 1)
            _check_int(name, "steps_per_epoch", steps_per_epoch, 1)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{name}: you must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        _check(isinstance(pct_start, float) and 0 <= pct_start <= 1, ValueError,
               f"{name}: expected a float between 0 and 1 for pct_start, got {pct_start!r}")
        _check(anneal_strategy in ("cos", "linear"), ValueError,
               f"{name}: anneal_strategy must be one of 'cos' or 'linear', got "
               f"{anneal_strategy!r}")
        for key, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            _check_real(name, key, value)
        up_end = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                {"end_step": up_end, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * self.total_steps) - 2,
                 "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "initial_lr",
                 "end_lr": "min_lr", "start_momentum": "max_momentum",
                 "end_momentum": "max_momentum"}]
        else:
            self._schedule_phases = [
                {"end_step": up_end, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._start_momentum(name, optimizer, max_momentum, base_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _anneal(strategy, start, end, pct):
        if strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _values_at(self, step_num):
        """(lrs, momentums) at step ``step_num`` (closed form, from the groups'
        initial_lr / max_lr / min_lr and momenta)."""
        if step_num > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step_num} times; the specified "
                             f"number of total steps is {self.total_steps}")
        lrs, momentums = [], []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(self._anneal_func_type, group[phase["start_lr"]],
                                            group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentums.append(self._anneal(
                            self._anneal_func_type, group[phase["start_momentum"]],
                            group[phase["end_momentum"]], pct))
                    break
                start_step = phase["end_step"]
        return lrs, momentums

class CyclicLR(_CyclingScheduler):
    """Cyclical learning rates (Smith), as ``torch.optim.lr_scheduler.CyclicLR``: call
    ``step()`` after every batch. The lr rises linearly from ``base_lr`` to ``max_lr``
    over ``step_size_up`` steps and falls back over ``step_size_down`` (default: the
    same), the amplitude scaled per cycle by ``mode``: 'triangular' (constant),
    'triangular2' (halved each cycle), 'exp_range' (``gamma ** step``), or by
    ``scale_fn`` (of the cycle or the step, per ``scale_mode``). With
    ``cycle_momentum`` the momentum (or beta1) moves inversely between
    ``max_momentum`` and ``base_momentum``. Building it sets the groups' lr to
    ``base_lr``."""

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        name = "CyclicLR"
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        base_lrs = _per_group(name, "base_lr", optimizer, base_lr)
        self.max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        _check_real(name, "step_size_up", step_size_up)
        _check(step_size_down is None or _is_real(step_size_down), TypeError,
               f"{name}: step_size_down must be a number or None, got {step_size_down!r}")
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        _check(up > 0 and down >= 0, ValueError, f"{name}: step sizes must be positive, got "
                                                 f"{step_size_up!r} and {step_size_down!r}")
        _check(mode in ("triangular", "triangular2", "exp_range") or scale_fn is not None,
               ValueError, f"{name}: mode must be 'triangular', 'triangular2' or 'exp_range' "
                           f"(or give scale_fn), got {mode!r}")
        _check(scale_fn is None or callable(scale_fn), TypeError,
               f"{name}: scale_fn must be callable, got {type(scale_fn).__name__}")
        _check(scale_mode in ("cycle", "iterations"), ValueError,
               f"{name}: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        _check_real(name, "gamma", gamma)
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = lr
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.max_momentums, self.base_momentums = self._start_momentum(
                name, optimizer, max_momentum, base_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The amplitude's scale at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _values_at(self, step):
        """(lrs, momentums) at ``step``, in closed form."""
        cycle = math.floor(1 + step / self.total_size)
        x = 1.0 + step / self.total_size - cycle
        rise = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = rise * self.scale_fn(cycle if self.scale_mode == "cycle" else step)
        lrs = [low + (high - low) * scale
               for low, high in zip(self.base_lrs, self.max_lrs, strict=True)]
        momentums = []
        if self.cycle_momentum:
            momentums = [high - (high - low) * scale for low, high in
                         zip(self.base_momentums, self.max_momentums, strict=True)]
        return lrs, momentums

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_scale_fn_custom")}
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (None if fn is None or isinstance(fn, types.FunctionType)
                                     else copy.deepcopy(fn.__dict__))
        return state

    def load_state_dict(self, state_dict):
        self._check_state(state_dict)
        saved = state_dict["_scale_fn_custom"]
        self.__dict__.update(copy.deepcopy({k: v for k, v in state_dict.items()
                                            if k != "_scale_fn_custom"}))
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(copy.deepcopy(saved))
        self._restore_lrs()


def _per_group(owner, name, optimizer, value):
    """``value`` for each parameter group: a list/tuple of one per group, or one number."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        _check(len(value) == groups, ValueError,
               f"{owner}: expected {groups} values for {name} (one per parameter group), "
               f"got {len(value)}")
        values = list(value)
    else:
        values = [value] * groups
    for v in values:
        _check_real(owner, name, v)
    return values


def _check_schedulers(owner, optimizer, schedulers):
    """The schedulers of a SequentialLR or ChainedScheduler, checked."""
    schedulers = list(schedulers)
    _check(len(schedulers) >= 1, ValueError,
           f"{owner} expects at least one scheduler, but got none")
    for i, scheduler in enumerate(schedulers):
        _check(isinstance(scheduler, LRScheduler), TypeError,
               f"{owner}: scheduler {i} is a {type(scheduler).__name__}, not a scheduler")
        _check(not isinstance(scheduler, ReduceLROnPlateau), ValueError,
               f"{owner} does not support ReduceLROnPlateau (its step() needs a metric), "
               f"but scheduler {i} is one")
        _check(scheduler.optimizer is optimizer, ValueError,
               f"{owner} expects all schedulers to belong to the same optimizer, but "
               f"scheduler {i} ({type(scheduler).__name__}) has another one")
    return schedulers


class _SchedulerList(LRScheduler):
    """A scheduler made of others (``_schedulers``): its state dict holds theirs."""

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        self._check_state(state_dict)
        saved = state_dict["_schedulers"]
        _check(isinstance(saved, (list, tuple)) and len(saved) == len(self._schedulers),
               ValueError, f"{type(self).__name__}.load_state_dict: expected the states of "
               f"{len(self._schedulers)} schedulers, got {len(saved)}")
        for scheduler, scheduler_state in zip(self._schedulers, saved, strict=True):
            scheduler._check_state(scheduler_state)
        for scheduler, scheduler_state in zip(self._schedulers, saved, strict=True):
            scheduler.load_state_dict(scheduler_state)
        self.__dict__.update(copy.deepcopy({k: v for k, v in state_dict.items()
                                            if k != "_schedulers"}))
        self._restore_lrs()


class SequentialLR(_SchedulerList):
    """Run ``schedulers`` one after the other, switching at each epoch in
    ``milestones`` (one fewer than the schedulers); at a switch the next scheduler
    starts from its beginning (its closed form at epoch 0). All must drive
    ``optimizer``; ReduceLROnPlateau cannot be one of them."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        name = "SequentialLR"
        _check_optimizer(name, optimizer)
        schedulers, milestones = _check_schedulers(name, optimizer, schedulers), list(milestones)
        _check(len(milestones) == len(schedulers) - 1, ValueError,
               f"{name} expects one milestone fewer than schedulers, but got "
               f"{len(schedulers)} schedulers and {len(milestones)} milestones")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo the steps the schedulers made when built
            group["lr"] = group["initial_lr"]
        for scheduler in schedulers:
            _undo_initial_step(scheduler)
        first = schedulers[bisect.bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self):
        """Advance one epoch with the scheduler whose turn it is."""
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_SchedulerList):
    """Step all ``schedulers`` (chainable ones, on one optimizer) with one ``step()``,
    each applied to the lr the previous one left."""

    def __init__(self, schedulers, optimizer=None):
        name = "ChainedScheduler"
        schedulers = list(schedulers)
        _check(len(schedulers) >= 1, ValueError, f"{name} expects at least one scheduler, "
                                                 "but got none")
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_optimizer(name, optimizer)
        self._schedulers = _check_schedulers(name, optimizer, schedulers)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self):
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def _undo_initial_step(scheduler):
    if isinstance(scheduler, SequentialLR):
        for inner in scheduler._schedulers:
            _undo_initial_step(inner)
    else:
        scheduler.last_epoch -= 1


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric has stopped improving: call
    ``step(metric)`` after each validation. In ``mode='min'`` a value is better than
    the best so far when below ``best * (1 - threshold)`` (``threshold_mode='rel'``)
    or ``best - threshold`` (``'abs'``); ``'max'`` mirrors this. After more than
    ``patience`` epochs without improvement the lr becomes ``max(lr * factor,
    min_lr)`` (skipped when the change is below ``eps``), then ``cooldown`` epochs
    are ignored. As ``torch.optim.lr_scheduler.ReduceLROnPlateau``, with its
    defaults."""

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        name = "ReduceLROnPlateau"
        _check_optimizer(name, optimizer)
        _check_real(name, "factor", factor)
        _check(factor < 1.0, ValueError, f"{name}: factor should be < 1.0, got {factor}")
        _check_int(name, "patience", patience, 0)
        _check_int(name, "cooldown", cooldown, 0)
        for key, value in (("threshold", threshold), ("eps", eps)):
            _check_real(name, key, value)
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group(name, "min_lr", optimizer, min_lr)
        else:
            _check_real(name, "min_lr", min_lr)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode, threshold, threshold_mode):
        _check(mode in ("min", "max"), ValueError,
               f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        _check(threshold_mode in ("rel", "abs"), ValueError,
               f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
               f"{threshold_mode!r}")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        """Whether the metric value ``a`` improves on ``best`` (see the class doc)."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics, epoch=None):
        """Record this epoch's metric (a number or a one-element Tensor) and reduce
        the learning rates if it has not improved for more than ``patience`` epochs."""
        try:
            current = float(metrics)
        except (TypeError, ValueError) as error:
            raise TypeError(f"ReduceLROnPlateau.step: metrics must be a number or a "
                            f"one-element Tensor, got {type(metrics).__name__}") from error
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown are ignored
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups "
                    f"but min_lr was given for {len(self.min_lrs)}; set scheduler.min_lrs "
                    "to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict):
        self._check_state(state_dict)
        self._init_is_better(state_dict["mode"], state_dict["threshold"],
                             state_dict["threshold_mode"])
        super().load_state_dict(state_dict)
