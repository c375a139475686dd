"""``Module``: the base class of every layer and model.

Assigning a ``Parameter`` or a ``Module`` to an attribute registers it, so
``named_parameters()`` finds every weight of a model by walking its sub-modules,
with dotted names such as ``layers.0.weight``. The registries (``_parameters``,
``_buffers``, ``_modules``) keep registration order; the same objects are also
stored as plain attributes so that ``self.weight`` in ``forward`` is an ordinary,
fast attribute lookup.
"""
import warnings
from collections import OrderedDict, namedtuple

from .. import dtypes
from ..autograd import is_grad_enabled, no_grad
from ..autograd import tracing
from ..autograd.tracing import replayed_as_call
from ..creation import from_numpy
from ..device import check_device
from ..device import device as Device
from ..hooks import RemovableHandle

from ..backend import xp
from ..tensor import Tensor, reset_grads
from .backward_hooks import BackwardHook
from .parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
"""What ``load_state_dict(strict=False)`` returns: the keys it did not match."""

_REGISTRIES = ("_parameters", "_buffers", "_modules")
# Hook id -> hook, and hook id -> True for the hooks with a flag.
_HOOK_REGISTRIES = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
                    "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
                    "_backward_hooks", "_backward_pre_hooks")

# The array kinds load_state_dict copies into a tensor of each kind: numbers only
# (bools, ints, floats; complex only into complex), never strings or objects.
_NUMERIC_KINDS = {"b": "biuf", "i": "biuf", "u": "biuf", "f": "biuf", "c": "biufc"}


