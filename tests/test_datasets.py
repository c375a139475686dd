"""datasets/: every toy data set loads as a standardised, leak-free, reproducible split."""
import numpy as np
import pytest

import datasets
import minitorch as mt

NAMES = list(datasets.available())
GENERATED = ["moons", "circles", "blobs", "classification", "regression", "friedman1",
             "gaussian_quantiles", "spirals"]
BUNDLED = ["iris", "wine", "breast_cancer", "digits", "diabetes", "linnerud"]


def test_available_lists_every_data_set_with_a_description():
    listed = datasets.available()
    assert set(listed) == set(GENERATED) | set(BUNDLED)
    assert all(isinstance(d, str) and d and "\n" not in d for d in listed.values())


@pytest.mark.parametrize("name", NAMES)
def test_shapes_types_and_task(name):
    split = datasets.load(name)
    X, y = datasets.raw(name)
    n_train, n_test = len(split.X_train), len(split.X_test)
    assert n_train + n_test == len(X)
    assert n_test == pytest.approx(0.2 * len(X), abs=1)
    assert split.X_train.shape == (n_train, X.shape[1]) and split.X_test.shape == (n_test, X.shape[1])
    assert split.n_features == X.shape[1]
    assert split.X_train.dtype == np.float32 and isinstance(split.X_train, mt.Tensor)
    assert split.task == datasets.SPECS[name].task
    if split.task == "classification":
        assert split.y_train.shape == (n_train,) and split.y_train.dtype == np.int64
        assert split.n_classes == split.n_outputs == len(np.unique(y))
        assert set(np.unique(split.y_test.numpy())) <= set(range(split.n_classes))
    else:
        assert split.y_train.shape == (n_train, y.shape[1]) and split.y_train.dtype == np.float32
        assert split.n_classes is None and split.n_outputs == y.shape[1]
    if name in BUNDLED:
        assert len(split.feature_names) == split.n_features


@pytest.mark.parametrize("name", NAMES)
def test_scaler_is_fit_on_the_training_part_only(name):
    split = datasets.load(name, seed=3)
    X, y = datasets.raw(name, seed=3)
    train, test = X[split.train_index], X[split.test_index]
    assert not set(split.train_index) & set(split.test_index)
    np.testing.assert_allclose(split.x_mean, train.mean(axis=0))
    std = train.std(axis=0)
    np.testing.assert_allclose(split.x_std, np.where(std > 0, std, 1.0))
    np.testing.assert_allclose(split.X_test.numpy(), (test - train.mean(0)) / split.x_std,
                               rtol=1e-5, atol=1e-5)
    Xt = split.X_train.numpy()
    np.testing.assert_allclose(Xt.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Xt.std(axis=0)[std > 0], 1, rtol=1e-4)
    if split.task == "regression":
        np.testing.assert_allclose(split.y_mean, y[split.train_index].mean(axis=0))
        np.testing.assert_allclose(split.inverse_transform_y(split.y_test.numpy()),
                                   y[split.test_index], rtol=1e-5, atol=1e-4)


def test_changing_test_rows_does_not_change_the_scaler():
    split = datasets.load("wine", seed=1)
    X, _ = datasets.raw("wine")
    X[split.test_index] *= 1000.0      # scaler only ever sees the training rows
    np.testing.assert_allclose(split.x_mean, X[split.train_index].mean(axis=0))


@pytest.mark.parametrize("name", [n for n in NAMES if datasets.SPECS[n].task == "classification"])
def test_classification_splits_are_stratified(name):
    split = datasets.load(name, seed=5)
    train = np.bincount(split.y_train.numpy(), minlength=split.n_classes)
    test = np.bincount(split.y_test.numpy(), minlength=split.n_classes)
    expected = (train + test) * len(split.y_test) / (len(split.y_train) + len(split.y_test))
    assert np.all(np.abs(test - expected) <= 1)


@pytest.mark.parametrize("name", ["moons", "spirals", "iris", "diabetes"])
def test_same_seed_same_split_other_seed_other_split(name):
    a, b, c = datasets.load(name, seed=7), datasets.load(name, seed=7), datasets.load(name, seed=8)
    np.testing.assert_array_equal(a.X_train.numpy(), b.X_train.numpy())
    np.testing.assert_array_equal(a.y_test.numpy(), b.y_test.numpy())
    assert not np.array_equal(a.test_index, c.test_index)


