"""mt.save / mt.load: round trips, rejection of bad files, atomic writes."""
import io
import os
import zipfile

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn, optim, serialization


def trained_state():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    nn.functional.cross_entropy(model(mt.randn(5, 3)), mt.tensor([0, 1, 1, 0, 1])).backward()
    opt.step()
    return model, opt


def test_model_and_optimizer_state_round_trip(tmp_path):
    model, opt = trained_state()
    path = tmp_path / "checkpoint.npz"
    mt.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
    loaded = mt.load(path)
    assert loaded["epoch"] == 3
    for name, tensor in model.state_dict().items():
        assert isinstance(loaded["model"][name], mt.Tensor)
        np.testing.assert_array_equal(loaded["model"][name]._data, tensor._data)
    assert loaded["optimizer"]["param_groups"] == opt.state_dict()["param_groups"]
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)  # tuples survive
    assert list(loaded["optimizer"]["state"]) == [0, 1, 2, 3]  # int keys survive
    model2, opt2 = trained_state()
    model2.load_state_dict(loaded["model"])
    opt2.load_state_dict(loaded["optimizer"])
    np.testing.assert_array_equal(opt2.state[model2[0].weight]["max_exp_avg_sq"],
                                  opt.state[model[0].weight]["max_exp_avg_sq"])


def test_nested_python_values_survive(tmp_path):
    value = {"none": None, "flags": [True, False], "int": 2 ** 40, "float": 0.1,
             "inf": float("inf"), "text": "héllo", "nested": {1: [(1, 2.5), {"a": None}]},
             "array": np.arange(6, dtype=np.int32).reshape(2, 3), "scalar": np.float32(1.5),
             "tensor": mt.tensor([1.0, 2.0], requires_grad=True), "empty": [], "ed": {},
             "bools": np.array([True, False]), "strings": np.array(["a", "bc"])}
    mt.save(value, tmp_path / "v.npz")
    loaded = mt.load(str(tmp_path / "v.npz"))
    assert loaded["nested"] == {1: [(1, 2.5), {"a": None}]}
    assert loaded["array"].dtype == np.int32 and loaded["array"].shape == (2, 3)
    assert loaded["scalar"] == np.float32(1.5) and isinstance(loaded["scalar"], np.float32)
    assert loaded["tensor"].requires_grad and loaded["tensor"].tolist() == [1.0, 2.0]
    for key in ("none", "flags", "int", "float", "inf", "text", "empty", "ed"):
        assert loaded[key] == value[key] and type(loaded[key]) is type(value[key])
    assert loaded["strings"].tolist() == ["a", "bc"]


def test_file_objects_work(tmp_path):
    buffer = io.BytesIO()
    mt.save({"w": mt.ones(2)}, buffer)
    buffer.seek(0)
    assert mt.load(buffer)["w"].tolist() == [1.0, 1.0]


def test_unsupported_values_are_rejected_by_location(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save an object of type function at "
                                        r"obj\['a'\]\[1\]"):
        mt.save({"a": [1, lambda: 0]}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="save its state_dict"):
        mt.save(nn.Linear(1, 1), tmp_path / "x.npz")
    with pytest.raises(TypeError, match="cannot save an array of dtype object"):
        mt.save({"a": np.array([None, 1])}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="cannot save a dict key of type tuple"):
        mt.save({(1, 2): 3}, tmp_path / "x.npz")
    assert not os.listdir(tmp_path)  # nothing written, no temporary left behind


def test_pickled_object_arrays_are_rejected(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, evil=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match=r"mt.load: cannot load '.*pickled.npz': entry 'evil' "
                                         r"cannot be read without pickle"):
        mt.load(path)
    pickle_file = tmp_path / "model.pt"
    import pickle
    pickle_file.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match=r"model.pt'.*not an .npz \(zip\) archive"):
        mt.load(pickle_file)


def test_truncated_and_foreign_files_are_rejected_by_name(tmp_path):
    path = tmp_path / "ck.npz"
    mt.save({"w": mt.randn(100, 100)}, path)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"cannot load '.*truncated.npz'.*truncated"):
        mt.load(truncated)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"cannot load '.*notes.txt'"):
        mt.load(text)
    plain = tmp_path / "plain.npz"
    np.savez(plain, w=np.ones(2))
    with pytest.raises(ValueError, match="not one written by mt.save"):
        mt.load(plain)
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match="array.npy"):
        mt.load(npy)
    with pytest.raises(FileNotFoundError, match="no such file: '.*missing.npz'"):
        mt.load(tmp_path / "missing.npz")


def test_corrupted_member_is_rejected(tmp_path):
    path = tmp_path / "ck.npz"
    mt.save({"w": mt.zeros(1000)}, path)
    raw = bytearray(path.read_bytes())
    raw[2000] ^= 0xFF  # inside the array data: the CRC check fails
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="cannot load '.*ck.npz'"):
        mt.load(path)


def test_a_crash_during_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    mt.save({"version": 1, "w": mt.ones(3)}, path)

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 partial data")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(serialization.xp, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        mt.save({"version": 2, "w": mt.zeros(3)}, path)
    monkeypatch.undo()
    assert mt.load(path)["version"] == 1
    assert os.listdir(tmp_path) == ["ck.npz"]  # the temporary file was removed


def test_save_writes_a_real_npz_at_exactly_the_given_path(tmp_path):
    path = tmp_path / "weights.ckpt"
    mt.save({"w": mt.ones(2)}, path)
    assert zipfile.is_zipfile(path) and os.listdir(tmp_path) == ["weights.ckpt"]
    assert mt.load(path, map_location="cpu", weights_only=True)["w"].tolist() == [1.0, 1.0]


def test_load_of_a_directory_says_so(tmp_path):
    import pytest

    import minitorch as mt

    with pytest.raises(IsADirectoryError, match="is a directory"):
        mt.load(tmp_path)
