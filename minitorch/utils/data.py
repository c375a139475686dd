"""Datasets and the ``DataLoader`` that batches them.

A ``TensorDataset`` (or a ``Subset`` of one, as ``random_split`` makes) is
batched by indexing its whole arrays at once: no per-sample Python loop. Any
other ``Dataset`` is batched sample by sample and collated with ``default_collate``.
Shuffling draws from ``generator`` or else from the default generator, so
``mt.manual_seed(n)`` makes the order reproducible. Samplers (``RandomSampler``,
``BatchSampler``, ...) are PyTorch's; ``num_workers`` loads batches in worker
processes (``minitorch/utils/workers.py``) with the same batches in the same order.
"""
import math
import multiprocessing
import numbers
import pickle

from ..creation import from_numpy, randperm, tensor
from ..methods import stack
from ..random import Generator, generator_or_default
from .workers import WorkerInfo, WorkerPool, get_worker_info, unpack  # noqa: F401

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


# --- samplers -------------------------------------------------------------------------

class Sampler:
    """Base class: ``__iter__`` yields sample indices (``__len__`` says how many)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} has no __iter__")


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices each epoch (from ``generator``, else the
    default generator); with ``replacement=True``, ``num_samples`` indices drawn
    independently. Raises ValueError for an empty data source (as PyTorch)."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        n = self.num_samples
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={n}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def indices(self):
        """This epoch's indices as an int64 array."""
        n = len(self.data_source)
        if self.replacement:
            rng = generator_or_default(self.generator).numpy_rng
            return rng.integers(0, n, size=self.num_samples, dtype=xp.int64)
        # num_samples beyond n: whole permutations one after another, as PyTorch
        rounds = [randperm(n, generator=self.generator)._data
                  for _ in range(-(-self.num_samples // n))]
        return xp.concatenate(rounds)[:self.num_samples]

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = xp.asarray(indices, dtype=xp.int64)
        self.generator = generator

    def __iter__(self):
        order = randperm(len(self.indices), generator=self.generator)._data
        return iter(self.indices[order].tolist())

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``
    (with replacement by default), e.g. to balance classes."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, numbers.Integral) or isinstance(num_samples, bool) \
                or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement!r}")
        weights = xp.asarray(weights._data if isinstance(weights, Tensor) else weights,
                             dtype=xp.float64)
        if weights.ndim != 1 or not xp.isfinite(weights).all() or (weights < 0).any() \
                or weights.sum() <= 0:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-D sequence of "
                             f"finite non-negative numbers with a positive sum, got shape "
                             f"{weights.shape}")
        if not replacement and num_samples > (weights > 0).sum():
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples "
                             f"without replacement from {(weights > 0).sum()} with "
                             "non-zero weight")
        self.weights = weights
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rng = generator_or_default(self.generator).numpy_rng
        drawn = rng.choice(len(self.weights), size=self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())
        return iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one
    shorter, or dropped with ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        _check_batch_size(batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _check_batch_size(batch_size):
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) \
            or batch_size <= 0:
        raise ValueError(f"DataLoader: batch_size should be a positive integer, "
                         f"got {batch_size!r}")


# --- the loader -----------------------------------------------------------------------

