"""A small convolutional network on scikit-learn's 8x8 digits: Conv2d, BatchNorm2d,
MaxPool2d, Dropout, trained with the usual train()/eval() loop; checks the shapes,
the BatchNorm running statistics, and > 95 % test accuracy."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)   # (N, 1, 8, 8)
y = torch.tensor(digits.target, dtype=torch.long)
idx_train, idx_test = train_test_split(range(len(y)), test_size=0.25, random_state=0,
                                       stratify=digits.target)
train_loader = DataLoader(TensorDataset(X[idx_train], y[idx_train]), batch_size=64, shuffle=True)
test_loader = DataLoader(TensorDataset(X[idx_test], y[idx_test]), batch_size=256)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)   # 16 x 8 x 8
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)  # 32 x 8 x 8
        self.bn2 = nn.BatchNorm2d(32)
        self.pool = nn.MaxPool2d(2)                               # halves height and width
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))            # 16 x 4 x 4
        x = self.pool(F.relu(self.bn2(self.conv2(x))))            # 32 x 2 x 2
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = Net().to(device)
assert model.conv1.weight.shape == (16, 1, 3, 3) and model.conv2.bias.shape == (32,)
assert model(X[:2].to(device)).shape == (2, 10)            # one batch seen in training mode
assert "bn1.running_mean" in model.state_dict() and "bn1.num_batches_tracked" in model.state_dict()
n_params = sum(p.numel() for p in model.parameters())
print(model, f"\n{n_params} parameters")

optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(6):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test_loader:
            pred = model(xb.to(device))
            correct += (pred.argmax(1) == yb.to(device)).type(torch.float).sum().item()
    accuracy = correct / len(idx_test)
    print(f"epoch {epoch + 1}: train loss {running / len(idx_train):.4f}, test accuracy {accuracy:.3f}")

assert accuracy > 0.95
# BatchNorm tracked the statistics of the training batches.
assert model.bn1.num_batches_tracked.item() == 1 + 6 * len(train_loader)
assert not torch.allclose(model.bn1.running_mean, torch.zeros(16))
assert torch.all(model.bn1.running_var > 0)
# In eval mode the output is deterministic (dropout off, running statistics used).
with torch.no_grad():
    assert torch.equal(model(X[:32]), model(X[:32]))
    model.train()
    assert not torch.equal(model(X[:32]), model(X[:32]))        # dropout is random in training
