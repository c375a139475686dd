"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""
from ..tensor import Tensor, share_version


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and that a ``Module`` registers
    when it is assigned as an attribute (``self.weight = Parameter(...)``).

    ``Parameter(tensor)`` shares ``tensor``'s array (as ``torch.nn.Parameter``
    does); operations on a Parameter return plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = Tensor(())
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter: expected a Tensor, got {type(data).__name__}; "
                "wrap data with mt.tensor(...) first")
        super().__init__(())
        self._data = data._data
        share_version(self, data)  # same memory, same version counter
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce__(self):
        """Pickle and ``copy.deepcopy`` as a Parameter (values and requires_grad), so that
        a copied module keeps Parameters (``nn.TransformerEncoder`` copies its layer)."""
        return (_rebuild_parameter, (self._data, self.requires_grad))


def _rebuild_parameter(array, requires_grad):
    return Parameter(Tensor(array), requires_grad)
