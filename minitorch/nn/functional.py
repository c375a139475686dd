"""Functional forms of the layers, activations and losses (``mt.nn.functional``,
usually imported as ``F``).

Everything here is a composition of differentiable tensor operations, so
gradients (and ``gradcheck``) come for free; the two hot paths use the fused
primitives ``ops.linear`` and ``ops.cross_entropy``. Losses check their inputs
first and name the loss and the shapes in every error.
"""
import math

from ..creation import from_numpy
from ..random import default_generator
from ..methods import where

from .. import linalg, ops
from ..backend import xp
from ..ops.pooling import max_pool_indices
from ..tensor import Tensor, bump_version

_REDUCTIONS = ("mean", "sum", "none")


# --- layers -------------------------------------------------------------------

def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: input (*, in), weight (out, in), bias (out,) -> (*, out).

    All three must be Tensors (TypeError otherwise, e.g. for a NumPy array: wrap it
    with ``mt.from_numpy``) of one dtype: as in PyTorch, an int64 or float64 input
    to float32 weights raises RuntimeError instead of silently computing in
    another dtype (convert with ``x.float()`` or ``x.to(weight.dtype)``).
    """
    _check_tensor("linear", "input", input)
    _check_tensor("linear", "weight", weight)
    if bias is not None:
        _check_tensor("linear", "bias", bias)
    for what, other in (("input", input), ("bias", bias)):
        if other is not None and other._data.dtype != weight._data.dtype:
            raise RuntimeError(
                f"linear: mat1 and mat2 must have the same dtype, but got "
                f"{other._data.dtype} and {weight._data.dtype} ({what} of shape "
                f"{tuple(other.shape)}, weight of shape {tuple(weight.shape)}); convert "
                f"the {what} with .to({weight._data.dtype})")
    return ops.linear(input, weight, bias)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p)
    (inverted dropout) when ``training``; the identity otherwise. The mask is
    drawn from the default generator (``mt.manual_seed``). ``inplace`` is
    accepted and ignored (the result is a new tensor)."""
    _check_probability("dropout", p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    uniform = default_generator.numpy_rng.random(input.shape)
    mask = (uniform >= p).astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    return input * from_numpy(mask)


def one_hot(tensor, num_classes=-1):
    """Class indices of shape (*) -> int64 one-hot encoding of shape (*, num_classes)
    (``num_classes=-1``: one more than the largest index)."""
    _check_tensor("one_hot", "tensor", tensor)
    if tensor.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor of class indices, got {tensor.dtype}")
    indices = tensor._data
    if num_classes == -1:
        num_classes = int(indices.max()) + 1 if indices.size else 0
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise ValueError(
            f"one_hot: class values must be in [0, {num_classes}), got values from "
            f"{int(indices.min())} to {int(indices.max())}")
    return from_numpy((indices[..., None] == xp.arange(num_classes)).astype(xp.int64))


# --- activations ------------------------------------------------------------

def relu(input, inplace=False):
    """max(x, 0); the gradient at 0 is 0, as in PyTorch."""
    return input.relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, ``negative_slope * x`` otherwise (gradient at 0: the slope)."""
    return where(input > 0, input, input * negative_slope)


def sigmoid(input):
    """1 / (1 + exp(-x)), stable for large |x|."""
    return input.sigmoid()


def tanh(input):
    """Hyperbolic tangent."""
    return input.tanh()


def gelu(input, approximate="none"):
    """x * Phi(x) with Phi the normal CDF: ``0.5 x (1 + erf(x / sqrt 2))``, or with
    ``approximate='tanh'`` ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``."""
    if approximate == "none":
        return input * 0.5 * (1.0 + (input * (1.0 / math.sqrt(2.0))).erf())
    if approximate == "tanh":
        inner = (input + 0.044715 * (input * input * input)) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (1.0 + inner.tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _softmax_dim(input, dim):
    """PyTorch's legacy implicit dim when none is given: 0 for 0-, 1- and 3-D input, else 1."""
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return dim


def softmax(input, dim=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed stably."""
    return input.softmax(_softmax_dim(input, dim))


def log_softmax(input, dim=None):
    """x - logsumexp(x) along ``dim``, computed stably (use it, not log(softmax))."""
    return input.log_softmax(_softmax_dim(input, dim))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``: weights that favour small values."""
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(_softmax_dim(input, dim))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > ``threshold`` (PyTorch's
    linear regime, which also keeps exp from overflowing); the gradient is
    sigmoid(beta x) (1 above the threshold)."""
    scaled = input * beta if beta != 1 else input
    linear = scaled._data > threshold
    if not linear.any():
        return scaled.exp().log1p() / beta if beta != 1 else scaled.exp().log1p()
    # the unused branch sees 0, not a huge value: exp would overflow and 0 * inf give nan
    soft = where(linear, 0.0, scaled).exp().log1p() / beta
    return where(linear, input, soft)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    return input * input.sigmoid()


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha (exp(x) - 1) otherwise (gradient alpha exp(x) there, as PyTorch,
    also at 0)."""
    negative = input._data <= 0
    # exp sees 0 where unused: large positive x cannot overflow, nan cannot leak
    return where(negative, where(negative, input, 0.0).expm1() * alpha, input)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al.
    (2017), as PyTorch: alpha = 1.6732632423543772, scale = 1.0507009873554805."""
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; as in PyTorch the gradient is 1 strictly inside
    and 0 at and beyond the bounds (``clamp`` passes it at the bounds)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    values = input._data
    outside = (values <= min_val) | (values >= max_val)  # nan is inside: it propagates
    return where(outside, from_numpy(xp.clip(values, min_val, max_val)), input)


def relu6(input, inplace=False):
    """min(max(x, 0), 6), ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0)


# --- distances and padding --------------------------------------------------------

def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim`` (PyTorch's formula): unit vectors, and zero
    vectors stay zero (gradient 1 / eps there, as in PyTorch)."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    _check_tensor("normalize", "input", input)
    norm = linalg.vector_norm(input._floating(), p, dim, keepdim=True)
    return input / norm.clamp_min(eps).expand_as(input)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` of the
    broadcast inputs (PyTorch's formula: each vector is divided by its norm first,
    which keeps the result in [-1, 1]). As in PyTorch the eps bound changes the
    value only, and gradients flow through the norms."""
    _check_tensor("cosine_similarity", "x1", x1)
    _check_tensor("cosine_similarity", "x2", x2)
    try:
        shape = xp.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: shapes {tuple(x1.shape)} and {tuple(x2.shape)} "
                         "do not broadcast") from None
    x1, x2 = x1._floating().expand(shape), x2._floating().expand(shape)
    unit1, unit2 = (x / _at_least(linalg.vector_norm(x, 2, dim, keepdim=True), eps)
                    for x in (x1, x2))
    return (unit1 * unit2).sum(dim)


def _at_least(norm, eps):
    """``norm`` with values raised to ``eps`` but the gradient of ``norm`` itself
    (PyTorch clamps its norms under no_grad)."""
    low = norm._data < eps
    if not low.any():
        return norm
    return norm + from_numpy(xp.where(low, eps - norm._data, 0).astype(norm._data.dtype))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dimension (PyTorch's formula)."""
    _check_tensor("pairwise_distance", "x1", x1)
    _check_tensor("pairwise_distance", "x2", x2)
    return linalg.vector_norm(x1 - x2 + eps, p, -1, keepdim)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad ``input`` by ``pad`` = (left, right) for the last dimension, then (top,
    bottom) for the one before, and so on (PyTorch's order, from the last dimension).

    ``mode``: 'constant' (``value``, default 0; negative pads crop; any number of
    dimensions), 'reflect' (mirror without repeating the edge; pads smaller than the
    dimension), 'replicate' (repeat the edge), 'circular' (wrap around; pads at most
    the dimension). The last three pad 1 to 3 trailing dimensions of an input with
    one or two more (batch, channel), as PyTorch. Differentiable in ``input``.
    """
    name = "pad"
    _check_tensor(name, "input", input)
    pad = tuple(int(n) for n in pad)
    if len(pad) % 2:
        raise ValueError(f"{name}: padding length must be divisible by 2, got {pad}")
    if len(pad) // 2 > input.ndim:
        raise ValueError(f"{name}: padding {pad} names {len(pad) // 2} dimensions but the "
                         f"input has shape {tuple(input.shape)}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"{name}: unrecognised padding mode {mode!r} (one of "
                                  f"{', '.join(_PAD_MODES)})")
    # (dimension, before, after), last dimension first
    sides = [(input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    if mode == "constant":
        return _pad_constant(input, sides, 0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"{name}: padding mode {mode!r} doesn't take a value argument")
    if input.ndim not in (len(sides) + 1, len(sides) + 2):
        raise NotImplementedError(
            f"{name}: {mode} padding of {len(sides)} dimension(s) needs an input with "
            f"{len(sides) + 1} or {len(sides) + 2} dimensions, got shape {tuple(input.shape)}")
    out = _crop(input, sides)  # negative pads first, as PyTorch
    for dim, before, after in sides:
        before, after, size = max(before, 0), max(after, 0), out.shape[dim]
        largest = max(before, after)
        if mode == "reflect" and largest >= size:
            raise ValueError(f"{name}: reflect padding {(before, after)} must be less than "
                             f"the size {size} of dimension {dim} (input shape "
                             f"{tuple(input.shape)})")
        if mode == "circular" and largest > size:
            raise ValueError(f"{name}: circular padding {(before, after)} would wrap around "
                             f"more than once (dimension {dim} of size {size}, input shape "
                             f"{tuple(input.shape)})")
        if mode == "replicate" and size == 0 and largest > 0:
            raise ValueError(f"{name}: cannot replicate-pad the empty dimension {dim} of "
                             f"input shape {tuple(input.shape)}")
        if not largest:
            continue
        positions = xp.arange(-before, size + after)
        if mode == "reflect":
            positions = xp.abs(positions)
            positions = xp.where(positions >= size, 2 * (size - 1) - positions, positions)
        elif mode == "replicate":
            positions = xp.clip(positions, 0, size - 1)
        else:
            positions = positions % size
        out = out.index_select(dim, from_numpy(positions))
    return out


def _crop(input, sides):
    """``input`` with the negative pads of ``sides`` cut off (a view)."""
    crop = [slice(None)] * input.ndim
    for dim, before, after in sides:
        size = input.shape[dim]
        if size + min(before, 0) + min(after, 0) < 0:
            raise ValueError(f"pad: padding {(before, after)} removes more than the size "
                             f"{size} of dimension {dim} of input shape {tuple(input.shape)}")
        crop[dim] = slice(max(0, -before), size - max(0, -after))
    return input[tuple(crop)]


def _pad_constant(input, sides, value):
    """Constant padding: crop for negative pads, then write into a filled tensor."""
    cropped = _crop(input, sides)
    shape, place = list(cropped.shape), [slice(None)] * input.ndim
    for dim, before, after in sides:
        before, after = max(before, 0), max(after, 0)
        place[dim] = slice(before, before + cropped.shape[dim])
        shape[dim] += before + after
    filled = from_numpy(xp.full(shape, value, dtype=input._data.dtype))
    return ops.SetItem.apply(filled, tuple(place), cropped)



# --- input checks shared by the losses ----------------------------------------

def _check_tensor(name, what, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(value).__name__} "
                        "(expected a Tensor; wrap arrays with mt.from_numpy or mt.tensor)")


def _check_probability(name, p):
    if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: probability has to be between 0 and 1, but got {p!r}")


def _check_reduction(name, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_float(name, what, tensor):
    if tensor.dtype.kind != "f":
        raise TypeError(f"{name}: {what} must be a floating point tensor, "
                        f"got dtype {tensor.dtype} (shape {tuple(tensor.shape)})")


def _check_pointwise(name, input, target, reduction):
    """Common checks of the elementwise losses: tensors, floats, equal shapes."""
    _check_reduction(name, reduction)
    _check_tensor(name, "input", input)
    _check_tensor(name, "target", target)
    _check_float(name, "input", input)
    _check_float(name, "target", target)
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: target shape {tuple(target.shape)} must equal input shape "
            f"{tuple(input.shape)} (broadcasting a target would silently give a wrong loss)")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# --- regression losses ------------------------------------------------------------

def mse_loss(input, target, reduction="mean"):
    """(input - target)**2, reduced. Shapes must match."""
    _check_pointwise("mse_loss", input, target, reduction)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, reduction="mean"):
    """|input - target|, reduced. Shapes must match."""
    _check_pointwise("l1_loss", input, target, reduction)
    return _reduce((input - target).abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d**2 where |d| < delta, else delta (|d| - 0.5 delta); d = input - target."""
    _check_pointwise("huber_loss", input, target, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta!r}")
    diff = input - target
    size = diff.abs()
    loss = where(size < delta, 0.5 * (diff * diff), delta * (size - 0.5 * delta))
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta (``huber_loss / beta``)."""
    _check_pointwise("smooth_l1_loss", input, target, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta!r}")
    diff = input - target
    size = diff.abs()
    if beta == 0:
        return _reduce(size, reduction)
    loss = where(size < beta, (0.5 / beta) * (diff * diff), size - 0.5 * beta)
    return _reduce(loss, reduction)


# --- binary classification losses -------------------------------------------------

def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-(t log(x) + (1 - t) log(1 - x)) for probabilities x in [0, 1]; each log is
    clamped at -100 as in PyTorch. Prefer ``binary_cross_entropy_with_logits``."""
    name = "binary_cross_entropy"
    _check_pointwise(name, input, target, reduction)
    values = input._data
    if values.size and not (values.min() >= 0 and values.max() <= 1):
        raise ValueError(
            f"{name}: all elements of input should be between 0 and 1 (probabilities), "
            f"got values from {values.min()} to {values.max()} in shape {tuple(input.shape)}; "
            "for raw scores use binary_cross_entropy_with_logits")
    loss = ops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """BCE of sigmoid(input) computed from the logits, stable for any logit size:
    ``(1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x))``, with
    log(1 + exp(-x)) = m + log(exp(-m) + exp(-x - m)) and m = max(-x, 0)."""
    name = "binary_cross_entropy_with_logits"
    _check_pointwise(name, input, target, reduction)
    shift_array = xp.maximum(-input._data, 0)  # a constant: the gradient does not depend on it
    shift = from_numpy(shift_array)
    log1p_exp_neg = (from_numpy(xp.exp(-shift_array)) + (-input - shift).exp()).log() + shift
    if pos_weight is not None:
        log1p_exp_neg = (1.0 + (pos_weight - 1.0) * target) * log1p_exp_neg
    loss = (1.0 - target) * input + log1p_exp_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# --- multi-class losses -------------------------------------------------------------

def _class_targets(name, input, target, weight, ignore_index=None):
    """Check (input, integer class target) and return the index array, the mask of
    counted (not ignored) entries and the class weights as an array or None."""
    _check_tensor(name, "input", input)
    _check_tensor(name, "target", target)
    _check_float(name, "input", input)
    if input.ndim not in (1, 2):
        raise ValueError(
            f"{name}: input must have shape (N, C) or (C,), got {tuple(input.shape)}")
    expected = (input.shape[0],) if input.ndim == 2 else ()
    classes = input.shape[-1]
    if target.dtype.kind not in "iu" or target.shape != expected:
        raise ValueError(
            f"{name}: expected an integer class-index target of shape {expected} for input "
            f"of shape {tuple(input.shape)}, got a {target.dtype} target of shape "
            f"{tuple(target.shape)}")
    indices = target._data.reshape(-1)
    counted = indices != ignore_index if ignore_index is not None else None
    bad = (indices < 0) | (indices >= classes)
    if counted is not None:
        bad &= counted
    if bad.any():
        raise IndexError(
            f"{name}: target class index {int(indices[bad][0])} is out of range for input "
            f"of shape {tuple(input.shape)} ({classes} classes, indices 0..{classes - 1})")
    if weight is not None:
        _check_tensor(name, "weight", weight)
        if weight.shape != (classes,):
            raise ValueError(f"{name}: weight must have shape ({classes},) (one per class), "
                             f"got {tuple(weight.shape)}")
        weight = weight._data
    return indices, counted, weight


def _as_batch(input, target):
    """Unbatched (C,) input and () target -> (1, C) and (1,)."""
    if input.ndim == 1:
        return input.reshape(1, -1), target.reshape(1)
    return input, target


def _unbatch(loss, input, reduction):
    return loss.reshape(()) if input.ndim == 1 and reduction == "none" else loss


def _nll(log_probs, indices, counted, weight, reduction):
    """Weighted negative log-likelihood of (N, C) log-probabilities, as PyTorch computes it.

    Ignored entries (``counted`` False) are masked out, so their loss and gradient
    are exactly 0 even when the mean below is nan. 'mean' divides by the summed
    weights of the counted entries: with none (every target ignored, an empty
    batch) or a zero total weight the loss is nan, as in PyTorch; the ignored
    entries' gradient stays 0 (so an SGD step leaves their weights alone), while
    counted entries of weight 0 get nan, as in PyTorch.
    """
    safe = indices if counted is None else xp.where(counted, indices, 0)
    picked = log_probs[xp.arange(len(safe)), safe]
    coef = None if weight is None else weight[safe].astype(log_probs.dtype)
    loss = -picked if coef is None else -(picked * from_numpy(coef))
    if counted is not None:
        loss = where(counted, loss, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if coef is None:
        total = len(safe) if counted is None else int(counted.sum())
    else:
        total = float(coef.sum() if counted is None else coef[counted].sum())
    return _mean_over(loss.sum(), total)


def _mean_over(total_loss, denominator):
    """``total_loss / denominator``; for a zero denominator nan, whose gradient is nan
    (PyTorch's 0/0) without NumPy's divide-by-zero warnings."""
    if denominator:
        return total_loss / denominator
    return total_loss * math.nan


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """-input[n, target[n]] * weight[target[n]] for log-probabilities input (N, C) or (C,)
    and class indices target (N,) or (); 'mean' divides by the summed weights of the
    entries not equal to ``ignore_index``."""
    _check_reduction("nll_loss", reduction)
    indices, counted, weight_array = _class_targets("nll_loss", input, target, weight,
                                                    ignore_index)
    log_probs, _ = _as_batch(input, target)
    return _unbatch(_nll(log_probs, indices, counted, weight_array, reduction), input, reduction)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy of logits input (N, C) or (C,) against class indices (N,) or ()
    (integer dtype) or class probabilities of input's shape (float dtype).

    Computed through log-softmax, so it is stable for huge logits. With
    ``label_smoothing`` e the target is mixed with the uniform distribution:
    (1 - e) * nll + e * mean over classes of -log p (PyTorch's formula).
    """
    if _plain_class_targets(input, target, weight, ignore_index, label_smoothing, reduction):
        return ops.cross_entropy(input, target, reduction)  # the fused kernel, checks done
    name = "cross_entropy"
    _check_reduction(name, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be between 0.0 and 1.0, "
                         f"got {label_smoothing!r}")
    _check_tensor(name, "target", target)
    if target.dtype.kind == "f":
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    indices, counted, weight_array = _class_targets(name, input, target, weight, ignore_index)
    all_counted = bool(counted.all())
    logits, batch_target = _as_batch(input, target)
    if weight is None and label_smoothing == 0.0 and all_counted and len(indices):
        if batch_target.dtype != xp.int64:
            batch_target = batch_target.long()
        return _unbatch(ops.cross_entropy(logits, batch_target, reduction), input, reduction)
    if all_counted:
        counted = None
    log_probs = logits.log_softmax(1)
    loss = _nll(log_probs, indices, counted, weight_array, reduction)
    if label_smoothing > 0.0:
        loss = (1.0 - label_smoothing) * loss + (label_smoothing / logits.shape[1]) * \
            _smoothing_term(log_probs, indices, counted, weight_array, reduction)
    return _unbatch(loss, input, reduction)


def _plain_class_targets(input, target, weight, ignore_index, label_smoothing, reduction):
    """True for the common, valid case of cross-entropy that the fused kernel handles:
    logits (N, C), int64 targets (N,) all in 0..C-1, no weights, ignoring or smoothing.
    Anything else goes through the full checks (which name what is wrong)."""
    if not (isinstance(input, Tensor) and isinstance(target, Tensor) and input.ndim == 2
            and weight is None and label_smoothing == 0.0 and reduction in _REDUCTIONS
            and input.dtype.kind == "f" and target.dtype == xp.int64
            and target.shape == (input.shape[0],) and target._data.size):
        return False
    classes = input.shape[1]
    indices = target._data
    return (not 0 <= ignore_index < classes  # ufunc reductions: cheaper than .min()/.max()
            and xp.minimum.reduce(indices) >= 0 and xp.maximum.reduce(indices) < classes)


def _smoothing_term(log_probs, indices, counted, weight, reduction):
    """-sum over classes of (weighted) log-probabilities, with ignored entries masked to
    0 and reduced like PyTorch's (its ``cross_entropy`` label-smoothing term)."""
    if weight is None:
        per_sample = -log_probs.sum(1)
    else:
        per_sample = -(log_probs * from_numpy(weight.astype(log_probs.dtype))).sum(1)
    if counted is not None:
        per_sample = where(counted, per_sample, 0.0)
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    kept = indices if counted is None else indices[counted]
    denominator = len(kept) if weight is None else float(weight[kept].sum())
    return _mean_over(per_sample.sum(), denominator)


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing):
    name = "cross_entropy"
    _check_tensor(name, "input", input)
    _check_float(name, "input", input)
    if input.ndim not in (1, 2) or target.shape != input.shape:
        raise ValueError(
            f"{name}: a float (class-probability) target must have the input's shape "
            f"(N, C) or (C,); got input {tuple(input.shape)} and target "
            f"{tuple(target.shape)} (use an integer target for class indices)")
    classes = input.shape[-1]
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    product = input.log_softmax(-1) * target
    if weight is not None:
        _check_tensor(name, "weight", weight)
        if weight.shape != (classes,):
            raise ValueError(f"{name}: weight must have shape ({classes},), got "
                             f"{tuple(weight.shape)}")
        product = product * weight
    if reduction == "none":
        return -product.sum(-1)
    if reduction == "sum":
        return -product.sum()
    return _mean_over(-product.sum(), input._data.size // classes if classes else 0)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """Multi-class hinge loss: for each sample, sum over classes i != y of
    ``weight[y] * max(0, margin - x[y] + x[i])**p``, divided by the number of
    classes. input (N, C) or (C,), target (N,) or () integer; p is 1 or 2."""
    name = "multi_margin_loss"
    _check_reduction(name, reduction)
    if p not in (1, 2):
        raise ValueError(f"{name}: only p == 1 and p == 2 are supported, got {p!r}")
    indices, _, weight_array = _class_targets(name, input, target, weight)
    scores, _ = _as_batch(input, target)
    rows = xp.arange(len(indices))
    true_score = scores[rows, indices].reshape(-1, 1)
    hinge = (scores - true_score + margin).relu()
    if p == 2:
        hinge = hinge * hinge
    coef = xp.ones_like(scores._data)  # made from the scores: mt.compile records it
    coef[rows, indices] = 0.0
    if weight_array is not None:
        coef *= weight_array[indices].astype(scores.dtype)[:, None]
    loss = (hinge * from_numpy(coef)).sum(1) / scores.shape[1]
    return _unbatch(_reduce(loss, reduction), input, reduction)


# --- convolution ----------------------------------------------------------------

def _ints(value, n, name, where, minimum=1):
    """``value`` (an int, or a sequence of ``n`` ints) as a tuple of ``n`` ints >= ``minimum``."""
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    elif (isinstance(value, (tuple, list)) and len(value) == n
          and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        values = tuple(value)
    else:
        raise ValueError(f"{where}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {value!r}")
    return values


def _image(input, spatial, where, channels=None, layer=None):
    """``input`` as a batch of 2-D images (N, C, H, W) and whether it had no batch dimension.

    ``spatial`` is 1 (input (N, C, L) or (C, L), made (N, C, 1, L)) or 2. ``channels``,
    when known, is the number of channels the operation needs. Errors name ``layer``
    (e.g. ``Conv2d(1, 16, kernel_size=(3, 3), ...)``) or else the function ``where``.
    """
    who = layer or where
    _check_tensor(who, "input", input)
    c = "C" if channels is None else channels
    expected = f"(N, {c}, L) or ({c}, L)" if spatial == 1 else f"(N, {c}, H, W) or ({c}, H, W)"
    if input.ndim not in (spatial + 1, spatial + 2) or (
            channels is not None and input.shape[-spatial - 1] != channels):
        raise ValueError(f"{who}: expected input of shape {expected}, got "
                         f"{tuple(input.shape)}")
    _check_float(who, "input", input)
    unbatched = input.ndim == spatial + 1
    if unbatched:
        input = input.unsqueeze(0)
    if spatial == 1:
        input = input.unsqueeze(2)
    return input, unbatched


def _unimage(out, spatial, unbatched):
    """Undo ``_image``: drop the row axis of 1-D data and the batch axis of unbatched data."""
    if spatial == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def _as_2d(values, spatial, neutral):
    """Per-axis settings of a 1-D operation as (rows, columns) of a 2-D one."""
    return values if spatial == 2 else (neutral,) + values


def _conv_padding(padding, kernel, dilation, stride, spatial, where):
    """((top, bottom), (left, right)) for ``padding`` = an int, a tuple, 'valid' or 'same'."""
    if padding == "valid":
        return ((0, 0),) * spatial
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"{where}: padding='same' is not supported for strided "
                             f"convolutions (stride {stride})")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    if isinstance(padding, str):
        raise ValueError(f"{where}: padding must be 'same', 'valid', an int or a tuple of "
                         f"{spatial} ints, got {padding!r}")
    return tuple((p, p) for p in _ints(padding, spatial, "padding", where, minimum=0))


def _check_conv_weight(weight, bias, spatial, groups, where, transposed=False):
    _check_tensor(where, "weight", weight)
    if weight.ndim != spatial + 2:
        layout = "(in, out / groups" if transposed else "(out, in / groups"
        kernel = "k)" if spatial == 1 else "kh, kw)"
        raise ValueError(f"{where}: weight must have shape {layout}, {kernel}, got "
                         f"{tuple(weight.shape)}")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive int, got {groups!r}")
    if weight.shape[0] % groups:
        raise ValueError(f"{where}: the weight's first dimension ({weight.shape[0]}) must be "
                         f"divisible by groups={groups}")
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None:
        _check_tensor(where, "bias", bias)
        if tuple(bias.shape) != (out_channels,):
            raise ValueError(f"{where}: bias must have shape ({out_channels},) (one per output "
                             f"channel), got {tuple(bias.shape)}")
    return out_channels


def _check_same_dtype(where, input, weight, bias):
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != input.dtype:
            raise TypeError(f"{where}: input ({input.dtype}) and {what} ({t.dtype}) must have "
                            "the same dtype; convert one with .to(dtype)")


def _window(image, kernel, stride, dilation, padding, groups, where):
    window = ops.Window(tuple(image.shape), tuple(kernel), tuple(stride), tuple(dilation),
                        tuple(padding), groups)
    if any(size < 1 for size in window.out_size) or any(
            p < s for p, s in zip(window.padded, window.span)):
        raise ValueError(
            f"{where}: the kernel {tuple(kernel)} with dilation {tuple(dilation)} spans "
            f"{window.span}, more than the padded input {window.padded} (input of shape "
            f"{tuple(image.shape)}, padding {tuple(padding)})")
    return window


def _conv(input, weight, bias, stride, padding, dilation, groups, spatial, where, layer=None):
    """Convolution as im2col and one matrix product (see ``ops.convolution``)."""
    _check_conv_weight(weight, bias, spatial, groups, where)
    x, unbatched = _image(input, spatial, where, weight.shape[1] * groups, layer)
    _check_same_dtype(where, x, weight, bias)
    kernel = _as_2d(tuple(weight.shape[2:]), spatial, 1)
    stride = _as_2d(_ints(stride, spatial, "stride", where), spatial, 1)
    dilation = _as_2d(_ints(dilation, spatial, "dilation", where), spatial, 1)
    padding = _as_2d(_conv_padding(padding, kernel[-spatial:], dilation[-spatial:],
                                   stride[-spatial:], spatial, where), spatial, (0, 0))
    window = _window(x, kernel, stride, dilation, padding, groups, layer or where)
    kernel_2d = weight.unsqueeze(2) if spatial == 1 else weight  # (C_out, C_in / G, 1, k)
    out = ops.Convolution.apply(x, kernel_2d, bias, window)
    return _unimage(out, spatial, unbatched)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation, as in PyTorch): input (N, C_in, L) or (C_in, L),
    weight (C_out, C_in / groups, k), bias (C_out,) -> (N, C_out, L_out) with
    L_out = (L + 2 padding - dilation (k - 1) - 1) // stride + 1. ``padding`` may be
    'valid' (0) or 'same' (output as long as the input; stride 1 only)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in PyTorch): input (N, C_in, H, W) or
    (C_in, H, W), weight (C_out, C_in / groups, kh, kw), bias (C_out,) ->
    (N, C_out, H_out, W_out), H_out = (H + 2 padding - dilation (kh - 1) - 1) // stride + 1.

    ``stride``, ``padding``, ``dilation``: an int or a pair; ``padding`` may also be
    'valid' (0) or 'same' (output of the input's size, stride 1 only; an odd total
    padding puts the extra row/column at the bottom/right, as PyTorch does).
    ``groups`` splits the channels into groups convolved separately. Computed as
    im2col (strided windows) and one matrix product; raises ValueError naming the
    shapes when input, weight and bias do not fit.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                    spatial, where, layer=None):
    """The transposed convolution: the gradient of a convolution with respect to its input,
    computed as one matrix product and ``Col2Im``."""
    out_channels = _check_conv_weight(weight, bias, spatial, groups, where, transposed=True)
    x, unbatched = _image(input, spatial, where, weight.shape[0], layer)
    _check_same_dtype(where, x, weight, bias)
    kernel = _as_2d(tuple(weight.shape[2:]), spatial, 1)
    stride = _as_2d(_ints(stride, spatial, "stride", where), spatial, 1)
    dilation = _as_2d(_ints(dilation, spatial, "dilation", where), spatial, 1)
    pads = _as_2d(_ints(padding, spatial, "padding", where, minimum=0), spatial, 0)
    extra = _as_2d(_ints(output_padding, spatial, "output_padding", where, minimum=0),
                   spatial, 0)
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(f"{where}: output_padding {extra[-spatial:]} must be smaller than "
                         f"either stride {stride[-spatial:]} or dilation {dilation[-spatial:]}")
    n, _, h, w = x.shape
    full = [(i - 1) * s + d * (k - 1) + 1 for i, s, d, k in zip((h, w), stride, dilation, kernel)]
    if any(f - 2 * p + e < 1 for f, p, e in zip(full, pads, extra)):
        size = tuple(f - 2 * p + e for f, p, e in zip(full, pads, extra))
        raise ValueError(f"{where}: input of shape {tuple(input.shape)} gives a non-positive "
                         f"output size {size[-spatial:]}")
    # every window of the unpadded output, then padding cropped and output_padding added
    window = ops.Window((n, out_channels, *full), kernel, stride, dilation, ((0, 0), (0, 0)),
                        groups)
    rows = x.reshape(n, groups, -1, h * w).permute(1, 0, 3, 2).reshape(groups, n * h * w, -1)
    # weight (C_in, C_out / G, kh, kw) -> (G, C_in / G, kh * kw * C_out / G): the column order
    kernels = (weight.unsqueeze(2) if spatial == 1 else weight).permute(0, 2, 3, 1)
    kernels = kernels.reshape(groups, weight.shape[0] // groups, -1)
    columns = ops.MatMul.apply(rows, kernels)  # (G, N * H * W, kh * kw * C_out / G)
    out = ops.Col2Im.apply(columns, window)
    if any(pads) or any(extra):
        out = _pad_constant(out, [(2, -pads[0], extra[0] - pads[0]),
                                  (3, -pads[1], extra[1] - pads[1])], 0)
    if bias is not None:
        out = out + bias.reshape(out_channels, 1, 1)
    return _unimage(out, spatial, unbatched)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """1-D transposed convolution: input (N, C_in, L), weight (C_in, C_out / groups, k) ->
    (N, C_out, (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """2-D transposed convolution, the gradient of ``conv2d`` with respect to its input:
    input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out / groups, kh, kw),
    bias (C_out,) -> (N, C_out, H_out, W_out) with
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding windows of a batch of images (N, C, H, W) as columns
    (N, C * kh * kw, L), L the number of windows (PyTorch's ``unfold``, im2col)."""
    x, _ = _image(input, 2, "unfold")
    if input.ndim != 4:
        raise ValueError(f"unfold: expected input of shape (N, C, H, W), got "
                         f"{tuple(input.shape)}")
    kernel = _ints(kernel_size, 2, "kernel_size", "unfold")
    pads = _ints(padding, 2, "padding", "unfold", minimum=0)
    window = _window(x, kernel, _ints(stride, 2, "stride", "unfold"),
                     _ints(dilation, 2, "dilation", "unfold"), tuple((p, p) for p in pads), 1,
                     "unfold")
    n, c = x.shape[:2]
    columns = ops.Im2Col.apply(x, window)  # (1, N * L, kh * kw * C)
    length = columns.shape[1] // n
    return columns.reshape(n, length, -1, c).permute(0, 3, 2, 1).reshape(n, -1, length)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of ``unfold``: columns (N, C * kh * kw, L) added back onto images
    (N, C, *output_size); overlapping windows add up (PyTorch's ``fold``, col2im)."""
    _check_tensor("fold", "input", input)
    kernel = _ints(kernel_size, 2, "kernel_size", "fold")
    size = _ints(output_size, 2, "output_size", "fold")
    pads = _ints(padding, 2, "padding", "fold", minimum=0)
    k = kernel[0] * kernel[1]
    if input.ndim != 3 or input.shape[1] % k:
        raise ValueError(f"fold: expected input of shape (N, C * {k}, L) for kernel "
                         f"{kernel}, got {tuple(input.shape)}")
    n, ck, length = input.shape
    window = ops.Window((n, ck // k, *size), kernel, _ints(stride, 2, "stride", "fold"),
                        _ints(dilation, 2, "dilation", "fold"), tuple((p, p) for p in pads), 1)
    if window.out_size[0] * window.out_size[1] != length:
        raise ValueError(f"fold: {length} windows given, but an output of size {size} with "
                         f"this kernel, stride, padding and dilation has "
                         f"{window.out_size[0] * window.out_size[1]}")
    columns = input.reshape(n, ck // k, k, length).permute(0, 3, 2, 1)  # (N, L, k, C)
    return ops.Col2Im.apply(columns.reshape(1, n * length, ck), window)


# --- pooling ------------------------------------------------------------------------

def _pool_window(x, kernel_size, stride, padding, dilation, ceil_mode, spatial, where):
    """The pooling windows (one group per channel) of ``x`` (N, C, H, W); with
    ``ceil_mode`` the last window may hang over the bottom/right edge, as in PyTorch
    (never starting in the right padding)."""
    kernel = _ints(kernel_size, spatial, "kernel_size", where)
    stride = kernel if stride is None or stride == () else _ints(stride, spatial, "stride", where)
    pads = _ints(padding, spatial, "padding", where, minimum=0)
    dilation = _ints(dilation, spatial, "dilation", where)
    if any(2 * p > d * (k - 1) + 1 for p, k, d in zip(pads, kernel, dilation)):
        raise ValueError(f"{where}: padding {pads} should be at most half of the effective "
                         f"kernel size {kernel} (dilation {dilation})")
    kernel, stride = _as_2d(kernel, spatial, 1), _as_2d(stride, spatial, 1)
    pads, dilation = _as_2d(pads, spatial, 0), _as_2d(dilation, spatial, 1)
    padding = []
    for size, k, s, p, d in zip(x.shape[2:], kernel, stride, pads, dilation):
        span = d * (k - 1) + 1
        room = size + 2 * p - span
        out = (-(-room // s) if ceil_mode else room // s) + 1
        if ceil_mode and (out - 1) * s >= size + p:
            out -= 1
        padding.append((p, p + max(0, (out - 1) * s + span - (size + 2 * p))))
    return _window(x, kernel, stride, dilation, padding, 1, where)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
              spatial, where):
    x, unbatched = _image(input, spatial, where)
    window = _pool_window(x, kernel_size, stride, padding, dilation, ceil_mode, spatial, where)
    out = _unimage(ops.MaxPool.apply(x, window), spatial, unbatched)
    if not return_indices:
        return out
    indices = from_numpy(max_pool_indices(x._data, window))
    return out, _unimage(indices, spatial, unbatched)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over windows of (N, C, L) or (C, L); see ``max_pool2d``."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over each window of (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out),
    H_out = (H + 2 padding - dilation (k - 1) - 1) // stride + 1 (rounded up with
    ``ceil_mode``). ``stride`` defaults to ``kernel_size``; padding (at most half the
    kernel) never wins. The gradient goes to each window's first maximum. With
    ``return_indices`` also the maxima's positions (flat over H * W, int64)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2, "max_pool2d")


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, spatial, where):
    x, unbatched = _image(input, spatial, where)
    window = _pool_window(x, kernel_size, stride, padding, 1, ceil_mode, spatial, where)
    n, c = x.shape[:2]
    out_h, out_w = window.out_size
    columns = ops.Im2Col.apply(x, window)  # (1, N * oH * oW, kh * kw * C)
    sums = columns.reshape(n, out_h, out_w, -1, c).sum(3).permute(0, 3, 1, 2)
    if divisor_override is not None:
        if not isinstance(divisor_override, int) or divisor_override == 0:
            raise ValueError(f"{where}: divisor_override must be a non-zero int, got "
                             f"{divisor_override!r}")
        return _unimage(sums / float(divisor_override), spatial, unbatched)
    counts = [_window_counts(size, k, s, p, o, count_include_pad) for size, k, s, (p, _), o in
              zip(x.shape[2:], window.kernel, window.stride, window.padding, window.out_size)]
    divisor = (counts[0][:, None] * counts[1][None, :]).astype(x.dtype)
    return _unimage(sums / from_numpy(divisor), spatial, unbatched)


def _window_counts(size, kernel, stride, pad, out, count_include_pad):
    """How many elements each window along one axis averages over (PyTorch's divisor:
    the padding counts with ``count_include_pad``, the ``ceil_mode`` overhang never)."""
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + kernel, size + pad)
    if not count_include_pad:
        start, end = xp.maximum(start, 0), xp.minimum(end, size)
    return end - start


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows of (N, C, L) or (C, L); see ``avg_pool2d``."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over each window of (N, C, H, W) or (C, H, W), shapes as ``max_pool2d``.
    The zero padding counts in the mean when ``count_include_pad`` (default), as in
    PyTorch; ``divisor_override`` replaces the window size as divisor."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d")


def _adaptive_weights(size, out, dtype):
    """(out, size) averaging matrix of adaptive pooling: row i averages the elements
    floor(i size / out) .. ceil((i + 1) size / out) - 1, as PyTorch's bins."""
    i = xp.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    positions = xp.arange(size)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return from_numpy((inside / (end - start)[:, None]).astype(dtype))


def _adaptive_avg_pool(input, output_size, spatial, where):
    x, unbatched = _image(input, spatial, where)
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * spatial
    if len(sizes) != spatial:
        raise ValueError(f"{where}: output_size must be an int or a tuple of {spatial}, got "
                         f"{output_size!r}")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, x.shape[-spatial:]))
    _ints(sizes, spatial, "output_size", where)
    out = x
    if spatial == 2:
        out = _adaptive_weights(x.shape[2], sizes[0], x.dtype) @ out
    out = out @ _adaptive_weights(x.shape[3], sizes[-1], x.dtype).mT
    return _unimage(out, spatial, unbatched)


def adaptive_avg_pool1d(input, output_size):
    """Mean over ``output_size`` nearly equal bins of (N, C, L) or (C, L)."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """Mean over an ``output_size`` grid of nearly equal bins of (N, C, H, W) or
    (C, H, W) (bins as PyTorch's; None keeps that size)."""
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


# --- normalisation ------------------------------------------------------------------

def _channel_shape(input):
    """The shape that broadcasts a per-channel vector (C,) over (N, C, *)."""
    return (input.shape[1],) + (1,) * (input.ndim - 2)


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _check_vector(where, what, tensor, size):
    if tensor is not None:
        _check_tensor(where, what, tensor)
        if tuple(tensor.shape) != (size,):
            raise ValueError(f"{where}: {what} must have shape ({size},), got "
                             f"{tuple(tensor.shape)}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation of input (N, C, *) per channel C.

    In training (or without running statistics): ``(x - mean) / sqrt(var + eps)`` with
    the batch's mean and biased variance over every dimension but C; the running
    buffers, when given, are then updated in place as PyTorch does:
    ``running = (1 - momentum) * running + momentum * batch``, the variance unbiased
    (times n / (n - 1)). Otherwise the running statistics normalise. Then
    ``* weight + bias`` (each (C,), optional). Raises ValueError for a training
    batch with a single value per channel.
    """
    where = "batch_norm"
    _check_tensor(where, "input", input)
    _check_float(where, "input", input)
    if input.ndim < 2:
        raise ValueError(f"{where}: expected input of shape (N, C, *), got {tuple(input.shape)}")
    channels = input.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_vector(where, what, t, channels)
    shape = _channel_shape(input)
    if training or running_mean is None or running_var is None:
        count = input._data.size // max(channels, 1)
        if training and count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(input.shape)}")
        x, axis = input, 1
        if input.ndim > 2 and _channels_last(input._data):
            # the same computation on the (N, *, C) view: NumPy runs it 2-3 times faster
            # with the channels contiguous in memory, as a convolution leaves them
            x, axis = input.permute((0,) + tuple(range(2, input.ndim)) + (1,)), input.ndim - 1
        dims = tuple(d for d in range(x.ndim) if d != axis)
        stats = ops.normalization.moments(x._data, dims)
        if training and running_mean is not None and running_var is not None:
            _update_running(running_mean, running_var, stats, count, momentum)
        param_shape = shape if axis == 1 else (channels,)
        out = ops.BatchNorm.apply(x, weight, bias, ops.Layout(None, dims, param_shape, dims),
                                  eps, stats)
        return out if axis == 1 else out.permute((0, axis) + tuple(range(1, axis)))
    inv_std = (running_var + eps).rsqrt()
    out = (input - running_mean.reshape(shape)) * inv_std.reshape(shape)
    return _affine(out, weight, bias, shape)


def _channels_last(array):
    """True when the channel axis (1) of ``array`` has the smallest stride (as the output
    of a convolution: its memory is (N, H, W, C))."""
    strides = [abs(st) for st, n in zip(array.strides, array.shape) if n > 1]
    return array.shape[1] > 1 and abs(array.strides[1]) == min(strides)


def _update_running(running_mean, running_var, stats, count, momentum):
    """PyTorch's update of the running statistics, in place, outside the graph."""
    mean, var = (s.reshape(-1) for s in stats)
    unbiased = var * (count / (count - 1))
    for buffer, value in ((running_mean, mean), (running_var, unbiased)):
        array = buffer._data
        array *= 1 - momentum
        array += momentum * value.astype(array.dtype, copy=False)
        bump_version(buffer)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last dimensions, those of ``normalized_shape`` (an int or a
    tuple matching the end of input's shape), then ``* weight + bias`` (each of
    ``normalized_shape``, optional). Mean and biased variance per sample."""
    where = "layer_norm"
    _check_tensor(where, "input", input)
    _check_float(where, "input", input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or tuple(input.shape[input.ndim - len(shape):]) != shape or \
            len(shape) > input.ndim:
        raise ValueError(f"{where}: given normalized_shape={list(shape)}, expected input with "
                         f"shape (*, {', '.join(map(str, shape))}), got {tuple(input.shape)}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"{where}: {what} must have shape {shape}, got {tuple(t.shape)}")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    layout = ops.Layout(None, dims, shape, tuple(range(input.ndim - len(shape))))
    return ops.LayerNorm.apply(input, weight, bias, layout, eps, None)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise input (N, C, *) over each group of C / num_groups channels (and all
    positions) per sample, then ``* weight + bias`` per channel (each (C,), optional)."""
    where = "group_norm"
    _check_tensor(where, "input", input)
    _check_float(where, "input", input)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise ValueError(f"{where}: expected input of shape (N, C, *) with C divisible by "
                         f"num_groups={num_groups}, got {tuple(input.shape)}")
    channels = input.shape[1]
    for what, t in (("weight", weight), ("bias", bias)):
        _check_vector(where, what, t, channels)
    layout = ops.Layout((input.shape[0], num_groups, -1), (2,), _channel_shape(input),
                        (0,) + tuple(range(2, input.ndim)))
    return ops.GroupNorm.apply(input, weight, bias, layout, eps, None)


# --- embeddings and channel dropout ------------------------------------------------------

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) at the integer indices ``input`` (any
    shape) -> (*input.shape, dim). The row ``padding_idx`` receives no gradient.
    With ``max_norm``, the rows looked up whose ``norm_type``-norm exceeds it are
    rescaled to that norm first, in place (as PyTorch). With ``scale_grad_by_freq``
    each row's gradient is divided by how often it occurs in ``input``."""
    name = "embedding"
    _check_tensor(name, "input", input)
    _check_tensor(name, "weight", weight)
    if weight.ndim != 2:
        raise ValueError(f"{name}: weight must have shape (num_embeddings, embedding_dim), "
                         f"got {tuple(weight.shape)}")
    if input.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected an integer tensor of indices, got {input.dtype}")
    if sparse:
        raise ValueError(f"{name}: sparse gradients are not supported by minitorch; "
                         "use sparse=False")
    rows = weight.shape[0]
    indices = input._data
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices[(indices < 0) | (indices >= rows)][0]
        raise IndexError(f"{name}: index {int(bad)} is out of range for {rows} embeddings "
                         f"(weight of shape {tuple(weight.shape)})")
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    out = weight[indices.copy()]
    keep = None
    if padding_idx is not None:
        padding_idx = _padding_index(padding_idx, rows, name)
        keep = (indices != padding_idx)[..., None]
    if scale_grad_by_freq:
        counts = xp.bincount(indices.reshape(-1), minlength=rows)[indices][..., None]
        scale = (1.0 / counts).astype(out.dtype)
        if keep is not None:
            scale = scale * keep
        return _scale_grad(out, scale)
    if keep is not None and not keep.all():
        return where(keep, out, out.detach())
    return out


def _scale_grad(out, scale):
    """``out``, whose gradient is multiplied by the constant array ``scale``."""
    plain = out.detach()
    return plain + (out - plain) * from_numpy(scale)


def _padding_index(padding_idx, rows, where):
    if not -rows <= padding_idx < rows:
        raise ValueError(f"{where}: padding_idx must be within [-{rows}, {rows}), got "
                         f"{padding_idx}")
    return padding_idx % rows


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` at ``indices`` whose norm exceeds ``max_norm``."""
    array = weight._data
    rows = xp.unique(indices)
    norms = xp.linalg.norm(array[rows], ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        scale = max_norm / (norms[too_long] + 1e-7)
        array[rows[too_long]] *= scale[:, None].astype(array.dtype)
        bump_version(weight)


def _channel_dropout(input, p, training, spatial, where):
    _check_probability(where, p)
    if input.ndim not in (spatial + 1, spatial + 2):
        positions = "L" if spatial == 1 else "H, W"
        raise ValueError(f"{where}: expected input of shape (N, C, {positions}) or "
                         f"(C, {positions}), got {tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    shape = input.shape[:input.ndim - spatial] + (1,) * spatial
    mask = (default_generator.numpy_rng.random(shape) >= p).astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    return input * from_numpy(mask)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p`` (the rest
    scaled by 1/(1-p)) when ``training``."""
    return _channel_dropout(input, p, training, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p`` (the
    rest scaled by 1/(1-p)) when ``training``: neighbouring pixels are correlated, so
    dropping single pixels regularises little."""
    return _channel_dropout(input, p, training, 2, "dropout2d")


# --- attention ------------------------------------------------------------------------

def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(query @ key^T * scale + bias) @ value`` with PyTorch's semantics.

    query (*, L, E), key (*, S, E), value (*, S, Ev) -> (*, L, Ev); ``scale``
    defaults to 1/sqrt(E). ``attn_mask`` (broadcastable to (*, L, S)): boolean, True
    where attention is allowed, or a float bias added to the scores. ``is_causal``:
    position i attends to positions <= i (no attn_mask then). ``dropout_p``: dropout
    on the attention weights (always applied, as in PyTorch: pass 0 in eval).
    ``enable_gqa``: key/value may have fewer heads (dim -3) than query, each shared
    by a group of query heads. A row whose every position is masked gives NaN.
    """
    where = "scaled_dot_product_attention"
    for what, t in (("query", query), ("key", key), ("value", value)):
        _check_tensor(where, what, t)
        _check_float(where, what, t)
        if t.ndim < 2:
            raise ValueError(f"{where}: {what} must have at least 2 dimensions (*, L, E), got "
                             f"{tuple(t.shape)}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{where}: expected query (*, L, E), key (*, S, E) and value "
                         f"(*, S, Ev), got {tuple(query.shape)}, {tuple(key.shape)} and "
                         f"{tuple(value.shape)}")
    _check_probability(where, dropout_p)
    if enable_gqa and key.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if heads % kv_heads:
            raise ValueError(f"{where}: with enable_gqa the query's {heads} heads must be a "
                             f"multiple of the key's {kv_heads}")
        repeat = (Ellipsis, xp.repeat(xp.arange(kv_heads), heads // kv_heads), slice(None),
                  slice(None))
        key, value = key[repeat], value[repeat]
    length, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.mT) * scale
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{where}: give either attn_mask or is_causal=True, not both")
        attn_mask = from_numpy(xp.tril(xp.ones((length, source), dtype=bool)))
    if attn_mask is not None:
        _check_tensor(where, "attn_mask", attn_mask)
        if attn_mask.dtype == xp.bool_:
            scores = scores.masked_fill(~attn_mask, -math.inf)
        else:
            scores = scores + attn_mask.to(scores.dtype)
    weights = scores.softmax(-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value
