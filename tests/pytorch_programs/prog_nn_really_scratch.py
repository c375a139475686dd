"""PyTorch's "What is torch.nn really?", part 1, on scikit-learn's 8x8 digits: a neural
net from scratch (hand-made weights, a hand-written log-softmax and negative
log-likelihood, a manual update under no_grad), then F.cross_entropy, then nn.Module
with nn.Parameter. Each stage must reach > 90 % validation accuracy."""
import math

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

digits = load_digits()
x_np, y_np = digits.data / 16.0, digits.target
x_train, x_valid, y_train, y_valid = train_test_split(x_np, y_np, test_size=0.25, random_state=0)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
x_train, x_valid = x_train.float(), x_valid.float()
n, c = x_train.shape
print(x_train.shape, y_train.min(), y_train.max(), x_train.dtype, y_train.dtype)
assert y_train.dtype == torch.int64 and (n, c) == (1347, 64)

# Neural net from scratch.
torch.manual_seed(0)
weights = torch.randn(64, 10) / math.sqrt(64)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


loss_func = nll
bs = 64
xb = x_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)
start_loss = loss_func(preds, y_train[0:bs]).item()

lr = 0.5
epochs = 10
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
valid_acc = accuracy(model(x_valid), y_valid).item()
print("from scratch:", start_loss, "->", loss.item(), "valid acc", valid_acc)
assert valid_acc > 0.9
# The hand-written loss is F.cross_entropy on the raw scores.
scores = x_valid @ weights + bias
assert torch.allclose(nll(log_softmax(scores), y_valid), F.cross_entropy(scores, y_valid), atol=1e-5)


# Refactor with nn.Module and nn.Parameter.
class Digits_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(64, 10) / math.sqrt(64))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


loss_func = F.cross_entropy
model = Digits_Logistic()
assert [name for name, _ in model.named_parameters()] == ["weights", "bias"]
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb, yb = x_train[i * bs: i * bs + bs], y_train[i * bs: i * bs + bs]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= p.grad * lr
            model.zero_grad()
assert accuracy(model(x_valid), y_valid) > 0.9
