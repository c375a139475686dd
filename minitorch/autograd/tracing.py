"""The places where ``mt.compile`` (``minitorch/compiler.py``) watches a function run.

While ``mt.compile`` traces a function, ``active`` counts the threads doing so and
``grad_state.tracer`` is the recorder of the tracing thread. Each hook below first
reads ``active`` (a module attribute: the cheapest check Python has), so when
nothing is traced they cost next to nothing:

* ``Function.apply`` shows the recorder every input tensor of an operation
  (``see_tensors``), so that the arrays of parameters and other tensors from outside
  the function are recorded as the state they are;
* ``Module.__call__`` shows it each module called (``see_module``): its ``training``
  flag is guarded;
* methods decorated with ``replayed_as_call`` (``Optimizer.step`` and ``zero_grad``,
  ``Module.zero_grad``, ``LRScheduler.step``) are not recorded inside: each replay
  calls them again at the same place, so they read their hyper-parameters (a
  scheduler's new lr) and keep their own state (step counts, buffers) as usual.
"""
import functools

from .grad_mode import grad_state

active = 0
"""How many threads ``mt.compile`` is tracing in (the hooks look further only then)."""


def see_tensors(args):
    """Show the recorder of this thread, if any, the arguments of an operation."""
    tracer = grad_state.tracer
    if tracer is not None:
        tracer.see_tensors(args)


def see_module(module):
    """Show the recorder of this thread, if any, a module being called."""
    tracer = grad_state.tracer
    if tracer is not None:
        tracer.see_module(module)


def replayed_as_call(method):
    """Make ``method`` one opaque step of a compiled function: ``mt.compile`` records the
    call itself, not the array operations inside it, and calls it again at each replay."""
    if getattr(method, "replayed_as_call", False):
        return method

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        if active:
            tracer = grad_state.tracer
            if tracer is not None:
                return tracer.call(method, args, kwargs)
        return method(*args, **kwargs)

    wrapper.replayed_as_call = True
    return wrapper
