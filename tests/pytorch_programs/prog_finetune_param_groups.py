"""Transfer-learning habits on the digits data: pretrain a network on digits 0-4,
reuse its body for digits 5-9 with a new head, freeze the body (requires_grad_(False)),
then fine-tune everything with per-parameter-group learning rates; load a partial
state dict with strict=False; count trainable parameters."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
first, second = y < 5, y >= 5


class Net(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


def train(model, optimizer, X, y, epochs):
    for _ in range(epochs):
        for idx in torch.randperm(len(X)).split(64):
            optimizer.zero_grad()
            F.cross_entropy(model(X[idx]), y[idx]).backward()
            optimizer.step()


def accuracy(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


def trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


torch.manual_seed(0)
pretrained = Net()
train(pretrained, torch.optim.Adam(pretrained.parameters(), lr=1e-2), X[first], y[first], 10)
print("pretrained on 0-4:", accuracy(pretrained, X[first], y[first]))
assert accuracy(pretrained, X[first], y[first]) > 0.97

idx_train, idx_test = train_test_split(torch.nonzero(second).squeeze(1).tolist(), test_size=0.5,
                                       random_state=0)
X_train, y_train = X[idx_train], y[idx_train] - 5
X_test, y_test = X[idx_test], y[idx_test] - 5

# A new model takes the pretrained body; the head's shape differs, so load with strict=False.
model = Net()
body_state = {k: v for k, v in pretrained.state_dict().items() if k.startswith("body.")}
result = model.load_state_dict(body_state, strict=False)
assert sorted(result.missing_keys) == ["head.bias", "head.weight"] and result.unexpected_keys == []
assert torch.equal(model.body[0].weight, pretrained.body[0].weight)

# Stage 1: a linear probe, the body frozen.
for param in model.body.parameters():
    param.requires_grad_(False)
assert trainable(model) == 32 * 5 + 5
optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1,
                            momentum=0.9)
before = model.body[0].weight.clone()
train(model, optimizer, X_train, y_train, 10)
assert torch.equal(model.body[0].weight, before) and model.body[0].weight.grad is None
probe = accuracy(model, X_test, y_test)
print("linear probe on 5-9:", probe)
assert probe > 0.5                  # chance is 0.2

# Stage 2: fine-tune everything, the body with a smaller learning rate.
for param in model.parameters():
    param.requires_grad_(True)
optimizer = torch.optim.Adam([
    {"params": model.body.parameters(), "lr": 3e-3},
    {"params": model.head.parameters()},
], lr=1e-2)
assert [g["lr"] for g in optimizer.param_groups] == [3e-3, 1e-2]
assert len(optimizer.param_groups[0]["params"]) == 4
train(model, optimizer, X_train, y_train, 20)
tuned = accuracy(model, X_test, y_test)
print("fine-tuned on 5-9:", tuned)
assert tuned > 0.85 and tuned > probe
assert not torch.equal(model.body[0].weight, before)
assert trainable(model) == sum(p.numel() for p in model.parameters())
