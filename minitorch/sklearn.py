"""scikit-learn estimators over minitorch models.

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from minitorch.sklearn import MLPClassifier

    clf = make_pipeline(StandardScaler(), MLPClassifier((64,), random_state=0)).fit(X, y)

* ``MLPClassifier`` / ``MLPRegressor``: drop-ins for scikit-learn's, with its parameter
  names and fitted attributes, trained by minitorch (adam or sgd).
* ``NeuralNetClassifier(module, ...)`` / ``NeuralNetRegressor(module, ...)``: any
  ``nn.Module`` (or a function ``(n_features, n_outputs) -> nn.Module``) with an
  optimizer, a loss, epochs, batch size, lr and random state, as skorch does for PyTorch.

They follow scikit-learn's conventions (``get_params``/``set_params``, ``clone``,
``fit``/``partial_fit``/``predict``/``predict_proba``/``score``, input validation,
fitted attributes ending in ``_``), pickle (for joblib and Dask), and pass
scikit-learn's estimator checks except those ``expected_failed_checks`` declares.
Each epoch is ``minitorch.training``'s ``train_epoch``, the loop ``train.py`` runs.
With a fixed ``random_state`` a fit is reproducible in any process or thread: the
weights are drawn under a lock from a seeded fork of minitorch's default generator and
the batch order from the estimator's own generator. (A module that draws random
numbers in ``forward``, e.g. Dropout, uses the default generator as usual.)
"""
from __future__ import annotations

import copy
import threading
import time
import warnings

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn import linear_model
from sklearn import neural_network as sk_neural_network
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import nn, optim
from .autograd import no_grad
from .creation import from_numpy
from .nn import functional as F
from .random import Generator, get_rng_state, manual_seed, set_rng_state
from .training.config import (MAX_SEED, NONNEGATIVE, OPEN_UNIT_INTERVAL, POSITIVE,
                              POSITIVE_INT, UNIT_INTERVAL)
from .training.loop import Diverged, train_epoch
from .training.metrics import classification_metrics, regression_metrics
from .utils.data import DataLoader, TensorDataset

__all__ = ["MLPClassifier", "MLPRegressor", "NeuralNetClassifier", "NeuralNetRegressor",
           "expected_failed_checks", "mlp", "sklearn_baseline"]

# scikit-learn's activation names -> minitorch's layers: one table for the estimators and
# for the comparison of train.py's models with scikit-learn's MLP.
ACTIVATIONS = {"identity": nn.Identity, "logistic": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}

_RNG_LOCK = threading.Lock()


def mlp(n_features: int, n_outputs: int, hidden_layer_sizes=(100,),
        activation: str = "relu") -> nn.Sequential:
    """Linear -> activation per hidden size, then Linear (the model MLPClassifier and
    MLPRegressor train; ``functools.partial(mlp, hidden_layer_sizes=(64,))`` is a
    ``module`` for the NeuralNet estimators). ``activation`` is scikit-learn's name."""
    layers, width = [], n_features
    for size in hidden_layer_sizes:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        width = size
    return nn.Sequential(*layers, nn.Linear(width, n_outputs))


def _seeded(build, seed: int):
    """``build()`` with minitorch's default generator seeded with ``seed``, restored
    afterwards; under a lock, so that threads building at once do not interleave."""
    with _RNG_LOCK:
        state = get_rng_state()
        manual_seed(seed)
        try:
            return build()
        finally:
            set_rng_state(state)


def _is_hidden_sizes(value) -> bool:
    sizes = (value,) if POSITIVE_INT.test(value) else value
    return isinstance(sizes, (tuple, list)) and all(POSITIVE_INT.test(h) for h in sizes)


