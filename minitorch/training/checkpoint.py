"""Checkpoints of a training run: model, optimizer, random states, config and history.

A checkpoint is one ``mt.save`` file (an .npz, never pickle), written atomically
after every epoch, so a run killed at any moment leaves the previous checkpoint
intact. ``load_checkpoint`` checks that every part is there and well formed
before anything is restored from it.
"""
from __future__ import annotations

import json

import numpy as np

from ..serialization import load, save
from ..tensor import Tensor

# v2 stores the history as one JSON text (a uint8 array); v1 (nested) is still read.
CHECKPOINT_FORMAT = "minitorch-train-checkpoint-v2"
OLD_CHECKPOINT_FORMATS = ("minitorch-train-checkpoint-v1",)
_PARTS = {"model": dict, "optimizer": dict, "epoch": int, "rng": dict, "config": dict,
          "history": (np.ndarray, list)}


class CheckpointError(ValueError):
    """A file cannot be resumed from; the message names the file and the problem."""


def save_checkpoint(path, state: dict) -> None:
    """Write ``state`` to ``path`` (``mt.save``: a temporary file renamed over ``path``,
    so a process killed mid-save leaves the previous checkpoint intact)."""
    save(state, path)


def load_checkpoint(path, config_class=None) -> dict:
    """The checkpoint at ``path``, its history decoded to a list of epoch entries.

    Raises FileNotFoundError if there is no file, CheckpointError (a ValueError) if it
    is not a training checkpoint, lacks a part (model, optimizer, epoch, rng, config,
    history) or has one of the wrong kind, its config is not one of ``config_class``
    (a ``TrainConfig`` subclass, when given), or it holds non-finite weights (saved after
    a divergence by an older version, it could never train again).
    """
    state = load(path)
    known = (CHECKPOINT_FORMAT, *OLD_CHECKPOINT_FORMATS)
    if not isinstance(state, dict) or state.get("format") not in known:
        raise CheckpointError(f"{path} is not a train.py checkpoint (expected format "
                              f"{CHECKPOINT_FORMAT!r})")
    for part, kind in _PARTS.items():
        if part not in state:
            raise CheckpointError(f"{path}: the checkpoint lacks its {part!r} part; it cannot "
                                  "be resumed (was it written by another program?)")
        if not isinstance(state[part], kind) or isinstance(state[part], bool):
            raise CheckpointError(f"{path}: the checkpoint's {part!r} part is a "
                                  f"{type(state[part]).__name__}, not what train.py writes")
    if not {"global", "shuffle"} <= set(state["rng"]):
        raise CheckpointError(f"{path}: the checkpoint's 'rng' part lacks the random states "
                              "('global', 'shuffle')")
    try:
        state["history"] = decode_history(state["history"])
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path}: the checkpoint's history is damaged ({e})") from None
    if len(state["history"]) != state["epoch"]:
        raise CheckpointError(f"{path}: the checkpoint says {state['epoch']} epochs but its "
                              f"history has {len(state['history'])}")
    if config_class is not None:
        try:
            config_class.from_dict(state["config"])
        except (ValueError, TypeError) as e:
            raise CheckpointError(f"{path}: the checkpoint's config does not fit this program "
                                  f"({e})") from None
    weights = state["model"]
    if not all(isinstance(v, Tensor) for v in weights.values()):
        raise CheckpointError(f"{path}: the checkpoint's model part holds something other "
                              "than tensors")
    bad = [name for name, value in weights.items()
           if not np.isfinite(value.detach().numpy()).all()]
    if bad:
        raise CheckpointError(f"{path} holds non-finite weights ({', '.join(bad)}): it was "
                              "saved after training diverged; resume from an earlier checkpoint "
                              "or start again with a lower --lr")
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
        history = json.loads(stored.tobytes().decode("utf-8"))
        if not isinstance(history, list):
            raise ValueError("not a list of epochs")
        return history
    return list(stored)
