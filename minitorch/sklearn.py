"""scikit-learn estimators over minitorch models (placeholder: filled in below)."""
from __future__ import annotations

import time
import warnings


from .training.metrics import classification_metrics, regression_metrics

# scikit-learn's activation names and minitorch's, one table for the estimators and the
# comparison with scikit-learn's own MLP.
ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def sklearn_activation(activation: str) -> tuple[str, str | None]:
    """scikit-learn's name for the minitorch activation ``activation``, and a note when
    it has none (then relu)."""
    names = {ours: theirs for theirs, ours in ACTIVATIONS.items() if theirs != "identity"}
    if activation in names:
        return names[activation], None
    return "relu", (f"scikit-learn's MLP has no {activation} activation; its model uses relu "
                    f"(it has: {', '.join(names)})")


def sklearn_baseline(split, hidden=(), activation: str = "relu", seed: int = 0) -> dict:
    """Fit scikit-learn's comparable model on the same (standardised) ``split``.

    Hidden layers -> its MLPClassifier/MLPRegressor with the same sizes and activation
    and its own defaults otherwise (adam, lr 1e-3, alpha 1e-4), max_iter=1000; none ->
    LogisticRegression or LinearRegression. Returns the estimator's repr, its fit time,
    a note (or None) and its train/test metrics as ``training.metrics`` computes them.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    classify = split.task == "classification"
    X_train, X_test = split.X_train.numpy(), split.X_test.numpy()
    y_train, y_test = split.y_train.numpy(), split.y_test.numpy()
    note = None
    if hidden:
        cls = MLPClassifier if classify else MLPRegressor
        name, note = sklearn_activation(activation)
        estimator = cls(hidden_layer_sizes=tuple(hidden), max_iter=1000, activation=name,
                        random_state=seed)
    else:
        estimator = LogisticRegression(max_iter=1000) if classify else LinearRegression()
    target = y_train if classify or y_train.shape[1] > 1 else y_train.ravel()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X_train, target)
    seconds = time.perf_counter() - t0
    undo = getattr(split, "inverse_transform_y", None) or (lambda y: y)

    def metrics(X, y):
        pred = estimator.predict(X)
        if classify:
            return classification_metrics(y, pred, split.n_classes)
        return regression_metrics(undo(y), undo(pred.reshape(len(X), -1)))

    return {"estimator": repr(estimator), "seconds": seconds, "note": note,
            "train": metrics(X_train, y_train), "test": metrics(X_test, y_test)}