class _NeuralNet(BaseEstimator):
    """What the four estimators share: input checks, seeding, one epoch of training,
    the forward pass for predictions. Subclasses say which module, optimizer and loss."""

    _classifier = False

    # -- provided by the subclasses
    def _parameter_checks(self) -> dict:
        """{parameter: (test, description of valid values)}."""
        raise NotImplementedError

    def _build_module(self, n_features: int, n_outputs: int) -> nn.Module:
        raise NotImplementedError

    def _make_optimizer(self, params) -> optim.Optimizer:
        raise NotImplementedError

    def _criterion(self, outputs, targets):
        """The training loss (by default the task's ``_data_loss``)."""
        return self._data_loss(outputs, targets)

    def _batch_size(self, n_samples: int) -> int:
        return min(self.batch_size, n_samples)

    def _dtype(self, X):
        """The dtype the model computes in."""
        return next(self.module_.parameters()).detach().numpy().dtype

    # -- checks
    def _check_parameters(self) -> None:
        for name, (test, what) in self._parameter_checks().items():
            value = getattr(self, name)
            if not test(value):
                raise ValueError(f"{type(self).__name__}: {name} must be {what}, got {value!r}")

    def _validate(self, X, y, reset: bool):
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32),
                             multi_output=not self._classifier, y_numeric=not self._classifier)
        if self._classifier:
            check_classification_targets(y)
        elif y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _targets(self, y) -> np.ndarray:
        if self._classifier:
            unknown = np.setdiff1d(y, self.classes_)
            if len(unknown):
                raise ValueError(f"{type(self).__name__}: y has classes {unknown.tolist()} not "
                                 f"in classes_ {self.classes_.tolist()}")
            return np.searchsorted(self.classes_, y).astype(np.int64)
        return y.reshape(len(y), -1).astype(self._compute_dtype)

    # -- training
    def _initialize(self, X, y) -> None:
        """A new model, optimizer and random generators for data like ``X``, ``y``."""
        n_outputs = len(self.classes_) if self._classifier else (1 if y.ndim == 1
                                                                 else y.shape[1])
        init_seed, shuffle_seed, self._split_seed = (
            check_random_state(self.random_state).randint(MAX_SEED, size=3, dtype=np.int64))
        self.module_ = _seeded(lambda: self._build_module(X.shape[1], n_outputs), int(init_seed))
        self._compute_dtype = self._dtype(X)
        if self._compute_dtype != next(self.module_.parameters()).detach().numpy().dtype:
            self.module_.double() if self._compute_dtype == np.float64 else self.module_.float()
        self.optimizer_ = self._make_optimizer(self.module_.parameters())
        self._shuffle = Generator(int(shuffle_seed))
        self.n_outputs_ = n_outputs
        self.loss_curve_ = []
        self.n_iter_ = self.t_ = 0

    def _tensors(self, X, y):
        return (from_numpy(np.ascontiguousarray(X, dtype=self._compute_dtype)),
                from_numpy(self._targets(y)))

    def _run_epoch(self, X, y) -> float:
        """One pass over the tensors ``X``, ``y``; returns the mean loss."""
        loader = DataLoader(TensorDataset(X, y), batch_size=self._batch_size(len(X)),
                            shuffle=getattr(self, "shuffle", True), generator=self._shuffle)
        try:
            loss = train_epoch(self.module_, loader, self.optimizer_, self._criterion,
                               self.n_iter_ + 1)
        except Diverged as e:
            raise FloatingPointError(f"{type(self).__name__}: training diverged at {e}; "
                                     "lower the learning rate") from None
        self.module_.eval()
        self.loss_curve_.append(loss)
        self.n_iter_ += 1
        self.t_ += len(X)
        if getattr(self, "verbose", False):
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
        return loss

    # -- predictions
    def _forward(self, X) -> np.ndarray:
        """The model's outputs on ``X``, as float64 of shape (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        inputs = from_numpy(np.ascontiguousarray(X, dtype=self._compute_dtype))
        self.module_.eval()
        with no_grad():
            return self.module_(inputs).numpy().astype(np.float64)


class _Classifier(ClassifierMixin):
    """Classes, probabilities and partial_fit for both classifiers."""

    _classifier = True

    def _set_classes(self, classes) -> None:
        self.classes_ = unique_labels(classes)
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__}: fit needs samples of at least 2 classes; "
                             f"got 1 class ({self.classes_.tolist()})")

    def _data_loss(self, outputs, targets):
        return F.cross_entropy(outputs, targets)

    def predict(self, X):
        """The most probable class of each row of ``X``: shape (n_samples,)."""
        best = self._forward(X).argmax(axis=1)
        return self.classes_[best]

    def predict_proba(self, X):
        """Class probabilities (softmax of the model's outputs, float64), shape
        (n_samples, n_classes), columns in the order of ``classes_``."""
        return softmax(self._forward(X), axis=1)

    def predict_log_proba(self, X):
        return log_softmax(self._forward(X), axis=1)

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``X``, ``y``; the first call needs ``classes`` (all the labels
        of the whole data), as scikit-learn's partial_fit does."""
        first = not hasattr(self, "module_")
        if first and classes is None:
            raise ValueError(f"{type(self).__name__}: classes must be passed on the first call "
                             "to partial_fit")
        if not first and classes is not None and not np.array_equal(unique_labels(classes),
                                                                     self.classes_):
            raise ValueError(f"{type(self).__name__}: classes={classes!r} is not the same as on "
                             f"the first call to partial_fit ({self.classes_!r})")
        self._check_parameters()
        self._check_partial_fit()
        X, y = self._validate(X, y, reset=first)
        if first:
            self._set_classes(classes)
            self._initialize(X, y)
        self._run_epoch(*self._tensors(X, y))
        return self


class _Regressor(RegressorMixin):
    """Predictions and partial_fit for both regressors."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _data_loss(self, outputs, targets):
        return F.mse_loss(outputs, targets)

    def predict(self, X):
        """Predictions (float64): shape (n_samples,) for a 1-D target, else
        (n_samples, n_outputs)."""
        out = self._forward(X)
        return out.ravel() if self._one_target else out

    def partial_fit(self, X, y):
        """One epoch over ``X``, ``y`` (the first call starts a new model)."""
        first = not hasattr(self, "module_")
        self._check_parameters()
        self._check_partial_fit()
        X, y = self._validate(X, y, reset=first)
        if first:
            self._one_target = y.ndim == 1
            self._initialize(X, y)
        elif (y.ndim == 1) != self._one_target or (y.ndim == 2 and y.shape[1] != self.n_outputs_):
            raise ValueError(f"{type(self).__name__}: y has shape {y.shape}, the model was fitted "
                             f"on {self.n_outputs_} output(s)")
        self._run_epoch(*self._tensors(X, y))
        return self


# ------------------------------------------------------------------ NeuralNet*

class _NeuralNetEstimator(_NeuralNet):
    _required_parameters = ["module"]

    def __init__(self, module, *, optimizer="adam", loss=None, epochs=10, batch_size=32,
                 lr=0.01, random_state=None):
        self.module = module
        self.optimizer = optimizer
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.random_state = random_state

    def _parameter_checks(self):
        return {"optimizer": (lambda v: v in ("adam", "sgd") or (
                    isinstance(v, type) and issubclass(v, optim.Optimizer)),
                    "'adam', 'sgd' or an optimizer class such as mt.optim.AdamW"),
                "loss": (lambda v: v is None or callable(v), "None or a loss function/module"),
                "module": (lambda v: callable(v), "an nn.Module or a function (n_features, "
                                                  "n_outputs) -> nn.Module"),
                "epochs": (POSITIVE_INT.test, POSITIVE_INT.what),
                "batch_size": (POSITIVE_INT.test, POSITIVE_INT.what),
                "lr": (POSITIVE.test, POSITIVE.what)}

    def _build_module(self, n_features, n_outputs):
        if isinstance(self.module, nn.Module):
            return copy.deepcopy(self.module)          # fit never changes the parameter
        module = self.module(n_features, n_outputs)
        if not isinstance(module, nn.Module):
            raise TypeError(f"{type(self).__name__}: module({n_features}, {n_outputs}) returned "
                            f"a {type(module).__name__}, not an nn.Module")
        return module

    def _make_optimizer(self, params):
        cls = {"adam": optim.Adam, "sgd": optim.SGD}.get(self.optimizer, self.optimizer)
        return cls(params, lr=self.lr)

    def _criterion(self, outputs, targets):
        if self.loss is None:
            return self._data_loss(outputs, targets)
        loss = self.loss() if isinstance(self.loss, type) else self.loss
        return loss(outputs, targets)

    def _check_partial_fit(self):
        pass

    def fit(self, X, y):
        """Train a fresh copy of ``module`` for ``epochs`` epochs; returns self."""
        self._check_parameters()
        X, y = self._validate(X, y, reset=True)
        if self._classifier:
            self._set_classes(y)
        else:
            self._one_target = y.ndim == 1
        self._initialize(X, y)
        X, y = self._tensors(X, y)
        for _ in range(self.epochs):
            self._run_epoch(X, y)
        return self


class NeuralNetClassifier(_Classifier, _NeuralNetEstimator):
    """A classifier that trains ``module`` (an ``nn.Module`` mapping (N, n_features)
    float inputs to (N, n_classes) logits, or a function ``(n_features, n_classes) ->
    nn.Module``) with ``optimizer`` ("adam", "sgd" or an optimizer class, at ``lr``) on
    ``loss`` (default ``F.cross_entropy``) for ``epochs`` epochs of ``batch_size``.

    Inputs are cast to the module's dtype (float32 by default). Fitted attributes:
    ``module_``, ``optimizer_``, ``classes_``, ``n_features_in_``, ``loss_curve_``,
    ``n_iter_``. ``fit`` trains a copy of ``module``, never ``module`` itself.
    """


class NeuralNetRegressor(_Regressor, _NeuralNetEstimator):
    """A regressor that trains ``module`` (an ``nn.Module`` mapping (N, n_features)
    float inputs to (N, n_outputs), or a function ``(n_features, n_outputs) ->
    nn.Module``) with ``optimizer`` at ``lr`` on ``loss`` (default ``F.mse_loss``) for
    ``epochs`` epochs of ``batch_size``. See NeuralNetClassifier."""


# ------------------------------------------------------------------------ MLP*

class _MLP(_NeuralNet):
    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change

    def _parameter_checks(self):
        boolean = (lambda v: isinstance(v, (bool, np.bool_)), "True or False")
        return {
            "hidden_layer_sizes": (_is_hidden_sizes, "a positive int or a tuple of them"),
            "activation": (lambda v: v in ACTIVATIONS, "one of " + ", ".join(ACTIVATIONS)),
            "solver": (lambda v: v in ("adam", "sgd"), "'adam' or 'sgd' (minitorch has no "
                                                       "lbfgs)"),
            "alpha": (NONNEGATIVE.test, NONNEGATIVE.what),
            "batch_size": (lambda v: v == "auto" or POSITIVE_INT.test(v),
                           "'auto' or a positive integer"),
            "learning_rate_init": (POSITIVE.test, POSITIVE.what),
            "max_iter": (POSITIVE_INT.test, POSITIVE_INT.what),
            "tol": (NONNEGATIVE.test, NONNEGATIVE.what),
            "momentum": (lambda v: NONNEGATIVE.test(v) and v <= 1, "a number in [0, 1]"),
            "validation_fraction": (OPEN_UNIT_INTERVAL.test, OPEN_UNIT_INTERVAL.what),
            "beta_1": (UNIT_INTERVAL.test, UNIT_INTERVAL.what),
            "beta_2": (UNIT_INTERVAL.test, UNIT_INTERVAL.what),
            "epsilon": (POSITIVE.test, POSITIVE.what),
            "n_iter_no_change": (POSITIVE_INT.test, POSITIVE_INT.what),
            "shuffle": boolean, "verbose": boolean, "warm_start": boolean,
            "nesterovs_momentum": boolean, "early_stopping": boolean}

    def _dtype(self, X):
        return X.dtype          # as scikit-learn's MLP: float32 data -> float32, else float64

    def _build_module(self, n_features, n_outputs):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if POSITIVE_INT.test(sizes) else tuple(sizes)
        return mlp(n_features, n_outputs, sizes, self.activation)

    def _make_optimizer(self, params):
        if self.solver == "sgd":
            return optim.SGD(params, lr=self.learning_rate_init, momentum=self.momentum,
                             nesterov=self.nesterovs_momentum and self.momentum > 0)
        return optim.Adam(params, lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2),
                          eps=self.epsilon)

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(f"{type(self).__name__}: batch_size={self.batch_size} is larger than "
                          f"the {n_samples} samples; using {n_samples}", stacklevel=3)
        return min(self.batch_size, n_samples)

    def _criterion(self, outputs, targets):
        """scikit-learn's MLP loss: the data loss plus alpha / 2 times the squared weights
        (not the biases) over the batch size; for regression half the mean squared error."""
        loss = self._data_loss(outputs, targets)
        if not self._classifier:
            loss = loss * 0.5
        if self.alpha:
            squares = sum((m.weight * m.weight).sum() for m in self.module_.modules()
                          if isinstance(m, nn.Linear))
            loss = loss + squares * (0.5 * self.alpha / len(targets))
        return loss

    def _check_partial_fit(self):
        if self.early_stopping:
            raise ValueError(f"{type(self).__name__}: partial_fit does not support "
                             "early_stopping=True")

    @property
    def coefs_(self) -> list:
        """The weight matrices, as scikit-learn lays them out: (n_in, n_out) each."""
        return [m.weight.detach().numpy().T.copy() for m in self.module_.modules()
                if isinstance(m, nn.Linear)]

    @property
    def intercepts_(self) -> list:
        return [m.bias.detach().numpy().copy() for m in self.module_.modules()
                if isinstance(m, nn.Linear)]

    def _score_on(self, X, y) -> float:
        if self._classifier:
            return accuracy_score(y, self.predict(X))
        return r2_score(y, self.predict(X))

    def fit(self, X, y):
        """Train for up to ``max_iter`` epochs, stopping as scikit-learn's MLP does: when
        the training loss (or, with ``early_stopping``, the validation score) has not
        improved by ``tol`` for ``n_iter_no_change`` epochs. Returns self."""
        self._check_parameters()
        X, y = self._validate(X, y, reset=True)
        fresh = not (self.warm_start and hasattr(self, "module_"))
        if self._classifier:
            if fresh:
                self._set_classes(y)
            elif not set(unique_labels(y)) <= set(self.classes_.tolist()):
                raise ValueError(f"{type(self).__name__}: warm_start needs y to have the "
                                 f"classes of the first fit ({self.classes_.tolist()})")
        elif fresh:
            self._one_target = y.ndim == 1
        if fresh:
            self._initialize(X, y)
        X_val = y_val = None
        if self.early_stopping:
            X, X_val, y, y_val = train_test_split(
                X, y, test_size=self.validation_fraction, random_state=int(self._split_seed),
                stratify=y if self._classifier else None)
            if len(X_val) < 2:
                raise ValueError(f"{type(self).__name__}: the validation set is too small "
                                 f"({len(X_val)} sample); increase validation_fraction or "
                                 "use more data")
        self._fit_epochs(*self._tensors(X, y), X_val, y_val)
        return self

    def _fit_epochs(self, X, y, X_val, y_val) -> None:
        best, stale, best_weights = -np.inf, 0, None
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = [] if self.early_stopping else None
        for _ in range(self.max_iter):
            loss = self._run_epoch(X, y)
            if self.early_stopping:
                score = self._score_on(X_val, y_val)
                self.validation_scores_.append(score)
                stale = stale + 1 if score < best + self.tol else 0
                if score > best:
                    best, best_weights = score, copy.deepcopy(self.module_.state_dict())
            else:
                stale = stale + 1 if loss > self.best_loss_ - self.tol else 0
                self.best_loss_ = min(self.best_loss_, loss)
            if stale > self.n_iter_no_change:
                break
        else:
            warnings.warn(f"{type(self).__name__}: maximum iterations ({self.max_iter}) reached "
                          "and the optimization hasn't converged yet.", ConvergenceWarning,
                          stacklevel=3)
        if self.early_stopping:
            self.best_validation_score_ = best
            self.module_.load_state_dict(best_weights)


class MLPClassifier(_Classifier, _MLP):
    """scikit-learn's ``MLPClassifier``, trained by minitorch: the same parameters
    (``hidden_layer_sizes``, ``activation`` identity/logistic/tanh/relu, ``solver``
    sgd/adam, ``alpha``, ``batch_size``, ``learning_rate_init``, ``max_iter``, ``tol``,
    ``n_iter_no_change``, ``early_stopping``, ``validation_fraction``, ``random_state``,
    ``shuffle``, ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2``,
    ``epsilon``, ``warm_start``, ``verbose``) and fitted attributes (``classes_``,
    ``loss_curve_``, ``n_iter_``, ``n_features_in_``, ``best_loss_``,
    ``validation_scores_``, ``best_validation_score_``, ``coefs_``, ``intercepts_``,
    ``t_``, ``n_outputs_``), plus the minitorch model ``module_``.

    Differences: no ``lbfgs`` solver and a constant learning rate; weights start with
    PyTorch's ``nn.Linear`` initialisation, not Glorot's; the output layer gives one logit
    per class (softmax), also for two classes. Computes in float32 for float32 ``X``, else
    in float64, as scikit-learn does.
    """


class MLPRegressor(_Regressor, _MLP):
    """scikit-learn's ``MLPRegressor``, trained by minitorch, with the parameters and
    attributes listed for MLPClassifier (less ``classes_``); the loss is half the mean
    squared error plus the L2 penalty, as scikit-learn's. Multi-output targets work."""


def expected_failed_checks(estimator) -> dict:
    """{check name: reason} for the scikit-learn estimator checks ``estimator`` is known
    not to pass (the callable ``parametrize_with_checks(expected_failed_checks=...)``
    takes); at most three per estimator, each listed in the README."""
    return {}


# --------------------------------------------------- comparison with scikit-learn's MLP

def sklearn_activation(activation: str) -> tuple[str, str | None]:
    """scikit-learn's name for the minitorch activation ``activation``, and a note when
    it has none (then relu)."""
    names = {layer.__name__.lower(): name for name, layer in ACTIVATIONS.items()
             if name != "identity"}
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
    classify = split.task == "classification"
    X_train, X_test = split.X_train.numpy(), split.X_test.numpy()
    y_train, y_test = split.y_train.numpy(), split.y_test.numpy()
    note = None
    if hidden:
        cls = sk_neural_network.MLPClassifier if classify else sk_neural_network.MLPRegressor
        name, note = sklearn_activation(activation)
        estimator = cls(hidden_layer_sizes=tuple(hidden), max_iter=1000, activation=name,
                        random_state=seed)
    else:
        estimator = (linear_model.LogisticRegression(max_iter=1000) if classify
                     else linear_model.LinearRegression())
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
