#!/usr/bin/env python
"""Linear regression on scikit-learn's diabetes data with minitorch.nn and optim.

Ten standardised features predict disease progression. A ``Linear(10, 1)``
layer is fitted with Adam on the mean squared error, then compared with the
exact least-squares solution from NumPy: training by gradient descent should
reach the same error.

Run from anywhere: python examples/regression.py
"""
import numpy as np
from sklearn.datasets import load_diabetes

import minitorch as mt
import minitorch.nn as nn
import minitorch.optim as optim

X, y = load_diabetes(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()
inputs = mt.tensor(X, dtype=mt.float32)
targets = mt.tensor(y, dtype=mt.float32).reshape(-1, 1)

mt.manual_seed(0)
model = nn.Linear(10, 1)
loss_fn = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.05)
for step in range(300):
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(f"step {step:3d}  mse {loss.item():.4f}")

design = np.hstack([X, np.ones((len(X), 1))])
solution, *_ = np.linalg.lstsq(design, y, rcond=None)
best = np.mean((design @ solution - y) ** 2)
print(f"final mse {loss.item():.4f}; least squares {best:.4f} (R^2 = {1 - best:.3f})")
assert loss.item() < best + 1e-3, "gradient descent did not reach the least-squares error"
