"""Containers: ``Sequential`` (a chain of modules) and ``ModuleList`` (a list)."""
import operator
from collections import OrderedDict

from .module import Module


class _IndexedModules(Module):
    """Children named "0", "1", ...: indexing, ``len`` and iteration."""

    def _index(self, idx):
        n = len(self._modules)
        idx = operator.index(idx)
        if not -n <= idx < n:
            raise IndexError(
                f"{type(self).__name__}: index {idx} is out of range for length {n}")
        return idx % n

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self._from_list(list(self._modules.values())[idx])
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx, module):
        setattr(self, list(self._modules.keys())[self._index(idx)], module)

    def __delitem__(self, idx):
        modules = list(self._modules.values())
        del modules[idx if isinstance(idx, slice) else self._index(idx)]
        self._renumber(modules)

    def _renumber(self, modules):
        """Replace the children by ``modules`` named "0", "1", ..."""
        for key in list(self._modules.keys()):
            delattr(self, key)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Add each of ``modules`` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self


class Sequential(_IndexedModules):
    """Chain modules: ``Sequential(Linear(2, 16), ReLU(), Linear(16, 2))(x)``
    applies them in order. Also accepts an OrderedDict of named modules."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    @classmethod
    def _from_list(cls, modules):
        return cls(*modules)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_IndexedModules):
    """A list of modules whose parameters are registered (a plain Python list's
    are not). It has no ``forward``: iterate over it in your own."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @classmethod
    def _from_list(cls, modules):
        return cls(modules)

    def insert(self, index, module):
        """Insert ``module`` before position ``index``."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))
