"""``fit``: the training loop, with checkpoint/resume, the NaN guard and progress.

    import minitorch as mt
    from minitorch.training import TrainConfig, fit

    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(2, 64), mt.nn.ReLU(), mt.nn.Linear(64, 2))
    result = fit(model, data, TrainConfig(epochs=20, lr=0.01), save="run.npz")
    result.status, result.final["test"]["accuracy"]

``data`` is anything with tensors ``X_train``, ``y_train``, ``X_test``, ``y_test`` and
a ``task`` (see ``Split``; the repository's ``datasets.Split`` is one).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from .. import nn
from ..compiler import compile as compile_step
from ..random import Generator, get_rng_state, set_rng_state
from ..serialization import os_reason
from ..utils.data import DataLoader, TensorDataset
from .checkpoint import (CHECKPOINT_FORMAT, CheckpointError, EncodedHistory, load_checkpoint,
                         save_checkpoint)
from .config import TrainConfig
from .metrics import HEADLINE, NonFinite, default_loss, evaluate, format_metrics


@dataclass
class FitResult:
    """What ``fit`` did: ``status`` is "completed", "diverged", "interrupted" (by
    ``should_stop``) or "failed" (a checkpoint could not be written); ``message``
    says why it stopped early, ``history`` has one entry per completed epoch."""
    status: str
    config: TrainConfig
    model: nn.Module
    split: Any
    name: str = "model"
    history: list = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0             # training + evaluation time of this process

    @property
    def final(self) -> dict | None:
        return self.history[-1] if self.history else None

    def to_json(self) -> dict:
        final = self.final
        return {"status": self.status, "message": self.message, "config": self.config.to_dict(),
                "epochs_completed": final["epoch"] if final else 0,
                "final": {"train": final["train"], "test": final["test"]} if final else None,
                "history": self.history, "seconds": self.seconds}


class Diverged(Exception):
    """Training produced an inf/NaN: at ``where`` (e.g. "step 3") of ``epoch``, ``problem``."""

    def __init__(self, epoch: int, where: str, problem: str):
        super().__init__(f"epoch {epoch}, {where}: {problem}")
        self.epoch, self.where, self.problem = epoch, where, problem


def make_train_step(model, optimizer, loss_fn, compile: bool = False):  # noqa: A002
    """``step(xb, yb)``: the loss of a batch and, when it is finite, the update. With
    ``compile``, traced once per batch shape and then replayed (``mt.compile``)."""
    def step(xb, yb):
        loss = loss_fn(model(xb), yb)
        if loss.isfinite().all():  # never step on an inf/NaN loss (train_epoch stops)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss
    return compile_step(step) if compile else step


def train_epoch(model, loader, optimizer, loss_fn, epoch: int, train_step=None) -> float:
    """One pass over the training data; returns the mean training loss. Raises Diverged
    on a non-finite loss (before stepping on it) or parameter (right after the step).
    ``train_step`` is ``make_train_step(model, optimizer, loss_fn)`` unless given."""
    train_step = train_step or make_train_step(model, optimizer, loss_fn)
    model.train()
    total, count = 0.0, 0
    for step, (xb, yb) in enumerate(loader, start=1):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = train_step(xb, yb)   # overflow shows up as a non-finite loss below
        value = loss.item()
        if not math.isfinite(value):
            raise Diverged(epoch, f"step {step}", f"the loss is {value}")
        bad = non_finite_parameter(model)
        if bad is not None:
            raise Diverged(epoch, f"step {step}", f"the update made parameter {bad} non-finite")
        total, count = total + value * len(xb), count + len(xb)
    return total / count


def non_finite_parameter(model) -> str | None:
    """The name of the first parameter holding an inf or NaN, or None."""
    for name, parameter in model.named_parameters():
        if not np.isfinite(parameter.detach().numpy()).all():
            return name
    return None


def check_epochs(epochs: int, completed: int) -> None:
    """Raise ValueError if a run that has completed ``completed`` epochs cannot go on to
    ``epochs`` (training never goes backwards)."""
    if epochs < completed:
        raise ValueError(f"cannot train to epoch {epochs}: the checkpoint has already completed "
                         f"{completed} epochs; pass --epochs M > {completed} to continue")


def fit(model: nn.Module, data, config: TrainConfig, *, loss_fn=None, resume=None, save=None,
        progress: bool = False, should_stop=None, name: str = "model",
        command: str | None = None, compile: bool = False) -> FitResult:  # noqa: A002
    """Train ``model`` on ``data.X_train``/``data.y_train`` as ``config`` says, evaluating
    on both parts after every epoch (see ``evaluate``).

    ``loss_fn(outputs, targets)`` defaults to cross-entropy (classification) or MSE.
    ``resume``: continue the checkpoint at that path (model, optimizer, random states and
    history; its config must equal ``config`` except for ``TrainConfig.RESUMABLE``).
    ``save``: write a checkpoint there after every epoch. ``progress``: a tqdm bar and
    a line per epoch. ``should_stop()`` is asked after each epoch's checkpoint is written.
    ``command`` (e.g. "python train.py") phrases the hints of the messages as its flags.
    ``compile``: each training step is traced once and replayed (``mt.compile``), with
    the same results.

    Stops early with status "diverged" on an inf/NaN loss, parameter or evaluation output
    (the checkpoints on disk stay those of the last good epoch, and so does
    ``result.model``), "interrupted" when ``should_stop()`` turns true, "failed" when a
    checkpoint cannot be written (disk full, ...; the previous one is kept). Raises
    CheckpointError (a ValueError) if ``resume`` cannot be resumed from, ValueError if it
    has completed more than ``config.epochs`` epochs; nothing is trained then.
    """
    loss_fn = loss_fn or default_loss(data.task)
    optimizer = config.build_optimizer(model.parameters())
    # Shuffling has its own generator (checkpointed with the global one), seeded apart
    # from it so that the batch order is not correlated with the initial weights.
    shuffle = Generator(int(np.random.SeedSequence([config.seed, 1]).generate_state(1)[0]))
    loader = DataLoader(TensorDataset(data.X_train, data.y_train),
                        batch_size=config.batch_size, shuffle=True, generator=shuffle)
    result = FitResult("completed", config, model, data, name=name)
    if resume is not None:
        restore(resume, model, optimizer, shuffle, result)

    start = len(result.history)
    check_epochs(config.epochs, start)
    if resume is not None and start == config.epochs:
        more = f"--epochs M > {start}" if command else f"epochs > {start} in the config"
        result.message = f"{resume}: already trained for {start} epochs; pass {more} to continue"
    encoded = EncodedHistory(result.history)
    last_good = (resume, start) if resume else None     # (checkpoint path, its epoch)
    good_weights = _copy_weights(model)
    bar = _progress_bar(config, start, name, enabled=progress and start < config.epochs)
    train_step = make_train_step(model, optimizer, loss_fn, compile)
    t0 = time.perf_counter()
    for epoch in range(start + 1, config.epochs + 1):
        tick = time.perf_counter()
        try:
            train_loss = train_epoch(model, loader, optimizer, loss_fn, epoch, train_step)
            metrics = evaluate_epoch(model, data, epoch, loss_fn)
        except Diverged as e:
            model.load_state_dict(good_weights)     # result.model matches result.final
            result.status = "diverged"
            result.message = _divergence_message(e, config, last_good, command)
            break
        entry = {"epoch": epoch, "loss": train_loss, **metrics,
                 "seconds": time.perf_counter() - tick}
        result.history.append(entry)
        encoded.append(entry)
        good_weights = _copy_weights(model)
        if save:
            try:
                save_checkpoint(save, checkpoint_state(model, optimizer, shuffle, result,
                                                       encoded))
            except OSError as e:
                result.status = "failed"
                result.message = (f"could not write the checkpoint {save} after epoch {epoch} "
                                  f"({os_reason(e)}); training stopped. "
                                  + _kept(last_good, command))
                break
            last_good = (save, epoch)
        _report_epoch(bar, entry, data.task, config.epochs, progress)
        if should_stop is not None and should_stop() and epoch < config.epochs:
            result.status = "interrupted"
            resume_hint = (f"; resume with: {command} --resume {save}" if command
                           else f"; resume with fit(..., resume={save!r})")
            result.message = (f"interrupted after epoch {epoch}"
                              + (resume_hint if save else " (no --save path, nothing saved)"))
            break
    if bar is not None:
        bar.close()
    result.seconds = time.perf_counter() - t0
    return result


def evaluate_epoch(model, data, epoch: int, loss_fn=None) -> dict:
    """evaluate(), raising Diverged (naming ``epoch``) if the outputs are not finite."""
    try:
        return evaluate(model, data, loss_fn)
    except NonFinite as e:
        raise Diverged(epoch, "in the evaluation after its last step", str(e)) from None


def _copy_weights(model) -> dict:
    return {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}


def checkpoint_state(model, optimizer, shuffle, result: FitResult,
                     history: EncodedHistory) -> dict:
    """What a checkpoint holds (see ``checkpoint.load_checkpoint``)."""
    return {"format": CHECKPOINT_FORMAT, "model": model.state_dict(),
            "optimizer": optimizer.state_dict(), "epoch": len(result.history),
            "rng": {"global": get_rng_state(), "shuffle": shuffle.get_state()},
            "config": result.config.to_dict(), "history": history.as_array()}


def restore(path, model, optimizer, shuffle, result: FitResult) -> None:
    """Load the checkpoint at ``path`` into the run: raises CheckpointError, before
    changing anything the run depends on, if the checkpoint is not of this run."""
    state = load_checkpoint(path)
    config = result.config
    saved, wanted = state["config"], config.to_dict()
    if set(saved) != set(wanted):
        raise CheckpointError(f"{path}: the checkpoint's config has the settings "
                              f"{sorted(saved)}, this run has {sorted(wanted)}")
    for key in wanted:
        if key not in config.RESUMABLE and json.loads(json.dumps(saved[key])) != wanted[key]:
            raise CheckpointError(f"{path}: the checkpoint was made with {key}={saved[key]!r}, "
                                  f"this run has {key}={wanted[key]!r}")
    problem = _misfit(model.state_dict(), state["model"])
    if problem:
        raise CheckpointError(f"{path}: its weights do not fit the model its config "
                              f"describes ({problem})")
    fresh = optimizer.state_dict()["param_groups"]
    groups = state["optimizer"].get("param_groups")
    keys = lambda gs: [sorted(k for k in g if k != "params") for g in gs]  # noqa: E731
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups) \
            or keys(groups) != keys(fresh):
        raise CheckpointError(f"{path}: its optimizer state is not that of "
                              f"{type(optimizer).__name__} (optimizer={config.optimizer!r} in "
                              "its config)")
    try:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        set_rng_state(state["rng"]["global"])
        shuffle.set_state(state["rng"]["shuffle"])
    except (ValueError, KeyError, TypeError, IndexError, RuntimeError) as e:
        raise CheckpointError(f"{path}: the checkpoint does not fit this run "
                              f"({type(e).__name__}: {e})") from None
    for group in optimizer.param_groups:           # settings that may change on resume
        group["lr"], group["weight_decay"] = config.lr, config.weight_decay
        if "momentum" in group:
            group["momentum"] = config.momentum
    result.history = list(state["history"])


def _misfit(expected: dict, weights: dict) -> str | None:
    """Why the tensors ``weights`` cannot be loaded into a model whose state dict is
    ``expected``, or None."""
    missing, unexpected = sorted(set(expected) - set(weights)), sorted(set(weights) - set(expected))
    if missing or unexpected:
        return (f"missing: {', '.join(missing[:4]) or 'none'}; unexpected: "
                f"{', '.join(unexpected[:4]) or 'none'}")
    for key, value in expected.items():
        if tuple(weights[key].shape) != tuple(value.shape):
            return (f"{key} has shape {tuple(weights[key].shape)} in the checkpoint, "
                    f"{tuple(value.shape)} in the model")
    return None


def _kept(last_good, command) -> str:
    """Where the last good checkpoint is."""
    if not last_good:
        return "No checkpoint was written"
    path, epoch = last_good
    how = f"{command} --resume {path}" if command else f"fit(..., resume={path!r})"
    return f"The last good checkpoint (epoch {epoch}) is kept in {path}; continue with: {how}"


def _divergence_message(e: Diverged, config: TrainConfig, last_good, command) -> str:
    """Where the last good state is (nothing is saved after a bad step) and what to try."""
    lower = f"--lr {config.lr / 10:g}" if command else f"lr={config.lr / 10:g}"
    if last_good:
        kept = f"{_kept(last_good, command)} {lower}"
    else:
        kept = f"No checkpoint was written; try again with {lower}"
    return (f"training diverged at epoch {e.epoch}, {e.where}: {e.problem}. "
            f"Hint: lower the learning rate (it is {config.lr:g}). {kept}.")


def _progress_bar(config: TrainConfig, start: int, name: str, enabled: bool):
    if not enabled:
        return None
    return tqdm(total=config.epochs, initial=start, unit="epoch", dynamic_ncols=True, desc=name)


def _report_epoch(bar, entry: dict, task: str, epochs: int, progress: bool) -> None:
    if not progress:
        return
    key = HEADLINE[task]
    bar.set_postfix(loss=f"{entry['loss']:.4f}", **{f"test_{key}": f"{entry['test'][key]:.4f}"})
    bar.update(1)
    width = len(str(epochs))
    bar.write(f"epoch {entry['epoch']:>{width}}/{epochs}  loss {entry['loss']:.4f}  |  "
              f"train {format_metrics(entry['train'], task)}  |  "
              f"test {format_metrics(entry['test'], task)}")
