"""Padding modules (``ZeroPad2d``, ``ReflectionPad1d``, ...); each calls ``F.pad``.

``padding`` is an int (the same on every side) or a tuple in ``F.pad``'s order:
(left, right) for 1-d, (left, right, top, bottom) for 2-d, then (front, back).
"""
from . import functional as F
from .module import Module


class _Pad(Module):
    dims = 1  # how many trailing dimensions are padded
    mode = "constant"

    def __init__(self, padding, value=None):
        super().__init__()
        if isinstance(padding, int):
            padding = (padding,) * (2 * self.dims)
        padding = tuple(padding)
        if len(padding) != 2 * self.dims:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of "
                             f"{2 * self.dims} ints, got {padding}")
        self.padding = padding
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, self.mode, self.value)

    def extra_repr(self):  # PyTorch's: ConstantPad1d(padding=(1, 2), value=3), ZeroPad2d((1, ...))
        if type(self).__name__.startswith("ConstantPad"):
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"


def _padding_class(name, dims, mode, doc, constant=False):
    if constant:
        def __init__(self, padding, value):
            _Pad.__init__(self, padding, value)
    else:
        def __init__(self, padding):
            _Pad.__init__(self, padding, 0.0 if mode == "constant" else None)
    return type(name, (_Pad,), {"dims": dims, "mode": mode, "__doc__": doc,
                                "__init__": __init__, "__module__": __name__})


ConstantPad1d = _padding_class("ConstantPad1d", 1, "constant", "Pad the last dimension with "
                               "``value``.", constant=True)
ConstantPad2d = _padding_class("ConstantPad2d", 2, "constant", "Pad the last 2 dimensions "
                               "with ``value``.", constant=True)
ConstantPad3d = _padding_class("ConstantPad3d", 3, "constant", "Pad the last 3 dimensions "
                               "with ``value``.", constant=True)
ZeroPad1d = _padding_class("ZeroPad1d", 1, "constant", "Pad the last dimension with zeros.")
ZeroPad2d = _padding_class("ZeroPad2d", 2, "constant", "Pad the last 2 dimensions with zeros.")
ZeroPad3d = _padding_class("ZeroPad3d", 3, "constant", "Pad the last 3 dimensions with zeros.")
ReflectionPad1d = _padding_class("ReflectionPad1d", 1, "reflect", "Mirror the last dimension "
                                 "at its edges (the edge itself not repeated).")
ReflectionPad2d = _padding_class("ReflectionPad2d", 2, "reflect", "Mirror the last 2 "
                                 "dimensions at their edges.")
ReflectionPad3d = _padding_class("ReflectionPad3d", 3, "reflect", "Mirror the last 3 "
                                 "dimensions at their edges.")
ReplicationPad1d = _padding_class("ReplicationPad1d", 1, "replicate", "Repeat the edge values "
                                  "of the last dimension.")
ReplicationPad2d = _padding_class("ReplicationPad2d", 2, "replicate", "Repeat the edge values "
                                  "of the last 2 dimensions.")
ReplicationPad3d = _padding_class("ReplicationPad3d", 3, "replicate", "Repeat the edge values "
                                  "of the last 3 dimensions.")
CircularPad1d = _padding_class("CircularPad1d", 1, "circular", "Wrap the last dimension "
                               "around.")
CircularPad2d = _padding_class("CircularPad2d", 2, "circular", "Wrap the last 2 dimensions "
                               "around.")
CircularPad3d = _padding_class("CircularPad3d", 3, "circular", "Wrap the last 3 dimensions "
                               "around.")
