"""DataLoader with worker processes and samplers (issue 10, item 1): the same
batches in the same order as num_workers=0, PyTorch's arguments and errors."""
import os
import random
import signal
from collections import namedtuple

import numpy as np
import pytest

import minitorch as mt
from minitorch.utils.data import (BatchSampler, DataLoader, Dataset, RandomSampler,
                                  SequentialSampler, SubsetRandomSampler, TensorDataset,
                                  WeightedRandomSampler, get_worker_info, random_split)

Pair = namedtuple("Pair", ["x", "label"])


class Numbered(Dataset):
    """A map-style dataset that records which process made each sample."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        info = get_worker_info()
        return {"x": mt.tensor([float(i), 2.0 * i]), "label": i,
                "pid": os.getpid(), "worker": -1 if info is None else info.id}

    def __len__(self):
        return self.n


def as_lists(loader, epochs=2):
    batches = []
    for _ in range(epochs):
        for batch in loader:
            if isinstance(batch, dict):
                batch = {k: v for k, v in batch.items() if k not in ("pid", "worker")}
                batches.append({k: v.tolist() if isinstance(v, mt.Tensor) else v
                                for k, v in batch.items()})
            else:
                batches.append([t.tolist() for t in batch])
    return batches


def loaders(make_kwargs, dataset, **fixed):
    """Two loaders (num_workers 0 and 2) built from fresh, equal arguments."""
    mt.manual_seed(5)
    serial = as_lists(DataLoader(dataset, **make_kwargs(), **fixed))
    mt.manual_seed(5)
    parallel = as_lists(DataLoader(dataset, num_workers=2, **make_kwargs(), **fixed))
    return serial, parallel


@pytest.mark.parametrize("make_kwargs", [
    lambda: {"batch_size": 4},
    lambda: {"batch_size": 5, "shuffle": True},  # the default generator (mt.manual_seed)
    lambda: {"batch_size": 3, "shuffle": True, "drop_last": True,
             "generator": mt.Generator().manual_seed(11)},
    lambda: {"batch_size": 4, "sampler": RandomSampler(range(23), replacement=True,
                                                       num_samples=30,
                                                       generator=mt.Generator().manual_seed(1))},
    lambda: {"batch_sampler": BatchSampler(SequentialSampler(range(23)), 6, False)},
])
def test_workers_yield_the_same_batches_in_the_same_order(make_kwargs):
    tensors = TensorDataset(mt.randn(23, 3), mt.arange(23))
    serial, parallel = loaders(make_kwargs, tensors)
    assert serial == parallel and len(serial) > 4
    serial, parallel = loaders(make_kwargs, Numbered(23))  # collated sample by sample
    assert serial == parallel


def test_the_shuffle_generator_advances_as_without_workers():
    """After an epoch with workers the generator is where it is after one without."""
    states = []
    for workers in (0, 2):
        generator = mt.Generator().manual_seed(3)
        list(DataLoader(Numbered(10), batch_size=4, shuffle=True, generator=generator,
                        num_workers=workers))
        states.append(generator.get_state())
    assert states[0] == states[1]


def test_batches_are_made_in_the_worker_processes():
    loader = DataLoader(Numbered(12), batch_size=2, num_workers=3)
    batches = list(loader)
    assert [b["worker"].tolist() for b in batches] == [[i % 3] * 2 for i in range(6)]
    pids = {pid for b in batches for pid in b["pid"].tolist()}
    assert len(pids) == 3 and os.getpid() not in pids
    assert get_worker_info() is None  # in the main process


def test_persistent_workers_live_across_epochs():
    loader = DataLoader(Numbered(8), batch_size=2, num_workers=2, persistent_workers=True)
    first = {pid for b in loader for pid in b["pid"].tolist()}
    second = {pid for b in loader for pid in b["pid"].tolist()}
    assert first == second and len(first) == 2
    iterator = iter(loader)  # an epoch abandoned half way...
    next(iterator)
    del iterator
    assert [b["label"].tolist() for b in loader] == [[0, 1], [2, 3], [4, 5], [6, 7]]  # ...is
    pool = loader._pool  # forgotten; its late batches are never yielded
    assert pool.alive
    del loader
    assert not pool.processes  # stopped with the loader


def test_non_persistent_workers_stop_after_each_epoch():
    loader = DataLoader(Numbered(4), batch_size=2, num_workers=2)
    pids = {pid for b in loader for pid in b["pid"].tolist()}
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: the process is gone
    assert loader._pool is None


class Seeds(Dataset):
    def __getitem__(self, i):
        info = get_worker_info()
        return (info.seed, mt.rand(1).item(), random.random(), float(np.random.rand()),
                info.num_workers, len(info.dataset))

    def __len__(self):
        return 4


def test_workers_are_seeded_apart_and_reproducibly():
    mt.manual_seed(0)
    first = list(DataLoader(Seeds(), batch_size=1, num_workers=2))
    mt.manual_seed(0)
    again = list(DataLoader(Seeds(), batch_size=1, num_workers=2))
    assert [[t.tolist() for t in b] for b in first] == [[t.tolist() for t in b] for b in again]
    seeds = [b[0].item() for b in first]
    assert seeds[0] + 1 == seeds[1] and seeds[0] == seeds[2]  # base_seed + worker id
    assert first[0][1].item() != first[1][1].item()  # each worker its own random stream
    assert first[0][3].item() != first[1][3].item()  # NumPy's global one too
    assert first[0][4].item() == 2 and first[0][5].item() == 4


calls = []


def record_worker(worker_id):
    info = get_worker_info()
    assert info.id == worker_id
    np.random.seed(1000 + worker_id)


class GlobalNumpy(Dataset):
    def __getitem__(self, i):
        return float(np.random.rand())

    def __len__(self):
        return 2


def test_worker_init_fn_collate_fn_and_pin_memory():
    loader = DataLoader(GlobalNumpy(), batch_size=1, num_workers=2, worker_init_fn=record_worker,
                        collate_fn=lambda samples: samples, pin_memory=True, prefetch_factor=1,
                        timeout=30, pin_memory_device="", in_order=True)
    values = [batch[0] for batch in loader]
    assert values == [np.random.RandomState(1000).rand(), np.random.RandomState(1001).rand()]


def test_namedtuples_and_nested_batches_survive_the_trip():
    class Samples(Dataset):
        def __getitem__(self, i):
            return Pair(mt.full((2,), float(i)), {"w": [mt.tensor(i), "text"]})

        def __len__(self):
            return 4

    serial = list(DataLoader(Samples(), batch_size=2))
    parallel = list(DataLoader(Samples(), batch_size=2, num_workers=2))
    for a, b in zip(serial, parallel):
        assert isinstance(b, Pair) and b.x.tolist() == a.x.tolist()
        assert b.label["w"][0].tolist() == a.label["w"][0].tolist()
        assert b.label["w"][1] == ["text", "text"]


class Failing(Dataset):
    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"sample {i} is missing")
        if i == 7:
            raise ValueError("bad value at 7")
        return mt.tensor([float(i)])

    def __len__(self):
        return 10


def test_an_error_in_a_worker_is_raised_with_its_traceback():
    loader = DataLoader(Failing(), batch_size=2, num_workers=2)
    got = []
    with pytest.raises(KeyError, match=r"(?s)Caught KeyError in DataLoader worker process 0 "
                                       r"\(while fetching a batch\).*sample 5 is missing"):
        for batch in loader:
            got.append(batch.tolist())
    assert got == [[[0.0], [1.0]], [[2.0], [3.0]]]  # the batches before it, in order
    loader = DataLoader(Failing(), batch_size=1, sampler=[7], num_workers=1)
    with pytest.raises(ValueError, match=r"(?s)worker process 0.*Traceback.*bad value at 7"):
        list(loader)


def failing_init(worker_id):
    raise RuntimeError(f"cannot open the data in worker {worker_id}")


def test_an_error_in_worker_init_fn_is_reported():
    with pytest.raises(RuntimeError, match=r"(?s)in worker_init_fn.*cannot open the data"):
        list(DataLoader(Numbered(4), batch_size=2, num_workers=1, worker_init_fn=failing_init))


class KillsItsWorker(Dataset):
    def __getitem__(self, i):
        if get_worker_info() is not None and i == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return mt.tensor([float(i)])

    def __len__(self):
        return 4


def test_a_worker_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+, exit code -9\) "
                                           r"exited unexpectedly"):
        list(DataLoader(KillsItsWorker(), batch_size=1, num_workers=2))


def test_spawned_workers_give_the_same_batches():
    data = TensorDataset(mt.randn(9, 2), mt.arange(9))
    serial = as_lists(DataLoader(data, batch_size=4), epochs=1)
    spawned = as_lists(DataLoader(data, batch_size=4, num_workers=1,
                                  multiprocessing_context="spawn"), epochs=1)
    assert serial == spawned


@pytest.mark.parametrize("kwargs, message", [
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in "
                             "multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"num_workers": 1, "prefetch_factor": 0}, "prefetch_factor should be a positive integer"),
    ({"shuffle": True, "sampler": [0, 1]}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"batch_size": 0}, "batch_size should be a positive integer"),
])
def test_invalid_arguments_are_refused_as_pytorch_does(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(TensorDataset(mt.zeros(4)), **kwargs)


def test_samplers():
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    order = list(RandomSampler(range(6), generator=mt.Generator().manual_seed(0)))
    assert sorted(order) == list(range(6))
    assert order == list(RandomSampler(range(6), generator=mt.Generator().manual_seed(0)))
    long = list(RandomSampler(range(3), num_samples=7, generator=mt.Generator().manual_seed(0)))
    assert len(long) == 7 and sorted(long[:3]) == [0, 1, 2] and sorted(long[3:6]) == [0, 1, 2]
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])
    assert sorted(SubsetRandomSampler([4, 8, 9])) == [4, 8, 9]
    drawn = list(WeightedRandomSampler([0.0, 1.0, 0.0], 5))
    assert drawn == [1] * 5
    assert sorted(WeightedRandomSampler([1, 1, 1], 3, replacement=False)) == [0, 1, 2]
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement from 2"):
        WeightedRandomSampler([1, 0, 1], 3, replacement=False)
    with pytest.raises(ValueError, match="finite non-negative"):
        WeightedRandomSampler([1, -1], 3)
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, drop_last=True)) == 2
    loader = DataLoader(TensorDataset(mt.arange(10)), batch_size=3, sampler=SubsetRandomSampler(
        [1, 3, 5, 7], generator=mt.Generator().manual_seed(2)))
    assert len(loader) == 2
    assert sorted(x for (b,) in loader for x in b.tolist()) == [1, 3, 5, 7]


def test_workers_over_a_random_split_subset():
    train, _ = random_split(TensorDataset(mt.arange(20)), [15, 5],
                            generator=mt.Generator().manual_seed(0))
    serial = [b.tolist() for (b,) in DataLoader(train, batch_size=4)]
    parallel = [b.tolist() for (b,) in DataLoader(train, batch_size=4, num_workers=2)]
    assert serial == parallel
