"""train.py end to end: real subprocesses for the command line, SIGKILL/SIGINT + resume,
the NaN guard, argument errors, --json, --plot and --compare-sklearn."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import minitorch as mt
import train

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# A run long enough (about 2-3 s of training) to be stopped in the middle.
LONG_RUN = ["--n-samples", "4000", "--epochs", "25", "--quiet"]


def command(*args):
    return [sys.executable, str(ROOT / "train.py"), *map(str, args)]


def run_train(*args, cwd, timeout=120):
    return subprocess.run(command(*args), cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def wait_for(path: Path, process: subprocess.Popen, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, f"train.py exited early: {process.communicate()}"
        assert time.monotonic() < deadline, f"no checkpoint at {path} after {timeout} s"
        time.sleep(0.01)


def assert_same_checkpoint(a: dict, b: dict):
    assert a["epoch"] == b["epoch"]
    assert a["model"].keys() == b["model"].keys()
    for key in a["model"]:
        assert np.array_equal(a["model"][key].numpy(), b["model"][key].numpy()), key
    for index, state in a["optimizer"]["state"].items():
        for name, value in state.items():
            other = b["optimizer"]["state"][index][name]
            assert np.array_equal(np.asarray(getattr(value, "data", value)),
                                  np.asarray(getattr(other, "data", other))), (index, name)
    assert a["rng"] == b["rng"]
    strip = lambda h: [{k: v for k, v in e.items() if k != "seconds"} for e in h]  # noqa: E731
    assert strip(a["history"]) == strip(b["history"])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The final checkpoint of an uninterrupted LONG_RUN."""
    folder = tmp_path_factory.mktemp("reference")
    result = run_train(*LONG_RUN, "--save", "ref.npz", cwd=folder)
    assert result.returncode == 0, result.stderr
    return mt.load(folder / "ref.npz")


# ------------------------------------------------------------------- the command line

