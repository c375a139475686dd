"""train.py end to end: real subprocesses for the command line, SIGKILL/SIGINT + resume,
the NaN guard, argument errors, --json, --plot and --compare-sklearn."""
import dataclasses
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
import minitorch.sklearn
import train
from minitorch import training

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
    return training.load_checkpoint(folder / "ref.npz")


# ------------------------------------------------------------------- the command line

def test_default_run_reaches_97_percent(tmp_path):
    # its speed is a benchmark figure (benchmarks/datasets_table.py), not a test
    result = run_train(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    accuracy = float(re.search(r"^  test\s+acc (\d\.\d+)", result.stdout, re.M).group(1))
    assert accuracy >= 0.97, result.stdout
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
    stopped_at = training.load_checkpoint(tmp_path / "run.npz")["epoch"]
    assert 1 <= stopped_at < 25, "the run was not interrupted mid-way"

    resumed = run_train("--resume", "run.npz", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_checkpoint(training.load_checkpoint(tmp_path / "run.npz"), reference)


def test_ctrl_c_saves_then_stops_and_resumes_identically(tmp_path, reference):
    run = subprocess.Popen(command(*LONG_RUN, "--save", "run.npz"), cwd=tmp_path, env=ENV,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(tmp_path / "run.npz", run)
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert "interrupted after epoch" in stderr and "--resume run.npz" in stderr
    stopped = training.load_checkpoint(tmp_path / "run.npz")
    assert 1 <= stopped["epoch"] < 25 and len(stopped["history"]) == stopped["epoch"]

    resumed = run_train("--resume", "run.npz", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_checkpoint(training.load_checkpoint(tmp_path / "run.npz"), reference)


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
    assert {k: getattr(config, k) for k in datasets.SPECS["iris"].train} \
        == datasets.SPECS["iris"].train
    assert config.optimizer == train.RunConfig().optimizer == "adam" and config.data == {}
    config = train.make_config({"dataset": "moons", "epochs": 3, "data": {"noise": 0.3}})
    assert config.epochs == 3 and config.data == {"n_samples": 1000, "noise": 0.3}
    assert train.RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


@pytest.mark.parametrize("dataset, model", [("blobs", "logistic"), ("regression", "linear"),
                                            ("spirals", "mlp")])
def test_fit_is_importable_and_learns(dataset, model):
    config = train.make_config({"dataset": dataset, "model": model, "epochs": 3, "lr": 0.02})
    result = train.fit(config)
    assert result.status == "completed" and len(result.history) == 3
    key = training.HEADLINE[result.split.task]
    assert result.history[-1]["train"]["loss"] < result.history[0]["train"]["loss"] * 1.01
    assert result.final["test"][key] > (0.5 if key == "accuracy" else 0.0)


def test_nan_guard_after_resuming_names_the_checkpoint_resumed_from(tmp_path):
    first, second = str(tmp_path / "first.npz"), str(tmp_path / "second.npz")
    config = train.make_config({"data": {"n_samples": 200}, "epochs": 1})
    assert train.fit(config, save=first).status == "completed"
    result = train.fit(dataclasses.replace(config, epochs=3, lr=1e12), resume=first, save=second)
    assert result.status == "diverged" and len(result.history) == 1
    assert f"(epoch 1) is kept in {first}" in result.message
    assert not (tmp_path / "second.npz").exists()


# ------------------------------------------------------- QA regressions: divergence

def strict_json(path):
    """Parse ``path`` as strict JSON: NaN/Infinity are not JSON."""
    def reject(constant):
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(Path(path).read_text(), parse_constant=reject)


def test_divergence_after_the_last_step_is_caught_by_the_evaluation(tmp_path, capsys):
    # one step per epoch: each step is the last one, so only the evaluation sees the overflow
    code = train.main(["--dataset", "regression", "--optimizer", "sgd", "--lr", "30",
                       "--batch-size", "800", "--quiet", "--json", str(tmp_path / "out.json")])
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(r"diverged at epoch \d+, in the evaluation after its last step: the "
                     r"model's outputs on the train part are not finite", err), err
    out = strict_json(tmp_path / "out.json")
    assert out["status"] == "diverged"
    assert all(np.isfinite(h["train"]["loss"]) for h in out["history"])


def test_divergence_keeps_the_last_finite_checkpoint_and_model(tmp_path):
    checkpoint = str(tmp_path / "ck.npz")
    config = train.make_config({"data": {"n_samples": 200}, "optimizer": "sgd", "momentum": 0.0,
                                "lr": 0.1, "batch_size": 1000, "epochs": 1})
    assert train.fit(config, save=checkpoint).status == "completed"
    before = Path(checkpoint).read_bytes()
    good = {k: v.numpy().copy() for k, v in training.load_checkpoint(checkpoint)["model"].items()}
    result = train.fit(dataclasses.replace(config, epochs=3, lr=1e20), resume=checkpoint)
    assert result.status == "diverged" and len(result.history) == 1
    assert "diverged at epoch 2, in the evaluation" in result.message
    assert f"(epoch 1) is kept in {checkpoint}" in result.message
    assert Path(checkpoint).read_bytes() == before
    for name, value in result.model.state_dict().items():   # rolled back to epoch 1
        np.testing.assert_array_equal(value.numpy(), good[name])


def test_non_finite_parameters_after_a_step_are_divergence():
    config = train.make_config({"data": {"n_samples": 200}, "optimizer": "sgd", "lr": 1e300,
                                "epochs": 1})
    result = train.fit(config)
    assert result.status == "diverged" and result.history == []
    assert "epoch 1, step 1: the update made parameter" in result.message


def test_resume_refuses_a_checkpoint_with_non_finite_weights(tmp_path, capsys):
    path = tmp_path / "ck.npz"
    train.fit(train.make_config({"data": {"n_samples": 100}, "epochs": 1}), save=str(path))
    state = mt.load(path)
    state["model"]["layers.0.weight"]._data[0, 0] = np.nan
    mt.save(state, path)
    with pytest.raises(SystemExit):
        train.main(["--resume", str(path), "--epochs", "2"])
    assert "non-finite weights (layers.0.weight)" in capsys.readouterr().err


# --------------------------------------------- QA regressions: checked before training

@pytest.mark.parametrize("argv, expected", [
    (["--n-samples", "3"], "class(es) [0] have a single sample"),
    (["--n-samples", "1"], "leaves 0 training and 1 test samples"),
    (["--dataset", "iris", "--test-size", "0.01"], "needs all 3 classes in both parts"),
    (["--seed", "99999999999"], "expected an integer in [0, 4294967295]"),
    (["--dataset", "spirals", "--n-samples", "1"], "--n-samples must be at least 2"),
    (["--json", "/no/such/folder/x.json"], "--json /no/such/folder/x.json: the folder"),
    (["--plot", "/no/such/folder/x.png"], "does not exist"),
    (["--save", "/no/such/folder/x.npz"], "does not exist"),
    (["--plot", "out.xyz"], "unsupported format '.xyz'; valid choices: .png, .pdf, .svg"),
    (["--json", "."], "is a folder"),
    (["--momentum", "0.5"], "--momentum applies to --optimizer sgd only, not 'adam'"),
    (["--hidden", "none", "--dropout", "0.1"], "--dropout has no effect with --hidden none"),
    (["--hidden", "none", "--activation", "tanh"], "--activation has no effect with --hidden"),
])
def test_bad_data_outputs_and_ignored_options_fail_before_training(argv, expected, capsys,
                                                                   monkeypatch):
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("training started"))
    with pytest.raises(SystemExit) as exit_info:
        train.main([*argv, "--epochs", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: " in err and expected in err, err


def test_momentum_with_sgd_is_fine():
    config = train.make_config({"optimizer": "sgd", "momentum": 0.5})
    assert config.momentum == 0.5


# -------------------------------------------------------------- QA regressions: outputs

def test_plot_without_suffix_writes_png_and_names_the_real_path(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert train.main(["--n-samples", "100", "--epochs", "1", "--quiet",
                       "--plot", str(tmp_path / "out")]) == 0
    assert f"plot written to {tmp_path / 'out.png'}" in capsys.readouterr().out
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"
    assert training.curve_style(1)["marker"] == "o"          # one epoch still shows up


def test_failing_plot_still_writes_the_json(tmp_path, capsys, monkeypatch):
    def broken(path, result):
        raise RuntimeError("no renderer")
    monkeypatch.setattr(training.cli, "save_plot", broken)
    code = train.main(["--n-samples", "100", "--epochs", "1", "--quiet", "--plot",
                       str(tmp_path / "p.png"), "--json", str(tmp_path / "out.json")])
    assert code == 1
    assert "could not write the plot" in capsys.readouterr().err
    assert strict_json(tmp_path / "out.json")["status"] == "completed"


def test_json_is_strict_with_null_for_non_finite_numbers(tmp_path):
    # one test sample: R^2 is undefined (nan) -> null
    assert train.main(["--dataset", "linnerud", "--test-size", "0.05", "--epochs", "1",
                       "--quiet", "--json", str(tmp_path / "lin.json")]) == 0
    out = strict_json(tmp_path / "lin.json")
    assert out["final"]["test"]["r2"] is None and out["final"]["train"]["r2"] is not None
    training.write_json(str(tmp_path / "x.json"), {"a": [float("inf"), 1.5], "b": {"c": np.nan}})
    assert strict_json(tmp_path / "x.json") == {"a": [None, 1.5], "b": {"c": None}}


def test_write_json_removes_its_temporary_file_on_failure(tmp_path):
    (tmp_path / "taken").mkdir()                   # os.replace onto a folder fails
    with pytest.raises(OSError):
        training.write_json(str(tmp_path / "taken"), {"a": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_evaluate_is_quiet_about_undefined_metrics():
    import warnings
    config = train.make_config({"dataset": "linnerud", "test_size": 0.05})
    split = train.load_split(config)
    model = train.build_model(config, split)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics = training.evaluate(model, split)
    assert np.isnan(metrics["test"]["r2"])


def test_compare_sklearn_says_when_it_substitutes_the_activation(tmp_path, capsys):
    assert train.main(["--n-samples", "100", "--hidden", "4", "--activation", "gelu",
                       "--epochs", "1", "--quiet", "--compare-sklearn",
                       "--json", str(tmp_path / "out.json")]) == 0
    assert "note: scikit-learn's MLP has no gelu activation; its model uses relu" \
        in capsys.readouterr().out
    assert "no gelu" in strict_json(tmp_path / "out.json")["sklearn"]["note"]
    assert minitorch.sklearn.sklearn_activation("tanh") == ("tanh", None)


# ------------------------------------------------------ QA regressions: resume, checkpoints

def test_resume_below_or_at_the_completed_epochs(tmp_path, capsys):
    path = str(tmp_path / "ck.npz")
    assert train.main(["--n-samples", "100", "--epochs", "2", "--quiet", "--save", path]) == 0
    before = Path(path).read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--resume", path, "--epochs", "1"])
    assert exit_info.value.code == 2
    assert "already completed 2 epochs; pass --epochs M > 2" in capsys.readouterr().err
    assert train.main(["--resume", path]) == 0                  # a finished run
    captured = capsys.readouterr()
    assert f"{path}: already trained for 2 epochs; pass --epochs M > 2 to continue" \
        in captured.err
    assert "epoch 2/2" not in captured.out and "epoch/s" not in captured.err    # no progress
    assert Path(path).read_bytes() == before
    config = train.RunConfig.from_dict(training.load_checkpoint(path)["config"])
    with pytest.raises(ValueError, match="already completed 2 epochs"):
        train.fit(dataclasses.replace(config, epochs=1), resume=path)


def test_checkpoint_history_is_one_array_so_saving_does_not_grow_with_epochs(tmp_path):
    import zipfile
    config = train.make_config({"data": {"n_samples": 100}, "epochs": 1})
    one, three = str(tmp_path / "one.npz"), str(tmp_path / "three.npz")
    train.fit(config, save=one)
    result = train.fit(dataclasses.replace(config, epochs=3), save=three)
    entries = [zipfile.ZipFile(p).namelist() for p in (one, three)]
    assert len(entries[0]) == len(entries[1])       # the history adds no entry per epoch
    raw = mt.load(three)["history"]
    assert isinstance(raw, np.ndarray) and raw.dtype == np.uint8
    assert training.load_checkpoint(three)["history"] == result.history
    assert training.decode_history(result.history) == result.history     # v1: a plain list


# ----------------------------------------------------- QA regressions: quiet exits

def test_second_ctrl_c_exits_130_without_a_traceback(capsys):
    def interrupted(argv=None):
        raise KeyboardInterrupt
    assert training.cli.run(interrupted) == 130
    assert "aborted" in capsys.readouterr().err


@pytest.mark.parametrize("unbuffered", [False, True])
def test_closed_stdout_ends_quietly(tmp_path, unbuffered):
    # without PYTHONUNBUFFERED the output is flushed only at the end: that flush fails too
    env = {k: v for k, v in ENV.items() if k != "PYTHONUNBUFFERED"}
    env.update({"PYTHONUNBUFFERED": "1"} if unbuffered else {})
    process = subprocess.Popen(command("--n-samples", 100, "--epochs", 2), cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()                     # like `| head -0`: every write fails
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
