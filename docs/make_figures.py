#!/usr/bin/env python
"""Draw the figures of docs/autodiff.md with minitorch.viz.

Usage: python docs/make_figures.py [output folder]   (default: docs/figures)

Needs Graphviz's ``dot`` for SVG files; without it, .dot files are written.
"""
import sys
import warnings
from pathlib import Path

import minitorch as mt
import minitorch.nn as nn
from minitorch import viz


def classic_example():
    """d = a * (b + c) at a=2.2, b=-1.8, c=0.1, every node kept for drawing."""
    with mt.autograd.retain_grads():
        a = mt.tensor(2.2, requires_grad=True)
        b = mt.tensor(-1.8, requires_grad=True)
        c = mt.tensor(0.1, requires_grad=True)
        e = b + c
        d = a * e
    for tensor, name in ((a, "a"), (b, "b"), (c, "c"), (e, "e"), (d, "d")):
        tensor.name = name
    return d, (a, b, c, e)


def broadcast_example():
    """x (2, 3) times w (3,), summed: w's gradient is summed over the broadcast rows."""
    with mt.autograd.retain_grads():
        x = mt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * w
        loss = y.sum()
    x.name, w.name, y.name, loss.name = "x", "w", "y", "loss"
    loss.backward()
    return loss, (x, w, y)


def mlp_step():
    """The graph of one training step of a 2-16-16-1 MLP, drawn layer by layer."""
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 1))
    x, y = mt.randn(32, 2), mt.randn(32, 1)
    loss = nn.functional.mse_loss(model(x), y)
    loss.name = "loss"
    loss.backward()
    return loss, model


def main(folder):
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    d, keep = classic_example()
    written.append(viz.draw(d, folder / "forward.svg", show_grads=False))
    d.backward()
    written.append(viz.draw(d, folder / "backward.svg"))
    loss, keep = broadcast_example()
    written.append(viz.draw(loss, folder / "broadcast.svg"))
    loss, model = mlp_step()
    written.append(viz.draw(loss, folder / "mlp_step.svg", group_modules=model))
    for path in written:
        print("wrote", path)
    return written


if __name__ == "__main__":
    warnings.simplefilter("always")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "figures")
