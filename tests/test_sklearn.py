"""minitorch.sklearn: scikit-learn's own estimator checks, pipelines, grid search,
pickling, reproducibility, and the estimators' own behaviour."""
import functools
import pickle
import warnings

import numpy as np
import pytest
from sklearn import neural_network
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.sklearn import (MLPClassifier, MLPRegressor, NeuralNetClassifier,
                               NeuralNetRegressor, expected_failed_checks, mlp)

small_mlp = functools.partial(mlp, hidden_layer_sizes=(32,))
# small models and few epochs keep the ~240 checks fast
CHECKED = [MLPClassifier(hidden_layer_sizes=(32,), max_iter=60, learning_rate_init=0.01),
           MLPRegressor(hidden_layer_sizes=(32,), max_iter=60, learning_rate_init=0.01),
           NeuralNetClassifier(small_mlp, epochs=20),
           NeuralNetRegressor(small_mlp, epochs=20)]


@pytest.fixture(autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_expected_failed_checks_are_few_and_reasoned():
    for estimator in CHECKED:
        declared = expected_failed_checks(estimator)
        assert isinstance(declared, dict) and len(declared) <= 3
        assert all(name.startswith("check_") and len(reason) > 20
                   for name, reason in declared.items())


# --------------------------------------------------------- in scikit-learn's machinery

@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


def test_pipeline_cross_val_score_and_scikit_learn_parity(digits):
    X, y = digits
    ours = cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(
        (32,), max_iter=40, random_state=0)), X, y, cv=3)
    theirs = cross_val_score(make_pipeline(StandardScaler(), neural_network.MLPClassifier(
        (32,), max_iter=40, random_state=0)), X, y, cv=3)
    assert ours.mean() > 0.7 and abs(ours.mean() - theirs.mean()) < 0.05, (ours, theirs)


def test_grid_search_in_two_processes_gives_the_results_of_one(digits):
    X, y = digits
    X = X / 16.0
    grid = {"hidden_layer_sizes": [(16,), (32,)], "learning_rate_init": [0.01, 0.003]}
    runs = [GridSearchCV(MLPClassifier(max_iter=10, random_state=0), grid, cv=2,
                         n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2)]
    assert list(runs[0].cv_results_["mean_test_score"]) == \
        list(runs[1].cv_results_["mean_test_score"])
    assert runs[0].best_params_ == runs[1].best_params_
    assert (runs[0].predict_proba(X) == runs[1].predict_proba(X)).all()


def test_estimators_and_tensors_pickle(digits):
    for t in (mt.ones(2), mt.tensor([[1.0, 2.0]], requires_grad=True),
              mt.zeros(3, dtype=mt.float64), mt.tensor(3)):
        u = pickle.loads(pickle.dumps(t))
        assert u.requires_grad == t.requires_grad
        assert np.array_equal(u.detach().numpy(), t.detach().numpy())
        assert u.detach().numpy().dtype == t.detach().numpy().dtype and u.dtype == t.dtype
    X, y = digits
    for estimator in (MLPClassifier((16,), max_iter=5, random_state=0),
                      NeuralNetRegressor(small_mlp, epochs=3, random_state=0)):
        estimator.fit(X / 16, y)
        copy = pickle.loads(pickle.dumps(estimator))
        assert np.array_equal(copy.predict(X / 16), estimator.predict(X / 16))
        copy.partial_fit(X / 16, y)                       # the optimizer state came along
        assert copy.n_iter_ == estimator.n_iter_ + 1


# ------------------------------------------------------------- their own behaviour

def test_mlp_attributes_like_scikit_learn(digits):
    X, y = digits
    labels = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                       "nine"])[y]
    clf = MLPClassifier((32, 16), max_iter=8, random_state=0).fit(X / 16, labels)
    assert list(clf.classes_) == sorted(set(labels)) and clf.n_features_in_ == 64
    assert [c.shape for c in clf.coefs_] == [(64, 32), (32, 16), (16, 10)]
    assert [b.shape for b in clf.intercepts_] == [(32,), (16,), (10,)]
    assert clf.n_iter_ == len(clf.loss_curve_) == 8 and clf.t_ == 8 * 600
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] and clf.best_loss_ == min(clf.loss_curve_)
    assert set(clf.predict(X[:5] / 16)) <= set(labels)
    proba = clf.predict_proba(X / 16)
    assert proba.dtype == np.float64 and np.allclose(proba.sum(axis=1), 1)
    assert np.array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X / 16))
    assert clf.module_[0].weight.detach().numpy().dtype == np.float64  # float64 data: float64
    assert MLPClassifier((8,), max_iter=2).fit(np.float32(X), y).module_[0].weight.detach().numpy() \
        .dtype == np.float32                                    # float32 data: float32 model


