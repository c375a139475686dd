"""Ready-made models, built only from ``minitorch.nn``.

    import models
    model = models.build("mlp", in_features=2, out_features=2, hidden=(64, 64))
    models.available()      # {name: description}

Every model maps a float tensor of shape (N, in_features) to (N, out_features):
class logits for classification (pair it with ``F.cross_entropy``) or
predictions for regression (pair it with ``F.mse_loss``).
"""
from __future__ import annotations

import numbers

import minitorch.nn as nn

__all__ = ["MLP", "LogisticRegression", "LinearRegression", "ACTIVATIONS", "available", "build",
           "hidden_sizes", "tasks", "check_task"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
}


def _is_positive_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


def hidden_sizes(hidden) -> tuple[int, ...]:
    """``hidden`` as a tuple of layer widths: an int is one hidden layer, a sequence
    (list, tuple, ...) of positive ints one layer per item, () none at all."""
    if _is_positive_int(hidden):
        return (int(hidden),)
    iterable = hasattr(hidden, "__iter__") and not isinstance(hidden, (str, bytes))
    sizes = tuple(hidden) if iterable else None
    if sizes is None or not all(_is_positive_int(h) for h in sizes):
        raise ValueError("MLP: hidden sizes must be a positive int or a sequence of positive "
                         f"ints such as (64, 64) (or () for none), got {hidden!r}")
    return tuple(int(h) for h in sizes)


class MLP(nn.Module):
    """A multi-layer perceptron: [Linear -> activation -> Dropout] per hidden size, then Linear.

    ``hidden`` is an int (one hidden layer) or a sequence of positive ints.
    """

    def __init__(self, in_features: int, out_features: int, hidden=(64, 64),
                 activation: str = "relu", dropout: float = 0.0):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; "
                             f"valid choices: {', '.join(ACTIVATIONS)}")
        is_real = isinstance(dropout, numbers.Real) and not isinstance(dropout, bool)
        if not (is_real and 0.0 <= dropout < 1.0):
            raise ValueError(f"MLP: dropout must be a number in [0, 1), got {dropout!r}")
        hidden = hidden_sizes(hidden)
        layers, width = [], in_features
        for h in hidden:
            layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class LogisticRegression(nn.Module):
    """Softmax (multinomial logistic) regression: one Linear layer producing class logits."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        return self.linear(x)


class LinearRegression(nn.Module):
    """Ordinary linear regression: one Linear layer, trained with a squared loss."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        return self.linear(x)


# name -> (class, tasks it suits, description)
_MODELS = {
    "mlp": (MLP, ("classification", "regression"),
            "multi-layer perceptron; options: hidden, activation, dropout"),
    "logistic": (LogisticRegression, ("classification",),
                 "softmax (multinomial logistic) regression; no options"),
    "linear": (LinearRegression, ("regression",), "linear least-squares regression; no options"),
}
OPTIONS = {"mlp": ("hidden", "activation", "dropout"), "logistic": (), "linear": ()}


def available() -> dict[str, str]:
    """Names of all models, each with a one-line description."""
    return {name: description for name, (_, _, description) in _MODELS.items()}


def tasks(name: str) -> tuple[str, ...]:
    """The tasks ('classification', 'regression') model ``name`` is meant for."""
    _check_name(name)
    return _MODELS[name][1]


def check_task(name: str, task: str, what: str = "the data") -> None:
    """Raise ValueError unless model ``name`` suits ``task`` (of ``what``), naming those
    that do."""
    if task not in tasks(name):
        suits = ", ".join(m for m in _MODELS if task in _MODELS[m][1])
        raise ValueError(f"model {name!r} does not fit {what} ({task}); use one of: {suits}")


def _check_name(name: str) -> None:
    if name not in _MODELS:
        raise ValueError(f"unknown model {name!r}; valid choices: {', '.join(_MODELS)}")


def build(name: str, in_features: int, out_features: int, **options) -> nn.Module:
    """Build model ``name``; unknown names or options raise ValueError listing valid ones."""
    _check_name(name)
    unknown = sorted(set(options) - set(OPTIONS[name]))
    if unknown:
        raise ValueError(f"model {name!r} has no option {', '.join(map(repr, unknown))}; "
                         f"valid options: {', '.join(OPTIONS[name]) or 'none'}")
    return _MODELS[name][0](in_features, out_features, **options)
