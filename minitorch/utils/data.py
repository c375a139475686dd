"""Datasets and the ``DataLoader`` that batches them.

A ``TensorDataset`` (or a ``Subset`` of one, as ``random_split`` makes) is
batched by indexing its whole arrays at once: no per-sample Python loop. Any
other ``Dataset`` is batched sample by sample and collated with ``default_collate``.
Shuffling draws from ``generator`` or else from the default generator, so
``mt.manual_seed(n)`` makes the order reproducible.
"""
import math
import numbers

from ..creation import from_numpy, randperm, tensor
from ..random import Generator
from ..methods import stack

from ..backend import xp
from ..tensor import Tensor


class Dataset:
    """Base class: define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} has no __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} has no __len__")


class TensorDataset(Dataset):
    """Samples are rows: item ``i`` is ``tuple(t[i] for t in tensors)``. All tensors
    must have the same first dimension (NumPy arrays are wrapped, sharing memory)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        tensors = tuple(from_numpy(t) if isinstance(t, xp.ndarray) else t for t in tensors)
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, "
                                "expected a Tensor or an ndarray")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is a 0-d tensor; samples "
                                 "are taken along the first dimension")
        if len({t.shape[0] for t in tensors}) != 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise ValueError(f"TensorDataset: size mismatch between tensors: first "
                             f"dimensions differ in shapes {shapes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = xp.asarray(indices, dtype=xp.int64)

    def __getitem__(self, index):
        if isinstance(index, (list, xp.ndarray)):
            return self.dataset[self.indices[xp.asarray(index)]]
        return self.dataset[int(self.indices[index])]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given
    lengths (ints summing to ``len(dataset)``, or fractions summing to 1)."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1.0) and sum(lengths) <= 1.0:
        if any(not 0.0 <= x <= 1.0 for x in lengths):
            raise ValueError(f"random_split: fractions must be in [0, 1], got {lengths}")
        counts = [int(math.floor(n * x)) for x in lengths]
        for i in range(n - sum(counts)):  # distribute the remainder round-robin
            counts[i % len(counts)] += 1
        lengths = counts
    if any(not isinstance(x, numbers.Integral) or x < 0 for x in lengths) or sum(lengths) != n:
        raise ValueError(
            f"random_split: sum of input lengths {lengths} does not equal the length of the "
            f"input dataset ({n}); give non-negative ints summing to {n} or fractions summing to 1")
    order = randperm(n, generator=generator)._data
    bounds = xp.cumsum([0] + lengths)
    return [Subset(dataset, order[start:stop])
            for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]


def default_collate(samples):
    """Stack a list of samples into a batch: Tensors and arrays are stacked along a
    new first dimension, numbers become a 1-D tensor, and tuples, lists and dicts
    are collated field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(samples)
    if isinstance(first, xp.ndarray):
        return from_numpy(xp.stack(samples))
    if isinstance(first, (bool, numbers.Number, xp.generic)):
        return tensor(samples)
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError("default_collate: each sample in the batch should have the "
                               f"same number of fields (the first has {len(first)})")
        fields = [default_collate(list(field)) for field in zip(*samples, strict=True)]
        if hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


def _tensor_rows(dataset):
    """(tensors, indices) when ``dataset`` is a TensorDataset or a Subset chain over
    one, so batches can be taken by indexing whole arrays; else None. ``indices``
    is None for the dataset itself."""
    indices = None
    while isinstance(dataset, Subset):
        indices = dataset.indices if indices is None else dataset.indices[indices]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:
        return dataset.tensors, indices
    return None


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    ``shuffle``: a new random order every epoch (from ``generator``, or a new
    generator seeded with ``seed``, else the default generator). ``drop_last``:
    skip a last, smaller batch. Each sample is seen once per epoch (less the
    dropped last batch with ``drop_last``).
    ``collate_fn`` turns a list of samples into a batch (only used for datasets
    that are not TensorDatasets).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False,
                 generator=None, collate_fn=None, seed=None):
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) \
                or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size should be a positive integer, "
                             f"got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: give either generator or seed, not both")
        self.generator = Generator(seed) if seed is not None else generator
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self._rows = _tensor_rows(dataset) if collate_fn is None else None

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self):
        """This epoch's sample order: a permutation, or None for 0..n-1."""
        if self.shuffle:
            return randperm(len(self.dataset), generator=self.generator)._data
        return None

    def __iter__(self):
        n, size = len(self.dataset), self.batch_size
        order = self._order()
        stop = n - n % size if self.drop_last else n
        for start in range(0, stop, size):
            # an index array, not a slice: batches are copies, never views of the data
            rows = xp.arange(start, min(start + size, n)) if order is None \
                else order[start:start + size]
            yield self._batch(rows)

    def _batch(self, rows):
        if self._rows is not None:
            tensors, indices = self._rows
            if indices is not None:
                rows = indices[rows]
            return tuple(t[rows] for t in tensors)
        if isinstance(rows, slice):
            rows = range(rows.start, rows.stop)
        return self.collate_fn([self.dataset[int(i)] for i in rows])
