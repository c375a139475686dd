"""Everyday tensor utilities on the iris data, each checked against NumPy: chunk, split,
topk, sort, unique(return_counts=True), bincount, norm, cdist, einsum, masked_fill,
cumsum, where, gather; then a k-nearest-neighbours classifier built from them."""
import numpy as np
import torch
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

iris = load_iris()
X_np, y_np = iris.data.astype(np.float32), iris.target
X = torch.from_numpy(X_np)
y = torch.from_numpy(y_np)

# chunk and split
parts = X.chunk(3, dim=0)
assert [p.shape[0] for p in parts] == [50, 50, 50]
assert torch.equal(torch.cat(parts), X)
features = torch.split(X, [2, 2], dim=1)
assert features[0].shape == (150, 2) and torch.equal(features[1], X[:, 2:])
assert [len(p) for p in torch.split(X, 64)] == [64, 64, 22]

# per-class statistics with unique, bincount, sort
classes, counts = torch.unique(y, return_counts=True)
assert classes.tolist() == [0, 1, 2] and counts.tolist() == [50, 50, 50]
assert torch.bincount(y).tolist() == [50, 50, 50]
petal = X[:, 2]
sorted_petal, order = torch.sort(petal, descending=True)
np.testing.assert_array_equal(sorted_petal.numpy(), np.sort(X_np[:, 2])[::-1])
assert torch.equal(petal[order], sorted_petal)
assert (y[order[:50]] == 2).float().mean() > 0.9        # the longest petals are virginica

# topk, norm, cumsum, where, masked_fill, gather
values, indices = torch.topk(X, k=2, dim=1)
np.testing.assert_array_equal(values.numpy(), -np.sort(-X_np, axis=1)[:, :2])
assert torch.equal(X.gather(1, indices), values)
norms = X.norm(dim=1)
np.testing.assert_allclose(norms.numpy(), np.linalg.norm(X_np, axis=1), rtol=1e-6)
np.testing.assert_allclose(torch.norm(X, p=1).item(), np.abs(X_np).sum(), rtol=1e-5)
unit = X / X.norm(dim=1, keepdim=True)
np.testing.assert_allclose(unit.norm(dim=1).numpy(), 1.0, rtol=1e-6)
totals = torch.cumsum(counts, dim=0)
assert totals.tolist() == [50, 100, 150]
clipped = torch.where(X > 5.0, torch.tensor(5.0), X)
np.testing.assert_array_equal(clipped.numpy(), np.where(X_np > 5.0, 5.0, X_np))
masked = X.masked_fill(y.unsqueeze(1) == 0, 0.0)
assert masked[:50].abs().sum() == 0 and torch.equal(masked[50:], X[50:])

# einsum: class means as a product with the one-hot matrix, and a Gram matrix
one_hot = torch.nn.functional.one_hot(y, num_classes=3).float()
means = torch.einsum("nc,nd->cd", one_hot, X) / counts.unsqueeze(1)
np.testing.assert_allclose(means.numpy(), [X_np[y_np == c].mean(0) for c in range(3)], rtol=1e-5)
gram = torch.einsum("ij,kj->ik", X[:5], X[:5])
np.testing.assert_allclose(gram.numpy(), X_np[:5] @ X_np[:5].T, rtol=1e-5)
assert torch.allclose(torch.einsum("ii", gram), gram.diagonal().sum())

# cdist against the explicit formula
d = torch.cdist(X[:10], means)
np.testing.assert_allclose(d.numpy(), np.sqrt(((X_np[:10, None] - means.numpy()[None]) ** 2).sum(-1)),
                           rtol=1e-5)
nearest_mean = torch.cdist(X, means).argmin(dim=1)
print("nearest class mean accuracy:", (nearest_mean == y).float().mean().item())
assert (nearest_mean == y).float().mean() > 0.9

# k nearest neighbours: cdist + topk(largest=False) + a majority vote with bincount
X_train, X_test, y_train, y_test = train_test_split(X_np, y_np, test_size=0.3, random_state=0,
                                                    stratify=y_np)
X_train, X_test = torch.tensor(X_train), torch.tensor(X_test)
y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)
mean, std = X_train.mean(dim=0), X_train.std(dim=0)
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
dist = torch.cdist(X_test, X_train)
_, neighbours = dist.topk(5, dim=1, largest=False)
votes = y_train[neighbours]
prediction = torch.stack([torch.bincount(v, minlength=3).argmax() for v in votes])
accuracy = (prediction == y_test).float().mean().item()
print(f"5-NN accuracy: {accuracy:.3f}")
assert accuracy > 0.9
