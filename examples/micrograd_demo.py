#!/usr/bin/env python
"""micrograd's demo (karpathy/micrograd, demo.ipynb), step for step, in minitorch.

As in micrograd:
- data: make_moons(n_samples=100, noise=0.1) drawn after np.random.seed(1337),
  labels mapped to y in {-1, +1};
- model: MLP 2-16-16-1 with ReLU; weights uniform(-1, 1) drawn with Python's
  ``random`` seeded 1337 in micrograd's order (neuron by neuron), biases 0;
- loss: mean(relu(1 - y * score)) + 1e-4 * sum(p * p for p in params);
- 100 full-batch SGD steps, learning rate 1.0 - 0.9 * k / 100 at step k.

Everything is float64, as micrograd's Python floats are, so the run follows
micrograd's numbers. Run from the repository root: python examples/micrograd_demo.py
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_moons

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the repo root, for models/

import minitorch as mt                      # noqa: E402
from models import MLP                       # noqa: E402


def moons() -> tuple[mt.Tensor, mt.Tensor]:
    X, y = make_moons(n_samples=100, noise=0.1, random_state=np.random.RandomState(1337))
    return mt.tensor(X, dtype=mt.float64), mt.tensor(y * 2.0 - 1.0, dtype=mt.float64)


def micrograd_model() -> MLP:
    """MLP(2, [16, 16, 1]) initialised exactly as micrograd's Neuron/Layer do."""
    model = MLP(2, 1, hidden=(16, 16)).double()
    random.seed(1337)
    with mt.no_grad():
        for layer in model.layers:
            if isinstance(layer, mt.nn.Linear):
                n_out, n_in = layer.weight.shape
                w = [[random.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)]
                layer.weight.copy_(mt.tensor(w, dtype=mt.float64))
                layer.bias.zero_()
    return model


def loss_and_accuracy(model, X, y) -> tuple[mt.Tensor, float]:
    scores = model(X).reshape(-1)
    data_loss = (1 - y * scores).relu().mean()                 # SVM "max-margin" loss
    reg_loss = 1e-4 * sum((p * p).sum() for p in model.parameters())
    accuracy = ((y > 0).numpy() == (scores > 0).numpy()).mean()
    return data_loss + reg_loss, float(accuracy)


def run(steps: int = 100, verbose: bool = True) -> list[tuple[float, float]]:
    """Train as micrograd's demo does; returns (loss, accuracy) before each step and
    after the last one."""
    X, y = moons()
    model = micrograd_model()
    optimizer = mt.optim.SGD(model.parameters(), lr=1.0)
    history = []
    for k in range(steps):
        loss, acc = loss_and_accuracy(model, X, y)
        history.append((loss.item(), acc))
        optimizer.zero_grad()
        loss.backward()
        optimizer.param_groups[0]["lr"] = 1.0 - 0.9 * k / 100
        optimizer.step()
        if verbose and (k % 10 == 0 or k == steps - 1):
            print(f"step {k} loss {loss.item():.6f}, accuracy {acc * 100:.1f}%")
    loss, acc = loss_and_accuracy(model, X, y)
    history.append((loss.item(), acc))
    if verbose:
        print(f"after {steps} steps: loss {loss.item():.6f}, training accuracy {acc * 100:.1f}%")
    return history


if __name__ == "__main__":
    run()
