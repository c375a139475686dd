"""``RemovableHandle``: what every ``register_*hook`` returns (PyTorch's
``torch.utils.hooks.RemovableHandle``).

A hook is stored in an ordered dict under a unique id; the handle remembers the
id and the dict(s) (weakly: a handle does not keep a module alive) and
``handle.remove()`` takes the hook out. It also works as a context manager:
``with model.register_forward_hook(f): ...`` removes ``f`` at the end.
"""
import itertools
import weakref

_ids = itertools.count()


class RemovableHandle:
    """Removes one registered hook from ``hooks_dict`` (and from each of
    ``extra_dict``, which hold flags about it) when ``remove()`` is called. The
    dicts must support weak references (``collections.OrderedDict`` does)."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.id = next(_ids)
        self._dicts = [weakref.ref(hooks_dict)]
        extra = () if extra_dict is None else \
            extra_dict if isinstance(extra_dict, (list, tuple)) else (extra_dict,)
        self._dicts += [weakref.ref(d) for d in extra]

    def remove(self):
        """Take the hook out; removing twice does nothing."""
        for ref in self._dicts:
            registry = ref()
            if registry is not None:
                registry.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
        return False

    def __repr__(self):
        return f"<RemovableHandle id={self.id}>"
