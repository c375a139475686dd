"""Learning-rate schedules on the breast-cancer data: OneCycleLR stepped per batch
(checked step by step against PyTorch's documented formula) and ReduceLROnPlateau
driven by a validation loss; both trainings must reach > 92 % test accuracy."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_test = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
y_test = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)




def make_model():
    return nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                         nn.Linear(32, 1))


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return ((model(X_test) > 0).float() == y_test).float().mean().item()


def train_epoch(model, optimizer, scheduler=None, batch_size=64, lr_log=None):
    model.train()
    perm = torch.randperm(len(X_train))
    total = 0.0
    for i in range(0, len(X_train), batch_size):
        idx = perm[i:i + batch_size]
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        if lr_log is not None:
            lr_log.append(optimizer.param_groups[0]["lr"])
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(idx)
    return total / len(X_train)


# OneCycleLR: stepped once per batch, warms up to max_lr then anneals (cosine).
torch.manual_seed(1)
model = make_model()
epochs, steps_per_epoch = 5, math.ceil(len(X_train) / 64)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
scheduler = OneCycleLR(optimizer, max_lr=0.2, epochs=epochs, steps_per_epoch=steps_per_epoch)
assert math.isclose(scheduler.get_last_lr()[0], 0.2 / 25)          # initial_lr = max_lr / div_factor
used = []
for epoch in range(epochs):
    train_epoch(model, optimizer, scheduler, lr_log=used)


def one_cycle(step, total_steps, max_lr=0.2, pct_start=0.3, div_factor=25.0,
              final_div_factor=1e4):
    """PyTorch's documented OneCycleLR (two phases, cosine annealing)."""
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    warmup_end = float(pct_start * total_steps) - 1
    if step <= warmup_end:
        start, end, pct = initial_lr, max_lr, step / warmup_end
    else:
        start, end = max_lr, min_lr
        pct = (step - warmup_end) / (total_steps - 1 - warmup_end)
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


total_steps = epochs * steps_per_epoch
expected = [one_cycle(step, total_steps) for step in range(total_steps)]
print("OneCycleLR: peak", max(used), "last", used[-1])
assert len(used) == total_steps
assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(used, expected))
assert math.isclose(max(used), 0.2, rel_tol=1e-2) and math.isclose(used[-1], 0.2 / 25 / 1e4)
print("accuracy after OneCycleLR:", accuracy(model))
assert accuracy(model) > 0.92

# ReduceLROnPlateau: halves the lr after `patience` epochs without improvement.
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)
for val_loss in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7]:
    scheduler.step(val_loss)
    print(val_loss, optimizer.param_groups[0]["lr"])
assert math.isclose(optimizer.param_groups[0]["lr"], 1e-3 * 0.5 ** 2)
assert math.isclose(scheduler.get_last_lr()[0], 1e-3 * 0.5 ** 2)

# Used for real: the learning rate falls when the test loss stops improving.
torch.manual_seed(2)
model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = ReduceLROnPlateau(optimizer, factor=0.1, patience=2)
for epoch in range(15):
    train_epoch(model, optimizer)
    model.eval()
    with torch.no_grad():
        val_loss = F.binary_cross_entropy_with_logits(model(X_test), y_test).item()
    scheduler.step(val_loss)
print("final lr", optimizer.param_groups[0]["lr"], "accuracy", accuracy(model))
assert optimizer.param_groups[0]["lr"] < 0.01
assert accuracy(model) > 0.92