def test_mlp_loss_is_scikit_learns(digits):
    """Cross-entropy (or half the MSE) plus alpha/2 * squared weights / batch size."""
    X, y = digits
    for estimator, target in ((MLPClassifier((8,), alpha=0.5), y),
                              (MLPRegressor((8,), alpha=0.5), y.astype(float))):
        estimator.set_params(max_iter=1).fit(X / 16, target)
        module = estimator.module_
        out = module(mt.from_numpy(X[:10] / 16))
        t = mt.from_numpy(y[:10]) if estimator._classifier else \
            mt.from_numpy(y[:10, None].astype(float))
        data = F.cross_entropy(out, t) if estimator._classifier else 0.5 * F.mse_loss(out, t)
        squares = sum((w ** 2).sum() for w in estimator.coefs_)
        expected = data.item() + 0.5 * 0.5 * squares / 10
        assert estimator._criterion(out, t).item() == pytest.approx(expected, rel=1e-9)


def test_early_stopping_keeps_the_best_validation_weights(digits):
    X, y = digits
    clf = MLPClassifier((16,), early_stopping=True, max_iter=300, n_iter_no_change=3,
                        random_state=0).fit(X / 16, y)
    assert clf.best_loss_ is None and len(clf.validation_scores_) == clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        clf.partial_fit(X, y)


def test_partial_fit_continues_training(digits):
    X, y = digits
    clf = MLPClassifier((16,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X / 16, y)
    losses = [clf.partial_fit(X / 16, y, classes=np.arange(10)).loss_curve_[-1] for _ in range(5)]
    assert clf.n_iter_ == 5 and losses[-1] < losses[0]
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        clf.partial_fit(X / 16, y, classes=np.arange(11))
    reg = MLPRegressor((8,), random_state=0).partial_fit(X / 16, y.astype(float))
    with pytest.raises(ValueError, match=r"y has shape \(600, 2\), the model was fitted on 1"):
        reg.partial_fit(X / 16, np.stack([y, y], axis=1).astype(float))


def test_same_random_state_same_model_and_fit_leaves_its_module_alone(digits):
    X, y = digits
    a, b = (MLPRegressor((8,), max_iter=3, random_state=7).fit(X / 16, y) for _ in range(2))
    assert np.array_equal(a.predict(X), b.predict(X))
    module = mlp(64, 10, (8,))
    before = [p.detach().numpy().copy() for p in module.parameters()]
    net = NeuralNetClassifier(module, optimizer=mt.optim.SGD, loss=mt.nn.CrossEntropyLoss,
                              lr=0.1, epochs=10).fit(X / 16, y)
    assert net.module_ is not module and net.score(X / 16, y) > 0.5
    assert all(np.array_equal(p.detach().numpy(), q) for p, q in zip(module.parameters(), before))


@pytest.mark.parametrize("estimator, message", [
    (MLPClassifier(solver="lbfgs"), "solver must be 'adam' or 'sgd' (minitorch has no lbfgs), "
                                    "got 'lbfgs'"),
    (MLPClassifier(hidden_layer_sizes=(8, 0)), "hidden_layer_sizes must be a positive int or"),
    (MLPRegressor(learning_rate_init=-1.0), "learning_rate_init must be a positive number"),
    (MLPRegressor(activation="gelu"), "activation must be one of identity, logistic, tanh, relu"),
    (NeuralNetClassifier(small_mlp, optimizer="rmsprop"), "optimizer must be 'adam', 'sgd' or"),
    (NeuralNetRegressor(small_mlp, epochs=0), "epochs must be a positive integer, got 0"),
])
def test_bad_parameters_are_named_at_fit(estimator, message, digits):
    X, y = digits
    with pytest.raises(ValueError) as info:
        estimator.fit(X, y)
    assert message in str(info.value) and type(estimator).__name__ in str(info.value)
    assert not hasattr(estimator, "module_")


def test_module_factory_must_return_a_module_and_divergence_is_an_error(digits):
    X, y = digits
    with pytest.raises(TypeError, match=r"module\(64, 10\) returned a str, not an nn.Module"):
        NeuralNetClassifier(lambda n_in, n_out: "mlp").fit(X, y)
    with pytest.raises(FloatingPointError, match=r"training diverged at epoch \d+, step \d+: the loss is"):
        MLPRegressor((8,), solver="sgd", learning_rate_init=1e6).fit(X, y * 1e10)
