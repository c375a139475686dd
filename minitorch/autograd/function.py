"""``Function`` and its ``Context``: how one operation joins the graph.

An operation is a ``Function`` subclass with two static methods side by side:

* ``forward(ctx, *args)`` computes the result. It runs with grad mode off, so it
  may use arrays (``x._data``) or tensor operations alike, and returns an array or
  a Tensor. It calls ``ctx.save_for_backward(...)`` for the tensors ``backward``
  needs, and may keep other values as attributes of ``ctx``.
* ``backward(ctx, grad)`` receives the gradient of the output (a Tensor of the
  output's shape) and returns one gradient per argument of ``forward`` (a Tensor,
  or None for arguments that are not differentiable). Written with tensor
  operations, it is itself differentiable, which is how ``create_graph=True``
  gives higher-order derivatives. A returned gradient may keep broadcast axes:
  the engine sums it back to its input's shape in one place.

Operations on the hot path of training may also define
``backward_arrays(ctx, grad)``: the same rule on plain ndarrays (``grad`` and
the result are arrays). The engine uses it whenever no graph of the backward
pass is being built (``create_graph=False``, the usual case), skipping a Tensor
per intermediate step; ``gradcheck`` tests it, ``gradgradcheck`` tests
``backward``. It must return fresh arrays, ``grad`` itself or views of it,
never an array that it keeps.

``Function.apply(*args)`` runs ``forward`` and, when grad mode is on and an input
requires grad, records a ``Context`` as the output's ``grad_fn``.
"""
import functools
import itertools
import operator
import weakref

from ..backend import ndarray, xp
from .grad_mode import grad_state


class Context:
    """The node of one recorded operation: the output tensor's ``grad_fn``.

    ``next`` is a list with one entry per argument of ``forward``: the input's
    own ``grad_fn`` (a Context), the input itself when it is a leaf that requires
    grad, or None when no gradient flows there. ``sequence`` orders recorded
    operations (the engine runs later ones first). ``retained`` is a weak
    reference to the output when its ``.grad`` must be kept (``retain_grad()``).
    Attributes that ``forward`` sets on ``ctx`` live in its ``__dict__``.
    """

    __slots__ = ("fn", "next", "out_shape", "recording", "retained", "sequence", "__dict__",
                 "__weakref__")

    # Defaults shared by every node until one sets its own (saves work per operation).
    saved = ()
    saved_versions = []
    freed = False

    def __init__(self, fn):
        self.fn = fn

    def save_for_backward(self, *tensors):
        """Keep tensors (or None) for ``backward``; in-place changes to them are caught."""
        if self.recording:
            self.saved = tensors
            self.saved_versions = [None if t is None else t._counter[0] for t in tensors]

    @property
    def saved_tensors(self):
        """The saved tensors; raises if one was modified in place since it was saved."""
        if self.freed:
            raise freed_graph_error(self)
        saved = self.saved
        if [None if t is None else t._counter[0] for t in saved] != self.saved_versions:
            self._raise_modified()
        return saved

    def _raise_modified(self):
        for position, (t, version) in enumerate(zip(self.saved, self.saved_versions)):
            if t is not None and t._version != version:
                raise RuntimeError(
                    f"{self.name()}: tensor {position} of shape {t.shape} saved for "
                    f"backward was modified by an in-place operation (version "
                    f"{version} when saved, now {t._version}); this would give a "
                    "wrong gradient. Use an out-of-place operation or .clone() first")

    @property
    def needs_input_grad(self):
        """One bool per argument of ``forward``: does a gradient flow to it?"""
        return [edge is not None for edge in self.next]

    @property
    def next_functions(self):
        """``(grad_fn or leaf tensor or None, 0)`` per input, as PyTorch shows it."""
        return tuple((edge, 0) for edge in self.next)

    def release(self):
        """Free what was saved, after a backward pass that does not retain the graph."""
        self.__dict__.clear()  # saved tensors and whatever forward kept on ctx
        self.freed = True

    def name(self):
        return f"{self.fn.__name__}Backward"

    def __repr__(self):
        return f"<{self.name()}>"


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("Function subclasses implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("Function subclasses implement backward(ctx, grad)")

    backward_arrays = None  # optional fast form of backward on ndarrays (see above)
    makes_view = False  # True when the output may share memory with the first input

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` on ``args`` and record the operation when needed."""
        enabled = grad_state.enabled
        if enabled:  # one edge per argument: where its gradient goes (None: nowhere)
            edges = [(arg.grad_fn or arg) if isinstance(arg, Tensor) and arg.requires_grad
                     else None for arg in args]
            record = any(map(_is_edge, edges))
        else:
            record = False
        ctx = _new_object(Context)
        ctx.fn = cls
        ctx.recording = record
        grad_state.enabled = False
        try:
            out = cls.forward(ctx, *args)
        except (ValueError, TypeError, IndexError) as error:
            named = _operation_error(cls, args, error)
            if named is error:
                raise
            raise named from error
        finally:
            grad_state.enabled = enabled
        if type(out) is not ndarray:
            out = out._data if isinstance(out, Tensor) else xp.asarray(out)
        result = _make_tensor(out)
        if cls.makes_view and out.base is not None and xp.may_share_memory(out, args[0]._data):
            result._counter = args[0]._counter  # a view: in-place changes show in both
            base = args[0]._base
            result._base = args[0] if base is None else base
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


def freed_graph_error(node):
    """The error for a second backward through a graph that the first one freed."""
    return RuntimeError(
        f"{node.name()}: trying to backward through the graph a second time (it was "
        "freed by the first backward); pass retain_graph=True to the first backward() "
        "to keep it")


_new_object = object.__new__
_sequence = itertools.count()
_is_edge = functools.partial(operator.is_not, None)  # _is_edge(e) == (e is not None)


def _operation_error(cls, args, error):
    """The same kind of error, prefixed with the operation's name and input shapes."""
    name = cls.__name__.lower()
    message = str(error)
    if message.startswith(name + ":"):
        return error
    shapes = ", ".join(str(a.shape) for a in args if isinstance(a, Tensor))
    kind = next(k for k in (IndexError, ValueError, TypeError) if isinstance(error, k))
    return kind(f"{name}: {message} (input shapes {shapes})")


from ..tensor import Tensor, _make_tensor  # noqa: E402  (tensor.py imports this module)
