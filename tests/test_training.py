"""minitorch.training used as a library, without train.py: a typed config, fit on any
data split, checkpoint/resume, the NaN guard, and its layering."""
import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
from minitorch import training
from minitorch.training import CheckpointError, Split, TrainConfig, fit

ROOT = Path(__file__).resolve().parents[1]


def blobs(task="classification", n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    if task == "classification":
        y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
        return Split(X[:240], y[:240], X[240:], y[240:])
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0], dtype=np.float32))[:, None] * 10 + 5
    mean, std = y[:240].mean(0), y[:240].std(0)
    y = (y - mean) / std
    return Split(X[:240], y[:240], X[240:], y[240:], task="regression", y_mean=mean, y_std=std)


def model(n_out=2):
    mt.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, n_out))


@pytest.mark.parametrize("values, message", [
    ({"lr": -1}, "TrainConfig: lr must be a positive number, got -1"),
    ({"epochs": 0}, "epochs must be a positive integer, got 0"),
    ({"epochs": 2.5}, "epochs must be a positive integer, got 2.5"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, adam, got 'rmsprop'"),
    ({"momentum": 1.0}, "momentum must be a number in [0, 1)"),
    ({"seed": -1}, "seed must be an integer in [0, 4294967295]"),
])
def test_config_is_checked_when_made(values, message):
    with pytest.raises(ValueError) as info:
        TrainConfig(**values)
    assert message in str(info.value)


def test_config_round_trips_and_names_what_does_not_fit():
    config = TrainConfig(epochs=3, lr=0.1)
    assert TrainConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match=r"unknown: colour; missing: seed"):
        TrainConfig.from_dict({**{k: v for k, v in config.to_dict().items() if k != "seed"},
                               "colour": "red"})


def test_split_checks_its_arrays():
    with pytest.raises(ValueError, match=r"X_train must be 2-D with one row per target, got "
                                         r"X_train \(3, 2\) and y_train \(4,\)"):
        Split(np.zeros((3, 2)), np.zeros(4), np.zeros((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match="task must be 'classification' or 'regression'"):
        Split(np.zeros((3, 2)), np.zeros(3), np.zeros((1, 2)), np.zeros(1), task="ranking")


def test_fit_learns_classification_and_regression_in_original_units():
    result = fit(model(), blobs(), TrainConfig(epochs=5, lr=0.02))
    assert result.status == "completed" and [h["epoch"] for h in result.history] == [1, 2, 3, 4, 5]
    assert result.final["test"]["accuracy"] > 0.9 and result.message == ""
    data = blobs("regression")
    result = fit(model(1), data, TrainConfig(epochs=5, lr=0.02))
    with mt.no_grad():
        predictions = data.inverse_transform_y(result.model(data.X_test).numpy())
    truth = data.inverse_transform_y(data.y_test.numpy())
    assert result.final["test"]["mse"] == pytest.approx(np.mean((predictions - truth) ** 2),
                                                        rel=1e-4)
    assert "r2" in training.summary(result)


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path):
    config = TrainConfig(epochs=4, lr=0.02)
    straight = fit(model(), blobs(), config)
    stops = iter([False, True])
    path = str(tmp_path / "run.npz")
    first = fit(model(), blobs(), config, save=path, should_stop=lambda: next(stops))
    assert first.status == "interrupted" and len(first.history) == 2
    assert f"resume with fit(..., resume={path!r})" in first.message
    second = fit(model(), blobs(), config, resume=path, save=path)
    assert second.status == "completed" and len(second.history) == 4
    for a, b in zip(straight.model.parameters(), second.model.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    strip = lambda h: [{k: v for k, v in e.items() if k != "seconds"} for e in h]  # noqa: E731
    assert strip(second.history) == strip(straight.history)


def test_resume_refuses_another_run_before_changing_anything(tmp_path):
    path = str(tmp_path / "run.npz")
    fit(model(), blobs(), TrainConfig(epochs=1), save=path)
    with pytest.raises(CheckpointError, match=r"made with batch_size=32, this run has "
                                              r"batch_size=8"):
        fit(model(), blobs(), TrainConfig(epochs=2, batch_size=8), resume=path)
    with pytest.raises(CheckpointError, match=r"its weights do not fit the model its config "
                                              r"describes \(0.weight has shape \(16, 4\) in the "
                                              r"checkpoint, \(8, 4\) in the model\)"):
        fit(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), blobs(),
            TrainConfig(epochs=2), resume=path)
    with pytest.raises(CheckpointError, match="made with optimizer='adam', this run has optimizer='sgd'"):
        fit(model(), blobs(), TrainConfig(epochs=2, optimizer="sgd"), resume=path)
    resumed = fit(model(), blobs(), dataclasses.replace(TrainConfig(epochs=2), lr=0.001),
                  resume=path)                                   # lr may change
    assert resumed.status == "completed" and len(resumed.history) == 2


def test_divergence_and_a_failing_save_without_a_command(tmp_path, monkeypatch):
    result = fit(model(), blobs(), TrainConfig(epochs=2, optimizer="sgd", lr=1e30))
    assert result.status == "diverged" and "try again with lr=1e+29" in result.message
    path = tmp_path / "run.npz"

    def full(state_path, state):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(training.loop, "save_checkpoint", full)
    result = fit(model(), blobs(), TrainConfig(epochs=3), save=str(path))
    assert result.status == "failed" and len(result.history) == 1
    assert "could not write the checkpoint" in result.message and "No checkpoint was written" \
        in result.message


def test_the_library_imports_neither_models_nor_datasets(tmp_path):
    code = ("import sys, minitorch.training, minitorch.sklearn; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('models', 'datasets', "
            "'train')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
