"""The worker processes behind ``DataLoader(num_workers=N)``.

The main process decides every batch (which sample indices, in which order) and
sends batch ``i`` to worker ``i % N``; a worker fetches and collates it and
sends it back; the main process yields batches in order, keeping at most
``prefetch_factor * N`` batches in flight. Batches are therefore exactly those
of ``num_workers=0``, in the same order, whatever the workers' speed.

Tensors travel between processes as their arrays (``_pack``/``_unpack``), so
nothing about autograd crosses a process boundary. An exception in a worker is
re-raised in the main process with the worker's traceback, as in PyTorch; a
worker that dies (killed, out of memory) is reported instead of waited for.

Each worker seeds minitorch's default generator, Python's ``random`` and NumPy's
global generator with ``base_seed + worker_id`` (``get_worker_info().seed``),
ignores Ctrl-C (the main process handles it and stops the workers) and uses one
BLAS thread, as PyTorch's workers do.
"""
import os
import pickle
import queue
import random
import signal
import sys
import time
import traceback
from collections import namedtuple

from threadpoolctl import threadpool_limits

from ..creation import from_numpy
from ..random import manual_seed

from ..backend import xp
from ..tensor import Tensor

WorkerInfo = namedtuple("WorkerInfo", ["id", "num_workers", "seed", "dataset"])
"""What ``get_worker_info()`` returns inside a worker process."""

_worker_info = None
_POLL_SECONDS = 0.5  # how often a waiting process checks that the other side is alive


def get_worker_info():
    """In a DataLoader worker process: its ``WorkerInfo(id, num_workers, seed,
    dataset)`` (``dataset`` is that process's copy); in the main process: None."""
    return _worker_info


class WorkerPool:
    """``num_workers`` processes that turn index arrays into batches with ``fetch``."""

    def __init__(self, fetch, num_workers, base_seed, worker_init_fn, dataset, context):
        self.context = context
        self.results = context.Queue()
        self.tasks, self.processes = [], []
        for worker_id in range(num_workers):
            tasks = context.Queue()
            tasks.cancel_join_thread()  # never block the main process's exit on it
            process = context.Process(
                target=_worker_loop, daemon=True,
                args=(fetch, tasks, self.results, worker_id, num_workers,
                      base_seed + worker_id, worker_init_fn, dataset))
            process.start()
            self.tasks.append(tasks)
            self.processes.append(process)

    def send(self, token, number, rows):
        """Ask for batch ``number`` (of iteration ``token``) made of sample ``rows``."""
        self.tasks[number % len(self.tasks)].put((token, number, rows))

    def receive(self, timeout):
        """The next ``(token, number, ok, payload)`` sent back by any worker."""
        start = time.monotonic()
        while True:
            try:
                return self.results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                pass
            dead = [p for p in self.processes if not p.is_alive()]
            if dead:
                described = ", ".join(f"pid {p.pid}, exit code {p.exitcode}" for p in dead)
                self.shutdown()
                raise RuntimeError(f"DataLoader worker ({described}) exited unexpectedly; "
                                   "it may have been killed (e.g. out of memory)")
            if timeout and time.monotonic() - start > timeout:
                self.shutdown()
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def shutdown(self):
        """Stop the workers: ask politely, then terminate those that do not exit."""
        processes, self.processes = self.processes, []
        for tasks in self.tasks:
            try:
                tasks.put(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 5.0
        for process in processes:
            process.join(timeout=max(deadline - time.monotonic(), 0.0))
            if process.is_alive():
                process.terminate()
                process.join()
        for tasks in self.tasks:
            tasks.close()
        self.tasks = []
        self.results.cancel_join_thread()
        self.results.close()

    @property
    def alive(self):
        return bool(self.processes) and all(p.is_alive() for p in self.processes)


def _worker_loop(fetch, tasks, results, worker_id, num_workers, seed, worker_init_fn, dataset):
    """The body of one worker process."""
    global _worker_info
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    manual_seed(seed)
    random.seed(seed)
    xp.random.seed(seed % 2 ** 32)
    threadpool_limits(1)
    init_error = None
    if worker_init_fn is not None:
        try:
            worker_init_fn(worker_id)
        except Exception:
            init_error = WorkerError(worker_id, "in worker_init_fn")
    parent = os.getppid()
    while True:
        try:
            task = tasks.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:  # the main process is gone
                break
            continue
        if task is None:
            break
        token, number, rows = task
        if init_error is not None:  # reported with the first batch, as PyTorch does
            results.put((token, number, False, init_error.pickled()))
            init_error = None
            continue
        try:  # pickled here, so that a batch that cannot be is reported, not lost
            results.put((token, number, True,
                         pickle.dumps(_pack(fetch(rows)), pickle.HIGHEST_PROTOCOL)))
        except Exception:
            results.put((token, number, False, WorkerError(worker_id).pickled()))
    results.cancel_join_thread()


class WorkerError:
    """An exception raised in a worker, carried to the main process and re-raised
    there (``reraise``) with the worker's traceback in its message."""

    def __init__(self, worker_id, where="while fetching a batch"):
        kind, error, _ = sys.exc_info()
        self.kind = kind
        self.message = (f"Caught {kind.__name__} in DataLoader worker process {worker_id} "
                        f"({where}).\nOriginal " + "".join(traceback.format_exc()))
        self.key_error = isinstance(error, KeyError)

    def pickled(self):
        """This error as bytes (its exception class replaced by RuntimeError when the
        class cannot be pickled, e.g. one defined in a script run with spawn)."""
        try:
            return pickle.dumps(self)
        except Exception:
            self.kind = RuntimeError
            return pickle.dumps(self)

    def reraise(self):
        message = self.message
        if self.key_error:  # KeyError would show its message quoted on one line
            message = KeyErrorMessage(message)
        try:
            error = self.kind(message)
        except Exception:  # an exception class that needs other arguments
            raise RuntimeError(message) from None
        raise error


class KeyErrorMessage(str):
    """A KeyError message shown as written (not as the repr of a string)."""

    def __repr__(self):
        return self


class _TensorArray:
    """A Tensor on its way between processes: its array and ``requires_grad``."""

    __slots__ = ("array", "requires_grad")

    def __init__(self, array, requires_grad):
        self.array = array
        self.requires_grad = requires_grad


def _pack(batch):
    """``batch`` with each Tensor replaced by a ``_TensorArray`` (containers recreated)."""
    if isinstance(batch, Tensor):
        return _TensorArray(batch._data, batch.requires_grad)
    return _map_containers(batch, _pack)


def unpack(payload):
    """The batch that a worker sent as ``payload`` (bytes), with Tensors again."""
    return _unpack(pickle.loads(payload))


def _unpack(batch):
    if isinstance(batch, _TensorArray):
        tensor = from_numpy(batch.array)
        return tensor.requires_grad_() if batch.requires_grad else tensor
    return _map_containers(batch, _unpack)


def _map_containers(batch, fn):
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # a namedtuple
        return type(batch)(*(fn(item) for item in batch))
    if isinstance(batch, (tuple, list)):
        return type(batch)(fn(item) for item in batch)
    if isinstance(batch, dict):
        return {key: fn(value) for key, value in batch.items()}
    return batch
