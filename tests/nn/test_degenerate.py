"""Degenerate reductions give PyTorch's value and PyTorch's gradient (issue 10, item 6):
a nan is never silently turned into a number, and a mean over nothing is nan whose
gradient is exactly zero where PyTorch's is, so one SGD step keeps weights finite.

The expected values were checked against PyTorch 2.x by hand (never imported here).
"""
import warnings

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn.functional as F
from minitorch import nn

NAN = float("nan")


def _value_and_grad(fn, values, dtype=mt.float64):
    x = mt.tensor(values, dtype=dtype, requires_grad=True)
    out = fn(x)
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()


# --- std and var ----------------------------------------------------------------

@pytest.mark.parametrize("values", [[3.0], [1.0, NAN, 2.0], [[1.0, 2.0], [NAN, 0.0]]])
def test_std_of_one_element_or_with_nan_is_nan_with_nan_gradient(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, grad = _value_and_grad(lambda x: x.std(), values)
    assert np.isnan(value) and np.isnan(grad).all()


def test_std_of_one_element_warns_like_pytorch_and_var_agrees():
    with pytest.warns(UserWarning, match=r"var: degrees of freedom is <= 0 \(1 elements, "
                                         r"correction 1\)"):
        assert np.isnan(mt.tensor([3.0]).std().item())
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert np.isnan(mt.tensor([3.0]).var().item())
    with pytest.warns(UserWarning, match="degrees of freedom"):
        out = mt.tensor([[1.0, 2.0]]).std(0)
    assert np.isnan(out.numpy()).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no NumPy divide-by-zero warning
        warnings.simplefilter("ignore", UserWarning)
        x = mt.tensor([3.0], requires_grad=True)
        x.var().backward()
        assert np.isnan(x.grad.item())
        assert np.isinf(mt.tensor([3.0, 4.0]).var(correction=2).item())  # PyTorch: inf
        assert mt.tensor([3.0]).std(unbiased=False).item() == 0.0


def test_std_keeps_pytorchs_zero_gradient_for_constant_input_and_nan_elsewhere():
    value, grad = _value_and_grad(lambda x: x.std(1), [[2.0, 2.0, 2.0], [1.0, NAN, 2.0],
                                                       [1.0, 2.0, 4.0]])
    assert value[0] == 0.0 and np.isnan(value[1])
    assert grad[0].tolist() == [0.0, 0.0, 0.0] and np.isnan(grad[1]).all()
    np.testing.assert_allclose(grad[2], [-0.43643578, -0.10910895, 0.54554473], rtol=1e-6)


def test_no_guard_turns_a_nan_into_a_number():
    # every elementwise guard of the library at a nan input: the value stays nan
    x = mt.tensor([NAN])
    for name, fn in [("std", lambda t: mt.cat([t, t]).std()), ("norm", lambda t: t.norm()),
                     ("norm3", lambda t: t.norm(p=3)), ("relu", mt.relu),
                     ("leaky_relu", F.leaky_relu), ("elu", F.elu), ("selu", F.selu),
                     ("softplus", F.softplus), ("hardtanh", F.hardtanh), ("silu", F.silu),
                     ("gelu", F.gelu), ("clamp", lambda t: t.clamp(-1.0, 1.0)),
                     ("maximum", lambda t: mt.maximum(t, mt.zeros(1))),
                     ("minimum", lambda t: mt.minimum(t, mt.zeros(1))),
                     ("amax", lambda t: t.amax()), ("logsumexp", lambda t: t.logsumexp(0)),
                     ("sigmoid", mt.sigmoid), ("normalize", lambda t: F.normalize(t, dim=0)),
                     ("cumprod", lambda t: t.cumprod(0)), ("prod", lambda t: t.prod()),
                     ("cdist", lambda t: mt.cdist(t.reshape(1, 1), mt.zeros(1, 1))),
                     ("huber", lambda t: F.huber_loss(t, mt.zeros(1))),
                     ("bce_logits", lambda t: F.binary_cross_entropy_with_logits(
                         t, mt.zeros(1)))]:
        assert np.isnan(fn(x).numpy()).all(), name


# --- cross-entropy and nll_loss -----------------------------------------------------

LOGITS = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]
WEIGHTS = mt.tensor([1.0, 2.0, 3.0], dtype=mt.float64)


def _loss_and_grad(loss_fn, target, logits=LOGITS, **kwargs):
    x = mt.tensor(logits, dtype=mt.float64, requires_grad=True)
    loss = loss_fn(x, mt.tensor(target), **kwargs)
    loss.sum().backward()
    return loss.detach().numpy(), x.grad.numpy()


def _nll_of_log_softmax(x, target, **kwargs):
    return F.nll_loss(x.log_softmax(1), target, **kwargs)


ALL_IGNORED = [
    (F.cross_entropy, {}), (F.cross_entropy, {"label_smoothing": 0.1}),
    (F.cross_entropy, {"weight": WEIGHTS}),
    (F.cross_entropy, {"weight": WEIGHTS, "label_smoothing": 0.2}),
    (F.nll_loss, {}), (F.nll_loss, {"weight": WEIGHTS}), (_nll_of_log_softmax, {}),
]


