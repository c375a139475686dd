"""train.py under faults (issue 12): full disks, file-size limits, read-only folders,
outputs on one path, broken checkpoints, models too big for memory, Ctrl-C while
loading, a closed stdout. Each fails with one message and a non-zero exit code, no
traceback, and leaves what was already written intact.

The tests run as root, for whom a chmod-ed folder is still writable: a read-only
folder is simulated by making os.open refuse writes there (EROFS), a full disk by a
write that fails with ENOSPC, a file-size limit by RLIMIT_FSIZE in a subprocess.
"""
import errno
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch as mt
import train
from minitorch import training

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
ENV.pop("PYTHONUNBUFFERED", None)
SMALL = ["--n-samples", "200", "--quiet"]


def run_train(*args, cwd, file_size_limit=None, env=ENV):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    return subprocess.run([sys.executable, str(ROOT / "train.py"), *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=limit if file_size_limit else None)


def assert_one_clean_message(stderr: str):
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


@pytest.fixture
def checkpoint(tmp_path):
    """A one-epoch checkpoint ck.npz in tmp_path, and its bytes."""
    assert train.main([*SMALL, "--epochs", "1", "--save", str(tmp_path / "ck.npz")]) == 0
    return tmp_path / "ck.npz", (tmp_path / "ck.npz").read_bytes()


# --------------------------------------------------- writes that fail during the run

def test_file_size_limit_during_save_keeps_the_last_good_checkpoint(tmp_path, checkpoint):
    path, before = checkpoint
    assert len(before) > 20_000                       # the limit below stops the next save
    result = run_train("--resume", "ck.npz", "--epochs", 3, "--quiet", "--json", "out.json",
                       cwd=tmp_path, file_size_limit=20_000)
    assert result.returncode == 1
    assert_one_clean_message(result.stderr)
    assert "could not write the checkpoint ck.npz after epoch 2 (File too large); training " \
           "stopped. The last good checkpoint (epoch 1) is kept in ck.npz" in result.stderr
    assert path.read_bytes() == before
    out = json.loads((tmp_path / "out.json").read_text())   # small enough to be written
    assert out["status"] == "failed" and "ck.npz" in out["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz", "out.json"]  # no temp files


def test_file_size_limit_on_plot_and_json_keeps_the_previous_files(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "p.png").write_bytes(b"previous plot")
    (tmp_path / "out.json").write_text('{"previous": true}')
    result = run_train(*SMALL, "--epochs", 2, "--plot", "p.png", "--json", "out.json",
                       cwd=tmp_path, file_size_limit=500)
    assert result.returncode == 1
    assert_one_clean_message(result.stderr)
    for name, what in (("p.png", "plot"), ("out.json", "JSON file")):
        assert f"could not write the {what} {name} (File too large); the previous {name} is " \
               "kept as it was\n" in result.stderr
    assert (tmp_path / "p.png").read_bytes() == b"previous plot"        # not truncated
    assert (tmp_path / "out.json").read_text() == '{"previous": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "p.png"]


def test_a_failed_plot_says_the_checkpoint_is_intact(tmp_path, checkpoint):
    pytest.importorskip("matplotlib")
    path, _ = checkpoint
    limit = path.stat().st_size + 2000           # the checkpoint and the JSON fit, the plot not
    result = run_train("--resume", "ck.npz", "--epochs", 2, "--quiet", "--plot", "p.png",
                       "--json", "out.json", cwd=tmp_path, file_size_limit=limit)
    assert result.returncode == 1
    assert_one_clean_message(result.stderr)
    assert "could not write the plot p.png (File too large); no file was written; the " \
           "checkpoint ck.npz (epoch 2) is intact" in result.stderr
    assert training.load_checkpoint(path)["epoch"] == 2
    assert json.loads((tmp_path / "out.json").read_text())["status"] == "completed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz", "out.json"]