class Module:
    """Base class of layers and models: subclass it, assign layers and Parameters
    in ``__init__`` (after ``super().__init__()``), and define ``forward``.
    Calling the module calls ``forward``."""

    training: bool
    # Until __init__ gives each instance its own dicts: no hooks (a subclass that
    # forgets super().__init__() can still be called, as before hooks existed).
    _forward_pre_hooks = _forward_hooks = _backward_hooks = _backward_pre_hooks = ()

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        for registry in _HOOK_REGISTRIES:
            object.__setattr__(self, registry, OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(): define forward() in the subclass")

    def __call__(self, *args, **kwargs):
        if tracing.active:  # mt.compile is tracing: it guards self.training
            tracing.see_module(self)
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # --- hooks ------------------------------------------------------------

    def _call_with_hooks(self, args, kwargs):
        """``forward`` with the hooks around it, in PyTorch's order: forward pre-hooks
        (may replace the inputs), the backward hooks' wrapping of the inputs,
        forward, forward hooks (may replace the output), wrapping of the outputs."""
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result!r:.80}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hook = None
        if (self._backward_hooks or self._backward_pre_hooks) and is_grad_enabled():
            backward_hook = BackwardHook(self, list(self._backward_hooks.values()),
                                         list(self._backward_pre_hooks.values()))
            args = backward_hook.setup_inputs(args)
        called = set()
        output = None
        try:
            output = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    result = hook(self, args, kwargs, output)
                else:
                    result = hook(self, args, output)
                if result is not None:
                    output = result
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            hook(self, args, kwargs, output)
                        else:
                            hook(self, args, output)
                    except Exception as error:
                        warnings.warn("forward hook with ``always_call=True`` raised an "
                                      "exception that was silenced as another error was "
                                      f"raised in forward: {error}", stacklevel=2)
            raise
        if backward_hook is not None:
            output = backward_hook.setup_outputs(output)
        return output

    def _add_hook(self, registry, hook, prepend, flags=()):
        """Store ``hook`` in ``registry`` (first if ``prepend``) with its flags (names
        of the dicts that mark it); returns its RemovableHandle."""
        self._check_initialized(registry)
        if not callable(hook):
            raise TypeError(f"{type(self).__name__}: a hook must be callable, got "
                            f"{type(hook).__name__}")
        hooks = getattr(self, registry)
        handle = RemovableHandle(hooks, extra_dict=[getattr(self, f) for f in flags])
        hooks[handle.id] = hook
        for flag in flags:
            getattr(self, flag)[handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each ``forward``; it may return new
        positional arguments (a tuple, or a single value wrapped as one) or None.
        With ``with_kwargs=True``: ``hook(module, args, kwargs)`` returning None or
        ``(new_args, new_kwargs)``. Returns a handle whose ``remove()`` unregisters it."""
        flags = ("_forward_pre_hooks_with_kwargs",) if with_kwargs else ()
        return self._add_hook("_forward_pre_hooks", hook, prepend, flags)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Call ``hook(module, args, output)`` after each ``forward``; a non-None
        result replaces the output. With ``with_kwargs=True``:
        ``hook(module, args, kwargs, output)``. With ``always_call=True`` the hook
        also runs (with output None) when forward raises. Returns a handle whose
        ``remove()`` unregisters it."""
        flags = (("_forward_hooks_with_kwargs",) if with_kwargs else ()) \
            + (("_forward_hooks_always_called",) if always_call else ())
        return self._add_hook("_forward_hooks", hook, prepend, flags)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the
        module's inputs have been computed: tuples with one entry per positional
        argument (None for non-Tensors and inputs that do not require grad) and
        per output. A non-None result (a tuple as long as ``grad_input``) replaces
        the gradients passed on to the inputs. ``grad_output`` must not be
        modified. Returns a handle whose ``remove()`` unregisters it. The hook
        only sees calls made with grad mode on. See ``nn/backward_hooks.py``."""
        return self._add_hook("_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients of the module's
        outputs have been computed, before the module's own backward; a non-None
        result (a tuple as long as ``grad_output``) replaces them. Returns a handle
        whose ``remove()`` unregisters it."""
        return self._add_hook("_backward_pre_hooks", hook, prepend)

    # --- registration ---------------------------------------------------

    def _check_initialized(self, name):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign '{name}' before Module.__init__() call: "
                f"call super().__init__() first in {type(self).__name__}.__init__")

    def _forget(self, name, keep=None):
        """Remove ``name`` from the registries other than ``keep`` (where it keeps its
        place in the order when assigned again)."""
        for registry in _REGISTRIES:
            if registry != keep:
                self.__dict__[registry].pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter):
            self._check_initialized(name)
            self._forget(name, keep="_parameters")
            d["_parameters"][name] = value
        elif isinstance(value, Module):
            self._check_initialized(name)
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif name in d.get("_parameters", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(mt.nn.Parameter or None expected)")
            d["_parameters"][name] = None
        elif name in d.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(mt.nn.Module or None expected)")
            d["_modules"][name] = None
        elif name in d.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(mt.Tensor or None expected)")
            d["_buffers"][name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if any(name in self.__dict__.get(r, ()) for r in _REGISTRIES):
            self._forget(name)
        object.__delattr__(self, name)

    @staticmethod
    def _check_name(kind, name, owner):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{kind} name must be non-empty and without dots, got {name!r}")
        if hasattr(owner, name) and not any(name in owner.__dict__.get(r, ())
                                            for r in _REGISTRIES):
            raise KeyError(f"attribute '{name}' already exists in {type(owner).__name__}")

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent one) as ``name``."""
        self._check_initialized(name)
        self._check_name("parameter", name, self)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(mt.nn.Parameter or None required)")
        self._forget(name, keep="_parameters")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Register a Tensor that is state but not a parameter (e.g. running stats).
        Persistent buffers appear in ``state_dict()``."""
        self._check_initialized(name)
        self._check_name("buffer", name, self)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(mt.Tensor or None required)")
        self._forget(name, keep="_buffers")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        """Register ``module`` (or None) as the child ``name``."""
        self._check_initialized(name)
        self._check_name("module", name, self)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name, keep="_modules")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # --- traversal ------------------------------------------------------

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(name, module)`` for this module and all below it, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(
                    memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        """Yield this module and all modules below it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """Yield ``(name, module)`` for the direct children."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        """Yield the direct child modules."""
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, Parameter)``, e.g. ``("layers.0.weight", ...)``;
        a parameter shared by several modules is yielded once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Yield every Parameter of this module and (if ``recurse``) its sub-modules."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, Tensor)`` for every buffer."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Yield every buffer of this module and (if ``recurse``) its sub-modules."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target):
        """The sub-module at a dotted path such as ``"layers.0"`` (``""`` is self)."""
        module = self
        for part in target.split(".") if target else ():
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(
                    f"{type(module).__name__} has no submodule '{part}' (in '{target}')")
            module = child
        return module

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module (children first) and on self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ----------------------------------------------

    def train(self, mode=True):
        """Set training mode (``True``) or evaluation mode on this module and
        all sub-modules; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode): mode is expected to be a bool, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Set evaluation mode (``train(False)``): dropout off; returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on every parameter (freeze with False); returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    @replayed_as_call
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        reset_grads(self.parameters(), set_to_none)

    # --- dtype conversion -------------------------------------------------

    def to(self, *args, **kwargs):
        """Move and/or cast the parameters and buffers in place; returns self.

        PyTorch's forms: ``to(device=None, dtype=None, non_blocking=False)``,
        ``to(dtype, non_blocking=False)``, ``to(tensor, non_blocking=False)``
        (that tensor's dtype). A device must be the CPU (``"cpu"``,
        ``mt.device("cpu")``): any other raises RuntimeError naming it (CUDA, MPS).
        ``dtype`` must be a floating (or complex) dtype, else TypeError; it is
        applied to floating parameters and buffers (and their gradients) only, so
        integer buffers such as counters keep their dtype. ``non_blocking`` and
        ``memory_format`` are accepted and have no effect on the CPU.
        """
        where = f"{type(self).__name__}.to"
        device, dtype = _parse_to(args, kwargs, where)
        check_device(device, where)
        if dtype is None:
            return self
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor._data.dtype.kind == "f" and tensor._data.dtype != dtype:
                tensor._data = tensor._data.astype(dtype)
                if tensor.grad is not None:
                    tensor.grad = from_numpy(tensor.grad._data.astype(dtype))
        return self

    def cpu(self):
        """Parameters and buffers are on the CPU already: returns self."""
        return self

    def cuda(self, device=None):
        """Raises RuntimeError: minitorch has no CUDA (``mt.cuda.is_available()``)."""
        named = f"cuda:{device}" if isinstance(device, int) else device or "cuda"
        check_device(named, f"{type(self).__name__}.cuda")

    def double(self):
        """Convert floating parameters and buffers to float64; returns self."""
        return self.to(dtypes.float64)

    def float(self):
        """Convert floating parameters and buffers to float32; returns self."""
        return self.to(dtypes.float32)

    # --- state dict -------------------------------------------------------

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict from dotted name to Tensor for every parameter and
        persistent buffer. The tensors are detached (``keep_vars=False``) but
        share memory with the module, as in PyTorch."""
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def _state_tensors(self):
        """Dotted name -> Tensor for everything ``state_dict()`` holds."""
        return self.state_dict(keep_vars=True)

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into parameters and buffers.

        Every entry is checked before anything is copied, and all problems are
        reported together by key in one RuntimeError: with ``strict=True``
        missing and unexpected keys; always a value that is not a Tensor or
        ndarray, an array that is not numeric (strings, objects; complex into a
        real tensor), and a shape mismatch (both shapes named). Values are cast
        to each tensor's dtype. Returns ``IncompatibleKeys(missing, unexpected)``.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(
                f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.append("Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ".")
        values = {}
        for name, tensor in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            array = value._data if isinstance(value, Tensor) else value
            if isinstance(array, xp.generic):
                array = xp.asarray(array)
            if not isinstance(array, xp.ndarray):
                errors.append(f'For "{name}": expected a Tensor or array, '
                              f"got {type(value).__name__}.")
                continue
            own_dtype = tensor._data.dtype
            if array.dtype.kind not in _NUMERIC_KINDS[own_dtype.kind]:
                errors.append(
                    f'dtype mismatch for "{name}": cannot copy a value of dtype '
                    f"{array.dtype} into the {own_dtype} tensor of the current model "
                    "(a number array is expected, not strings or objects).")
                continue
            if array.shape != tuple(tensor.shape):
                errors.append(
                    f'size mismatch for "{name}": copying a param with shape '
                    f"{tuple(array.shape)} from checkpoint, the shape in current "
                    f"model is {tuple(tensor.shape)}.")
                continue
            values[name] = array
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for name, array in values.items():
                own[name].copy_(from_numpy(array))
        return IncompatibleKeys(missing, unexpected)

    # --- repr -------------------------------------------------------------

    def extra_repr(self):
        """The text inside this module's parentheses in ``repr``; override it."""
        return ""

    def __repr__(self):
        """PyTorch's layout: ``Name(extra)`` or one indented line per child."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(child).replace("\n", "\n  ")
                       for name, child in self._modules.items()]
        if len(extra_lines) == 1 and not child_lines:
            return f"{type(self).__name__}({extra_lines[0]})"
        if not extra_lines and not child_lines:
            return f"{type(self).__name__}()"
        return f"{type(self).__name__}(\n  " + "\n  ".join(extra_lines + child_lines) + "\n)"


def _parse_to(args, kwargs, where):
    """(device, numpy dtype) from the arguments of ``Module.to`` (either may be None)."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"{where}() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    if len(args) > 3:
        raise TypeError(f"{where}() takes at most 3 positional arguments (device, dtype, "
                        f"non_blocking), got {len(args)}")
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, bool):  # non_blocking: nothing to wait for on the CPU
            continue
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg._data.dtype
        elif isinstance(arg, (str, int, Device)):
            device = arg
        else:
            dtype = arg
    if dtype is None:
        return device, None
    try:
        dtype = xp.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: expected a device or a dtype, got {dtype!r}") from None
    if dtype.kind not in "fc":
        raise TypeError(f"{where}: nn.Module.to only accepts floating point or complex "
                        f"dtypes, but got desired dtype={dtype}")
    return device, dtype