def test_default_run_reaches_97_percent_in_under_10_seconds(tmp_path):
    start = time.perf_counter()
    result = run_train(cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    accuracy = float(re.search(r"^  test\s+acc (\d\.\d+)", result.stdout, re.M).group(1))
    assert accuracy >= 0.97, result.stdout
    assert elapsed < 10, f"python train.py took {elapsed:.1f} s"
    assert "epoch 30/30" in result.stdout          # per-epoch lines
    assert "30/30" in result.stderr and "epoch/s" in result.stderr    # the tqdm bar


def test_classification_end_to_end_with_json(tmp_path):
    result = run_train("--dataset", "iris", "--epochs", 4, "--hidden", "16", "--quiet",
                       "--json", "out.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch 1/4" not in result.stdout and result.stderr == ""      # --quiet
    assert re.search(r"^  test\s+acc \d\.\d+", result.stdout, re.M)      # the summary stays
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["status"] == "completed" and out["epochs_completed"] == 4
    assert out["config"]["dataset"] == "iris" and out["config"]["hidden"] == [16]
    assert [h["epoch"] for h in out["history"]] == [1, 2, 3, 4]
    for entry in out["history"]:
        assert np.isfinite(entry["loss"])
        for part in ("train", "test"):
            assert set(entry[part]) == {"loss", "accuracy", "f1_macro", "f1"}
            assert len(entry[part]["f1"]) == 3 and 0 <= entry[part]["accuracy"] <= 1
    assert out["final"] == {"train": out["history"][-1]["train"],
                            "test": out["history"][-1]["test"]}


def test_regression_end_to_end_with_json(tmp_path):
    result = run_train("--dataset", "diabetes", "--epochs", 3, "--quiet", "--json", "out.json",
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    test = out["final"]["test"]
    assert set(test) == {"loss", "mse", "r2"}
    # the loss is on standardised targets, mse in original units (std of the target is ~77)
    import datasets
    y_std = datasets.load("diabetes").y_std[0]
    assert test["mse"] == pytest.approx(test["loss"] * y_std ** 2, rel=1e-3)


def test_resume_after_sigkill_gives_bitwise_identical_weights(tmp_path, reference):
    victim = subprocess.Popen(command(*LONG_RUN, "--save", "run.npz"), cwd=tmp_path, env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(tmp_path / "run.npz", victim)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    stopped_at = mt.load(tmp_path / "run.npz")["epoch"]
    assert 1 <= stopped_at < 25, "the run was not interrupted mid-way"

    resumed = run_train("--resume", "run.npz", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_checkpoint(mt.load(tmp_path / "run.npz"), reference)


def test_ctrl_c_saves_then_stops_and_resumes_identically(tmp_path, reference):
    run = subprocess.Popen(command(*LONG_RUN, "--save", "run.npz"), cwd=tmp_path, env=ENV,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(tmp_path / "run.npz", run)
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert "interrupted after epoch" in stderr and "--resume run.npz" in stderr
    stopped = mt.load(tmp_path / "run.npz")
    assert 1 <= stopped["epoch"] < 25 and len(stopped["history"]) == stopped["epoch"]

    resumed = run_train("--resume", "run.npz", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_checkpoint(mt.load(tmp_path / "run.npz"), reference)


def test_nan_guard_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    good = run_train("--n-samples", 300, "--epochs", 2, "--quiet", "--save", "ck.npz",
                     cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    before = (tmp_path / "ck.npz").read_bytes()
    bad = run_train("--resume", "ck.npz", "--epochs", 4, "--lr", "1e12", "--quiet",
                    "--json", "out.json", cwd=tmp_path)
    assert bad.returncode == 1
    assert re.search(r"diverged at epoch 3, step \d+: the loss is (nan|inf)", bad.stderr)
    assert "lower the learning rate" in bad.stderr and "Warning" not in bad.stderr
    assert "last good checkpoint (epoch 2) is kept in ck.npz" in bad.stderr
    assert (tmp_path / "ck.npz").read_bytes() == before
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["status"] == "diverged" and out["epochs_completed"] == 2


def test_nan_guard_in_the_first_epoch():
    config = train.make_config({"data": {"n_samples": 200}, "optimizer": "sgd", "lr": 1e6,
                                "epochs": 2})
    result = train.fit(config)
    assert result.status == "diverged" and result.history == []
    assert re.search(r"epoch 1, step \d+", result.message) and "--lr 100000" in result.message


@pytest.mark.parametrize("argv, expected", [
    (["--dataset", "mnist"], "invalid choice: 'mnist' (choose from moons, circles"),
    (["--optimizer", "rmsprop"], "choose from sgd, adam"),
    (["--activation", "swish"], "choose from relu, tanh"),
    (["--model", "resnet"], "choose from mlp, logistic, linear"),
    (["--dataset", "iris", "--noise", "0.1"], "valid parameters: none"),
    (["--hidden", "a,b"], "comma-separated positive layer widths"),
    (["--lr", "-1"], "expected a positive number"),
    (["--epochs", "0"], "expected a positive integer"),
    (["--test-size", "1.5"], "strictly between 0 and 1"),
    (["--model", "linear"], "does not fit data set 'moons' (classification); use one of: mlp, "
                            "logistic"),
    (["--model", "logistic", "--hidden", "8"], "--hidden applies to --model mlp only"),
    (["--resume", "missing.npz"], "no such file"),
])
def test_bad_arguments_are_argparse_errors(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.main(argv)
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err.replace("'sgd', 'adam'", "sgd, adam") \
        .replace("', '", ", ").replace("(choose from '", "(choose from ")


def test_resume_refuses_other_options_and_foreign_files(tmp_path, capsys):
    checkpoint = str(tmp_path / "ck.npz")
    assert train.main(["--n-samples", "100", "--epochs", "1", "--quiet", "--save", checkpoint]) == 0
    with pytest.raises(SystemExit):
        train.main(["--resume", checkpoint, "--dataset", "iris"])
    assert "cannot change --dataset when resuming" in capsys.readouterr().err
    mt.save({"weights": mt.zeros(2)}, tmp_path / "other.npz")
    with pytest.raises(SystemExit):
        train.main(["--resume", str(tmp_path / "other.npz")])
    assert "not a train.py checkpoint" in capsys.readouterr().err


def test_compare_sklearn(tmp_path, capsys):
    assert train.main(["--dataset", "wine", "--epochs", "3", "--compare-sklearn",
                       "--json", str(tmp_path / "out.json")]) == 0
    out = capsys.readouterr().out
    assert "MLPClassifier(hidden_layer_sizes=(64, 64)" in out
    assert re.search(r"test accuracy\s+\d\.\d{4}\s+\d\.\d{4}", out)
    sk = json.loads((tmp_path / "out.json").read_text())["sklearn"]
    assert 0.8 <= sk["test"]["accuracy"] <= 1
    assert train.main(["--dataset", "diabetes", "--model", "linear", "--epochs", "2", "--quiet",
                       "--compare-sklearn"]) == 0


def test_plot_writes_a_png(tmp_path):
    image = pytest.importorskip("matplotlib.image")
    for name, args in (("moons.png", ["--n-samples", "200"]), ("digits.png", ["--dataset", "digits"]),
                       ("friedman.png", ["--dataset", "friedman1"])):
        assert train.main([*args, "--epochs", "2", "--quiet", "--plot", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        height, width, _ = image.imread(tmp_path / name).shape
        assert width > height > 100


def test_plot_without_matplotlib_explains_and_training_completes(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)       # import matplotlib fails
    assert train.main(["--n-samples", "100", "--epochs", "2", "--quiet", "--plot",
                       str(tmp_path / "p.png"), "--json", str(tmp_path / "out.json")]) == 0
    assert "pip install matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists()
    assert json.loads((tmp_path / "out.json").read_text())["status"] == "completed"


# ------------------------------------------------------------------------- fit() itself

def test_config_defaults_come_from_the_data_set_then_the_command_line():
    import datasets
    config = train.make_config({"dataset": "iris"})
    assert {k: config[k] for k in datasets.SPECS["iris"].train} == datasets.SPECS["iris"].train
    assert config["optimizer"] == train.DEFAULTS["optimizer"] and config["data"] == {}
    config = train.make_config({"dataset": "moons", "epochs": 3, "data": {"noise": 0.3}})
    assert config["epochs"] == 3 and config["data"] == {"n_samples": 1000, "noise": 0.3}
    json.dumps(config)                                       # it goes into checkpoints


@pytest.mark.parametrize("dataset, model", [("blobs", "logistic"), ("regression", "linear"),
                                            ("spirals", "mlp")])
def test_fit_is_importable_and_learns(dataset, model):
    config = train.make_config({"dataset": dataset, "model": model, "epochs": 3, "lr": 0.02})
    result = train.fit(config)
    assert result.status == "completed" and len(result.history) == 3
    key = train.HEADLINE[result.split.task]
    assert result.history[-1]["train"]["loss"] < result.history[0]["train"]["loss"] * 1.01
    assert result.final["test"][key] > (0.5 if key == "accuracy" else 0.0)


def test_nan_guard_after_resuming_names_the_checkpoint_resumed_from(tmp_path):
    first, second = str(tmp_path / "first.npz"), str(tmp_path / "second.npz")
    config = train.make_config({"data": {"n_samples": 200}, "epochs": 1})
    assert train.fit(config, save=first).status == "completed"
    result = train.fit({**config, "epochs": 3, "lr": 1e12}, resume=first, save=second)
    assert result.status == "diverged" and len(result.history) == 1
    assert f"(epoch 1) is kept in {first}" in result.message
    assert not (tmp_path / "second.npz").exists()
