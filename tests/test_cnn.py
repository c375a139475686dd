"""The digits CNN: models.build("cnn"), digits as images, and train.py --model cnn end to end
(--json, --plot, --compare-sklearn, checkpoint and resume with BatchNorm buffers)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import datasets
import minitorch as mt
import minitorch.nn as nn
import models

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_train(*args, cwd):
    result = subprocess.run([sys.executable, str(ROOT / "train.py"), *map(str, args)], cwd=cwd,
                            env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_cnn_takes_flat_rows_or_images():
    mt.manual_seed(0)
    model = models.build("cnn", 64, 10)
    assert "cnn" in models.available() and models.tasks("cnn") == ("classification",)
    kinds = [type(m).__name__ for m in model.features]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"] * 3
    rows = mt.randn(5, 64)
    model.eval()
    out = model(rows)
    assert out.shape == (5, 10) and out.dtype == mt.float32
    np.testing.assert_allclose(model(rows.reshape(5, 1, 8, 8)).detach().numpy(),
                               out.detach().numpy())
    wide = models.build("cnn", 3 * 16 * 16, 4, channels=(8,), dropout=0.0, image_shape=(3, 16, 16))
    assert wide(mt.randn(2, 3 * 16 * 16)).shape == (2, 4)
    assert tuple(wide.classifier[-1].weight.shape) == (4, 8 * 8 * 8)


def test_cnn_option_errors():
    with pytest.raises(ValueError, match="60 features are not a square image"):
        models.build("cnn", 60, 10)
    with pytest.raises(ValueError, match="image_shape must be"):
        models.build("cnn", 64, 10, image_shape=(2, 8, 8))
    with pytest.raises(ValueError, match="too small for 3 blocks"):
        models.build("cnn", 16, 10)
    with pytest.raises(ValueError, match="valid options: channels, dropout, image_shape"):
        models.build("cnn", 64, 10, hidden=(3,))
    with pytest.raises(ValueError, match="dropout must be a number"):
        models.CNN(64, 10, dropout=1.0)


def test_digits_as_images():
    flat, images = datasets.load("digits", seed=1), datasets.load("digits", seed=1, as_images=True)
    assert images.X_train.shape == (len(flat.X_train), 1, 8, 8) and images.image_shape == (1, 8, 8)
    assert images.n_features == flat.n_features == 64 and flat.image_shape is None
    np.testing.assert_array_equal(images.X_test.numpy().reshape(len(flat.X_test), -1),
                                  flat.X_test.numpy())
    with pytest.raises(ValueError, match="data set 'moons' has no image form"):
        datasets.load("moons", as_images=True)


def test_a_cnn_trains_on_digit_images_in_a_few_steps():
    mt.manual_seed(0)
    split = datasets.load("digits", as_images=True)
    model = models.build("cnn", 64, 10)
    optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
    x, y = split.X_train[:256], split.y_train[:256]
    for _ in range(15):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    accuracy = (model(split.X_test).argmax(1) == split.y_test).float().mean().item()
    assert accuracy > 0.8


def test_train_py_with_json_plot_compare_and_resume(tmp_path):
    pytest.importorskip("matplotlib")
    out = run_train("--dataset", "digits", "--model", "cnn", "--epochs", "2", "--quiet",
                    "--save", "run.npz", "--plot", "curves.png", "--compare-sklearn",
                    "--json", "out.json", cwd=tmp_path)
    assert "scikit-learn model:" in out and "plot written to" in out
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["status"] == "completed" and result["final"]["test"]["accuracy"] > 0.9
    run_train("--resume", "run.npz", "--epochs", "3", "--quiet", cwd=tmp_path)
    run_train("--dataset", "digits", "--model", "cnn", "--epochs", "3", "--quiet",
              "--save", "straight.npz", cwd=tmp_path)
    resumed, straight = mt.load(tmp_path / "run.npz"), mt.load(tmp_path / "straight.npz")
    assert "features.1.running_var" in straight["model"]
    for key, value in straight["model"].items():  # BatchNorm buffers and dropout included
        np.testing.assert_array_equal(resumed["model"][key].numpy(), value.numpy(), err_msg=key)
