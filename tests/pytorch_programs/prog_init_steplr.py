"""Weight initialisation on the breast-cancer data: nn.init.* applied with model.apply
(He for the ReLU layers, Xavier for the output), checked against the documented
bounds and standard deviations; then training with a StepLR schedule, whose learning
rates must follow lr * gamma ** (epoch // step_size)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.optim.lr_scheduler import StepLR

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_test = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
y_test = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(m.bias)


def make_model():
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                          nn.Linear(32, 1))
    model.apply(init_weights)
    nn.init.xavier_uniform_(model[4].weight, gain=nn.init.calculate_gain("sigmoid"))
    nn.init.constant_(model[4].bias, 0.1)
    return model


torch.manual_seed(0)
model = make_model()
w = model[0].weight
assert w.shape == (64, 30) and torch.all(model[0].bias == 0)
assert abs(w.std().item() - math.sqrt(2 / 30)) < 0.03          # He: std = sqrt(2 / fan_in)
bound = 1.0 * math.sqrt(6 / (32 + 1))
assert model[4].weight.abs().max().item() <= bound and torch.all(model[4].bias == 0.1)
t = torch.empty(3, 5)
nn.init.uniform_(t, a=-0.5, b=0.5)
assert t.min() >= -0.5 and t.max() <= 0.5
nn.init.normal_(t, mean=2.0, std=0.01)
assert (t - 2).abs().max() < 0.1
nn.init.ones_(t)
assert t.sum().item() == 15


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return ((model(X_test) > 0).float() == y_test).float().mean().item()


def train_epoch(model, optimizer, batch_size=64):
    model.train()
    perm = torch.randperm(len(X_train))
    total = 0.0
    for i in range(0, len(X_train), batch_size):
        idx = perm[i:i + batch_size]
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(X_train)


# StepLR: lr = 0.1 * 0.5 ** (epoch // 3), stepped once per epoch.
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=3, gamma=0.5)
lrs, losses = [], []
for epoch in range(9):
    lrs.append(scheduler.get_last_lr()[0])
    losses.append(train_epoch(model, optimizer))
    scheduler.step()
print("StepLR:", lrs)
assert all(math.isclose(lr, 0.1 * 0.5 ** (e // 3)) for e, lr in enumerate(lrs))
assert math.isclose(optimizer.param_groups[0]["lr"], 0.1 * 0.5 ** 3)
assert losses[-1] < losses[0]
print("accuracy after StepLR:", accuracy(model))
assert accuracy(model) > 0.92
