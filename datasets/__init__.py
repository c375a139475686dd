"""scikit-learn's toy data sets as standardised train/test splits of minitorch tensors.

    import datasets
    split = datasets.load("moons", n_samples=500, noise=0.2, seed=0)
    split.X_train, split.y_train, split.X_test, split.y_test   # mt.Tensor
    datasets.available()                                        # {name: description}
    datasets.load("digits", as_images=True).X_train.shape       # (1437, 1, 8, 8)

Everything here is local: the generated sets are drawn by scikit-learn's
``make_*`` functions and the bundled ones ship inside scikit-learn, so nothing
is downloaded.

How a split is made (the same ``seed`` always gives the same split):

1. the data are generated (generated sets use ``random_state=seed``) or loaded;
2. they are split with ``train_test_split(test_size, random_state=seed)``,
   stratified by class for classification;
3. features are standardised with the mean and standard deviation of the
   *training* part only, and that same transform is applied to the test part,
   so no statistic of the test part leaks into training (constant features
   get a standard deviation of 1);
4. regression targets are standardised the same way (train statistics only).
   ``Split.y_mean`` / ``Split.y_std`` keep the scaler and
   ``Split.inverse_transform_y`` maps predictions back to original units.

Classification targets are int64 class indices of shape (N,); regression
targets are float32 of shape (N, n_outputs), always 2-D. Image data sets (digits)
also come as images (N, C, H, W) with ``as_images=True``: the same standardised
values, each row reshaped to ``SPECS[name].image_shape``.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

import minitorch as mt

__all__ = ["DatasetSpec", "Split", "available", "check_params", "load", "raw", "SPECS",
           "MAX_SEED"]

MAX_SEED = 2 ** 32 - 1      # the largest random_state scikit-learn accepts


# ---------------------------------------------------------------- raw loaders
# Each loader takes (seed, **params) and returns (X, y, feature_names, target_names).

def _moons(seed, n_samples, noise):
    X, y = skd.make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X, y, None, None


def _circles(seed, n_samples, noise, factor):
    X, y = skd.make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=seed)
    return X, y, None, None


def _blobs(seed, n_samples, n_features, n_classes, cluster_std):
    X, y = skd.make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                          cluster_std=cluster_std, random_state=seed)
    return X, y, None, None


def _classification(seed, n_samples, n_features, n_informative, n_redundant, n_classes,
                    class_sep, flip_y):
    X, y = skd.make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=n_informative,
        n_redundant=n_redundant, n_classes=n_classes, class_sep=class_sep, flip_y=flip_y,
        random_state=seed)
    return X, y, None, None


def _gaussian_quantiles(seed, n_samples, n_features, n_classes):
    X, y = skd.make_gaussian_quantiles(n_samples=n_samples, n_features=n_features,
                                       n_classes=n_classes, random_state=seed)
    return X, y, None, None


def _spirals(seed, n_samples, noise, turns):
    """The classic two-arm spiral: arm 1 is (t cos t, t sin t), arm 2 is its mirror image.

    Radii are scaled to at most 1, so ``noise`` (Gaussian, per coordinate) is in
    the same units as for ``moons``.
    """
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, got {n_samples}")
    if noise < 0 or turns <= 0:
        raise ValueError(f"noise must be >= 0 and turns > 0, got noise={noise}, turns={turns}")
    rng = np.random.default_rng(seed)
    counts = (n_samples - n_samples // 2, n_samples // 2)
    Xs, ys = [], []
    for label, n in enumerate(counts):
        t = np.sqrt(rng.uniform(size=n)) * turns * 2 * np.pi     # uniform density along the arm
        arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (turns * 2 * np.pi)
        Xs.append((-arm if label else arm) + noise * rng.normal(size=(n, 2)))
        ys.append(np.full(n, label))
    return np.concatenate(Xs), np.concatenate(ys), None, None


def _regression(seed, n_samples, n_features, n_informative, n_targets, noise):
    X, y = skd.make_regression(n_samples=n_samples, n_features=n_features,
                               n_informative=n_informative, n_targets=n_targets, noise=noise,
                               random_state=seed)
    return X, y, None, None


def _friedman1(seed, n_samples, n_features, noise):
    X, y = skd.make_friedman1(n_samples=n_samples, n_features=n_features, noise=noise,
                              random_state=seed)
    return X, y, None, None


def _bundled(load_fn: Callable) -> Callable:
    def loader(seed, **params):
        bunch = load_fn(**params)
        names = bunch.get("target_names")
        return (bunch.data, bunch.target, [str(n) for n in bunch.feature_names],
                None if names is None else [str(n) for n in names])
    return loader


# ------------------------------------------------------------- the one table

@dataclass(frozen=True)
class DatasetSpec:
    """One data set: how to get it, what it is, and how to train on it by default.

    ``params`` are the data-set parameters ``load`` accepts, with their defaults.
    ``train`` holds per-data-set training defaults used by train.py (anything
    not given there falls back to train.py's global defaults). ``image_shape``
    (C, H, W) is set for data sets whose rows are images.
    """
    loader: Callable
    task: str
    description: str
    params: dict = field(default_factory=dict)
    train: dict = field(default_factory=dict)
    image_shape: tuple | None = None


SPECS: dict[str, DatasetSpec] = {
    # generated -----------------------------------------------------------
    "moons": DatasetSpec(
        _moons, "classification", "two interleaving half circles (2-D, 2 classes)",
        {"n_samples": 1000, "noise": 0.1},
        {"epochs": 30, "lr": 0.01, "batch_size": 32}),
    "circles": DatasetSpec(
        _circles, "classification", "a small circle inside a large one (2-D, 2 classes)",
        {"n_samples": 1000, "noise": 0.1, "factor": 0.5},
        {"epochs": 30, "lr": 0.003, "batch_size": 32, "weight_decay": 1e-3}),
    "blobs": DatasetSpec(
        _blobs, "classification", "isotropic Gaussian blobs (2-D, 3 classes by default)",
        {"n_samples": 1000, "n_features": 2, "n_classes": 3, "cluster_std": 1.0},
        {"epochs": 40, "lr": 0.003, "batch_size": 32, "weight_decay": 1e-3}),
    "classification": DatasetSpec(
        _classification, "classification",
        "make_classification: Gaussian clusters on a hypercube (20-D, 3 classes)",
        {"n_samples": 1000, "n_features": 20, "n_informative": 10, "n_redundant": 2,
         "n_classes": 3, "class_sep": 1.0, "flip_y": 0.01},
        {"epochs": 60, "lr": 0.003, "batch_size": 32, "weight_decay": 1e-2, "dropout": 0.2}),
    "gaussian_quantiles": DatasetSpec(
        _gaussian_quantiles, "classification",
        "concentric shells of a Gaussian split by quantile (2-D, 3 classes)",
        {"n_samples": 1000, "n_features": 2, "n_classes": 3},
        {"epochs": 200, "lr": 0.002, "batch_size": 64}),
    "spirals": DatasetSpec(
        _spirals, "classification", "the classic two-arm spiral (2-D, 2 classes)",
        {"n_samples": 1000, "noise": 0.05, "turns": 1.5},
        {"epochs": 100, "lr": 0.005, "batch_size": 32}),
    "regression": DatasetSpec(
        _regression, "regression", "make_regression: a noisy random linear map (10-D, 1 output)",
        {"n_samples": 1000, "n_features": 10, "n_informative": 10, "n_targets": 1,
         "noise": 10.0},
        {"epochs": 40, "lr": 0.003, "batch_size": 32}),
    "friedman1": DatasetSpec(
        _friedman1, "regression",
        "Friedman #1: 10*sin(pi*x0*x1) + 20*(x2-0.5)^2 + 10*x3 + 5*x4 + noise (10-D)",
        {"n_samples": 1000, "n_features": 10, "noise": 1.0},
        {"epochs": 60, "lr": 0.003, "batch_size": 32}),
    # bundled with scikit-learn ----------------------------------------------
    "iris": DatasetSpec(
        _bundled(skd.load_iris), "classification", "Fisher's iris flowers (150 x 4, 3 classes)",
        {}, {"epochs": 100, "lr": 0.001, "batch_size": 16, "weight_decay": 1e-2}),
    "wine": DatasetSpec(
        _bundled(skd.load_wine), "classification", "wine cultivars (178 x 13, 3 classes)",
        {}, {"epochs": 50, "lr": 0.003, "batch_size": 16}),
    "breast_cancer": DatasetSpec(
        _bundled(skd.load_breast_cancer), "classification",
        "Wisconsin breast cancer diagnosis (569 x 30, 2 classes)",
        {}, {"epochs": 30, "lr": 0.001, "batch_size": 32, "weight_decay": 1e-3}),
    "digits": DatasetSpec(
        _bundled(skd.load_digits), "classification",
        "8x8 images of handwritten digits (1797 x 64, 10 classes)",
        {"n_class": 10}, {"epochs": 30, "lr": 0.003, "batch_size": 32}, image_shape=(1, 8, 8)),
    "diabetes": DatasetSpec(
        _bundled(skd.load_diabetes), "regression",
        "diabetes progression after one year (442 x 10, 1 output)",
        {}, {"epochs": 30, "lr": 0.001, "batch_size": 32, "weight_decay": 1e-2}),
    "linnerud": DatasetSpec(
        _bundled(skd.load_linnerud), "regression",
        "exercise vs physiological measurements of 20 men (20 x 3, 3 outputs)",
        {}, {"epochs": 100, "lr": 0.003, "batch_size": 4, "weight_decay": 1e-2}),
}


def available() -> dict[str, str]:
    """Names of all data sets, each with a one-line description."""
    return {name: spec.description for name, spec in SPECS.items()}


# --------------------------------------------------------------- the split

@dataclass
class Split:
    """A standardised train/test split; tensors are float32 features and
    int64 class indices (classification) or float32 (N, n_outputs) targets."""
    name: str
    task: str
    X_train: mt.Tensor
    y_train: mt.Tensor
    X_test: mt.Tensor
    y_test: mt.Tensor
    n_classes: int | None          # classification only
    n_outputs: int                 # = n_classes for classification
    feature_names: list[str] | None
    target_names: list[str] | None
    params: dict[str, Any]         # the data-set parameters actually used
    seed: int
    test_size: float
    train_index: np.ndarray        # rows of raw(name, seed, **params) in each part
    test_index: np.ndarray
    x_mean: np.ndarray             # feature scaler, fit on the training part
    x_std: np.ndarray
    y_mean: np.ndarray | None = None   # target scaler (regression), fit on the training part
    y_std: np.ndarray | None = None
    image_shape: tuple | None = None   # (C, H, W) when X_* hold images (as_images=True)

    @property
    def n_features(self) -> int:
        return math.prod(self.X_train.shape[1:])

    def inverse_transform_y(self, y: np.ndarray) -> np.ndarray:
        """Map standardised regression targets or predictions back to original units."""
        if self.task != "regression":
            raise ValueError(f"inverse_transform_y: data set {self.name!r} is not a "
                             "regression task")
        return np.asarray(y) * self.y_std + self.y_mean

    def __repr__(self) -> str:
        extra = (f"n_classes={self.n_classes}" if self.task == "classification"
                 else f"n_outputs={self.n_outputs}")
        return (f"Split({self.name!r}, task={self.task!r}, train={tuple(self.X_train.shape)}, "
                f"test={tuple(self.X_test.shape)}, {extra})")


def _spec(name: str) -> DatasetSpec:
    if name not in SPECS:
        raise ValueError(f"unknown data set {name!r}; valid choices: {', '.join(SPECS)}")
    return SPECS[name]


def _check_params(name: str, spec: DatasetSpec, params: dict) -> dict:
    """Merge ``params`` into the defaults, checking names and basic types."""
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        valid = ", ".join(f"{k} (default {v!r})" for k, v in spec.params.items()) or "none"
        raise ValueError(f"data set {name!r} has no parameter {', '.join(map(repr, unknown))}; "
                         f"valid parameters: {valid}")
    merged = dict(spec.params)
    for key, value in params.items():
        default = spec.params[key]
        if isinstance(default, int) and not isinstance(default, bool):
            ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not ok:
            raise ValueError(f"data set {name!r}: parameter {key} must be "
                             f"{type(default).__name__}, got {value!r}")
        merged[key] = type(default)(value)
    return merged


def check_params(name: str, **params) -> dict:
    """The full parameter dict ``load(name, **params)`` would use; raises ValueError
    naming the valid data sets or parameters if ``name`` or a parameter is wrong."""
    return _check_params(name, _spec(name), params)


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_seed(seed) -> int:
    """``seed`` as an int; it must be an integer in [0, MAX_SEED] (as scikit-learn requires)."""
    if not (_is_integer(seed) and 0 <= seed <= MAX_SEED):
        raise ValueError(f"seed must be an integer in [0, {MAX_SEED}], got {seed!r}")
    return int(seed)


def _check_test_size(test_size) -> float:
    """``test_size`` as a float; it must be a real number strictly between 0 and 1.
    A NumPy float counts at its own precision: np.float32(0.2) is 0.2, not 0.2000000029."""
    ok = isinstance(test_size, numbers.Real) and not isinstance(test_size, bool)
    if not (ok and math.isfinite(test_size) and 0 < test_size < 1):
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, "
                         f"got {test_size!r}")
    return float(str(test_size)) if isinstance(test_size, np.floating) else float(test_size)


def raw(name: str, seed: int = 0, **params) -> tuple[np.ndarray, np.ndarray]:
    """The unsplit, unscaled arrays (X, y) that ``load`` splits; y is 2-D for regression."""
    X, y, _, _ = _raw(name, _check_seed(seed), params)
    return X, y


def _raw(name, seed, params):
    spec = _spec(name)
    params = _check_params(name, spec, params)
    try:
        X, y, feature_names, target_names = spec.loader(seed, **params)
    except (ValueError, TypeError) as e:     # scikit-learn's own parameter validation
        settings = ", ".join(f"{k}={v!r}" for k, v in params.items())
        raise ValueError(f"data set {name!r} ({settings}): {e}") from None
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if spec.task == "regression":
        y = y.astype(np.float64).reshape(len(y), -1)
    else:
        y = y.astype(np.int64)
    return X, y, feature_names, target_names


def _scaler(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = a.mean(axis=0), a.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def _check_splittable(name: str, y: np.ndarray, test_size: float, stratified: bool) -> None:
    """Raise ValueError, in the data set's terms, if ``train_test_split`` could not split
    ``y`` with ``test_size`` (stratified: every class in both parts)."""
    n = len(y)
    n_test = math.ceil(test_size * n)         # how train_test_split rounds
    n_train = n - n_test
    where = f"cannot split data set {name!r} ({n} samples) with test_size={test_size}"
    if n_train < 1 or n_test < 1:
        raise ValueError(f"{where}: that leaves {n_train} training and {n_test} test samples; "
                         "each part needs at least 1 (use more samples or another test_size)")
    if not stratified:
        return
    counts = np.bincount(y)
    present = np.flatnonzero(counts)
    rare = [int(c) for c in present if counts[c] < 2]
    if rare:
        raise ValueError(f"{where}: class(es) {rare} have a single sample, but a stratified "
                         "split needs at least 2 of every class (use more samples)")
    if min(n_train, n_test) < len(present):
        raise ValueError(f"{where}: that gives {n_train} training and {n_test} test samples, "
                         f"but a stratified split needs all {len(present)} classes in both "
                         "parts (use more samples or move test_size toward 0.5)")


def load(name: str, test_size: float = 0.2, seed: int = 0, as_images: bool = False,
         **params) -> Split:
    """Load data set ``name`` as a standardised, (stratified) train/test ``Split``.

    ``test_size`` is a real number strictly between 0 and 1, ``seed`` an integer in
    [0, MAX_SEED]; ``params`` are the data set's own parameters (see
    ``SPECS[name].params``). With ``as_images`` the features of an image data set
    (digits) come as (N, C, H, W) instead of (N, C * H * W). A bad value, an unknown
    name or parameter, or a data set too small to split raises ValueError naming the
    problem and the valid choices.
    """
    spec = _spec(name)
    if as_images and spec.image_shape is None:
        with_images = [n for n, s in SPECS.items() if s.image_shape is not None]
        raise ValueError(f"data set {name!r} has no image form (as_images=True); data sets "
                         f"of images: {', '.join(with_images)}")
    test_size, seed = _check_test_size(test_size), _check_seed(seed)
    X, y, feature_names, target_names = _raw(name, seed, params)
    index = np.arange(len(X))
    stratify = y if spec.task == "classification" else None
    _check_splittable(name, y, test_size, stratify is not None)
    try:
        train_index, test_index = train_test_split(index, test_size=test_size, random_state=seed,
                                                   stratify=stratify)
    except ValueError as e:
        raise ValueError(f"cannot split data set {name!r} ({len(X)} samples) with "
                         f"test_size={test_size}: {e}") from None
    x_mean, x_std = _scaler(X[train_index])
    X_std = ((X - x_mean) / x_std).astype(np.float32)
    if spec.task == "classification":
        n_classes = int(y.max()) + 1
        y_mean = y_std = None
        targets, n_outputs = y, n_classes
    else:
        n_classes = None
        y_mean, y_std = _scaler(y[train_index])
        targets, n_outputs = ((y - y_mean) / y_std).astype(np.float32), y.shape[1]
    if as_images:
        X_std = X_std.reshape((len(X_std),) + spec.image_shape)
    tensor = lambda a: mt.from_numpy(np.ascontiguousarray(a))   # noqa: E731
    return Split(
        name=name, task=spec.task,
        X_train=tensor(X_std[train_index]), y_train=tensor(targets[train_index]),
        X_test=tensor(X_std[test_index]), y_test=tensor(targets[test_index]),
        n_classes=n_classes, n_outputs=n_outputs,
        feature_names=feature_names, target_names=target_names,
        params=_check_params(name, spec, params), seed=seed, test_size=test_size,
        train_index=train_index, test_index=test_index,
        x_mean=x_mean, x_std=x_std, y_mean=y_mean, y_std=y_std,
        image_shape=spec.image_shape if as_images else None)
