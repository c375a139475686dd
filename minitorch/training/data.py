"""``Split``: the training and test data ``fit`` works on."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..creation import tensor
from ..tensor import Tensor


@dataclass
class Split:
    """Training and test tensors and the task.

    Classification: ``y`` holds int64 class indices of shape (N,) and ``n_classes`` is
    their number (by default the largest index + 1). Regression: ``y`` is float of shape
    (N, n_outputs); when the targets were standardised, ``y_mean`` and ``y_std`` let
    metrics be reported in the original units. ``fit`` accepts any object with these
    attributes (the repository's ``datasets.Split`` is one).
    """
    X_train: Tensor
    y_train: Tensor
    X_test: Tensor
    y_test: Tensor
    task: str = "classification"
    n_classes: int | None = None
    target_names: list | None = None
    y_mean: np.ndarray | None = None
    y_std: np.ndarray | None = None

    def __post_init__(self):
        if self.task not in ("classification", "regression"):
            raise ValueError(f"Split: task must be 'classification' or 'regression', "
                             f"got {self.task!r}")
        for name in ("X_train", "y_train", "X_test", "y_test"):
            value = getattr(self, name)
            if not isinstance(value, Tensor):
                setattr(self, name, tensor(np.asarray(value)))
        for part in ("train", "test"):
            X, y = getattr(self, f"X_{part}"), getattr(self, f"y_{part}")
            if X.ndim != 2 or len(X) != len(y):
                raise ValueError(f"Split: X_{part} must be 2-D with one row per target, got "
                                 f"X_{part} {tuple(X.shape)} and y_{part} {tuple(y.shape)}")
        if self.task == "classification" and self.n_classes is None:
            self.n_classes = int(max(self.y_train.numpy().max(), self.y_test.numpy().max())) + 1

    def inverse_transform_y(self, y) -> np.ndarray:
        """Regression targets or predictions in their original units."""
        if self.y_mean is None:
            return np.asarray(y)
        return np.asarray(y) * self.y_std + self.y_mean
