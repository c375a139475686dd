"""Ready-made models, built only from ``minitorch.nn``.

    import models
    model = models.build("mlp", in_features=2, out_features=2, hidden=(64, 64))
    models.available()      # {name: description}

Every model maps a float tensor of shape (N, in_features) to (N, out_features):
class logits for classification (pair it with ``F.cross_entropy``) or
predictions for regression (pair it with ``F.mse_loss``).
"""
from __future__ import annotations

import minitorch.nn as nn

__all__ = ["MLP", "LogisticRegression", "LinearRegression", "ACTIVATIONS", "available", "build"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
}


class MLP(nn.Module):
    """A multi-layer perceptron: [Linear -> activation -> Dropout] per hidden size, then Linear."""

    def __init__(self, in_features: int, out_features: int, hidden=(64, 64),
                 activation: str = "relu", dropout: float = 0.0):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; "
                             f"valid choices: {', '.join(ACTIVATIONS)}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout!r}")
        hidden = tuple(int(h) for h in hidden)
        if any(h < 1 for h in hidden):
            raise ValueError(f"MLP: hidden sizes must be positive, got {hidden}")
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
