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
from ..tensor import Tensor

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
