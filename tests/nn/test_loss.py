"""Losses: values against NumPy references for every reduction, gradients through
gradcheck (float64), stability at extreme logits, and input errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch import nn
from minitorch.autograd import gradcheck
from minitorch.nn import functional as F

REDUCTIONS = ["mean", "sum", "none"]


def double(array, requires_grad=False):
    return mt.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def index(array):
    return mt.tensor(np.asarray(array, dtype=np.int64))


def reduce(values, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](values)


def log_softmax(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4)) * 2
    classes = np.array([0, 3, 1, 1, 2, 3])
    probs = rng.random((6, 4))
    probs /= probs.sum(1, keepdims=True)
    weight = rng.random(4) + 0.5
    return logits, classes, probs, weight


# --- regression losses ---------------------------------------------------------------

POINTWISE = {
    "mse": (nn.MSELoss, lambda x, t: (x - t) ** 2),
    "l1": (nn.L1Loss, lambda x, t: np.abs(x - t)),
    "huber": (nn.HuberLoss, lambda x, t: np.where(np.abs(x - t) < 1, 0.5 * (x - t) ** 2,
                                                  np.abs(x - t) - 0.5)),
    "smooth_l1": (lambda reduction: nn.SmoothL1Loss(reduction, beta=0.5),
                  lambda x, t: np.where(np.abs(x - t) < 0.5, (x - t) ** 2,
                                        np.abs(x - t) - 0.25)),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(POINTWISE))
@settings(max_examples=10, deadline=None)
@given(shape=st.sampled_from([(5,), (3, 4), (2, 3, 2)]), seed=st.integers(0, 2 ** 16))
def test_pointwise_losses_match_numpy(name, reduction, shape, seed):
    make, reference = POINTWISE[name]
    rng = np.random.default_rng(seed)
    x, t = rng.standard_normal(shape) * 2, rng.standard_normal(shape)
    loss = make(reduction=reduction)(double(x), double(t))
    np.testing.assert_allclose(loss._data, reduce(reference(x, t), reduction), rtol=1e-10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(POINTWISE))
def test_pointwise_losses_gradcheck(name, reduction):
    make, _ = POINTWISE[name]
    rng = np.random.default_rng(2)
    x, t = double(rng.standard_normal((3, 4)) * 2, True), double(rng.standard_normal((3, 4)), True)
    assert gradcheck(make(reduction=reduction), (x, t))


def test_huber_delta_parameter():
    x, t = double([0.0, 0.0]), double([1.0, 3.0])
    np.testing.assert_allclose(F.huber_loss(x, t, reduction="none", delta=2.0)._data,
                               [0.5, 2.0 * (3.0 - 1.0)])


# --- cross-entropy and NLL ---------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_indices(data, reduction):
    logits, classes, _, _ = data
    expected = -log_softmax(logits)[np.arange(6), classes]
    loss = nn.CrossEntropyLoss(reduction=reduction)(double(logits), index(classes))
    np.testing.assert_allclose(loss._data, reduce(expected, reduction), rtol=1e-10)
    assert gradcheck(lambda x: F.cross_entropy(x, index(classes), reduction=reduction),
                     (double(logits, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_weights_ignore_index_and_label_smoothing(data, reduction):
    logits, classes, _, weight = data
    classes = classes.copy()
    classes[2] = -100
    eps, kept = 0.2, classes != -100
    logp = log_softmax(logits)
    safe = np.where(kept, classes, 0)
    w = weight[safe] * kept
    nll = -logp[np.arange(6), safe] * w
    smooth = -(logp * weight).sum(1) * kept
    if reduction == "mean":
        expected = (1 - eps) * nll.sum() / w.sum() + eps / 4 * smooth.sum() / w.sum()
    else:
        expected = reduce((1 - eps) * nll + eps / 4 * smooth, reduction)
    loss_fn = nn.CrossEntropyLoss(weight=double(weight), reduction=reduction,
                                  label_smoothing=eps)
    np.testing.assert_allclose(loss_fn(double(logits), index(classes))._data, expected,
                               rtol=1e-10)
    assert gradcheck(lambda x: loss_fn(x, index(classes)), (double(logits, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_label_smoothing_without_weights(data, reduction):
    logits, classes, _, _ = data
    eps = 0.1
    target = np.full((6, 4), eps / 4)
    target[np.arange(6), classes] += 1 - eps
    expected = -(log_softmax(logits) * target).sum(1)
    loss = F.cross_entropy(double(logits), index(classes), reduction=reduction,
                           label_smoothing=eps)
    np.testing.assert_allclose(loss._data, reduce(expected, reduction), rtol=1e-10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_probabilities(data, reduction):
    logits, _, probs, weight = data
    expected = -(log_softmax(logits) * probs).sum(1)
    loss = F.cross_entropy(double(logits), double(probs), reduction=reduction)
    np.testing.assert_allclose(loss._data, reduce(expected, reduction), rtol=1e-10)
    weighted = -(log_softmax(logits) * probs * weight).sum(1)
    loss = F.cross_entropy(double(logits), double(probs), weight=double(weight),
                           reduction=reduction)
    np.testing.assert_allclose(loss._data, reduce(weighted, reduction), rtol=1e-10)
    assert gradcheck(lambda x, p: F.cross_entropy(x, p, reduction=reduction, label_smoothing=0.3),
                     (double(logits, True), double(probs, True)))


def test_cross_entropy_unbatched_input():
    logits = np.array([1.0, 2.0, 0.5])
    loss = F.cross_entropy(double(logits), index(1), reduction="none")
    assert loss.shape == ()
    np.testing.assert_allclose(loss._data, -log_softmax(logits)[1])


def test_cross_entropy_is_stable_at_extreme_logits():
    logits = double([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], True)
    loss = F.cross_entropy(logits, index([0, 2]), reduction="none")
    np.testing.assert_allclose(loss._data, [0.0, 1.0 + np.log1p(np.exp(-1.0))], atol=1e-12)
    loss.sum().backward()
    assert np.all(np.isfinite(logits.grad._data))
    wrong = F.cross_entropy(double([[1000.0, -1000.0]]), index([1]))
    assert wrong.item() == pytest.approx(2000.0)
    smoothed = F.cross_entropy(double([[1000.0, -1000.0]]), index([0]), label_smoothing=0.1)
    assert np.isfinite(smoothed.item()) and smoothed.item() == pytest.approx(0.05 * 2000.0)


def test_cross_entropy_float32_uses_the_fused_path_and_keeps_dtype():
    logits = mt.randn(8, 5, requires_grad=True)
    loss = F.cross_entropy(logits, mt.randint(0, 5, (8,)))
    assert loss.dtype == mt.float32 and loss.grad_fn is not None
    loss.backward()
    np.testing.assert_allclose(logits.grad._data.sum(1), 0, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_with_weights_and_ignore_index(data, reduction):
    logits, classes, _, weight = data
    logp = log_softmax(logits)
    classes = classes.copy()
    classes[0] = 7
    loss = F.nll_loss(double(logp), index(classes), weight=double(weight), ignore_index=7,
                      reduction=reduction)
    kept = classes != 7
    safe = np.where(kept, classes, 0)
    terms = -logp[np.arange(6), safe] * weight[safe] * kept
    expected = terms.sum() / (weight[safe] * kept).sum() if reduction == "mean" \
        else reduce(terms, reduction)
    np.testing.assert_allclose(loss._data, expected, rtol=1e-10)
    assert gradcheck(lambda x: nn.NLLLoss(reduction=reduction)(x, index(data[1])),
                     (double(logp, True),))


# --- binary losses ---------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2 ** 16))
def test_bce_and_bce_with_logits_match_numpy(reduction, seed):
    rng = np.random.default_rng(seed)
    logits, target = rng.standard_normal((4, 3)) * 3, rng.random((4, 3))
    p = 1 / (1 + np.exp(-logits))
    expected = reduce(-(target * np.log(p) + (1 - target) * np.log(1 - p)), reduction)
    bce = nn.BCELoss(reduction=reduction)(double(p), double(target))
    with_logits = nn.BCEWithLogitsLoss(reduction=reduction)(double(logits), double(target))
    np.testing.assert_allclose(bce._data, expected, rtol=1e-8)
    np.testing.assert_allclose(with_logits._data, expected, rtol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses_gradcheck_with_weights(reduction):
    rng = np.random.default_rng(4)
    logits, target = double(rng.standard_normal((3, 2)), True), double(rng.random((3, 2)), True)
    weight, pos_weight = double([0.5, 2.0]), double([3.0, 0.25])
    assert gradcheck(lambda x, t: F.binary_cross_entropy_with_logits(
        x, t, weight, reduction, pos_weight), (logits, target))
    probs = double(rng.uniform(0.05, 0.95, (3, 2)), True)
    assert gradcheck(lambda p, t: F.binary_cross_entropy(p, t, weight, reduction),
                     (probs, target))


def test_bce_with_logits_pos_weight_value():
    x, t = np.array([0.3, -1.2]), np.array([1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(double(x), double(t), reduction="none",
                                              pos_weight=double([2.0, 3.0]))
    np.testing.assert_allclose(loss._data, np.array([2.0, 3.0]) * np.log1p(np.exp(-x)))


def test_bce_with_logits_is_stable_at_plus_minus_1000():
    x = double([1000.0, -1000.0, 1000.0, -1000.0, 0.0], True)
    t = double([1.0, 0.0, 0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(loss._data, [0.0, 0.0, 1000.0, 1000.0, np.log(2.0)])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad._data, [0.0, 0.0, 1.0, -1.0, -0.5])


def test_bce_clamps_log_at_minus_100_like_pytorch():
    loss = F.binary_cross_entropy(double([0.0, 1.0, 0.0]), double([1.0, 0.0, 0.0]),
                                  reduction="none")
    np.testing.assert_allclose(loss._data, [100.0, 100.0, 0.0])


# --- multi-class hinge ------------------------------------------------------------------

def multi_margin_reference(x, y, p=1, margin=1.0, weight=None):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(c):
            if j != y[i]:
                h = max(0.0, margin - x[i, y[i]] + x[i, j]) ** p
                out[i] += h * (1.0 if weight is None else weight[y[i]])
    return out / c


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_matches_reference(data, reduction, p):
    logits, classes, _, weight = data
    logits = logits * 0.4
    for w in (None, weight):
        loss = nn.MultiMarginLoss(p=p, margin=0.8, weight=None if w is None else double(w),
                                  reduction=reduction)(double(logits), index(classes))
        expected = reduce(multi_margin_reference(logits, classes, p, 0.8, w), reduction)
        np.testing.assert_allclose(loss._data, expected, rtol=1e-10)
    assert gradcheck(lambda x: F.multi_margin_loss(x, index(classes), p=p, reduction=reduction),
                     (double(logits, True),))


def test_multi_margin_loss_reproduces_micrograds_svm_loss():
    # micrograd's demo: labels y in {-1, 1}, one score s, loss = mean(relu(1 - y * s)).
    # With two class scores (-s/2, s/2) and class (y + 1) / 2, the multi-class hinge
    # loss is relu(1 - y * s) / 2.
    rng = np.random.default_rng(5)
    scores = double(rng.standard_normal(10) * 2, True)
    labels = rng.choice([-1, 1], size=10)
    micrograd = (1 - mt.tensor(labels.astype(np.float64)) * scores).relu().mean()
    pair = mt.stack([-scores / 2, scores / 2], dim=1)
    hinge = 2 * nn.MultiMarginLoss()(pair, index((labels + 1) // 2))
    np.testing.assert_allclose(hinge._data, micrograd._data, rtol=1e-12)


# --- input errors ------------------------------------------------------------------------

def test_pointwise_shape_mismatch_names_the_loss_and_the_shapes():
    with pytest.raises(ValueError, match=r"mse_loss: target shape \(3,\) must equal input "
                                         r"shape \(3, 1\)"):
        F.mse_loss(mt.zeros(3, 1), mt.zeros(3))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: target shape"):
        nn.BCEWithLogitsLoss()(mt.zeros(4), mt.zeros(4, 1))


def test_bad_reduction_is_rejected_by_name():
    with pytest.raises(ValueError, match="MSELoss: reduction must be 'mean', 'sum' or 'none', "
                                         "got 'avg'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="cross_entropy: reduction must be"):
        F.cross_entropy(mt.zeros(2, 2), index([0, 1]), reduction="max")


def test_cross_entropy_target_errors_name_the_shapes_and_dtypes():
    logits = mt.zeros(4, 3)
    with pytest.raises(ValueError, match=r"cross_entropy: expected an integer class-index "
                                         r"target of shape \(4,\) for input of shape \(4, 3\), "
                                         r"got a minitorch.int64 target of shape \(4, 1\)"):
        F.cross_entropy(logits, index([[0], [1], [2], [0]]))
    with pytest.raises(ValueError, match=r"cross_entropy: a float \(class-probability\) target "
                                         r"must have the input's shape"):
        F.cross_entropy(logits, mt.zeros(4))
    with pytest.raises(IndexError, match=r"cross_entropy: target class index 3 is out of range "
                                         r"for input of shape \(4, 3\) \(3 classes"):
        nn.CrossEntropyLoss()(logits, index([0, 1, 3, 2]))
    with pytest.raises(IndexError, match="target class index -1 is out of range"):
        F.cross_entropy(logits, index([0, -1, 1, 2]))
    with pytest.raises(TypeError, match="cross_entropy: input must be a floating point tensor"):
        F.cross_entropy(index([[1, 2]]), index([0]))
    with pytest.raises(TypeError, match="cross_entropy: target must be a Tensor, got list"):
        F.cross_entropy(logits, [0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have shape \(3,\)"):
        F.cross_entropy(logits, index([0, 1, 2, 0]), weight=mt.ones(4))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(logits, index([0, 1, 2, 0]), label_smoothing=1.5)


def test_other_target_errors():
    with pytest.raises(IndexError, match=r"nll_loss: target class index 5 is out of range"):
        F.nll_loss(mt.zeros(2, 3), index([5, 0]))
    with pytest.raises(ValueError, match=r"multi_margin_loss: expected an integer class-index"):
        F.multi_margin_loss(mt.zeros(2, 3), mt.zeros(2))
    with pytest.raises(ValueError, match="multi_margin_loss: only p == 1 and p == 2"):
        F.multi_margin_loss(mt.zeros(2, 3), index([0, 1]), p=3)
    with pytest.raises(TypeError, match=r"binary_cross_entropy: target must be a floating "
                                        r"point tensor, got dtype minitorch.int64"):
        F.binary_cross_entropy(mt.zeros(2), index([0, 1]))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: all elements of input should "
                                         r"be between 0 and 1"):
        nn.BCELoss()(mt.tensor([0.5, 1.5]), mt.tensor([0.0, 1.0]))


def test_loss_reprs():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
