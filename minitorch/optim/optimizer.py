"""``Optimizer``: parameter groups, per-parameter state, and their state dict.

Subclasses implement ``step()``. Updates work directly on the parameters' arrays
with in-place NumPy ufuncs (``out=``): no graph is recorded and, after the first
step has allocated the state buffers, a step allocates nothing. Temporaries go
into scratch arrays shared by all parameters of the same dtype (``_work``).
"""
from ..autograd import enable_grad
from ..autograd.tracing import replayed_as_call
from ..creation import from_numpy

from ..backend import xp
from ..tensor import Tensor, reset_grads


class Optimizer:
    """Base class: holds ``param_groups`` (a list of dicts, each with ``params``
    and its own hyper-parameters) and ``state`` (a dict from parameter to the
    dict of its buffers, e.g. ``{"step": 3, "exp_avg": ndarray}``)."""

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Tensor) or isinstance(params, (set, dict)):
            raise TypeError(
                f"{name}: params should be an iterable of Tensors or of dicts (an ordered "
                f"collection such as model.parameters()), got {type(params).__name__}")
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        self._scratch = {}
        self._views = ({}, {})
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

    def _check_group(self, group):
        """Raise ValueError for an invalid hyper-parameter of ``group`` (override)."""

    def add_param_group(self, param_group):
        """Add a dict ``{"params": [...], "lr": ..., ...}``; missing options take the
        optimizer's defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, "
                            f"got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set) or params is None:
            raise TypeError(f"{name}: a parameter group's 'params' must be an ordered "
                            f"iterable of Tensors, got {type(params).__name__}")
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, but parameter {i} of "
                                f"the group is a {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (parameter {i}, "
                                 f"shape {tuple(p.shape)}); use a leaf such as a Parameter")
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    @replayed_as_call
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        for group in self.param_groups:
            reset_grads(group["params"], set_to_none)

    @replayed_as_call
    def step(self, closure=None):
        """Update the parameters once from their ``.grad``; returns ``closure()``'s loss."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _work(self, p, slot=0):
        """A scratch array shaped like ``p._data``: a view of a buffer shared by all
        parameters of that dtype (one buffer per ``slot``), cached per parameter."""
        array = p._data
        cached = self._views[slot].get(p)
        if cached is not None and cached[0] is array:
            return cached[1]
        key = (array.dtype, slot)
        buffer = self._scratch.get(key)
        if buffer is None or buffer.size < array.size:
            buffer = self._scratch[key] = xp.empty(array.size, array.dtype)
        view = buffer[:array.size].reshape(array.shape)
        self._views[slot][p] = (array, view)
        return view

    # --- state dict -------------------------------------------------------

    def state_dict(self):
        """``{"state": {index: {name: value}}, "param_groups": [{..., "params":
        [index, ...]}]}`` with parameters numbered in group order, as in PyTorch.
        Buffers are copied into Tensors; ``mt.save`` can write the result."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {
                        k: from_numpy(v.copy()) if isinstance(v, xp.ndarray) else v
                        for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state and hyper-parameters saved by ``state_dict()`` (possibly
        through ``mt.save``/``mt.load``). Everything is checked before anything changes."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             "'param_groups' (from Optimizer.state_dict())")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: loaded state dict has {len(saved_groups)} parameter "
                f"groups, the optimizer has {len(self.param_groups)}")
        by_index = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {i} of the loaded state dict "
                    f"has {len(saved['params'])} parameters, the optimizer's has "
                    f"{len(group['params'])}")
            by_index.update(zip(saved["params"], group["params"], strict=True))
        new_state = {}
        for index, saved_state in state_dict["state"].items():
            if index not in by_index:
                raise ValueError(f"{name}.load_state_dict: state for unknown parameter {index!r}")
            p = by_index[index]
            new_state[p] = {k: self._load_value(p, index, k, v) for k, v in saved_state.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            new_group = {**group, **{k: v for k, v in saved.items() if k != "params"}}
            self._check_group(new_group)
            new_groups.append(new_group)
        self.state = new_state
        self.param_groups = new_groups

    def _load_value(self, p, index, key, value):
        if isinstance(value, Tensor):
            value = value._data
        if key == "step":
            return int(value)
        if not isinstance(value, xp.ndarray):
            return value
        if value.shape != p.shape:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state '{key}' of parameter {index} "
                f"has shape {tuple(value.shape)}, the parameter has shape {tuple(p.shape)}")
        return value.astype(p.dtype, copy=True)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
