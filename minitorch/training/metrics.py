"""Loss and metrics of a model on the training and test parts of a data set.

Classification: accuracy, macro F1 and per-class F1 (scikit-learn's ``f1_score``).
Regression: MSE and R^2 in the targets' original units (``data.inverse_transform_y``,
when the data has it, undoes the standardisation of the targets).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, r2_score

from .. import nn
from ..autograd import no_grad
from ..nn import functional as F

HEADLINE = {"classification": "accuracy", "regression": "r2"}   # the metric a run reports


class NonFinite(ArithmeticError):
    """A model's outputs or loss are inf or NaN; the message says which."""


def default_loss(task: str):
    """Cross-entropy on class logits for classification, MSE for regression."""
    return F.cross_entropy if task == "classification" else F.mse_loss


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """Accuracy, macro F1 and per-class F1 of class indices ``y_pred`` against ``y_true``."""
    f1 = f1_score(y_true, y_pred, labels=list(range(n_classes)), average=None, zero_division=0)
    return {"accuracy": float(np.mean(y_true == y_pred)), "f1_macro": float(np.mean(f1)),
            "f1": [float(v) for v in f1]}


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """MSE and R^2 (averaged over outputs) of ``y_pred`` against ``y_true``."""
    return {"mse": float(np.mean((y_true - y_pred) ** 2)), "r2": float(r2_score(y_true, y_pred))}


def predictions_metrics(data, y_true: np.ndarray, outputs: np.ndarray) -> dict:
    """The task's metrics of the model ``outputs`` (logits or standardised predictions)."""
    if data.task == "classification":
        return classification_metrics(y_true, outputs.argmax(axis=1), data.n_classes)
    undo = getattr(data, "inverse_transform_y", None) or (lambda y: y)
    return regression_metrics(undo(y_true), undo(outputs))


def evaluate(model: nn.Module, data, loss_fn=None) -> dict:
    """Loss and metrics on the whole training and test parts of ``data``, in eval mode.

    ``data`` has tensors ``X_train``, ``y_train``, ``X_test``, ``y_test``, a ``task``
    ("classification" or "regression") and, for classification, ``n_classes``.
    Raises NonFinite if the outputs or the loss on either part are inf/NaN (the
    metrics are never computed on them). A metric that is undefined for a finite
    prediction (R^2 of a one-sample part) is NaN, without a warning.
    """
    loss_fn = loss_fn or default_loss(data.task)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            return {part: _evaluate_part(model, data, part, loss_fn) for part in ("train", "test")}
    finally:
        model.train(was_training)


def _evaluate_part(model, data, part: str, loss_fn) -> dict:
    X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
    with np.errstate(all="ignore"):         # an overflow shows up as NonFinite below
        outputs = model(X)
        loss = float(loss_fn(outputs, y).item())
        outputs = outputs.numpy()
    if not np.isfinite(outputs).all():
        raise NonFinite(f"the model's outputs on the {part} part are not finite (inf/nan)")
    if not math.isfinite(loss):
        raise NonFinite(f"the loss on the {part} part is {loss}")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return {"loss": loss, **predictions_metrics(data, y.numpy(), outputs)}


def format_metrics(metrics: dict, task: str) -> str:
    """One line: "acc 0.9750  f1 0.9748" or "mse 0.01234  r2 0.9876"."""
    if task == "classification":
        return f"acc {metrics['accuracy']:.4f}  f1 {metrics['f1_macro']:.4f}"
    return f"mse {metrics['mse']:.4g}  r2 {metrics['r2']:.4f}"
