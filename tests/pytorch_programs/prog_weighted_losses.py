"""Losses for imbalanced and partly labelled data: CrossEntropyLoss with class weights,
label smoothing and ignore_index; BCEWithLogitsLoss with pos_weight. Each loss value
is checked against its formula in NumPy, then used to train on imbalanced data."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.metrics import recall_score

# An imbalanced 3-class problem: 80 % / 15 % / 5 %.
X, y = make_classification(n_samples=1000, n_features=10, n_informative=6, n_classes=3,
                           weights=[0.8, 0.15, 0.05], class_sep=1.2, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.long)
counts = torch.bincount(y, minlength=3)
class_weights = counts.sum() / (3 * counts.float())     # "balanced", as in scikit-learn
print("class counts", counts.tolist(), "weights", class_weights)

torch.manual_seed(0)
logits = torch.randn(8, 3, requires_grad=True)
target = torch.tensor([0, 1, 2, 0, 1, 2, 0, -100])       # the last one is unlabelled
lp = torch.log_softmax(logits.detach(), dim=1).numpy()
t, w = target.numpy(), class_weights.numpy()
keep = t != -100

loss = nn.CrossEntropyLoss(weight=class_weights)(logits, target)
ce = -lp[keep, t[keep]]
np.testing.assert_allclose(loss.item(), (w[t[keep]] * ce).sum() / w[t[keep]].sum(), rtol=1e-5)

eps = 0.1
smooth = nn.CrossEntropyLoss(label_smoothing=eps, ignore_index=-100)(logits, target)
per_row = (1 - eps) * ce + eps * (-lp[keep].mean(axis=1))
np.testing.assert_allclose(smooth.item(), per_row.mean(), rtol=1e-5)

none = nn.CrossEntropyLoss(reduction="none")(logits, target)
assert none.shape == (8,) and none[-1].item() == 0.0
smooth.backward()
assert torch.all(logits.grad[-1] == 0)          # ignored rows get no gradient
np.testing.assert_allclose(logits.grad.sum(dim=1).numpy(), 0, atol=1e-6)

# BCEWithLogitsLoss(pos_weight) multiplies the positive term.
z = torch.randn(6)
yb = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
pos_weight = torch.tensor([3.0])
loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, yb)
s = 1 / (1 + np.exp(-z.numpy()))
expected = -(3.0 * yb.numpy() * np.log(s) + (1 - yb.numpy()) * np.log(1 - s)).mean()
np.testing.assert_allclose(loss.item(), expected, rtol=1e-5)


def train(criterion, epochs=60):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return model(X).argmax(dim=1).numpy()


plain = train(nn.CrossEntropyLoss())
weighted = train(nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.05))
rare_plain = recall_score(y.numpy(), plain, average=None)[2]
rare_weighted = recall_score(y.numpy(), weighted, average=None)[2]
print(f"recall of the rare class: plain {rare_plain:.2f}, weighted {rare_weighted:.2f}")
assert rare_weighted > rare_plain
assert recall_score(y.numpy(), weighted, average="macro") > 0.8

# Binary: is it the rare class? pos_weight = negatives / positives.
target_bin = (y == 2).float().unsqueeze(1)
pos_weight = (target_bin == 0).sum() / target_bin.sum()
torch.manual_seed(0)
model = nn.Linear(10, 1)
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
losses = []
for _ in range(200):
    optimizer.zero_grad()
    loss = criterion(model(X), target_bin)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
with torch.no_grad():
    predicted = (torch.sigmoid(model(X)) > 0.5).float()
recall = ((predicted == 1) & (target_bin == 1)).sum() / target_bin.sum()
print(f"pos_weight {pos_weight.item():.1f}: loss {losses[0]:.3f} -> {losses[-1]:.3f}, recall {recall.item():.2f}")
assert losses[-1] < losses[0] and recall.item() > 0.7
