"""A figure of a run: decision regions (2-D data) and loss/metric curves (matplotlib)."""
from __future__ import annotations

import os

import numpy as np

from ..autograd import no_grad
from ..creation import from_numpy
from ..serialization import atomic_write
from .metrics import HEADLINE

PLOT_FORMATS = ("png", "pdf", "svg")             # the suffixes save_plot writes
MISSING_MATPLOTLIB = ("--plot needs matplotlib, which is not installed; install it with "
                      "`pip install matplotlib` (or `pip install -e '.[plot]'`); the training "
                      "itself completed and nothing else is affected")


def plot_path(path: str) -> str:
    """The file a plot of ``path`` is written to: ``path`` itself, or ``path.png`` when it
    has no suffix. Raises ValueError for a suffix that is not in PLOT_FORMATS."""
    suffix = os.path.splitext(path)[1]
    if not suffix:
        return path + ".png"
    if suffix[1:].lower() not in PLOT_FORMATS:
        raise ValueError(f"--plot {path}: unsupported format {suffix!r}; valid choices: "
                         + ", ".join("." + f for f in PLOT_FORMATS) + " (no suffix: .png)")
    return path


def save_plot(path: str, result) -> str | None:
    """Write decision regions (2-D data) and loss/metric curves of ``result`` (a
    ``FitResult``) to ``path`` in the format its suffix names, atomically (a failed
    write leaves a previous file at ``path`` as it was).

    Returns None on success, or a message when matplotlib is not installed.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return MISSING_MATPLOTLIB
    split, history = result.split, result.history
    two_d = split.X_train.shape[1] == 2
    fig, axes = plt.subplots(1, 3 if two_d else 2, figsize=(15 if two_d else 10, 4.5))
    try:
        if two_d:
            _plot_regions(axes[0], result.model, split)
        epochs = [h["epoch"] for h in history]
        key = HEADLINE[split.task]
        for ax, what in ((axes[-2], "loss"), (axes[-1], key)):
            for part in ("train", "test"):
                ax.plot(epochs, [h[part][what] for h in history], label=part,
                        **curve_style(len(epochs)))
            ax.set_xlabel("epoch")
            ax.set_ylabel(what)
            ax.legend()
            ax.grid(alpha=0.3)
        axes[-2].set_title("loss")
        axes[-1].set_title(f"{key} (final test {history[-1]['test'][key]:.4f})" if history
                           else key)
        fig.suptitle(result.name)
        fig.tight_layout()
        image_format = os.path.splitext(path)[1][1:].lower() or "png"
        atomic_write(path, lambda file: fig.savefig(file, format=image_format, dpi=100))
    finally:
        plt.close(fig)
    return None


def curve_style(n_epochs: int) -> dict:
    """Markers on short curves, so that even a single epoch shows up."""
    return {"marker": "o", "markersize": 3} if n_epochs <= 50 else {}


def _plot_regions(ax, model, split) -> None:
    X_test, y_test = split.X_test.numpy(), split.y_test.numpy()
    X_all = np.concatenate([split.X_train.numpy(), X_test])
    lo, hi = X_all.min(axis=0) - 0.5, X_all.max(axis=0) + 0.5
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = from_numpy(np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32))
    was_training = model.training
    model.eval()
    with no_grad():
        out = model(grid).numpy()
    model.train(was_training)
    undo = getattr(split, "inverse_transform_y", None) or (lambda y: y)
    if split.task == "classification":
        zz = out.argmax(axis=1).reshape(xx.shape)
        levels = np.arange(split.n_classes + 1) - 0.5
        ax.contourf(xx, yy, zz, levels=levels, cmap="coolwarm", alpha=0.35)
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="coolwarm", edgecolors="k",
                   s=18, vmin=0, vmax=split.n_classes - 1)
        ax.set_title("decision regions, test points")
    else:
        zz = undo(out)[:, 0].reshape(xx.shape)
        contour = ax.contourf(xx, yy, zz, levels=20, cmap="viridis", alpha=0.6)
        ax.scatter(X_test[:, 0], X_test[:, 1], c=undo(y_test)[:, 0],
                   cmap="viridis", edgecolors="k", s=18)
        ax.figure.colorbar(contour, ax=ax)
        ax.set_title("prediction, test points")
    ax.set_xlabel("feature 0 (standardised)")
    ax.set_ylabel("feature 1 (standardised)")
