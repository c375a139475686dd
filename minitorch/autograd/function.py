"""``Function`` and its graph node: how one operation joins the graph.

An operation is a ``Function`` subclass with two static methods side by side:

* ``forward(ctx, *args)`` computes the result from tensors (and other
  arguments) and returns an array or a Tensor. It calls
  ``ctx.save_for_backward(...)`` for the tensors ``backward`` needs, and may keep
  other values (shapes, masks as arrays) as attributes of ``ctx``.
* ``backward(ctx, grad)`` receives the gradient of the output and returns one
  gradient per argument of ``forward`` (None for arguments that get none). A
  returned gradient may keep broadcast axes: the engine sums it back to its
  input's shape in one place.

A user's ``Function`` works as in PyTorch: ``backward`` gets Tensors and
computes with tensor operations (so it is differentiable again), and
``forward`` runs with grad mode off.

The library's own operations are ``Primitive`` subclasses, whose one derivative
rule is written so that it runs on ndarrays *or* Tensors: with operators
(``grad * b``) and the functions of ``minitorch.ops.either``
(``either.exp(a)``), never with methods of one kind only. The engine runs the
rule on plain ndarrays when no graph of the backward pass is built (the training
hot path: no Tensor per intermediate step), and on Tensors, recorded, when
``create_graph=True`` (so second derivatives come from the same rule);
``ctx.saved_tensors`` hands out the same kind as ``grad``. A primitive's forward
computes on arrays (``a._data``) and never records, so grad mode is left alone.

``Function.apply(*args)`` runs ``forward`` and, when grad mode is on and an input
requires grad, records a node (``AddBackward0``, ...) as the output's ``grad_fn``.
"""
import collections
import functools
import itertools
import operator
import weakref

from ..backend import as_array, ndarray, xp
from ..hooks import RemovableHandle
from ..tensor import Tensor, _make_tensor, make_view, version
from . import tracing
from .grad_mode import grad_state


