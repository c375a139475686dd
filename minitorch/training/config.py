"""``TrainConfig``: how ``fit`` trains, as a typed dataclass checked when it is made.

Each field carries its check and its help text in its metadata (``option(...)``), so
that a subclass adding its own fields (``train.py``'s data set and model choices) is
checked the same way and ``minitorch.training.cli`` can turn every field into a
command-line option.
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from .. import optim

MAX_SEED = 2 ** 32 - 1          # the largest seed NumPy's and scikit-learn's seeding accept


@dataclass(frozen=True)
class Check:
    """A test on a field's value: ``kind`` parses command-line text, ``test`` says
    whether a value is valid, ``what`` describes the valid values."""
    kind: Callable
    test: Callable[[Any], bool]
    what: str
    choices: tuple = ()


def _int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _real(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


POSITIVE_INT = Check(int, lambda v: _int(v) and v > 0, "a positive integer")
POSITIVE = Check(float, lambda v: _real(v) and v > 0, "a positive number")
NONNEGATIVE = Check(float, lambda v: _real(v) and v >= 0, "a number >= 0")
UNIT_INTERVAL = Check(float, lambda v: _real(v) and 0 <= v < 1, "a number in [0, 1)")
OPEN_UNIT_INTERVAL = Check(float, lambda v: _real(v) and 0 < v < 1,
                           "a number strictly between 0 and 1")
SEED = Check(int, lambda v: _int(v) and 0 <= v <= MAX_SEED, f"an integer in [0, {MAX_SEED}]")


def _widths(text: str) -> tuple:
    """'64,64' -> (64, 64); '' or 'none' -> () (no hidden layer)."""
    return () if text.strip().lower() in ("", "none") else tuple(map(int, text.split(",")))


LAYER_WIDTHS = Check(_widths, lambda v: isinstance(v, tuple) and all(_int(h) and h > 0 for h in v),
                     "comma-separated positive layer widths such as 64,64 (or 'none')")


def one_of(*choices) -> Check:
    return Check(str, lambda v: v in choices, "one of " + ", ".join(map(str, choices)), choices)


def option(default, check: Check | None, help: str):
    """A dataclass field with its check and help text (see ``Check``); a dict or list
    default is copied for every instance."""
    metadata = {"check": check, "help": help}
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: type(default)(default),
                                 metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclass
class TrainConfig:
    """How to train: epochs, batches, optimizer and seed. Every value is checked when
    the config is made (ValueError naming the field, the valid values and the value).

    ``seed`` seeds the batch order (through its own generator) and, when the caller
    seeds ``mt.manual_seed(config.seed)`` before building the model, the weights.
    """
    epochs: int = option(30, POSITIVE_INT, "number of passes over the training data")
    batch_size: int = option(32, POSITIVE_INT, "samples per step")
    optimizer: str = option("adam", one_of("sgd", "adam"), "the optimizer")
    lr: float = option(0.01, POSITIVE, "learning rate")
    momentum: float = option(0.9, UNIT_INTERVAL, "--optimizer sgd only")
    weight_decay: float = option(0.0, NONNEGATIVE, "L2 penalty")
    seed: int = option(0, SEED, "seeds the weights and the batch order")

    # Fields that may differ when a run is resumed from a checkpoint (train longer, or a
    # lower learning rate after a divergence); the others must stay as they were.
    RESUMABLE: ClassVar[tuple] = ("epochs", "lr", "momentum", "weight_decay")

    def __post_init__(self):
        for f in dataclasses.fields(self):
            check = f.metadata.get("check")
            value = getattr(self, f.name)
            if check is not None and not check.test(value):
                raise ValueError(f"{type(self).__name__}: {f.name} must be {check.what}, "
                                 f"got {value!r}")

    def to_dict(self) -> dict:
        """The config as plain JSON values (tuples become lists), as checkpoints and
        --json output store it."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, values: dict):
        """The config ``to_dict`` wrote (lists back to tuples); ValueError names unknown or
        missing fields."""
        names = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(values, dict):
            raise ValueError(f"{cls.__name__}: expected a dict of settings, got "
                             f"{type(values).__name__}")
        unknown, missing = sorted(set(values) - names), sorted(names - set(values))
        if unknown or missing:
            raise ValueError(f"{cls.__name__}: the settings do not fit (unknown: "
                             f"{', '.join(unknown) or 'none'}; missing: "
                             f"{', '.join(missing) or 'none'})")
        tuples = {f.name for f in dataclasses.fields(cls) if isinstance(f.default, tuple)}
        return cls(**{k: tuple(v) if k in tuples and isinstance(v, list) else v
                      for k, v in values.items()})

    def build_optimizer(self, params) -> optim.Optimizer:
        """``optim.SGD`` (with ``momentum``) or ``optim.Adam`` over ``params``."""
        if self.optimizer == "sgd":
            return optim.SGD(params, lr=self.lr, momentum=self.momentum,
                             weight_decay=self.weight_decay)
        return optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)