def test_full_disk_during_save_stops_with_one_message(tmp_path, monkeypatch, capsys):
    real_savez, calls = np.savez, []

    def savez_on_a_disk_that_fills_up(file, *args, **kwargs):
        calls.append(file)
        if len(calls) >= 2:                      # the first checkpoint fits, the second not
            file.write(b"half a checkpoint")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_savez(file, *args, **kwargs)

    monkeypatch.setattr(np, "savez", savez_on_a_disk_that_fills_up)
    path = tmp_path / "ck.npz"
    code = train.main([*SMALL, "--epochs", "4", "--save", str(path)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"could not write the checkpoint {path} after epoch 2 (No space left on device)" in err
    assert f"The last good checkpoint (epoch 1) is kept in {path}" in err
    assert training.load_checkpoint(path)["epoch"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz"]


@pytest.fixture
def read_only(monkeypatch):
    """read_only(folder): from now on, opening a file for writing in ``folder`` fails
    with EROFS, as on a read-only file system (os.access still says yes, as for root)."""
    real_open = os.open

    def make(folder):
        def refusing_open(path, flags, *args, **kwargs):
            writes = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if writes and os.path.abspath(path).startswith(str(folder)):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
            return real_open(path, flags, *args, **kwargs)
        monkeypatch.setattr(os, "open", refusing_open)
    return make


def test_folder_turned_read_only_during_the_run(tmp_path, checkpoint, read_only, capsys):
    path, before = checkpoint
    read_only(tmp_path)
    code = train.main(["--resume", str(path), "--epochs", "3", "--json",
                       str(tmp_path / "out.json")])
    assert code == 1
    err = capsys.readouterr().err
    assert f"could not write the checkpoint {path} after epoch 2 (Read-only file system)" in err
    assert f"The last good checkpoint (epoch 1) is kept in {path}" in err
    assert f"could not write the JSON file {tmp_path / 'out.json'} (Read-only file system); " \
           "no file was written" in err
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["ck.npz"]


# ------------------------------------------------------ refused before training starts

@pytest.fixture
def no_training(monkeypatch):
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("training started"))
    monkeypatch.setattr(train.models, "build", lambda *a, **k: pytest.fail("model built"))


def refused(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        train.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: " in err
    assert_one_clean_message(err)
    return err


def test_resume_into_a_folder_that_cannot_be_written_is_refused(tmp_path, checkpoint,
                                                                 monkeypatch, no_training,
                                                                 capsys):
    path, before = checkpoint
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.path.abspath(p) == str(
        tmp_path) else real_access(p, mode, **kw))
    err = refused(["--resume", str(path), "--epochs", "2"], capsys)
    assert f"--resume {path}: the folder {tmp_path} is not writable" in err
    # --save elsewhere is fine: the checkpoint is only read
    monkeypatch.setattr(train, "fit", lambda *a, **k: training.FitResult(
        "completed", a[0], None, a[1]))
    elsewhere = tmp_path.parent / f"{tmp_path.name}-other.npz"
    assert train.main(["--resume", str(path), "--epochs", "2", "--save", str(elsewhere)]) == 0


@pytest.mark.parametrize("argv, expected", [
    (["--save", "x.npz", "--json", "x.npz"], "--json and --save both name the file x.npz"),
    (["--save", "x.png", "--plot", "x"], "--plot and --save both name the file x.png"),
    (["--json", "x.svg", "--plot", "./x.svg"], "--json and --plot both name the file ./x.svg"),
    (["--json", ""], "--json: the path is empty (an unset shell variable?)"),
    (["--save", ""], "--save: the path is empty"),
    (["--plot", " "], "--plot: the path is empty"),
    (["--resume", ""], "--resume: the path is empty"),
    (["--save", "/dev/null"], "--save /dev/null: is not a regular file"),
    (["--json", "/dev/null"], "--json /dev/null: is not a regular file"),
])
def test_outputs_on_one_path_or_empty_paths_are_refused(argv, expected, tmp_path, monkeypatch,
                                                        no_training, capsys):
    monkeypatch.chdir(tmp_path)
    assert expected in refused([*argv, "--epochs", "1"], capsys)
    assert os.listdir(tmp_path) == []


def test_an_output_on_the_checkpoint_resumed_from_is_refused(tmp_path, checkpoint, no_training,
                                                            capsys):
    path, before = checkpoint
    err = refused(["--resume", str(path), "--epochs", "2", "--json", str(path)], capsys)
    assert f"--json and --resume both name the file {path}" in err
    (tmp_path / "link.json").symlink_to(path)            # the same file by another name
    err = refused(["--resume", str(path), "--epochs", "2", "--save", str(tmp_path / "new.npz"),
                   "--json", str(tmp_path / "link.json")], capsys)
    assert "--json and --resume both name the file" in err
    assert path.read_bytes() == before


def test_resuming_into_itself_is_fine(tmp_path, checkpoint):
    path, _ = checkpoint
    assert train.main(["--resume", str(path), "--save", str(path), "--epochs", "2",
                       "--quiet"]) == 0
    assert training.load_checkpoint(path)["epoch"] == 2


def edit_checkpoint(path, change):
    state = mt.load(path)
    change(state)
    mt.save(state, path)


@pytest.mark.parametrize("change, expected", [
    (lambda s: s["config"].update(hidden=[16]), "its weights do not fit the model its config "
                                                "describes (missing: none; unexpected: layers.4"),
    (lambda s: s["config"].update(hidden=[64, 32]), "layers.2.weight has shape (64, 64) in the "
                                                    "checkpoint, (32, 64) in the model"),
    (lambda s: s["config"].update(optimizer="sgd"), "its optimizer state is not that of SGD "
                                                    "(optimizer='sgd' in its config)"),
    (lambda s: s.pop("optimizer"), "the checkpoint lacks its 'optimizer' part"),
    (lambda s: s.pop("rng"), "the checkpoint lacks its 'rng' part"),
    (lambda s: s["config"].pop("model"), "the checkpoint's config does not fit this program "
                                         "(RunConfig: the settings do not fit (unknown: none; "
                                         "missing: model))"),
    (lambda s: s["config"].update(lr=-1.0), "lr must be a positive number, got -1.0"),
    (lambda s: s.update(epoch=5), "the checkpoint says 5 epochs but its history has 1"),
    (lambda s: s.update(model=[1, 2]), "the checkpoint's 'model' part is a list"),
])
def test_a_checkpoint_that_does_not_fit_gives_one_clear_error(change, expected, checkpoint,
                                                              capsys, monkeypatch):
    path, _ = checkpoint
    edit_checkpoint(path, change)
    monkeypatch.setattr(training.loop, "train_epoch",
                        lambda *a, **k: pytest.fail("training started"))
    err = refused(["--resume", str(path), "--epochs", "2"], capsys)
    assert str(path) in err and expected in err, err


def test_a_model_too_big_for_memory_is_refused_before_allocating(no_training, capsys):
    err = refused(["--hidden", "100000000"], capsys)
    assert re.search(r"--model mlp \(2-100000000-2\) has 500,000,002 parameters and needs "
                     r"about [\d.]+ [GT]iB to train on 800 rows at a time, more than the [\d.]+ "
                     r"[KMGT]iB of memory available; use smaller layer widths", err), err


def test_memory_check_against_a_given_amount(monkeypatch):
    monkeypatch.setattr(training.memory, "available_memory", lambda: 2 ** 30)     # 1 GiB
    training.check_fits_in_memory([64, 256, 256, 10], 1437, "adam")   # a few MiB: fine
    with pytest.raises(ValueError, match=r"needs about 1\.\d GiB .* than the 1\.0 GiB"):
        training.check_fits_in_memory([64, 100000, 10], 1437, "sgd")
    assert training.memory.training_bytes([2, 3, 1], 10, "adam") == (13, 4 * (13 * 5 + 2 * 10 * 4))


# ----------------------------------------------------------------- Ctrl-C, closed stdout

def test_ctrl_c_while_loading_the_data_says_what_happened(monkeypatch, capsys):
    def interrupted(config):
        raise KeyboardInterrupt
    monkeypatch.setattr(train, "load_split", interrupted)
    assert training.cli.run(train.main, ["--epochs", "1"]) == 130
    err = capsys.readouterr().err
    assert "aborted (Ctrl-C) while loading the data set; nothing was trained or written" in err
    assert "second" not in err


def test_second_ctrl_c_during_training_says_the_checkpoints_are_intact(monkeypatch, capsys):
    def interrupted_twice(*args, **kwargs):
        stop = kwargs["should_stop"]
        stop._handle(None, None)                         # the first Ctrl-C
        raise KeyboardInterrupt                          # the second one
    monkeypatch.setattr(train, "fit", interrupted_twice)
    assert training.cli.run(train.main, [*SMALL, "--epochs", "1"]) == 130
    err = capsys.readouterr().err
    assert "aborted (second Ctrl-C) while training; checkpoints already written are intact" in err


@pytest.mark.parametrize("unbuffered", [False, True])
def test_piped_into_head_exits_quietly_whatever_the_buffering(tmp_path, unbuffered):
    env = {**ENV, "PYTHONUNBUFFERED": "1"} if unbuffered else ENV
    script = (f"{sys.executable} {ROOT / 'train.py'} --n-samples 100 --epochs 3 | head -1; "
              'echo "status ${PIPESTATUS[0]}" >&2')
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.startswith("epoch 1/3"), result.stdout
    assert_one_clean_message(result.stderr)
    assert re.search(r"status (0|141)$", result.stderr.strip()), result.stderr