def test_parameters_are_used():
    split = datasets.load("blobs", n_samples=200, n_features=5, n_classes=4, test_size=0.25)
    assert split.X_train.shape == (150, 5) and split.X_test.shape == (50, 5)
    assert split.n_classes == 4
    assert datasets.load("regression", n_targets=2).y_train.shape[1] == 2
    assert datasets.load("digits", n_class=5).n_classes == 5
    assert datasets.load("moons", noise=0.3).params == {"n_samples": 1000, "noise": 0.3}


def test_spirals_are_two_interleaved_arms():
    X, y = datasets.raw("spirals", n_samples=400, noise=0.0)
    assert X.shape == (400, 2) and np.bincount(y).tolist() == [200, 200]
    np.testing.assert_allclose(np.abs(X).max(), 1.0, atol=0.05)
    radius, angle = np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])
    arm0 = np.unwrap(angle[y == 0][np.argsort(radius[y == 0])])
    assert arm0.max() - arm0.min() > 2 * np.pi      # 1.5 turns by default


def test_unknown_name_lists_valid_choices():
    with pytest.raises(ValueError, match="valid choices: moons, circles"):
        datasets.load("mnist")


def test_bad_parameter_lists_valid_parameters():
    with pytest.raises(ValueError, match=r"no parameter 'noise'.*valid parameters: none"):
        datasets.load("iris", noise=0.1)
    with pytest.raises(ValueError, match=r"valid parameters: n_samples \(default 1000\), noise"):
        datasets.load("moons", n_features=3)
    with pytest.raises(ValueError, match="n_samples must be int"):
        datasets.load("moons", n_samples=10.5)


def test_bad_values_are_reported_with_the_data_set():
    with pytest.raises(ValueError, match="data set 'classification'"):
        datasets.load("classification", n_informative=1, n_redundant=0, n_classes=5)
    with pytest.raises(ValueError, match="test_size"):
        datasets.load("moons", test_size=1.5)
    with pytest.raises(ValueError, match="cannot split data set 'iris'"):
        datasets.load("iris", test_size=0.01)


def test_inverse_transform_only_for_regression():
    with pytest.raises(ValueError, match="not a regression task"):
        datasets.load("iris").inverse_transform_y(np.zeros(3))


@pytest.mark.parametrize("seed", [None, True, -1, 2 ** 32, 1.5, "3"])
def test_seed_must_be_an_integer_sklearn_accepts(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\]"):
        datasets.load("moons", n_samples=50, seed=seed)
    with pytest.raises(ValueError, match="seed must be"):
        datasets.raw("moons", seed=seed)


def test_largest_seed_and_numpy_numbers_are_accepted():
    split = datasets.load("moons", n_samples=50, seed=np.int64(datasets.MAX_SEED),
                          test_size=np.float32(0.2))
    assert split.seed == datasets.MAX_SEED and isinstance(split.seed, int)
    assert isinstance(split.test_size, float) and len(split.X_test) == 10
    with pytest.raises(ValueError, match="test_size"):
        datasets.load("moons", test_size=True)


@pytest.mark.parametrize("name, options, expected", [
    ("moons", {"n_samples": 1}, "leaves 0 training and 1 test samples"),
    ("moons", {"n_samples": 3}, r"class\(es\) \[0\] have a single sample"),
    ("moons", {"n_samples": 5}, "needs all 2 classes in both parts"),
    ("iris", {"test_size": 0.01}, "needs all 3 classes in both parts"),
    ("diabetes", {"test_size": 0.001}, "leaves 441 training and 1 test"),
])
def test_splits_that_cannot_be_made_say_why(name, options, expected):
    if expected.startswith("leaves 441"):      # ceil(0.001 * 442) = 1 test sample: fine
        assert len(datasets.load(name, **options).X_test) == 1
        return
    with pytest.raises(ValueError, match=f"cannot split data set '{name}'.*{expected}"):
        datasets.load(name, **options)
