"""End to end: a PyTorch-style training loop fits two moons with a 2-layer MLP."""

import numpy as np
from sklearn.datasets import make_moons

import minitorch as mt
import minitorch.nn as nn
from minitorch.utils.data import DataLoader, TensorDataset


def test_two_layer_mlp_fits_two_moons(tmp_path):
    mt.manual_seed(0)
    x, y = make_moons(n_samples=300, noise=0.1, random_state=0)
    inputs, labels = mt.tensor(x, dtype=mt.float32), mt.tensor(y)
    loader = DataLoader(TensorDataset(inputs, labels), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = mt.optim.Adam(model.parameters(), lr=0.02)
    scheduler = mt.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.5)

    for _epoch in range(60):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()

    model.eval()
    with mt.no_grad():
        accuracy = (model(inputs).argmax(1) == labels)._data.mean()
    assert accuracy >= 0.95, f"training accuracy {accuracy:.3f}"

    # a checkpoint restores the same predictions in a fresh model
    mt.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
            tmp_path / "moons.npz")
    restored = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
    restored.load_state_dict(mt.load(tmp_path / "moons.npz")["model"])
    with mt.no_grad():
        np.testing.assert_array_equal(restored(inputs)._data, model(inputs)._data)
