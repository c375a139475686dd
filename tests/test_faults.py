"""Fault injection (issue 12): hostile paths, full disks, crafted files and bad
inputs. Each case checks that the error names the problem, that nothing was
changed before it, and that files on disk are intact."""
import errno
import json
import os
import socket
import stat
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch import nn, serialization
from minitorch.serialization import NotARegularFileError, atomic_write
from minitorch.utils.data import DataLoader, TensorDataset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_bytes(data):
    return lambda file: file.write(data)


def listing(folder):
    return sorted(os.listdir(folder))


# --- atomic_write: what the path is ---------------------------------------------------

def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    atomic_write(link, write_bytes(b"new"))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"
    mt.save({"w": mt.ones(2)}, link)  # mt.save too, as torch.save does
    assert link.is_symlink() and mt.load(target)["w"].tolist() == [1.0, 1.0]
    assert listing(tmp_path) == ["link.npz", "real.npz"]


def test_a_relative_symlink_into_another_folder_replaces_the_file_there(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "runs").mkdir()
    os.symlink("../store/model.npz", tmp_path / "runs" / "latest.npz")  # dangling: new file
    atomic_write(tmp_path / "runs" / "latest.npz", write_bytes(b"v1"))
    assert (tmp_path / "store" / "model.npz").read_bytes() == b"v1"
    assert (tmp_path / "runs" / "latest.npz").is_symlink()
    assert listing(tmp_path / "runs") == ["latest.npz"]  # the temporary was made in store/


def make_fifo(folder):
    path = folder / "fifo"
    os.mkfifo(path)
    return path


def make_char_device(folder):
    path = folder / "null"
    try:  # the same device numbers as /dev/null, made in a temporary folder
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


def make_socket(folder):
    path = folder / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return path


@pytest.mark.parametrize("make, kind", [(make_fifo, r"a FIFO \(named pipe\)"),
                                        (make_char_device, "a character device"),
                                        (make_socket, "a socket")])
@pytest.mark.parametrize("through_link", [False, True])
def test_special_files_are_refused_by_name_and_left_alone(tmp_path, make, kind, through_link):
    special = make(tmp_path)
    before = os.lstat(special)
    path = special
    if through_link:
        path = tmp_path / "link"
        path.symlink_to(special)
    with pytest.raises(NotARegularFileError, match=f"cannot write '.*{path.name}'.*it is "
                                                   f"{kind}, not a regular file") as caught:
        mt.save({"w": mt.ones(2)}, path)
    assert isinstance(caught.value, OSError)
    after = os.lstat(special)
    assert (after.st_mode, after.st_ino, after.st_rdev) == \
        (before.st_mode, before.st_ino, before.st_rdev)
    assert len(os.listdir(tmp_path)) == (2 if through_link else 1)  # no temporary left


def test_a_directory_or_an_empty_path_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError, match="cannot write '.*d': it is a directory"):
        mt.save({"a": 1}, tmp_path / "d")
    with pytest.raises(ValueError, match="empty path"):
        mt.save({"a": 1}, "")
    with pytest.raises(FileNotFoundError, match="folder '.*missing' does not exist"):
        atomic_write(tmp_path / "missing" / "x.npz", write_bytes(b"x"))
    assert listing(tmp_path) == ["d"] and not os.listdir(tmp_path / "d")


