#!/usr/bin/env python
"""Train a minitorch model on a scikit-learn toy data set.

    python train.py                                     # MLP on two moons
    python train.py --dataset digits --epochs 50 --json digits.json
    python train.py --dataset diabetes --model linear --compare-sklearn
    python train.py --dataset spirals --save run.npz --plot spirals.png
    python train.py --resume run.npz                    # continue an interrupted run

The loss follows the task: cross-entropy on class logits for classification,
mean squared error on standardised targets for regression. After every epoch
the model is evaluated on the whole training and test parts: accuracy and
per-class F1 (classification), MSE and R^2 in the targets' original units
(regression). Options left out take the data set's own defaults
(``datasets.SPECS[name].train``), then the global ``DEFAULTS`` below.

Everything the command line can check is checked before training starts: the
options (an option the chosen model or optimizer would ignore is an error), the
data set and its split, and the folders of the --json/--plot/--save paths.
Training stops as "diverged" at the first inf/NaN loss, parameter or evaluation
output; the checkpoint on disk then stays the one of the last finite epoch.
In --json output, numbers that are not finite (e.g. R^2 of a one-sample test
part) are written as null.

``fit(config)`` is the importable core; ``main(argv)`` is the command line.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.optim as optim
from minitorch.utils.data import DataLoader, TensorDataset

import datasets
import models

DEFAULTS = {
    "dataset": "moons", "model": "mlp", "hidden": (64, 64), "activation": "relu",
    "dropout": 0.0, "epochs": 30, "batch_size": 32, "optimizer": "adam", "lr": 0.01,
    "momentum": 0.9, "weight_decay": 0.0, "seed": 0, "test_size": 0.2,
}
# On --resume these may differ from the checkpoint's config (e.g. train longer, or a
# lower learning rate after a divergence); everything else must stay as it was.
RESUME_OVERRIDABLE = ("epochs", "lr", "momentum", "weight_decay")
# v2 stores the history as one JSON text (a uint8 array); v1 (nested) is still read.
CHECKPOINT_FORMAT = "minitorch-train-checkpoint-v2"
OLD_CHECKPOINT_FORMATS = ("minitorch-train-checkpoint-v1",)
HEADLINE = {"classification": "accuracy", "regression": "r2"}
PLOT_FORMATS = ("png", "pdf", "svg")             # --plot's suffix; none means .png
EXIT_CODES = {"completed": 0, "diverged": 1, "interrupted": 130}


# ---------------------------------------------------------------- command line

def _typed(kind, check, what):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not check(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    return parse


positive_int = _typed(int, lambda v: v > 0, "a positive integer")
positive_float = _typed(float, lambda v: v > 0 and math.isfinite(v), "a positive number")
nonnegative_float = _typed(float, lambda v: v >= 0 and math.isfinite(v), "a number >= 0")
unit_interval = _typed(float, lambda v: 0 <= v < 1, "a number in [0, 1)")
open_unit_interval = _typed(float, lambda v: 0 < v < 1, "a number strictly between 0 and 1")
seed_int = _typed(int, lambda v: 0 <= v <= datasets.MAX_SEED,
                  f"an integer in [0, {datasets.MAX_SEED}]")


def hidden_sizes(text: str) -> tuple[int, ...]:
    """'64,64' -> (64, 64); '' or 'none' -> () (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(
            "expected comma-separated positive layer widths such as 64,64 (or 'none'), "
            f"got {text!r}")
    return sizes


def _flags(keys) -> str:
    return ", ".join("--" + key.replace("_", "-") for key in keys)


def build_parser() -> argparse.ArgumentParser:
    d, moons = DEFAULTS, datasets.SPECS[DEFAULTS["dataset"]].train
    per_set = {key for spec in datasets.SPECS.values() for key in spec.train}

    def default(key):
        if key in per_set:
            return f"(default: per data set; {d['dataset']}: {moons.get(key, d[key])})"
        return f"(default: {d[key]})"

    p = argparse.ArgumentParser(
        description="Fit a minitorch model on a scikit-learn toy data set.",
        epilog="data sets:\n" + "\n".join(f"  {k:<19}{v}" for k, v in datasets.available().items())
        + "\n\nmodels:\n" + "\n".join(f"  {k:<19}{v}" for k, v in models.available().items()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    # Everything defaults to None so that we know what the user chose explicitly;
    # the real defaults (per data set, then DEFAULTS) are filled in by make_config.
    data = p.add_argument_group("data")
    data.add_argument("--dataset", choices=list(datasets.available()), help=default("dataset"))
    data.add_argument("--n-samples", type=positive_int,
                      help="number of samples, for generated data sets (default: per data set)")
    data.add_argument("--noise", type=nonnegative_float,
                      help="noise level, for generated data sets that have one (default: per set)")
    data.add_argument("--test-size", type=open_unit_interval,
                      help=f"fraction held out for testing {default('test_size')}")
    data.add_argument("--seed", type=seed_int,
                      help=f"seeds the data, the split, the weights and the shuffling "
                           f"{default('seed')}")
    model = p.add_argument_group("model")
    model.add_argument("--model", choices=list(models.available()), help=default("model"))
    model.add_argument("--hidden", type=hidden_sizes,
                       help="MLP hidden widths, comma-separated, or 'none' (default: 64,64)")
    model.add_argument("--activation", choices=list(models.ACTIVATIONS),
                       help=default("activation"))
    model.add_argument("--dropout", type=unit_interval, help=f"MLP dropout {default('dropout')}")
    opt = p.add_argument_group("optimisation")
    opt.add_argument("--epochs", type=positive_int, help=default("epochs"))
    opt.add_argument("--batch-size", type=positive_int, help=default("batch_size"))
    opt.add_argument("--optimizer", choices=["sgd", "adam"], help=default("optimizer"))
    opt.add_argument("--lr", type=positive_float, help=f"learning rate {default('lr')}")
    opt.add_argument("--momentum", type=unit_interval,
                     help=f"--optimizer sgd only {default('momentum')}")
    opt.add_argument("--weight-decay", type=nonnegative_float,
                     help=f"L2 penalty {default('weight_decay')}")
    out = p.add_argument_group("output")
    out.add_argument("--quiet", action="store_true", help="no progress bar, no per-epoch lines")
    out.add_argument("--json", metavar="PATH", help="write final metrics and full history as JSON")
    out.add_argument("--save", metavar="PATH", help="write a checkpoint (.npz) after every epoch")
    out.add_argument("--resume", metavar="PATH",
                     help="continue from a checkpoint (and keep saving to it unless --save); "
                          f"only {_flags(RESUME_OVERRIDABLE)} may differ from it")
    out.add_argument("--plot", metavar="PATH",
                     help="write a figure: decision regions (2-D data) and loss/metric curves; "
                          "the suffix picks the format: "
                          f"{', '.join('.' + f for f in PLOT_FORMATS)} (none: .png is added)")
    out.add_argument("--compare-sklearn", action="store_true",
                     help="also fit scikit-learn's comparable model on the same split")
    return p


def _given(args) -> dict:
    """The training options the user set explicitly on the command line."""
    keys = ("dataset", "test_size", "seed", "model", "hidden", "activation", "dropout",
            "epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay")
    given = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    data = {k: getattr(args, k) for k in ("n_samples", "noise") if getattr(args, k) is not None}
    if data:
        given["data"] = data
    return given


def make_config(given: dict) -> dict:
    """A complete, JSON-able training config: explicit choices, then the data set's
    training defaults, then DEFAULTS. Raises ValueError on inconsistent choices."""
    name = given.get("dataset", DEFAULTS["dataset"])
    spec = datasets.SPECS[name]
    config = {**DEFAULTS, **spec.train, **given, "dataset": name}
    config["data"] = datasets.check_params(name, **given.get("data", {}))
    config["hidden"] = list(config["hidden"])
    if spec.task not in models.tasks(config["model"]):
        raise ValueError(f"model {config['model']!r} does not fit data set {name!r} "
                         f"({spec.task}); use one of: "
                         + ", ".join(m for m in models.available() if spec.task in models.tasks(m)))
    check_options_apply(config, given)
    return config


def check_options_apply(config: dict, given: dict) -> None:
    """Raise ValueError for an option the user set that ``config`` would silently ignore."""
    mlp_only = [k for k in ("hidden", "activation", "dropout") if k in given]
    if config["model"] != "mlp" and mlp_only:
        raise ValueError(f"--{mlp_only[0]} applies to --model mlp only, not {config['model']!r}")
    per_layer = [k for k in ("activation", "dropout") if k in given]
    if config["model"] == "mlp" and not config["hidden"] and per_layer:
        raise ValueError(f"--{per_layer[0]} has no effect with --hidden none (no hidden layer); "
                         "leave it out or give hidden widths such as --hidden 64,64")
    if config["optimizer"] != "sgd" and "momentum" in given:
        raise ValueError(f"--momentum applies to --optimizer sgd only, not "
                         f"{config['optimizer']!r}")


def resume_config(saved: dict, given: dict) -> dict:
    """The checkpoint's config, updated with the options that may change on resume."""
    config = json.loads(json.dumps(saved))            # a deep copy
    for key, value in given.items():
        value = list(value) if isinstance(value, tuple) else value
        if key in RESUME_OVERRIDABLE:
            config[key] = value
        elif key == "data":
            if any(config["data"].get(k) != v for k, v in value.items()):
                raise ValueError("cannot change data-set parameters when resuming "
                                 f"(the checkpoint has {config['data']})")
        elif config.get(key) != value:
            raise ValueError(f"cannot change --{key.replace('_', '-')} when resuming (checkpoint: "
                             f"{config.get(key)!r}); only {_flags(RESUME_OVERRIDABLE)} may change")
    check_options_apply(config, given)
    return config


def check_epochs(epochs: int, completed: int) -> None:
    """Raise ValueError if a run that has completed ``completed`` epochs cannot go on to
    ``epochs`` (training never goes backwards)."""
    if epochs < completed:
        raise ValueError(f"cannot train to epoch {epochs}: the checkpoint has already completed "
                         f"{completed} epochs; pass --epochs M > {completed} to continue")


def plot_path(path: str) -> str:
    """The file --plot PATH writes: PATH itself, or PATH.png when PATH has no suffix."""
    suffix = os.path.splitext(path)[1]
    if not suffix:
        return path + ".png"
    if suffix[1:].lower() not in PLOT_FORMATS:
        raise ValueError(f"--plot {path}: unsupported format {suffix!r}; valid choices: "
                         + ", ".join("." + f for f in PLOT_FORMATS) + " (no suffix: .png)")
    return path


def check_writable(flag: str, path: str) -> None:
    """Raise ValueError unless the file ``path`` can be written: its folder exists and is
    writable and it is not itself a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValueError(f"{flag} {path}: is a folder; give a file name")
    if not os.path.isdir(folder):
        raise ValueError(f"{flag} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{flag} {path}: the folder {folder} is not writable")


# ----------------------------------------------------------------- building blocks

def load_split(config: dict) -> datasets.Split:
    return datasets.load(config["dataset"], test_size=config["test_size"], seed=config["seed"],
                         **config["data"])


def build_model(config: dict, split: datasets.Split) -> nn.Module:
    options = {}
    if config["model"] == "mlp":
        options = {"hidden": tuple(config["hidden"]), "activation": config["activation"],
                   "dropout": config["dropout"]}
    return models.build(config["model"], split.n_features, split.n_outputs, **options)


def build_optimizer(config: dict, model: nn.Module) -> optim.Optimizer:
    if config["optimizer"] == "sgd":
        return optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"],
                         weight_decay=config["weight_decay"])
    return optim.Adam(model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])


def loss_function(task: str):
    return F.cross_entropy if task == "classification" else F.mse_loss


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    from sklearn.metrics import f1_score
    f1 = f1_score(y_true, y_pred, labels=list(range(n_classes)), average=None, zero_division=0)
    return {"accuracy": float(np.mean(y_true == y_pred)), "f1_macro": float(np.mean(f1)),
            "f1": [float(v) for v in f1]}


def regression_metrics(split: datasets.Split, y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """MSE and R^2 in the targets' original units (the arguments are standardised)."""
    from sklearn.metrics import r2_score
    y_true, y_pred = split.inverse_transform_y(y_true), split.inverse_transform_y(y_pred)
    return {"mse": float(np.mean((y_true - y_pred) ** 2)), "r2": float(r2_score(y_true, y_pred))}


def predictions_metrics(split, y_true: np.ndarray, outputs: np.ndarray) -> dict:
    if split.task == "classification":
        return classification_metrics(y_true, outputs.argmax(axis=1), split.n_classes)
    return regression_metrics(split, y_true, outputs)


class NonFinite(ArithmeticError):
    """A model's outputs or loss are inf or NaN; the message says which."""


@mt.no_grad()
def evaluate(model, split: datasets.Split) -> dict:
    """Loss and metrics on the whole training and test parts, in eval mode.

    Raises NonFinite if the outputs or the loss on either part are inf/NaN (the
    metrics are never computed on them). A metric that is undefined for a finite
    prediction (R^2 of a one-sample part) is NaN, without a warning.
    """
    was_training = model.training
    model.eval()
    try:
        return {"train": _evaluate_part(model, split, "train", split.X_train, split.y_train),
                "test": _evaluate_part(model, split, "test", split.X_test, split.y_test)}
    finally:
        model.train(was_training)


def _evaluate_part(model, split: datasets.Split, part: str, X, y) -> dict:
    from sklearn.exceptions import UndefinedMetricWarning
    with np.errstate(all="ignore"):         # an overflow shows up as NonFinite below
        outputs = model(X)
        loss = float(loss_function(split.task)(outputs, y).item())
        outputs = outputs.numpy()
    if not np.isfinite(outputs).all():
        raise NonFinite(f"the model's outputs on the {part} part are not finite (inf/nan)")
    if not math.isfinite(loss):
        raise NonFinite(f"the loss on the {part} part is {loss}")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return {"loss": loss, **predictions_metrics(split, y.numpy(), outputs)}


# ------------------------------------------------------------------- checkpoints

def save_checkpoint(path: str, state: dict) -> None:
    """Write ``state`` to ``path``; mt.save writes a temporary file and renames it, so a
    process killed mid-save leaves the previous checkpoint intact."""
    mt.save(state, path)


def load_checkpoint(path: str) -> dict:
    """The checkpoint at ``path``, its history decoded to a list of epoch entries.

    Raises ValueError if it is not a train.py checkpoint or holds non-finite weights
    (written by an older train.py after a divergence, it could never train again).
    """
    state = mt.load(path)
    known = (CHECKPOINT_FORMAT, *OLD_CHECKPOINT_FORMATS)
    if not isinstance(state, dict) or state.get("format") not in known:
        raise ValueError(f"{path} is not a train.py checkpoint (expected format "
                         f"{CHECKPOINT_FORMAT!r})")
    state["history"] = decode_history(state["history"])
    bad = [name for name, value in state["model"].items() if not np.isfinite(value.detach().numpy()).all()]
    if bad:
        raise ValueError(f"{path} holds non-finite weights ({', '.join(bad)}): it was saved "
                         "after training diverged; resume from an earlier checkpoint or start "
                         "again with a lower --lr")
    return state


class EncodedHistory:
    """The training history as the JSON text a checkpoint stores, each epoch's entry
    encoded once when it is added, so that writing the whole history into every
    checkpoint costs about as much at epoch 1000 as at epoch 1."""

    def __init__(self, entries=()):
        self._parts = [json.dumps(entry) for entry in entries]

    def append(self, entry: dict) -> None:
        self._parts.append(json.dumps(entry))

    def as_array(self) -> np.ndarray:
        """One uint8 array holding the UTF-8 JSON list of all entries."""
        text = "[" + ",".join(self._parts) + "]"
        return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def decode_history(stored) -> list:
    """The list of epoch entries from a checkpoint's history (v2: uint8 JSON; v1: a list)."""
    if isinstance(stored, np.ndarray):
        return json.loads(stored.tobytes().decode("utf-8"))
    return list(stored)


# ---------------------------------------------------------------------- training

@dataclass
class FitResult:
    status: str                      # "completed", "diverged" or "interrupted"
    config: dict
    model: nn.Module
    split: datasets.Split
    history: list = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0             # training + evaluation time of this process

    @property
    def final(self) -> dict | None:
        return self.history[-1] if self.history else None

    def to_json(self) -> dict:
        final = self.final
        return {"status": self.status, "message": self.message, "config": self.config,
                "epochs_completed": final["epoch"] if final else 0,
                "final": {"train": final["train"], "test": final["test"]} if final else None,
                "history": self.history, "seconds": self.seconds}


class Diverged(Exception):
    """Training produced an inf/NaN: at ``where`` (e.g. "step 3") of ``epoch``, ``problem``."""

    def __init__(self, epoch: int, where: str, problem: str):
        super().__init__(f"epoch {epoch}, {where}: {problem}")
        self.epoch, self.where, self.problem = epoch, where, problem


def train_epoch(model, loader, optimizer, loss_fn, epoch: int) -> float:
    """One pass over the training data; returns the mean training loss. Raises Diverged
    on a non-finite loss (before stepping on it) or parameter (right after the step)."""
    model.train()
    total, count = 0.0, 0
    for step, (xb, yb) in enumerate(loader, start=1):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = loss_fn(model(xb), yb)   # overflow shows up as a non-finite loss below
        value = loss.item()
        if not math.isfinite(value):
            raise Diverged(epoch, f"step {step}", f"the loss is {value}")
        optimizer.zero_grad()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss.backward()
            optimizer.step()
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


def evaluate_epoch(model, split: datasets.Split, epoch: int) -> dict:
    """evaluate(), raising Diverged (naming ``epoch``) if the outputs are not finite."""
    try:
        return evaluate(model, split)
    except NonFinite as e:
        raise Diverged(epoch, "in the evaluation after its last step", str(e)) from None


def _copy_weights(model) -> dict:
    return {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}


def fit(config: dict, *, split: datasets.Split | None = None, resume: str | None = None,
        save: str | None = None, progress: bool = False,
        should_stop=lambda: False) -> FitResult:
    """Train as ``config`` says (see make_config) on ``split`` (by default loaded as
    ``config`` says), optionally continuing the checkpoint at ``resume`` and writing
    one to ``save`` after every epoch.

    Stops early with status "diverged" on an inf/NaN loss, parameter or evaluation
    output (the checkpoints on disk are left as they were after the last good epoch,
    and so is ``result.model``) or "interrupted" when ``should_stop()`` turns true
    (checked after each epoch's checkpoint is written). Resuming with fewer epochs
    than the checkpoint has completed raises ValueError.
    """
    split = load_split(config) if split is None else split
    mt.manual_seed(config["seed"])
    model = build_model(config, split)
    optimizer = build_optimizer(config, model)
    # Shuffling has its own generator (checkpointed with the global one), seeded apart
    # from it so that the batch order is not correlated with the initial weights.
    shuffle = mt.Generator().manual_seed(int(np.random.SeedSequence([config["seed"], 1])
                                             .generate_state(1)[0]))
    loader = DataLoader(TensorDataset(split.X_train, split.y_train),
                        batch_size=config["batch_size"], shuffle=True, generator=shuffle)
    loss_fn = loss_function(split.task)
    result = FitResult("completed", config, model, split)
    if resume is not None:
        _restore(load_checkpoint(resume), model, optimizer, shuffle, result, config)

    start = len(result.history)
    check_epochs(config["epochs"], start)
    encoded = EncodedHistory(result.history)
    last_good = (resume, start) if resume else None     # (checkpoint path, its epoch)
    good_weights = _copy_weights(model)
    bar = _progress_bar(config, start, enabled=progress and start < config["epochs"])
    t0 = time.perf_counter()
    for epoch in range(start + 1, config["epochs"] + 1):
        tick = time.perf_counter()
        try:
            train_loss = train_epoch(model, loader, optimizer, loss_fn, epoch)
            metrics = evaluate_epoch(model, split, epoch)
        except Diverged as e:
            model.load_state_dict(good_weights)     # result.model matches result.final
            result.status = "diverged"
            result.message = _divergence_message(e, config, last_good)
            break
        entry = {"epoch": epoch, "loss": train_loss, **metrics,
                 "seconds": time.perf_counter() - tick}
        result.history.append(entry)
        encoded.append(entry)
        good_weights = _copy_weights(model)
        if save:
            save_checkpoint(save, _checkpoint_state(model, optimizer, shuffle, result, encoded))
            last_good = (save, epoch)
        _report_epoch(bar, entry, split.task, config["epochs"], progress)
        if should_stop() and epoch < config["epochs"]:
            result.status = "interrupted"
            result.message = (f"interrupted after epoch {epoch}"
                              + (f"; resume with: python train.py --resume {save}"
                                 if save else " (no --save path, nothing saved)"))
            break
    if bar is not None:
        bar.close()
    result.seconds = time.perf_counter() - t0
    return result


def _checkpoint_state(model, optimizer, shuffle, result: FitResult,
                      history: EncodedHistory) -> dict:
    return {"format": CHECKPOINT_FORMAT, "model": model.state_dict(),
            "optimizer": optimizer.state_dict(), "epoch": len(result.history),
            "rng": {"global": mt.get_rng_state(), "shuffle": shuffle.get_state()},
            "config": result.config, "history": history.as_array()}


def _restore(state: dict, model, optimizer, shuffle, result: FitResult, config: dict) -> None:
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    for group in optimizer.param_groups:           # options that may change on resume
        group["lr"], group["weight_decay"] = config["lr"], config["weight_decay"]
        if "momentum" in group:
            group["momentum"] = config["momentum"]
    mt.set_rng_state(state["rng"]["global"])
    shuffle.set_state(state["rng"]["shuffle"])
    result.history = list(state["history"])


def _divergence_message(e: Diverged, config: dict, last_good: tuple | None) -> str:
    """Where the last good state is (nothing is saved after a bad step) and what to try."""
    lower = f"--lr {config['lr'] / 10:g}"
    if last_good:
        path, epoch = last_good
        kept = (f"The last good checkpoint (epoch {epoch}) is kept in {path}; "
                f"continue from it with: python train.py --resume {path} {lower}")
    else:
        kept = f"No checkpoint was written; try again with {lower}"
    return (f"training diverged at epoch {e.epoch}, {e.where}: {e.problem}. "
            f"Hint: lower the learning rate (it is {config['lr']:g}). {kept}.")


# ----------------------------------------------------------------------- reporting

def _progress_bar(config: dict, start: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm
    return tqdm(total=config["epochs"], initial=start, unit="epoch", dynamic_ncols=True,
                desc=f"{config['model']} on {config['dataset']}")


def format_metrics(metrics: dict, task: str) -> str:
    if task == "classification":
        return f"acc {metrics['accuracy']:.4f}  f1 {metrics['f1_macro']:.4f}"
    return f"mse {metrics['mse']:.4g}  r2 {metrics['r2']:.4f}"


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


def summary(result: FitResult) -> str:
    final, task = result.final, result.split.task
    if final is None:
        return "no epoch completed"
    lines = [f"{result.config['model']} on {result.config['dataset']}: epoch {final['epoch']}, "
             f"{result.seconds:.2f}s",
             f"  train  {format_metrics(final['train'], task)}",
             f"  test   {format_metrics(final['test'], task)}"]
    if task == "classification":
        names = result.split.target_names or [str(c) for c in range(result.split.n_classes)]
        lines.append("  test F1 per class: "
                     + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, final["test"]["f1"])))
    else:
        lines.append("  (mse in the targets' original units; the loss is on standardised targets)")
    return "\n".join(lines)


def finite_or_none(value):
    """``value`` with every inf/NaN float (at any depth) replaced by None (JSON null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(item) for item in value]
    return value


def write_json(path: str, payload: dict) -> None:
    """Write ``payload`` as strict JSON (inf/NaN as null) to ``path``, atomically: a
    temporary file renamed over ``path``, removed again if anything fails."""
    text = json.dumps(finite_or_none(payload), indent=1, allow_nan=False)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------- scikit-learn

SKLEARN_ACTIVATION = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}


def sklearn_baseline(config: dict, split: datasets.Split) -> dict:
    """Fit scikit-learn's comparable model on the same (standardised) split.

    MLP -> MLPClassifier/MLPRegressor with the same hidden sizes and activation and
    scikit-learn's own defaults otherwise (adam, lr 1e-3, alpha 1e-4), max_iter=1000;
    logistic -> LogisticRegression; linear -> LinearRegression.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    classify = split.task == "classification"
    X_train, X_test = split.X_train.numpy(), split.X_test.numpy()
    y_train, y_test = split.y_train.numpy(), split.y_test.numpy()
    note = None
    if config["model"] == "mlp" and config["hidden"]:
        cls = MLPClassifier if classify else MLPRegressor
        activation, note = sklearn_activation(config["activation"])
        estimator = cls(hidden_layer_sizes=tuple(config["hidden"]), max_iter=1000,
                        activation=activation, random_state=config["seed"])
    else:
        estimator = LogisticRegression(max_iter=1000) if classify else LinearRegression()
    target = y_train if classify or y_train.shape[1] > 1 else y_train.ravel()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X_train, target)
    seconds = time.perf_counter() - t0

    def metrics(X, y):
        pred = estimator.predict(X)
        if classify:
            return classification_metrics(y, pred, split.n_classes)
        return regression_metrics(split, y, pred.reshape(len(X), -1))

    return {"estimator": repr(estimator), "seconds": seconds, "note": note,
            "train": metrics(X_train, y_train), "test": metrics(X_test, y_test)}


def sklearn_activation(activation: str) -> tuple[str, str | None]:
    """scikit-learn's name for ``activation``, and a note when it has none (then relu)."""
    if activation in SKLEARN_ACTIVATION:
        return SKLEARN_ACTIVATION[activation], None
    return "relu", (f"scikit-learn's MLP has no {activation} activation; its model uses relu "
                    f"(it has: {', '.join(SKLEARN_ACTIVATION)})")


def comparison_table(result: FitResult, sk: dict) -> str:
    keys = (("accuracy", "f1_macro") if result.split.task == "classification" else ("mse", "r2"))
    rows = [f"{'':16}{'minitorch':>12}{'scikit-learn':>14}"]
    for part in ("train", "test"):
        for key in keys:
            rows.append(f"{part + ' ' + key:16}{result.final[part][key]:>12.4f}"
                        f"{sk[part][key]:>14.4f}")
    rows.append(f"{'fit time (s)':16}{result.seconds:>12.2f}{sk['seconds']:>14.2f}")
    if sk.get("note"):
        rows.append(f"note: {sk['note']}")
    return f"scikit-learn model: {sk['estimator']}\n" + "\n".join(rows)


# ----------------------------------------------------------------------- plotting

def save_plot(path: str, result: FitResult) -> str | None:
    """Write decision regions (2-D data) and loss/metric curves to ``path``, in the
    format its suffix names (see PLOT_FORMATS and plot_path).

    Returns None on success, or a message when matplotlib is not installed.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("--plot needs matplotlib, which is not installed; install it with "
                "`pip install matplotlib` (or `pip install -e '.[plot]'`); the training "
                "itself completed and nothing else is affected")
    split, history = result.split, result.history
    two_d = split.n_features == 2
    fig, axes = plt.subplots(1, 3 if two_d else 2, figsize=(15 if two_d else 10, 4.5))
    if two_d:
        _plot_regions(axes[0], result.model, split)
    epochs = [h["epoch"] for h in history]
    key = HEADLINE[split.task]
    for ax, what, label in ((axes[-2], "loss", "loss"), (axes[-1], key, key)):
        for part in ("train", "test"):
            ax.plot(epochs, [h[part][what] for h in history], label=part,
                    **curve_style(len(epochs)))
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.legend()
        ax.grid(alpha=0.3)
    axes[-2].set_title("loss")
    axes[-1].set_title(f"{key} (final test {history[-1]['test'][key]:.4f})" if history else key)
    fig.suptitle(f"{result.config['model']} on {result.config['dataset']}")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return None


def curve_style(n_epochs: int) -> dict:
    """Markers on short curves, so that even a single epoch shows up."""
    return {"marker": "o", "markersize": 3} if n_epochs <= 50 else {}


@mt.no_grad()
def _plot_regions(ax, model, split: datasets.Split) -> None:
    X_test, y_test = split.X_test.numpy(), split.y_test.numpy()
    X_all = np.concatenate([split.X_train.numpy(), X_test])
    lo, hi = X_all.min(axis=0) - 0.5, X_all.max(axis=0) + 0.5
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = mt.from_numpy(np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32))
    model.eval()
    out = model(grid).numpy()
    model.train()
    if split.task == "classification":
        zz = out.argmax(axis=1).reshape(xx.shape)
        levels = np.arange(split.n_classes + 1) - 0.5
        ax.contourf(xx, yy, zz, levels=levels, cmap="coolwarm", alpha=0.35)
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="coolwarm", edgecolors="k",
                   s=18, vmin=0, vmax=split.n_classes - 1)
        ax.set_title("decision regions, test points")
    else:
        zz = split.inverse_transform_y(out)[:, 0].reshape(xx.shape)
        contour = ax.contourf(xx, yy, zz, levels=20, cmap="viridis", alpha=0.6)
        ax.scatter(X_test[:, 0], X_test[:, 1], c=split.inverse_transform_y(y_test)[:, 0],
                   cmap="viridis", edgecolors="k", s=18)
        ax.figure.colorbar(contour, ax=ax)
        ax.set_title("prediction, test points")
    ax.set_xlabel("feature 0 (standardised)")
    ax.set_ylabel("feature 1 (standardised)")


# ---------------------------------------------------------------------------- main

class StopOnSigint:
    """First Ctrl-C: finish the current epoch, save, then stop. Second: abort at once."""

    def __init__(self):
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def __enter__(self):
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame):
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\nCtrl-C: stopping after this epoch (press again to abort now)", file=sys.stderr)


def configure(args, given: dict) -> tuple[dict, int]:
    """The run's config and the number of epochs already completed (from --resume)."""
    if not args.resume:
        return make_config(given), 0
    state = load_checkpoint(args.resume)
    config = resume_config(state["config"], given)
    check_epochs(config["epochs"], state["epoch"])
    return config, state["epoch"]


def check_outputs(args) -> str | None:
    """Check that every output path can be written; returns the file --plot writes."""
    plot = plot_path(args.plot) if args.plot else None
    for flag, path in (("--json", args.json), ("--plot", plot), ("--save", args.save)):
        if path:
            check_writable(flag, path)
    return plot


def as_flags(message: str) -> str:
    """A datasets error message with the parameters train.py sets from flags named as
    those flags (n_samples -> --n-samples)."""
    return re.sub(r"\b(n_samples|noise|test_size|seed)\b",
                  lambda m: "--" + m.group(1).replace("_", "-"), message)


def write_plot(path: str, result: FitResult) -> bool:
    """save_plot, reporting the outcome; False if the plot could not be written."""
    try:
        problem = save_plot(path, result)
    except Exception as e:          # plotting is an extra: report it, keep the other outputs
        print(f"could not write the plot {path}: {type(e).__name__}: {e}", file=sys.stderr)
        return False
    if problem:
        print(problem, file=sys.stderr)
    else:
        print(f"plot written to {path}")
    return True


def write_json_reporting(path: str, payload: dict) -> bool:
    """write_json, reporting a failure; False if the file could not be written."""
    try:
        write_json(path, payload)
    except OSError as e:
        print(f"could not write --json {path}: {e}", file=sys.stderr)
        return False
    return True


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config, completed = configure(args, _given(args))
        plot = check_outputs(args)
    except (ValueError, OSError) as e:
        parser.error(str(e))
    try:
        split = load_split(config)
    except ValueError as e:
        parser.error(as_flags(str(e)))
    if args.resume and completed == config["epochs"]:
        print(f"{args.resume}: already trained for {completed} epochs; "
              f"pass --epochs M > {completed} to continue", file=sys.stderr)
    progress = not args.quiet         # --quiet: no bar, no per-epoch lines; the summary stays

    with StopOnSigint() as stop:
        result = fit(config, split=split, resume=args.resume, save=args.save or args.resume,
                     progress=progress, should_stop=stop)
    if result.status != "completed":
        print(result.message, file=sys.stderr)
    print(summary(result))

    payload = result.to_json()
    if args.compare_sklearn and result.final is not None:
        sk = sklearn_baseline(config, result.split)
        payload["sklearn"] = sk
        print(comparison_table(result, sk))
    written = True
    if plot and result.final is not None:
        written = write_plot(plot, result)
    if args.json:
        written = write_json_reporting(args.json, payload) and written
    code = EXIT_CODES[result.status]
    return code if code or written else 1


def run() -> int:
    """main() for the command line: a second Ctrl-C or a closed stdout (``| head``)
    ends the program quietly instead of with a traceback."""
    try:
        return main()
    except KeyboardInterrupt:
        print("\naborted (second Ctrl-C); checkpoints already written are intact",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Python flushes stdout once more at exit; send that to devnull so it cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141                    # 128 + SIGPIPE, as a shell reports `yes | head -1`


if __name__ == "__main__":
    sys.exit(run())