class _Fetcher:
    """Turns an array of sample indices into a batch, in the main process or a
    worker: a TensorDataset (or a Subset of one) by indexing its whole arrays,
    anything else sample by sample through ``collate_fn``."""

    def __init__(self, dataset, collate_fn):
        self.dataset = dataset
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.rows = _tensor_rows(dataset) if collate_fn is None else None

    def __call__(self, rows):
        if self.rows is not None:
            tensors, indices = self.rows
            if indices is not None:
                rows = indices[rows]
            return tuple(t[rows] for t in tensors)
        return self.collate_fn([self.dataset[int(i)] for i in rows])


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples (PyTorch's
    arguments, in PyTorch's order).

    ``shuffle``: a new random order every epoch, from ``generator`` (or a new
    generator seeded with ``seed``, a minitorch extra), else the default
    generator, so ``mt.manual_seed(n)`` makes it reproducible. ``drop_last``:
    skip a last, smaller batch. Each sample is seen once per epoch (less the
    dropped last batch with ``drop_last``). ``sampler`` (an iterable of indices)
    replaces ``shuffle``; ``batch_sampler`` (an iterable of index lists) replaces
    ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
    ``collate_fn`` turns a list of samples into a batch (default:
    ``default_collate``; a TensorDataset is then batched by indexing its whole
    arrays).

    ``num_workers=N > 0`` loads batches in N worker processes
    (``multiprocessing_context``: "fork", "spawn", "forkserver" or a context;
    the platform's default otherwise), with at most ``prefetch_factor`` (default
    2) batches per worker in flight; the batches and their order are exactly
    those of ``num_workers=0``. ``persistent_workers=True`` keeps the processes
    between epochs. ``worker_init_fn(worker_id)`` runs in each worker after it is
    seeded (see ``get_worker_info``). ``timeout`` (seconds, 0: no limit) bounds the
    wait for one batch. ``pin_memory``, ``pin_memory_device`` and ``in_order`` are
    accepted and change nothing on the CPU (batches always come in order).

    Raises ValueError for an invalid combination, as PyTorch does (e.g. shuffling
    an empty dataset, ``prefetch_factor`` or ``persistent_workers`` without
    workers, a negative ``num_workers``).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True, seed=None):
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        else:
            _check_batch_size(batch_size)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if not isinstance(num_workers, numbers.Integral) or isinstance(num_workers, bool) \
                or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (not isinstance(prefetch_factor, numbers.Integral)
                                            or prefetch_factor <= 0):
            raise ValueError(f"prefetch_factor should be a positive integer, got "
                             f"{prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: give either generator or seed, not both")
        if shuffle and sampler is None and batch_sampler is None and len(dataset) == 0:
            raise ValueError("DataLoader: cannot shuffle an empty dataset: num_samples should "
                             "be a positive integer value, but got num_samples=0")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = Generator(seed) if seed is not None else generator
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.num_workers = int(num_workers)
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.timeout = timeout
        self.pin_memory = bool(pin_memory)
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._fetch = _Fetcher(dataset, collate_fn)
        self._pool = None  # the persistent workers, once started
        self._iterations = 0  # numbers each epoch's worker tasks and seeds

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self):
        """This epoch's sample order: a permutation, or None for 0..n-1."""
        if self.shuffle:
            return randperm(len(self.dataset), generator=self.generator)._data
        return None

    def _index_batches(self):
        """Yield this epoch's batches as int64 arrays of sample indices."""
        if self.batch_sampler is not None:
            for batch in self.batch_sampler:
                yield xp.asarray(list(batch), dtype=xp.int64)
            return
        if self.sampler is not None:
            for batch in BatchSampler(self.sampler, self.batch_size, self.drop_last):
                yield xp.asarray(batch, dtype=xp.int64)
            return
        n, size = len(self.dataset), self.batch_size
        order = self._order()
        stop = n - n % size if self.drop_last else n
        for start in range(0, stop, size):
            # an index array, not a slice: batches are copies, never views of the data
            yield xp.arange(start, min(start + size, n)) if order is None \
                else order[start:start + size]

    def __iter__(self):
        self._iterations += 1
        if self.num_workers == 0:
            return map(self._fetch, self._index_batches())
        return self._iterate_in_workers()

    def _iterate_in_workers(self):
        """Batches fetched by the workers, yielded in order (see utils/workers.py)."""
        token = self._iterations
        pool = self._pool if self._pool is not None and self._pool.alive else None
        if pool is None:
            pool = WorkerPool(self._fetch, self.num_workers, self._base_seed(),
                              self.worker_init_fn, self.dataset, self._context())
            if self.persistent_workers:
                self._pool = pool
        batches = self._index_batches()
        in_flight = self.prefetch_factor * self.num_workers
        sent = received = 0
        done = False
        arrived = {}
        try:
            while True:
                while not done and sent - received < in_flight:
                    rows = next(batches, None)
                    if rows is None:
                        done = True
                    else:
                        pool.send(token, sent, rows)
                        sent += 1
                if received == sent:
                    return
                while received not in arrived:
                    answer_token, number, ok, payload = pool.receive(self.timeout)
                    if answer_token == token:  # else: left over from an abandoned epoch
                        arrived[number] = (ok, payload)
                ok, payload = arrived.pop(received)
                received += 1
                if not ok:
                    pickle.loads(payload).reraise()
                yield unpack(payload)
        finally:
            if pool is not self._pool:
                pool.shutdown()

    def _base_seed(self):
        """The workers' base seed: derived from the shuffling generator's state and the
        epoch, without drawing from it, so that the batches (and the generator's later
        draws) are those of num_workers=0."""
        state = generator_or_default(self.generator).get_state()
        entropy = [state["state"], state["inc"], self._iterations]
        return int(xp.random.SeedSequence(entropy).generate_state(1, xp.uint64)[0] >> 1)

    def _context(self):
        context = self.multiprocessing_context
        if context is None or isinstance(context, str):
            return multiprocessing.get_context(context)
        return context

    def __del__(self):
        pool = self.__dict__.get("_pool")
        if pool is not None:
            pool.shutdown()