def test_a_symlink_loop_is_refused_by_name(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(OSError, match="cannot write '.*a'.*symbolic links") as caught:
        atomic_write(tmp_path / "a", write_bytes(b"x"))
    assert caught.value.errno == errno.ELOOP


# --- atomic_write: permissions ------------------------------------------------------

@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_an_existing_file_keeps_its_permissions(tmp_path, mode):
    path = tmp_path / "ck.npz"
    path.write_bytes(b"old")
    os.chmod(path, mode)
    mt.save({"w": mt.ones(1)}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_a_new_file_gets_the_umask_default_as_with_open(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.npz", write_bytes(b"x"))
        with open(tmp_path / "reference", "wb"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.npz").st_mode) == \
        stat.S_IMODE(os.stat(tmp_path / "reference").st_mode) == 0o640


# --- atomic_write: failures and leftovers ---------------------------------------------

@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   OSError(errno.EFBIG, "File too large"),
                                   KeyboardInterrupt(), RuntimeError("bug in write")])
def test_a_failed_write_removes_its_temporary_and_keeps_the_file(tmp_path, error):
    path = tmp_path / "ck.npz"
    mt.save({"epoch": 1}, path)
    os.chmod(path, 0o600)
    original = path.read_bytes()

    def failing(file):
        file.write(b"PK\x03\x04 half a checkpoint")
        raise error

    with pytest.raises(type(error)) as caught:
        atomic_write(path, failing)
    if isinstance(error, OSError):  # the same errno, and the message names the file
        assert caught.value.errno == error.errno
        assert "ck.npz" in str(caught.value) and error.strerror in str(caught.value)
        assert "left as it was" in str(caught.value)
    assert path.read_bytes() == original and listing(tmp_path) == ["ck.npz"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_file_size_limit_during_save_keeps_the_previous_checkpoint(tmp_path):
    """A real full-disk-like failure: RLIMIT_FSIZE in a child process."""
    path = tmp_path / "ck.npz"
    mt.save({"epoch": 1, "w": mt.zeros(10)}, path)
    original = path.read_bytes()
    script = textwrap.dedent(f"""
        import resource, sys
        sys.path.insert(0, {ROOT!r})
        import minitorch as mt
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
        try:
            mt.save({{"epoch": 2, "w": mt.zeros(100000)}}, {str(path)!r})
        except OSError as error:
            print("OSError", error.errno, error)
            sys.exit(3)
        """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 3, result.stderr
    assert f"OSError {errno.EFBIG}" in result.stdout and "ck.npz" in result.stdout
    assert path.read_bytes() == original and mt.load(path)["epoch"] == 1
    assert listing(tmp_path) == ["ck.npz"]


def test_leftovers_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "ck.npz"
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = int(child.stdout)  # a pid that has exited
    stale = [f".ck.npz.{dead}.{i:08x}.tmp" for i in range(3)]
    for name in stale:
        (tmp_path / name).write_bytes(b"x" * 1000)
    live = f".ck.npz.{os.getppid()}.0000abcd.tmp"  # a running process: maybe saving now
    other = f".other.npz.{dead}.00000001.tmp"  # another target's: not ours to judge
    for name in (live, other, "notes.tmp"):
        (tmp_path / name).write_bytes(b"y")
    mt.save({"a": 1}, path)
    assert listing(tmp_path) == sorted([live, other, "notes.tmp", "ck.npz"])


def test_twenty_killed_saves_leave_no_pile_of_temporaries(tmp_path):
    path = tmp_path / "ck.npz"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {ROOT!r})
        from minitorch.serialization import atomic_write
        def die(file):
            file.write(b"x" * 10000)
            os.kill(os.getpid(), signal.SIGKILL)
        atomic_write({str(path)!r}, die)
        """)
    for _ in range(20):
        subprocess.run([sys.executable, "-c", script], timeout=60)
        mt.save({"a": 1}, path)  # the next good save after each kill
    assert listing(tmp_path) == ["ck.npz"]


# --- load_state_dict: nothing is copied unless everything fits --------------------------

def snapshot(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("bad, message", [
    (np.array(["x", "y"]), r'dtype mismatch for "1.bias": cannot copy a value of dtype <U1 '
                           r"into the float32 tensor"),
    (np.array([None, None], dtype=object), r'dtype mismatch for "1.bias".*dtype object'),
    (np.zeros(3, dtype=np.float32), r'size mismatch for "1.bias": copying a param with shape '
                                    r"\(3,\) from checkpoint, the shape in current model is "
                                    r"\(2,\)"),
    (np.zeros(2, dtype=np.complex64), r'dtype mismatch for "1.bias".*complex64'),
    ([0.0, 0.0], r'For "1.bias": expected a Tensor or array, got list'),
])
def test_load_state_dict_checks_every_entry_before_copying_any(bad, message):
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 2))
    before = snapshot(model)
    state = {k: mt.zeros(*v.shape) for k, v in model.state_dict().items()}
    state["1.bias"] = bad  # the last entry is the bad one
    with pytest.raises(RuntimeError, match=message):
        model.load_state_dict(state)
    for a, b in zip(before, snapshot(model)):
        np.testing.assert_array_equal(a, b)


def test_load_state_dict_reports_missing_and_unexpected_keys_together():
    model = nn.Linear(2, 2)
    before = snapshot(model)
    with pytest.raises(RuntimeError, match=r'(?s)Unexpected key\(s\) in state_dict: "extra"'
                                           r'.*Missing key\(s\) in state_dict: "bias"'):
        model.load_state_dict({"weight": mt.zeros(2, 2), "extra": mt.zeros(1)})
    for a, b in zip(before, snapshot(model)):
        np.testing.assert_array_equal(a, b)
    result = model.load_state_dict({"weight": np.zeros((2, 2), dtype=np.float64)}, strict=False)
    assert result.missing_keys == ["bias"] and model.weight.dtype == np.float32
    assert model.weight.detach().numpy().sum() == 0


# --- errors that name the problem ---------------------------------------------------

def test_linear_refuses_arrays_and_mixed_dtypes_before_computing():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="linear: input must be a Tensor, got ndarray"):
        layer(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 must have the same dtype, but got "
                                           r"int64 and float32 \(input of shape \(1, 2\)"):
        layer(mt.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match="but got float64 and float32"):
        layer(mt.ones(1, 2, dtype=mt.float64))
    assert layer(mt.ones(1, 2)).shape == (1, 2)


def test_linear_too_big_to_allocate_is_refused_by_name():
    with pytest.raises(RuntimeError, match=r"Linear\(1099511627776, 1099511627776\): its "
                                           r"parameters of shapes \(1099511627776, "
                                           r"1099511627776\), \(1099511627776,\) in float32 "
                                           r"need .* bytes"):
        nn.Linear(2 ** 40, 2 ** 40)
    with pytest.raises(RuntimeError, match=r"Linear\(784, 100000000\).*can be allocated"):
        nn.Linear(784, 100_000_000)  # 292 GiB: more than any test machine has


def test_a_dataloader_cannot_shuffle_an_empty_dataset():
    empty = TensorDataset(mt.zeros(0, 2))
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, "
                                         "but got num_samples=0"):
        DataLoader(empty, shuffle=True)
    assert list(DataLoader(empty)) == []  # without shuffling: no batches, as in PyTorch


def test_saving_a_cycle_or_a_deep_nesting_is_refused_and_writes_nothing(tmp_path):
    cyclic = {"a": [1, 2]}
    cyclic["a"].append(cyclic)
    with pytest.raises(ValueError, match=r"mt.save: obj\['a'\]\[2\] contains itself \(a "
                                         r"reference cycle\)"):
        mt.save(cyclic, tmp_path / "c.npz")
    deep = []
    node = deep
    for _ in range(5000):
        node.append([])
        node = node[0]
    with pytest.raises(ValueError, match="nested more than 100 containers deep"):
        mt.save(deep, tmp_path / "d.npz")
    shared = [1]
    mt.save({"x": shared, "y": shared}, tmp_path / "ok.npz")  # shared is not a cycle
    assert listing(tmp_path) == ["ok.npz"]


def craft(path, meta_json, arrays=None):
    """An .npz like mt.save's, with the metadata text given."""
    arrays = dict(arrays or {})
    arrays["__minitorch__"] = np.frombuffer(meta_json.encode(), dtype=np.uint8)
    np.savez(path, **arrays)


@pytest.mark.parametrize("meta, message", [
    ('{"format": "minitorch.save", "version": "9", "tree": 1}',
     r"invalid format version '9'"),
    ('{"format": "minitorch.save", "version": 9, "tree": 1}', r"written by a newer minitorch"),
    ('{"format": "minitorch.save", "version": true, "tree": 1}', r"invalid format version"),
    ('{"format": "minitorch.save", "version": 1}', "not minitorch's"),
    ('{"format": "minitorch.save", "version": 1, "tree": ' + "[" * 5000 + "]" * 5000 + "}",
     "nested too deeply"),
    ('{"format": "minitorch.save", "version": 1, "tree": ' + '{"list": [' * 150 + "1"
     + "]}" * 150 + "}", "nested too deeply"),
    ('{"format": "minitorch.save", "version": 1, "tree": {"dict": 5}}', "damaged"),
    ('{"format": "minitorch.save", "version": 1, "tree": {"dict": [[[1], 2]]}}', "bad dict item"),
    ('{"format": "minitorch.save", "version": 1, "tree": {"tensor": [1]}}', "damaged"),
    ('{"format": "minitorch.save", "version": 1, "tree": {"tensor": "7"}}', "damaged"),
    ('{"format": "minitorch.save", "version": 1, "tree": {}}', "damaged"),
    ('{"format": "minitorch.save", "version": 1, "tree": {"tensor": "0", "requires_grad": '
     'true}}', "int64 marked as requiring grad"),
    ("not json", "not valid JSON"),
])
def test_crafted_metadata_gives_a_value_error_naming_the_problem(tmp_path, meta, message):
    path = tmp_path / "crafted.npz"
    craft(path, meta, {"0": np.arange(3)})
    with pytest.raises(ValueError, match=f"mt.load: cannot load '.*crafted.npz'.*{message}"):
        mt.load(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["dict", "list", "tuple", "tensor", "ndarray", "scalar",
                                       "requires_grad", "x"]), inner, max_size=3),
    max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(tree=json_values, version=st.one_of(st.just(1), json_values))
def test_any_metadata_tree_loads_or_gives_a_value_error(tmp_path_factory, tree, version):
    path = tmp_path_factory.mktemp("fuzz") / "f.npz"
    craft(path, json.dumps({"format": "minitorch.save", "version": version, "tree": tree}),
          {"0": np.arange(3.0)})
    try:
        mt.load(path)
    except ValueError as error:
        assert "cannot load" in str(error)


def test_loading_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = make_fifo(tmp_path)
    with pytest.raises(ValueError, match="cannot load '.*fifo': it is not a regular file"):
        mt.load(fifo)


def test_a_zip_bomb_like_foreign_member_is_named(tmp_path):
    path = tmp_path / "foreign.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__minitorch__.npy", b"not an npy header")
    with pytest.raises(ValueError, match="cannot load '.*foreign.npz'"):
        mt.load(path)


def test_serialization_never_leaves_temporaries_after_a_type_error(tmp_path):
    path = tmp_path / "ck.npz"
    mt.save({"a": 1}, path)
    with pytest.raises(TypeError, match="cannot save an object of type object"):
        mt.save({"a": object()}, path)
    assert listing(tmp_path) == ["ck.npz"] and mt.load(path) == {"a": 1}
    assert serialization._MAX_DEPTH == 100
