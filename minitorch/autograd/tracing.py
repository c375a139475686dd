"""The places where ``mt.compile`` (``minitorch/compiler.py``) watches a function run.

While ``mt.compile`` traces a function in this thread, ``grad_state.tracer`` is its
recorder; otherwise it is None, and each hook costs one attribute check:

* ``Function.apply`` shows the recorder every input tensor of an operation, so that
  the arrays of parameters and other tensors from outside the function are recorded
  as the state they are (see ``autograd.function._prepare``);
* ``Module.__call__`` shows it each module called (its ``training`` flag is guarded);
* methods decorated with ``replayed_as_call`` (``Optimizer.step`` and ``zero_grad``,
  ``Module.zero_grad``, ``LRScheduler.step``) are not recorded inside: each replay
  calls them again at the same place, so they read their hyper-parameters (a
  scheduler's new lr) and keep their own state (step counts, buffers) as usual.
"""
import functools

from .grad_mode import grad_state


def replayed_as_call(method):
    """Make ``method`` one opaque step of a compiled function: ``mt.compile`` records the
    call itself, not the array operations inside it, and calls it again at each replay."""
    if getattr(method, "replayed_as_call", False):
        return method

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        tracer = grad_state.tracer
        if tracer is None:
            return method(*args, **kwargs)
        return tracer.call(method, args, kwargs)

    wrapper.replayed_as_call = True
    return wrapper