@pytest.mark.parametrize("loss_fn, kwargs", ALL_IGNORED)
def test_every_target_ignored_gives_nan_loss_and_exactly_zero_gradient(loss_fn, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy 0/0 warnings either
        loss, grad = _loss_and_grad(loss_fn, [-100, -100], **kwargs)
    assert np.isnan(loss) and grad.tolist() == [[0.0] * 3] * 2
    loss, grad = _loss_and_grad(loss_fn, [-100, -100], reduction="sum", **kwargs)
    assert loss == 0.0 and grad.tolist() == [[0.0] * 3] * 2
    loss, grad = _loss_and_grad(loss_fn, [-100, -100], reduction="none", **kwargs)
    assert loss.tolist() == [0.0, 0.0] and grad.tolist() == [[0.0] * 3] * 2


def test_custom_ignore_index_and_unbatched_input():
    loss, grad = _loss_and_grad(F.cross_entropy, [1, 1], ignore_index=1)
    assert np.isnan(loss) and not grad.any()
    loss, grad = _loss_and_grad(F.cross_entropy, -100, logits=LOGITS[0])
    assert np.isnan(loss) and not grad.any()
    loss, grad = _loss_and_grad(nn.CrossEntropyLoss(label_smoothing=0.3), [-100, -100])
    assert np.isnan(loss) and not grad.any()
    loss, grad = _loss_and_grad(nn.NLLLoss(weight=WEIGHTS), [-100, -100])
    assert np.isnan(loss) and not grad.any()


def test_partly_ignored_batches_are_unaffected_by_the_ignored_rows():
    # the ignored row holds -inf logits: masked out, not multiplied by 0 (which is nan)
    logits = [[0.5, -1.0, 2.0], [-np.inf, 0.0, 0.0]]
    loss, grad = _loss_and_grad(F.cross_entropy, [2, -100], logits=logits)
    expected = -(2.0 - np.log(np.exp([0.5, -1.0, 2.0]).sum()))
    np.testing.assert_allclose(loss, expected)
    assert np.isfinite(grad[0]).all() and grad[1].tolist() == [0.0, 0.0, 0.0]
    loss, grad = _loss_and_grad(F.cross_entropy, [2, -100], logits=logits,
                                label_smoothing=0.1, weight=WEIGHTS)
    assert np.isfinite(loss) and grad[1].tolist() == [0.0, 0.0, 0.0]


def test_zero_total_weight_gives_pytorchs_nan_value_and_gradient():
    # PyTorch: the counted entries of weight 0 get 0/0 = nan, ignored ones exactly 0
    weight = mt.tensor([0.0, 1.0, 1.0], dtype=mt.float64)
    loss, grad = _loss_and_grad(F.nll_loss, [0, -100], weight=weight)
    assert np.isnan(loss) and np.isnan(grad[0, 0])
    assert grad[0, 1:].tolist() == [0.0, 0.0] and grad[1].tolist() == [0.0, 0.0, 0.0]
    loss, grad = _loss_and_grad(F.cross_entropy, [0, 0], weight=weight)
    assert np.isnan(loss) and np.isnan(grad).all()
    loss, grad = _loss_and_grad(F.cross_entropy, [0, 0], weight=weight, reduction="sum")
    assert loss == 0.0 and not grad.any()


@pytest.mark.parametrize("loss_fn, kwargs", [
    (F.cross_entropy, {}), (F.cross_entropy, {"label_smoothing": 0.1}),
    (F.cross_entropy, {"weight": WEIGHTS}), (F.nll_loss, {}), (F.nll_loss, {"weight": WEIGHTS})])
def test_empty_batch_follows_pytorch(loss_fn, kwargs):
    for reduction, expected in (("mean", NAN), ("sum", 0.0)):
        x = mt.zeros(0, 3, dtype=mt.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss = loss_fn(x, mt.zeros(0, dtype=mt.int64), reduction=reduction, **kwargs)
        loss.backward()
        assert np.array_equal(loss.detach().numpy(), expected, equal_nan=True)
        assert x.grad.shape == (0, 3)
    x = mt.zeros(0, 3, dtype=mt.float64, requires_grad=True)
    assert loss_fn(x, mt.zeros(0, dtype=mt.int64), reduction="none", **kwargs).shape == (0,)


def test_empty_batch_of_the_other_losses_is_nan_for_mean():
    empty = mt.zeros(0, dtype=mt.float64, requires_grad=True)
    target = mt.zeros(0, dtype=mt.float64)
    for loss_fn in (F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss,
                    F.binary_cross_entropy_with_logits):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss = loss_fn(empty, target)
        assert np.isnan(loss.item()), loss_fn.__name__
        loss.backward()
    probabilities = mt.zeros(0, 3, dtype=mt.float64, requires_grad=True)
    loss = F.cross_entropy(probabilities, mt.zeros(0, 3, dtype=mt.float64))
    assert np.isnan(loss.item())


def test_one_sgd_step_on_an_all_ignored_batch_keeps_the_weights():
    mt.manual_seed(0)
    model = nn.Linear(4, 3)
    optimizer = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    for kwargs in ({}, {"label_smoothing": 0.1}, {"weight": mt.tensor([1.0, 2.0, 3.0])}):
        loss = F.cross_entropy(model(mt.randn(5, 4)), mt.full((5,), -100), **kwargs)
        assert np.isnan(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for p, old in zip(model.parameters(), before):
        assert np.array_equal(p.detach().numpy(), old)