class Node:
    """A recorded operation: the ``ctx`` of forward/backward and the ``grad_fn`` of its
    output. Each Function has its own subclass, named like PyTorch's (``MulBackward0``).

    ``next`` is a list with one entry per argument of ``forward``: the input's
    own ``grad_fn`` (a Node), the input itself when it is a leaf that requires
    grad, or None when no gradient flows there. ``sequence`` orders recorded
    operations (the engine runs later ones first). ``retained`` is a weak
    reference to the output when its ``.grad`` must be kept (``retain_grad()``).
    ``as_arrays`` is set by the engine while it runs a primitive's rule on arrays.
    Attributes that ``forward`` sets on ``ctx`` live in its ``__dict__``.
    """

    __slots__ = ("next", "out_shape", "recording", "retained", "sequence", "__dict__",
                 "__weakref__")

    fn = None  # the Function class (set on each subclass)

    # Defaults shared by every node until one sets its own (saves work per operation).
    saved = ()
    saved_versions = ()
    freed = False
    as_arrays = False
    hooks = None

    def save_for_backward(self, *tensors):
        """Keep tensors (or None) for ``backward``; in-place changes to them are caught."""
        if self.recording:
            self.saved = tensors
            self.saved_versions = tuple([None if t is None else t._counter[0] for t in tensors])

    @property
    def saved_tensors(self):
        """The saved tensors (their arrays while a rule runs on arrays); raises if one
        was modified in place since it was saved."""
        if self.freed:
            raise freed_graph_error(self)
        saved = self.saved
        if tuple([None if t is None else t._counter[0] for t in saved]) != self.saved_versions:
            self._raise_modified()
        if self.as_arrays:
            return [None if t is None else t._data for t in saved]
        return saved

    def _raise_modified(self):
        for position, (t, saved_version) in enumerate(zip(self.saved, self.saved_versions)):
            if t is not None and version(t) != saved_version:
                raise RuntimeError(
                    f"{self.name()}: tensor {position} of shape {tuple(t._data.shape)} saved "
                    f"for backward was modified by an in-place operation (version "
                    f"{saved_version} when saved, now {version(t)}); this would give a "
                    "wrong gradient. Use an out-of-place operation or .clone() first")

    @property
    def needs_input_grad(self):
        """One bool per argument of ``forward``: does a gradient flow to it?"""
        return [edge is not None for edge in self.next]

    @property
    def next_functions(self):
        """``(grad_fn or leaf tensor or None, 0)`` per input, as PyTorch shows it."""
        return tuple((edge, 0) for edge in self.next)

    def register_hook(self, hook):
        """Call ``hook(grad)`` on the gradient of this node's output before its rule
        runs; a returned Tensor replaces the gradient (``Tensor.register_hook``)."""
        if self.hooks is None:
            self.hooks = collections.OrderedDict()
        handle = RemovableHandle(self.hooks)
        self.hooks[handle.id] = hook
        return handle

    def release(self):
        """Free what was saved, after a backward pass that does not retain the graph."""
        hooks = self.hooks
        self.__dict__.clear()  # saved tensors and whatever forward kept on ctx
        self.freed = True
        if hooks:
            self.hooks = hooks

    @classmethod
    def name(cls):
        return cls.__name__

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    node_name = None  # the grad_fn's class name; default "<Name>Backward"
    rule_on_arrays = False  # True for Primitive: backward also runs on ndarrays
    makes_view = False  # True when the output may share memory with the first input
    Node = Node  # the node class of this Function (made per subclass below)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
        cls.Node = type(name, (Node,), {"__slots__": (), "fn": cls,
                                        "__module__": cls.__module__})

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("Function subclasses implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("Function subclasses implement backward(ctx, grad)")

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` and, when grad mode is on and an input requires grad, record
        the operation: a node of class ``cls.Node`` becomes the output's ``grad_fn``.

        A user's forward runs with grad mode off (it may use tensor operations); a
        primitive's forward computes on arrays, so the mode is left alone. This is the
        hot path of every operation: it does nothing that is not needed.
        """
        if tracing.active:  # mt.compile is tracing: it records every input
            tracing.see_tensors(args)
        enabled = grad_state.enabled
        if enabled:  # one edge per argument: where its gradient goes (None: nowhere)
            edges = [(arg.grad_fn or arg) if isinstance(arg, Tensor) and arg.requires_grad
                     else None for arg in args]
            record = any(map(_is_edge, edges))
        else:
            record = False
        ctx = _new_object(cls.Node)
        ctx.recording = record
        try:
            if cls.rule_on_arrays:
                out = cls.forward(ctx, *args)
            else:
                grad_state.enabled = False
                try:
                    out = cls.forward(ctx, *args)
                finally:
                    grad_state.enabled = enabled
        except (ValueError, TypeError, IndexError) as error:
            _raise_named(cls, args, error)
        if type(out) is not ndarray:
            out = out._data if isinstance(out, Tensor) else as_array(out)
        result = _make_tensor(out)
        if cls.makes_view and out.base is not None and xp.may_share_memory(out, args[0]._data):
            make_view(result, args[0])  # in-place changes show in both
        if record:
            ctx.next = edges
            ctx.sequence = next(_sequence)  # later operations get larger numbers
            ctx.retained = None
            ctx.out_shape = out.shape
            result.requires_grad = True
            result.grad_fn = ctx
            if grad_state.retain_all:
                ctx.retained = weakref.ref(result)
        return result


class Primitive(Function):
    """A library operation: forward on arrays, one backward rule for arrays and Tensors.

    The rule uses operators and ``minitorch.ops.either`` only (see the module
    docstring), so the engine can run it on ndarrays or on Tensors. Its grad_fn
    is named ``<Name>Backward0`` unless ``node_name`` gives PyTorch's name.
    """

    rule_on_arrays = True

    def __init_subclass__(cls, **kwargs):
        if "node_name" not in cls.__dict__:
            cls.node_name = f"{cls.__name__}Backward0"
        super().__init_subclass__(**kwargs)


def freed_graph_error(node):
    """The error for a second backward through a graph that the first one freed."""
    return RuntimeError(
        f"{node.name()}: trying to backward through the graph a second time (it was "
        "freed by the first backward); pass retain_graph=True to the first backward() "
        "to keep it")


_new_object = object.__new__
_sequence = itertools.count()
_is_edge = functools.partial(operator.is_not, None)  # _is_edge(e) == (e is not None)


def _raise_named(cls, args, error):
    """Raise ``error`` again, prefixed with the operation's name and input shapes
    (unless its message already starts with the name)."""
    name = cls.__name__.lower()
    message = str(error)
    if message.startswith(name + ":"):
        raise error
    shapes = ", ".join(str(tuple(a._data.shape)) for a in args if isinstance(a, Tensor))
    named = f"{name}: {message} (input shapes {shapes})"
    try:  # the same type (a subclass such as NumPy's AxisError stays itself)
        renamed = type(error)(named)
    except Exception:  # noqa: BLE001  (a constructor that takes other arguments)
        kind = next(k for k in (IndexError, ValueError, TypeError) if isinstance(error, k))
        renamed = kind(named)
    raise renamed from error
