"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and that a ``Module`` registers
    when it is assigned as an attribute (``self.weight = Parameter(...)``).

    ``Parameter(data)`` shares ``data``'s array when ``data`` is a Tensor (as
    ``torch.nn.Parameter`` does); operations on a Parameter return plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = Tensor.__new__(Tensor)
            Tensor.__init__(data, [])
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter: expected a Tensor, got {type(data).__name__}; "
                "wrap arrays with mt.tensor(...) first")
        super().__init__(data.data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
