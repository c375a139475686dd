"""Grad mode: whether operations record a graph (``no_grad``, ``enable_grad``,
``set_grad_enabled``, ``inference_mode``).

As in PyTorch, the mode belongs to the calling thread: ``with mt.no_grad():`` in
one thread leaves every other thread recording, and a new thread starts with
grad mode on. Operations only read it; only these context managers (and the
backward engine, for the duration of a backward pass in its own thread) set it.
"""
import functools
import threading


class _GradState(threading.local):
    """Per-thread switches read by ``Function.apply`` on every operation.

    The class attributes are each new thread's starting values.
    """

    enabled = True
    retain_all = False  # see retain_grads()
    tracer = None  # mt.compile's recorder while it traces (see autograd.tracing)


grad_state = _GradState()


def is_grad_enabled():
    """True when operations record the graph needed for ``backward()``."""
    return grad_state.enabled


class set_grad_enabled:
    """Set grad mode on or off; usable as a call, a context manager or a decorator."""

    def __init__(self, mode):
        self.prev = grad_state.enabled
        self.mode = bool(mode)
        grad_state.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        grad_state.enabled = self.prev
        return False

    def __call__(self, fn):
        grad_state.enabled = self.prev  # the decorator form must not change the mode now
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class _GradModeContext:
    """Base of ``no_grad``/``enable_grad``: a context manager and a decorator
    (``@mt.no_grad()``, or bare ``@mt.no_grad``)."""

    mode = True

    def __new__(cls, function=None):
        instance = super().__new__(cls)
        return instance if function is None else instance(function)

    def __init__(self, function=None):
        pass

    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = self.mode
        return self

    def __exit__(self, *exc):
        grad_state.enabled = self.prev
        return False

    def __call__(self, fn):
        cls = type(self)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with cls():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Disable graph recording: ``with mt.no_grad(): ...`` or ``@mt.no_grad()``."""

    mode = False


class enable_grad(_GradModeContext):
    """Enable graph recording inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """``no_grad`` for code that only evaluates: ``with mt.inference_mode():``.

    ``inference_mode(False)`` leaves grad mode as it is, as in PyTorch. (PyTorch
    also marks the tensors made inside as inference tensors; minitorch's are
    ordinary tensors that do not require grad.)
    """

    mode = False

    def __new__(cls, mode=True):
        if callable(mode):  # bare decorator: @mt.inference_mode
            return super().__new__(cls)(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.enabled = bool(mode) if not callable(mode) else True

    def __enter__(self):
        self.prev = grad_state.enabled
        if self.enabled:
            grad_state.enabled = False
        return self

    def __call__(self, fn):
        enabled = self.enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(enabled):
                return fn(*args, **kwargs)

        return wrapper


class retain_grads:
    """Context manager: every tensor recorded inside keeps its ``.grad`` after backward.

    As if ``retain_grad()`` were called on each intermediate result, so that a
    whole graph can be inspected or drawn (``mt.viz``) with the gradient at every
    node. Costs a weak reference per recorded operation.
    """

    def __enter__(self):
        self.prev = grad_state.retain_all
        grad_state.retain_all = True
        return self

    def __exit__(self, *exc):
        grad_state.retain_all = self.prev
        return False
