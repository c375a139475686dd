"""Reporting a run: the summary, the --json file, the comparison with scikit-learn."""
from __future__ import annotations

import json
import math

from ..serialization import atomic_write
from .metrics import format_metrics


def summary(result) -> str:
    """A few lines: final epoch and time, train/test metrics, per-class F1."""
    final, task = result.final, result.split.task
    if final is None:
        return "no epoch completed"
    lines = [f"{result.name}: epoch {final['epoch']}, {result.seconds:.2f}s",
             f"  train  {format_metrics(final['train'], task)}",
             f"  test   {format_metrics(final['test'], task)}"]
    if task == "classification":
        names = getattr(result.split, "target_names", None) \
            or [str(c) for c in range(result.split.n_classes)]
        lines.append("  test F1 per class: "
                     + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, final["test"]["f1"])))
    elif getattr(result.split, "inverse_transform_y", None) is not None:
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


def write_json(path, payload: dict) -> None:
    """Write ``payload`` as strict JSON (inf/NaN as null) to ``path``, atomically
    (``serialization.atomic_write``: a failed write leaves the previous file as it was)."""
    text = json.dumps(finite_or_none(payload), indent=1, allow_nan=False).encode("utf-8")
    atomic_write(path, lambda file: file.write(text))


def comparison_table(result, sk: dict) -> str:
    """minitorch's final metrics next to those of ``minitorch.sklearn.sklearn_baseline``."""
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
