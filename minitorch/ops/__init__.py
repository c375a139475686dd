"""The primitive differentiable operations, each a ``Primitive`` subclass with its
forward and its one derivative rule side by side (see ``autograd.function``).

Where is the gradient of X? In the class named X:

* ``elementwise``: Add, Sub, Mul, Div, Neg, Pow, PowScalar, Exp, Log, Log1p, Expm1,
  Log2, Log10, Sqrt, Sin, Cos, Tanh, Sigmoid, Relu, Abs, Erf, Clamp, Maximum,
  Minimum, Where, Clone, Cast
* ``reduce``: Sum, Mean, Max, Min, LogSumExp, Softmax, LogSoftmax
* ``cumulative``: Cumsum, Cumprod, Prod
* ``shape``: Reshape, Permute, Expand, Cat, Diagonal, DiagonalScatter
* ``indexing``: GetItem, IndexAdd, SetItem, Gather, ScatterAdd
* ``matmul``: MatMul, Linear (fused x @ W.T + b), Einsum, Solve (A X = B)
* ``loss``: CrossEntropy (fused log-softmax + NLL), BinaryCrossEntropy
* ``convolution``: Convolution (im2col and one matrix product), Im2Col, Col2Im (the
  windows of convolutions and pooling, and back)
* ``pooling``: MaxPool
* ``normalization``: BatchNorm, LayerNorm, GroupNorm (one rule: standardise, scale, shift)
"""
from .convolution import Col2Im, Convolution, Im2Col, Window
from .cumulative import Cumprod, Cumsum, Prod
from .elementwise import (Abs, Add, Cast, Clamp, Clone, Cos, Div, Erf, Exp, Expm1, Log,
                          Log1p, Log2, Log10, Maximum, Minimum, Mul, Neg, Pow, PowScalar,
                          Relu, Sigmoid, Sin, Sqrt, Sub, Tanh, Where)
from .indexing import Gather, GetItem, IndexAdd, ScatterAdd, SetItem
from .loss import BinaryCrossEntropy, CrossEntropy
from .matmul import Einsum, LinAlgError, Linear, MatMul, Solve
from .normalization import BatchNorm, GroupNorm, LayerNorm, Layout
from .pooling import MaxPool
from .reduce import LogSoftmax, LogSumExp, Max, Mean, Min, Softmax, Sum
from .shape import Cat, Diagonal, DiagonalScatter, Expand, Permute, Reshape


def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` as one graph node; weight (out, in), bias (out,)."""
    return Linear.apply(x, weight, bias)


def cross_entropy(logits, target, reduction="mean"):
    """Cross-entropy of logits (N, C) and int64 class indices (N,) as one graph node.

    No input checks (a target outside 0..C-1 reads a wrong logit): callers
    validate, as ``nn.functional.cross_entropy`` does.
    """
    target = getattr(target, "_data", target)  # a Tensor's array, or an array
    return CrossEntropy.apply(logits, target, reduction)
