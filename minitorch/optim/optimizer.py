"""``Optimizer``: parameter groups, per-parameter state, their checks, and the state dict.

The built-in optimizers share one ``step()``: it first checks every parameter's
gradient (a Tensor of the parameter's shape and dtype) and only then calls the
subclass's ``_update(group, params, grads)`` for each group, so a bad gradient
raises before any parameter or step counter changes. Updates work directly on the
parameters' arrays with in-place NumPy ufuncs (``out=``): no graph is recorded and,
once the state buffers exist, a step allocates nothing. Temporaries go into scratch
arrays shared by all parameters of the same dtype (``_work``).

As in PyTorch, ``optimizer.state`` is a ``collections.defaultdict(dict)`` from each
parameter to its buffers under PyTorch's names (``"step"``, ``"exp_avg"``, ...;
buffers are Tensors, ``step`` an int), and a state dict numbers the parameters in
group order. A user's own optimizer may subclass ``Optimizer`` and write its
``step()`` as in PyTorch.
"""
import collections
import math
import numbers

from ..autograd import enable_grad
from ..autograd.tracing import replayed_as_call
from ..backend import xp
from ..creation import from_numpy
from ..tensor import Tensor, reset_grads

# --- hyper-parameter checks --------------------------------------------------------
# Each takes the value and returns None when it is acceptable, or (error type, what
# the value must be). ``Optimizer._check_group`` turns that into a message naming the
# optimizer, the group, the hyper-parameter and the value.


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, xp.bool_))


def real(value):
    """Any real number."""
    return None if _is_real(value) else (TypeError, "must be a real number")


def non_negative(value):
    """A real number >= 0 (NaN is refused)."""
    if not _is_real(value):
        return TypeError, "must be a real number"
    return None if value >= 0 else (ValueError, "must be >= 0")


def in_unit_interval(value):
    """A real number in [0, 1]."""
    if not _is_real(value):
        return TypeError, "must be a real number"
    return None if 0 <= value <= 1 else (ValueError, "must be in [0, 1]")


