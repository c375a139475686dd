"""PyTorch's "What is torch.nn really?", part 2, on scikit-learn's 8x8 digits: nn.Linear,
torch.optim, TensorDataset and DataLoader, and the tutorial's get_data / get_model /
loss_batch / fit functions with a validation loss; then a hidden layer in nn.Sequential."""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

digits = load_digits()
x_np, y_np = digits.data / 16.0, digits.target
x_train, x_valid, y_train, y_valid = train_test_split(x_np, y_np, test_size=0.25, random_state=0)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
x_train, x_valid = x_train.float(), x_valid.float()
n, c = x_train.shape
print(x_train.shape, y_train.min(), y_train.max(), x_train.dtype, y_train.dtype)
assert y_train.dtype == torch.int64 and (n, c) == (1347, 64)

torch.manual_seed(0)
loss_func = F.cross_entropy
bs = 64
lr = 0.1


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


# nn.Linear, optim, TensorDataset and DataLoader, and a fit() with validation.
class Digits_Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_data(train_ds, valid_ds, bs):
    return (DataLoader(train_ds, batch_size=bs, shuffle=True),
            DataLoader(valid_ds, batch_size=bs * 2))


def get_model():
    model = Digits_Linear()
    return model, optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        history.append(val_loss)
        print(epoch, val_loss)
    return history


train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)
assert len(train_ds) == n and train_ds[0][0].shape == (64,)
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
history = fit(8, model, loss_func, opt, train_dl, valid_dl)
assert history[-1] < history[0] < 1.0
with torch.no_grad():
    assert accuracy(model(x_valid), y_valid) > 0.93

# A hidden layer, written as nn.Sequential.
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
history = fit(8, model, loss_func, opt, train_dl, valid_dl)
with torch.no_grad():
    final = accuracy(model(x_valid), y_valid).item()
print("Sequential MLP valid accuracy:", final)
assert final > 0.92
