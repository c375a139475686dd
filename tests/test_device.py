"""The CPU-only device API (issue 10, item 1): mt.device, check_device, mt.cuda,
mt.backends, set/get_num_threads, Module.to/cpu/cuda."""
import pickle

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import minitorch as mt
from minitorch import nn
from minitorch.device import check_device


def test_device_objects_follow_pytorch():
    cpu = mt.device("cpu")
    assert (cpu.type, cpu.index) == ("cpu", None)
    assert repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    assert repr(mt.device("cpu", 0)) == "device(type='cpu', index=0)"
    assert mt.device("cpu:0") == mt.device("cpu", 0) and str(mt.device("cpu", 0)) == "cpu:0"
    assert mt.device(cpu) == cpu and mt.device("cpu") != mt.device("cpu", 0)
    assert cpu == "cpu" and mt.device("cpu", 0) == "cpu:0" and cpu != "cuda"
    assert cpu != 3 and hash(cpu) == hash("cpu") and len({cpu, mt.device("cpu")}) == 1
    assert pickle.loads(pickle.dumps(mt.device("cpu", 0))) == mt.device("cpu", 0)
    cuda = mt.device("cuda")  # constructing is allowed, as in PyTorch on a CPU machine
    assert (cuda.type, cuda.index, repr(cuda)) == ("cuda", None, "device(type='cuda')")
    assert mt.device(1) == mt.device("cuda", 1)  # a bare ordinal means CUDA
    with mt.device("cpu"):
        assert mt.zeros(1).shape == (1,)


@pytest.mark.parametrize("args, error, message", [
    (("foo",), RuntimeError, "Expected one of cpu, cuda, .* device type at start of device "
                             "string: foo"),
    (("cuda:x",), RuntimeError, "Invalid device string: 'cuda:x'"),
    (("cpu:-1",), RuntimeError, "Invalid device string: 'cpu:-1'"),
    (("cpu", -1), RuntimeError, "Device index must not be negative"),
    (("cuda:0", 1), RuntimeError, "must not include an index because index was passed "
                                  "explicitly: cuda:0"),
    ((3.5,), TypeError, "expected a device type string such as 'cpu', an int or a device, "
                        "got float"),
    (("cpu", True), TypeError, "argument 'index' must be int, not bool"),
])
def test_bad_devices_are_refused_as_pytorch_does(args, error, message):
    with pytest.raises(error, match=message):
        mt.device(*args)


def test_check_device_accepts_the_cpu_and_names_cuda_otherwise():
    assert check_device(None, "zeros") is None
    for cpu in ("cpu", "cpu:0", mt.device("cpu")):
        assert check_device(cpu, "zeros").type == "cpu"
    for cuda in ("cuda", "cuda:1", mt.device("cuda"), 0):
        with pytest.raises(RuntimeError, match=r"zeros: cannot use device 'cuda(:\d)?': CUDA "
                                               r"is not available: minitorch runs on the CPU "
                                               r"only \(mt.cuda.is_available\(\) is False\)"):
            check_device(cuda, "zeros")
    with pytest.raises(RuntimeError, match="to: cannot use device 'mps': Apple's MPS backend"):
        check_device("mps", "to")
    with pytest.raises(RuntimeError, match="randn: cannot use device 'meta': device type "
                                           "'meta' is not available"):
        check_device("meta", "randn")
    with pytest.raises(RuntimeError, match="ones: Expected one of"):
        check_device("gpu", "ones")
    with pytest.raises(TypeError, match="ones: device\\(\\): expected a device type string"):
        check_device(1.0, "ones")
    with pytest.raises(RuntimeError, match="CUDA"):
        with mt.device("cuda"):
            pass


def test_cuda_and_backends_answer_honestly():
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    assert mt.cuda.is_initialized() is False
    mt.cuda.manual_seed(0)  # safe without CUDA, as in PyTorch
    mt.cuda.manual_seed_all(0)
    mt.cuda.empty_cache()
    for call in (mt.cuda.current_device, mt.cuda.synchronize, mt.cuda.get_device_name):
        with pytest.raises(RuntimeError, match=r"mt.cuda.\w+\(\): CUDA is not available"):
            call()
    assert mt.backends.mps.is_available() is False and mt.backends.mps.is_built() is False
    assert mt.backends.cudnn.is_available() is False
    mt.backends.cudnn.deterministic = True  # what seeding code does: accepted
    mt.backends.cudnn.benchmark = False
    device = "cuda" if mt.cuda.is_available() else "mps" if mt.backends.mps.is_available() \
        else "cpu"
    assert device == "cpu"


def blas_threads():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_set_num_threads_really_limits_blas():
    before = mt.get_num_threads()
    try:
        mt.set_num_threads(1)
        assert mt.get_num_threads() == 1
        assert all(n == 1 for n in blas_threads())
        mt.set_num_threads(2)
        assert 1 <= mt.get_num_threads() <= 2  # BLAS may cap it at the number of cores
        assert all(n <= 2 for n in blas_threads())
    finally:
        mt.set_num_threads(before)
    for bad, error, message in ((0, RuntimeError, "set_num_threads expects a positive integer"),
                                (-2, RuntimeError, "positive integer"),
                                (1.5, TypeError, "must be int, not float"),
                                (True, TypeError, "must be int, not bool")):
        with pytest.raises(error, match=message):
            mt.set_num_threads(bad)
    assert mt.get_num_threads() == before


def test_module_to_and_cpu_follow_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    model.register_buffer("steps", mt.tensor([3]))
    assert model.to("cpu") is model and model.cpu() is model
    assert model.to(mt.device("cpu")) is model and model.to(device="cpu:0") is model
    model.to("cpu", mt.float64, non_blocking=True)
    assert all(p.dtype == mt.float64 for p in model.parameters())
    assert model.steps.dtype == mt.int64  # integer buffers keep their dtype
    model.to(mt.zeros(1))  # a tensor's dtype
    assert all(p.dtype == mt.float32 for p in model.parameters())
    model[0].weight.grad = mt.ones(3, 2)
    model.to(dtype=mt.float64)
    assert model[0].weight.grad.dtype == mt.float64
    out = model(mt.ones(1, 2, dtype=mt.float64))
    assert out.dtype == mt.float64


def test_module_to_refuses_other_devices_and_integer_dtypes_without_changing_anything():
    model = nn.Linear(2, 2)
    weight = model.weight.detach().numpy().copy()
    for call, error, message in (
            (lambda: model.to("cuda"), RuntimeError, "Linear.to: cannot use device 'cuda': "
                                                     "CUDA is not available"),
            (lambda: model.to("cuda", mt.float64), RuntimeError, "CUDA"),
            (lambda: model.cuda(), RuntimeError, "Linear.cuda: cannot use device 'cuda'"),
            (lambda: model.cuda(1), RuntimeError, "device 'cuda:1'"),
            (lambda: model.to("mps"), RuntimeError, "MPS"),
            (lambda: model.to(mt.int64), TypeError, "nn.Module.to only accepts floating point "
                                                    "or complex dtypes, but got desired "
                                                    "dtype=int64"),
            (lambda: model.to(5.0), TypeError, "expected a device or a dtype, got 5.0"),
            (lambda: model.to(memory=1), TypeError, "unexpected keyword argument 'memory'")):
        with pytest.raises(error, match=message):
            call()
    assert model.weight.dtype == mt.float32
    np.testing.assert_array_equal(model.weight.detach().numpy(), weight)
