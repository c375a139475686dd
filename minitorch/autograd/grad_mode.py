"""Grad mode: whether operations record a graph (``no_grad``, ``enable_grad``).

The mode is one process-wide switch (PyTorch keeps one per thread): minitorch is
not meant to run graphs from several threads at once.
"""
import functools


class _GradState:
    """Module-level switch read by ``Function.apply`` on every operation."""

    __slots__ = ("enabled", "retain_all")

    def __init__(self):
        self.enabled = True
        self.retain_all = False  # see retain_grads()


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
