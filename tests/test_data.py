"""Dataset, TensorDataset, DataLoader and random_split."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch.utils.data import (DataLoader, Dataset, Subset, TensorDataset, default_collate,
                                  random_split)


def numbered(n):
    """A dataset whose labels are the sample numbers, to track every sample."""
    x = mt.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    return TensorDataset(x, mt.arange(n))


class Squares(Dataset):
    """A plain map-style dataset (batched sample by sample)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return mt.tensor([float(i)]), i * i

    def __len__(self):
        return self.n


def test_tensor_dataset_items_and_length():
    ds = numbered(5)
    assert len(ds) == 5
    x, y = ds[3]
    np.testing.assert_array_equal(x._data, [6.0, 7.0])
    assert y.item() == 3
    from_numpy = TensorDataset(np.zeros((4, 2)), np.arange(4))
    assert len(from_numpy) == 4 and isinstance(from_numpy.tensors[0], mt.Tensor)


def test_tensor_dataset_size_mismatch_names_the_shapes():
    with pytest.raises(ValueError, match=r"size mismatch between tensors: first dimensions "
                                         r"differ in shapes \(3, 2\), \(4,\)"):
        TensorDataset(mt.zeros(3, 2), mt.zeros(4))
    with pytest.raises(TypeError, match="TensorDataset: argument 1 is a list"):
        TensorDataset(mt.zeros(3), [1, 2, 3])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       drop_last=st.booleans())
def test_every_sample_once_per_epoch_with_the_right_batch_sizes(n, batch_size, shuffle,
                                                                drop_last):
    loader = DataLoader(numbered(n), batch_size=batch_size, shuffle=shuffle,
                        drop_last=drop_last)
    for _ in range(2):  # two epochs
        labels, sizes = [], []
        for x, y in loader:
            assert x.shape == (len(y), 2)
            np.testing.assert_array_equal(x._data[:, 0], 2 * y._data)  # rows stay paired
            labels += y.tolist()
            sizes.append(len(y))
        full, rest = divmod(n, batch_size)
        expected_sizes = [batch_size] * full + ([rest] if rest and not drop_last else [])
        assert sizes == expected_sizes and len(loader) == len(expected_sizes)
        if drop_last:
            assert len(set(labels)) == len(labels) == full * batch_size
        else:
            assert sorted(labels) == list(range(n))
        if not shuffle:
            assert labels == list(range(len(labels)))


def test_seeded_shuffles_are_reproducible_and_different_seeds_differ():
    loader = DataLoader(numbered(50), batch_size=50, shuffle=True)

    def order(seed):
        mt.manual_seed(seed)
        return next(iter(loader))[1].tolist()

    assert order(1) == order(1)
    assert order(1) != order(2)
    mt.manual_seed(1)
    first, second = next(iter(loader))[1].tolist(), next(iter(loader))[1].tolist()
    assert first != second  # a new order every epoch


def test_generator_argument_controls_the_shuffle():
    def order(seed):
        loader = DataLoader(numbered(30), batch_size=7, shuffle=True,
                            generator=mt.Generator().manual_seed(seed))
        return [i for _, y in loader for i in y.tolist()]

    mt.manual_seed(0)
    a = order(4)
    mt.manual_seed(99)  # the default generator does not matter
    assert order(4) == a and order(5) != a


def test_generic_dataset_is_collated_sample_by_sample():
    loader = DataLoader(Squares(7), batch_size=3)
    batches = list(loader)
    assert len(batches) == 3
    x, y = batches[0]
    assert x.shape == (3, 1) and y.tolist() == [0, 1, 4]
    assert batches[-1][1].tolist() == [36]


def test_default_collate_handles_nested_samples():
    batch = default_collate([{"a": np.ones(2), "b": (1.5, "x")}, {"a": np.zeros(2),
                                                                  "b": (2.5, "y")}])
    assert batch["a"].shape == (2, 2)
    assert batch["b"][0].tolist() == [1.5, 2.5] and batch["b"][1] == ["x", "y"]
    with pytest.raises(TypeError, match="cannot batch samples of type object"):
        default_collate([object()])


def test_custom_collate_fn():
    loader = DataLoader(numbered(4), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2]


def test_bad_batch_size_is_reported():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            DataLoader(numbered(3), batch_size=bad)


def test_random_split_lengths_disjointness_and_reproducibility():
    ds = numbered(10)
    a, b = random_split(ds, [7, 3], generator=mt.Generator().manual_seed(0))
    assert isinstance(a, Subset) and (len(a), len(b)) == (7, 3)
    labels = [a[i][1].item() for i in range(7)] + [b[i][1].item() for i in range(3)]
    assert sorted(labels) == list(range(10))
    again, _ = random_split(ds, [7, 3], generator=mt.Generator().manual_seed(0))
    assert again.indices.tolist() == a.indices.tolist()
    parts = random_split(ds, [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    with pytest.raises(ValueError, match=r"sum of input lengths \[5, 6\] does not equal the "
                                         r"length of the input dataset \(10\)"):
        random_split(ds, [5, 6])


def test_loader_over_a_subset_batches_whole_arrays():
    train, _ = random_split(numbered(20), [15, 5], generator=mt.Generator().manual_seed(1))
    labels = [i for _, y in DataLoader(train, batch_size=4, shuffle=True) for i in y.tolist()]
    assert sorted(labels) == sorted(train.indices.tolist())