def betas(value):
    """Two real numbers, each in [0, 1)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return TypeError, "must be a pair of real numbers (beta1, beta2)"
    if not all(_is_real(b) for b in value):
        return TypeError, "must be a pair of real numbers (beta1, beta2)"
    return None if all(0 <= b < 1 for b in value) else (ValueError, "each must be in [0, 1)")


def flag(value):
    """True or False."""
    return None if isinstance(value, (bool, xp.bool_)) else (TypeError, "must be True or False")


def optional_flag(value):
    """None, True or False (``foreach`` and ``fused``: accepted for PyTorch
    compatibility; minitorch has one implementation, which updates in place)."""
    return None if value is None else flag(value)


def unsupported_flag(value):
    """Only False: ``capturable`` (CUDA graphs) and ``differentiable`` (an update
    recorded by autograd) need machinery minitorch does not have."""
    if not isinstance(value, (bool, xp.bool_)):
        return TypeError, "must be True or False"
    return None if not value else (ValueError, "is not supported by minitorch (only False)")


# Flags that every PyTorch optimizer has; older minitorch state dicts lack them.
COMMON_FLAGS = {"maximize": flag, "foreach": optional_flag, "differentiable": unsupported_flag}


class Optimizer:
    """Base class: holds ``param_groups`` (a list of dicts, each with ``params`` and
    its own hyper-parameters), ``defaults`` and ``state`` (a
    ``collections.defaultdict(dict)`` from parameter to its buffers).

    ``params`` is an ordered iterable of Tensors, of ``(name, Tensor)`` pairs (as
    ``model.named_parameters()`` gives; the names are kept in ``param_names``) or of
    dicts defining groups. Raises TypeError for a non-Tensor or non-floating-point
    parameter, ValueError for an empty list, a non-leaf Tensor or a parameter in two
    groups, and TypeError/ValueError naming a bad hyper-parameter.
    """

    # name -> check (see above); the built-in optimizers list all of theirs.
    _hyperparameters = {}
    # keys that state dicts saved by older minitorch versions lack: the optimizer's
    # defaults fill them in.
    _optional_keys = frozenset({"foreach", "fused", "capturable", "differentiable"})

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, (Tensor, set, dict)):
            raise TypeError(
                f"{name}: params should be an iterable of Tensors or of dicts (an ordered "
                f"collection such as model.parameters()), got {type(params).__name__}")
        self.defaults = dict(defaults)
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        self._scratch = {}
        self._views = collections.defaultdict(dict)  # slot -> {param: (array, view)}
        self._scalar_cache = {}
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # mt.compile calls step() again at each replay
            cls.step = replayed_as_call(cls.step)

    def add_param_group(self, param_group):
        """Add a dict ``{"params": [...], "lr": ..., ...}``; missing options take the
        optimizer's defaults. Everything is checked before the group is added."""
        name = type(self).__name__
        index = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, "
                            f"got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, dict)) or params is None:
            raise TypeError(f"{name}: a parameter group's 'params' must be an ordered "
                            f"iterable of Tensors, got {type(params).__name__}")
        params = list(params)
        names = None
        if params and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
                          for p in params):
            names, params = [n for n, _ in params], [p for _, p in params]
        for i, p in enumerate(params):
            where = f"parameter {i} of group {index}"
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, but {where} is a "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor ({where}, "
                                 f"shape {tuple(p.shape)}); use a leaf such as a Parameter")
            if p._data.dtype.kind != "f":
                raise TypeError(f"{name}: can only optimize floating-point Tensors, but "
                                f"{where} (shape {tuple(p.shape)}) has dtype "
                                f"{p._data.dtype}")
        group = {**self.defaults, **param_group, "params": params}
        if names is not None:
            group["param_names"] = names
        self._check_group(group, f"group {index}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_group(self, group, where):
        """Raise TypeError/ValueError naming the first bad hyper-parameter of ``group``
        (``where`` says which group), before anything changes."""
        for key, check in self._hyperparameters.items():
            problem = check(group[key])
            if problem is not None:
                error, must = problem
                raise error(f"{type(self).__name__}: invalid {key} {group[key]!r} in "
                            f"{where} ({key} {must})")

    @replayed_as_call
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        for group in self.param_groups:
            reset_grads(group["params"], set_to_none)

    # --- the update -------------------------------------------------------------

    @replayed_as_call
    def step(self, closure=None):
        """Update every parameter that has a ``.grad`` once; returns ``closure()``'s
        loss (the closure runs with grad enabled, before the update).

        Raises TypeError/ValueError naming the parameter (group and position) when a
        gradient is not a Tensor of the parameter's shape and dtype; then no parameter
        and no state has changed."""
        loss = self._closure_loss(closure)
        for group, params, grads in self._params_with_grads():
            if params:
                self._update(group, params, grads)
        return loss

    def _update(self, group, params, grads):
        """Update ``params`` (Tensors) of ``group`` from ``grads`` (their gradients'
        ndarrays, already checked): each built-in optimizer's rule."""
        raise NotImplementedError(f"{type(self).__name__} must define step() (or _update())")

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grads(self):
        """For each group: the group, its parameters that have a gradient, and those
        gradients' arrays, after checking all of them."""
        batches = []
        for group in self.param_groups:
            params, grads = [], []
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if not isinstance(grad, Tensor):
                    self._bad_grad(p, grad)
                array = grad._data
                if array.shape != p._data.shape or array.dtype != p._data.dtype:
                    self._bad_grad(p, grad)
                params.append(p)
                grads.append(array)
            batches.append((group, params, grads))
        return batches

    def _bad_grad(self, p, grad):
        where = self._describe(p)
        if not isinstance(grad, Tensor):
            raise TypeError(f"{type(self).__name__}.step: the gradient of {where} is a "
                            f"{type(grad).__name__}, not a Tensor; nothing was updated")
        raise ValueError(
            f"{type(self).__name__}.step: the gradient of {where} has shape "
            f"{tuple(grad.shape)} and dtype {grad._data.dtype}, the parameter has shape "
            f"{tuple(p.shape)} and dtype {p._data.dtype}; nothing was updated")

    def _describe(self, p):
        """'parameter 1 ('fc.weight') of group 0' for error messages."""
        for g, group in enumerate(self.param_groups):
            for i, q in enumerate(group["params"]):
                if q is p:
                    names = group.get("param_names")
                    label = f" ({names[i]!r})" if names else ""
                    return f"parameter {i}{label} of group {g}"
        return "a parameter"

    def _gradient(self, p, grad, maximize, weight_decay):
        """The gradient the update uses: ``-grad`` if ``maximize``, plus
        ``weight_decay * p`` (the L2 penalty), as in PyTorch. A changed gradient goes
        into the scratch array ``_work(p)``; ``grad`` itself is never modified."""
        if weight_decay != 0:
            work = xp.multiply(p._data, *self._scalars(p._data.dtype, weight_decay),
                               out=self._work(p))
            return xp.subtract(work, grad, out=work) if maximize else xp.add(work, grad, out=work)
        if maximize:
            return xp.negative(grad, out=self._work(p))
        return grad

    def _weight_decayed(self, p, grad, group):
        """``_gradient`` for optimizers with PyTorch's ``decoupled_weight_decay`` flag:
        decoupled (AdamW), ``p`` shrinks by ``1 - lr * weight_decay`` in place and the
        gradient is left alone; otherwise the L2 term joins the gradient."""
        weight_decay = group["weight_decay"]
        if group["decoupled_weight_decay"]:
            if weight_decay != 0:
                p._data *= 1 - group["lr"] * weight_decay
            return self._gradient(p, grad, group["maximize"], 0)
        return self._gradient(p, grad, group["maximize"], weight_decay)

    @staticmethod
    def _update_moments(state, grad, one_minus_beta1, beta2, one_minus_beta2, scratch):
        """Adam's running averages, in place: ``exp_avg`` moves toward ``grad`` by
        ``1 - beta1`` (PyTorch's ``lerp_``), ``exp_avg_sq`` is ``beta2 * exp_avg_sq +
        (1 - beta2) * grad**2``. Returns both arrays."""
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        exp_avg += xp.multiply(xp.subtract(grad, exp_avg, out=scratch), one_minus_beta1,
                               out=scratch)
        exp_avg_sq *= beta2
        exp_avg_sq += xp.multiply(xp.multiply(grad, grad, out=scratch), one_minus_beta2,
                                  out=scratch)
        return exp_avg, exp_avg_sq

    def _scalars(self, dtype, *values):
        """``values`` as 0-d arrays of ``dtype`` (cached). NumPy combines an array with
        one of these about twice as fast as with a Python float, and computes the same
        result: a Python float is converted to the array's dtype too."""
        key = (dtype, values)
        arrays = self._scalar_cache.get(key)
        if arrays is None:
            if len(self._scalar_cache) > 64:  # a schedule changes lr: forget old values
                self._scalar_cache.clear()
            arrays = self._scalar_cache[key] = tuple(xp.asarray(v, dtype) for v in values)
        return arrays

    def _work(self, p, slot=0):
        """A scratch array shaped like ``p._data``: a view of a buffer shared by all
        parameters of that dtype (one buffer per ``slot``: 0 for the gradient that
        ``_gradient`` changed, 1 and up for temporaries), cached per parameter."""
        array = p._data
        cached = self._views[slot].get(p)
        if cached is not None and cached[0] is array:
            return cached[1]
        key = (array.dtype, slot)
        buffer = self._scratch.get(key)
        if buffer is None or buffer.size < array.size:
            buffer = self._scratch[key] = xp.empty(array.size, array.dtype)
            self._views[slot].clear()  # views of the old buffer
        view = buffer[:array.size].reshape(array.shape)
        self._views[slot][p] = (array, view)
        return view

    # --- state dict -----------------------------------------------------------

    def _state_keys(self, group):
        """The names of the state a parameter of ``group`` has after a step (checked
        by ``load_state_dict``); None: any (a user's own optimizer)."""
        return None

    def state_dict(self):
        """``{"state": {index: {name: value}}, "param_groups": [{..., "params":
        [index, ...]}]}`` with parameters numbered in group order, as in PyTorch.
        Buffers are copied into new Tensors; ``mt.save`` can write the result."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if self.state.get(p):
                    state[index[id(p)]] = {k: _copy(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state and hyper-parameters saved by ``state_dict()`` (possibly
        through ``mt.save``/``mt.load``). Buffers are copied and cast to their
        parameter's dtype.

        Everything is checked before anything changes: the number of groups and of
        parameters in each, the hyper-parameters (names, types, values: a state dict
        of another optimizer is refused), and each parameter's state (names, shapes,
        numeric values). Raises TypeError/ValueError saying what does not fit."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(f"{name}: expected a dict with 'state' and 'param_groups' "
                             "(from Optimizer.state_dict())")
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise TypeError(f"{name}: 'param_groups' must be a list and 'state' a dict, got "
                            f"{type(saved_groups).__name__} and {type(saved_state).__name__}")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: loaded state dict has {len(saved_groups)} parameter "
                f"groups, the optimizer has {len(self.param_groups)}")
        by_index, group_of, new_groups = {}, {}, []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            new_groups.append(self._merge_group(name, i, group, saved))
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{name}: parameter group {i} of the loaded state dict has "
                    f"{len(saved['params'])} parameters, the optimizer's has "
                    f"{len(group['params'])}")
            for index, p in zip(saved["params"], group["params"], strict=True):
                by_index[index] = p
                group_of[index] = new_groups[-1]
        new_state = collections.defaultdict(dict)
        for index, saved in saved_state.items():
            if index not in by_index:
                raise ValueError(f"{name}: state for unknown parameter {index!r} (the "
                                 f"groups list parameters {sorted(by_index)})")
            if not isinstance(saved, dict):
                raise TypeError(f"{name}: the state of parameter {index} must be a dict, "
                                f"got {type(saved).__name__}")
            p = by_index[index]
            expected = self._state_keys(group_of[index])
            if expected is not None and saved and set(saved) != expected:
                missing, extra = sorted(expected - set(saved)), sorted(set(saved) - expected)
                raise ValueError(
                    f"{name}: the state of parameter {index} does not fit "
                    f"{type(self).__name__} with these options: missing {missing}, "
                    f"unexpected {extra}")
            new_state[p] = {k: self._load_value(name, p, index, k, v) for k, v in saved.items()}
        self.state = new_state
        self.param_groups = new_groups

    def _merge_group(self, name, i, group, saved):
        """The group after loading ``saved`` into ``group``, checked."""
        if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
            raise TypeError(f"{name}: parameter group {i} of the loaded state dict must be a "
                            "dict with a 'params' list")
        missing = sorted(k for k in self.defaults
                         if k not in saved and k not in self._optional_keys)
        if missing:
            raise ValueError(
                f"{name}: parameter group {i} of the loaded state dict lacks {missing}, which "
                f"{type(self).__name__} needs (a state dict of another optimizer?)")
        new_group = {**group, **{k: v for k, v in saved.items() if k != "params"}}
        if isinstance(new_group.get("betas"), list):  # e.g. through JSON
            new_group["betas"] = tuple(new_group["betas"])
        self._check_group(new_group, f"parameter group {i} of the loaded state dict")
        return new_group

    def _load_value(self, name, p, index, key, value):
        """A loaded state value: ``step`` as an int, other scalars as floats, buffers
        as new Tensors of the parameter's dtype and shape."""
        if isinstance(value, Tensor):
            value = value._data
        if isinstance(value, xp.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, xp.ndarray):
            if value.dtype.kind not in "biuf":
                raise TypeError(f"{name}: state '{key}' of parameter {index} has dtype "
                                f"{value.dtype}; expected numbers")
            if value.shape != p._data.shape:
                raise ValueError(
                    f"{name}: state '{key}' of parameter {index} has shape "
                    f"{tuple(value.shape)}, the parameter has shape {tuple(p._data.shape)}")
            return from_numpy(value.astype(p._data.dtype, copy=True))
        if not _is_real(value) or not math.isfinite(value):
            raise TypeError(f"{name}: state '{key}' of parameter {index} is {value!r}; "
                            "expected a finite number or an array")
        if key == "step":
            if value < 0 or value != int(value):
                raise ValueError(f"{name}: state 'step' of parameter {index} is {value!r}; "
                                 "expected a count of steps (an integer >= 0)")
            return int(value)
        return float(value)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items())
                      if k not in ("params", "param_names")]
        return "\n".join(lines) + "\n)"


def zeros_like(p, fill=0.0):
    """A new state buffer (a Tensor) shaped like parameter ``p``, filled with ``fill``."""
    return from_numpy(xp.full_like(p._data, fill))


def _copy(value):
    if isinstance(value, Tensor):
        return from_numpy(value._data.copy())
    if isinstance(value, xp.ndarray):
        return from_numpy(value.copy())
    return value
