#!/usr/bin/env python
"""The bare training loop, PyTorch style: what train.py does, with nothing else.

An MLP learns scikit-learn's two moons: a DataLoader shuffles mini-batches, each step
is zero_grad / forward / loss / backward / step, and the test accuracy is measured
under no_grad. (train.py adds checkpoints, the NaN guard, metrics and plots:
minitorch.training.)

Run from anywhere: python examples/train_minimal.py
"""
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch.utils.data import DataLoader, TensorDataset

X, y = make_moons(n_samples=1000, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
mean, std = X_train.mean(0), X_train.std(0)
to_tensor = lambda a: mt.tensor(a, dtype=mt.float32)  # noqa: E731
X_train, X_test = to_tensor((X_train - mean) / std), to_tensor((X_test - mean) / std)
y_train, y_test = mt.tensor(y_train), mt.tensor(y_test)

mt.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                      nn.Linear(64, 2))
optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True, seed=0)

for epoch in range(1, 21):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with mt.no_grad():
        accuracy = (model(X_test).argmax(dim=1) == y_test).float().mean().item()
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  loss {total / len(X_train):.4f}  test accuracy {accuracy:.3f}")

print(f"final test accuracy {accuracy:.3f}")
assert accuracy > 0.97, "the MLP should separate the two moons"
