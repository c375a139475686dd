"""Ready-made models, built only from ``minitorch.nn``.

    import models
    model = models.build("mlp", in_features=2, out_features=2, hidden=(64, 64))
    models.available()      # {name: description}

Every model maps a float tensor of shape (N, in_features) to (N, out_features):
class logits for classification (pair it with ``F.cross_entropy``) or
predictions for regression (pair it with ``F.mse_loss``). The CNN also takes
images (N, C, H, W); given flat rows it unflattens them (8x8 digits: (N, 64) ->
(N, 1, 8, 8)).
"""
from __future__ import annotations

import math
import numbers

import minitorch.nn as nn

__all__ = ["MLP", "CNN", "LogisticRegression", "LinearRegression", "ACTIVATIONS", "available",
           "build", "hidden_sizes", "tasks", "check_task"]

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


def _image_shape(in_features: int, image_shape=None) -> tuple[int, int, int]:
    """(C, H, W) of the images whose flattened rows have ``in_features`` values: the
    given ``image_shape``, or one square channel (64 -> (1, 8, 8))."""
    if image_shape is None:
        side = math.isqrt(in_features)
        if side * side != in_features:
            raise ValueError(f"CNN: {in_features} features are not a square image; pass "
                             "image_shape=(C, H, W)")
        return (1, side, side)
    shape = tuple(image_shape)
    if len(shape) != 3 or not all(_is_positive_int(n) for n in shape) or \
            math.prod(shape) != in_features:
        raise ValueError(f"CNN: image_shape must be (C, H, W) with C * H * W = in_features "
                         f"({in_features}), got {image_shape!r}")
    return tuple(int(n) for n in shape)


class CNN(nn.Module):
    """A small convolutional network for small images (the 8x8 digits):

        [Conv2d 3x3 (same size) -> BatchNorm2d -> ReLU -> MaxPool2d(2)] per entry of
        ``channels``, then Dropout and a Linear classifier.

    Input (N, in_features) rows are unflattened to ``image_shape`` (default: one
    square channel); images (N, C, H, W) are used as they are. Each block halves the
    height and width (rounding down), so 8x8 digits become 32x4x4, 64x2x2, then 128x1x1
    features for the classifier (99.4 % test accuracy on digits on average over seeds
    0-4 with train.py's defaults, against 99.2 % for two blocks).
    """

    def __init__(self, in_features: int, out_features: int, channels=(32, 64, 128),
                 dropout: float = 0.25, image_shape=None):
        super().__init__()
        shape = _image_shape(in_features, image_shape)
        channels = tuple(channels)
        if not channels or not all(_is_positive_int(c) for c in channels):
            raise ValueError(f"CNN: channels must be a non-empty sequence of positive ints, got "
                             f"{channels!r}")
        is_real = isinstance(dropout, numbers.Real) and not isinstance(dropout, bool)
        if not (is_real and 0.0 <= dropout < 1.0):
            raise ValueError(f"CNN: dropout must be a number in [0, 1), got {dropout!r}")
        self.image_shape = shape
        self.unflatten = nn.Unflatten(1, shape)
        layers, width, (height, side) = [], shape[0], shape[1:]
        for c in channels:
            if min(height, side) < 2:
                raise ValueError(f"CNN: images of shape {shape} are too small for "
                                 f"{len(channels)} blocks (each halves height and width)")
            layers += [nn.Conv2d(width, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                       nn.ReLU(), nn.MaxPool2d(2)]
            width, height, side = c, height // 2, side // 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout),
                                        nn.Linear(width * height * side, out_features))

    def forward(self, x):
        if x.ndim == 2:
            x = self.unflatten(x)
        return self.classifier(self.features(x))


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
    "cnn": (CNN, ("classification",),
            "small convolutional network for images (digits); options: channels, dropout, "
            "image_shape"),
}
OPTIONS = {"mlp": ("hidden", "activation", "dropout"), "logistic": (), "linear": (),
           "cnn": ("channels", "dropout", "image_shape")}


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
