"""Linear and MLP regression on the diabetes data with every common optimizer
(SGD, SGD with Nesterov momentum, RMSprop, Adagrad, Adam, AdamW): each must approach
the least-squares optimum computed by NumPy; weight_decay on SGD must give the ridge
solution of scikit-learn; an MLP must reach a good test R^2."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
inputs = torch.tensor(X, dtype=torch.float32)
targets = torch.tensor(y, dtype=torch.float32).view(-1, 1)
A = np.c_[X, np.ones(len(X))]
coef = np.linalg.lstsq(A, y, rcond=None)[0]
best_mse = np.mean((A @ coef - y) ** 2)
print(f"least-squares MSE {best_mse:.5f}")

optimizers = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.1),
    "SGD+nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.5),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999)),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.0),
}
criterion = nn.MSELoss()
for name, make in optimizers.items():
    torch.manual_seed(0)
    model = nn.Linear(10, 1)
    optimizer = make(model.parameters())
    for step in range(500):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
    print(f"{name:>13}: MSE {loss.item():.5f}")
    assert loss.item() < best_mse * 1.01, name
    assert len(optimizer.state) == 2 or name == "SGD"

# SGD's weight_decay adds wd * w to the gradient: the optimum of
# mean((Xw + b - y)^2) + wd / 2 * |w|^2 (bias included), which is ridge regression.
wd = 0.1
torch.manual_seed(0)
model = nn.Linear(10, 1, dtype=torch.float64)
optimizer = torch.optim.SGD(model.parameters(), lr=0.2, weight_decay=wd)
inputs64, targets64 = inputs.double(), torch.tensor(y).view(-1, 1)
for step in range(3000):
    optimizer.zero_grad()
    criterion(model(inputs64), targets64).backward()
    optimizer.step()
n = len(X)
ridge = np.linalg.solve(A.T @ A / n * 2 + wd * np.eye(11), A.T @ y / n * 2)
np.testing.assert_allclose(model.weight.detach().numpy().ravel(), ridge[:10], atol=1e-6)
np.testing.assert_allclose(model.bias.item(), ridge[10], atol=1e-6)
# X is standardised and y centred, so the bias is 0 and this is scikit-learn's Ridge
# with alpha = wd * n / 2.
sk = Ridge(alpha=wd * n / 2).fit(X, y)
np.testing.assert_allclose(model.weight.detach().numpy().ravel(), sk.coef_, atol=1e-6)

# A small MLP with Adam and a held-out test set.
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=1)
X_train, X_test = torch.tensor(X_train).float(), torch.tensor(X_test).float()
y_train = torch.tensor(y_train).float().unsqueeze(1)
torch.manual_seed(0)
mlp = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(mlp.parameters(), lr=0.01, weight_decay=1e-3)
for epoch in range(40):                  # a short run: the data set is small
    optimizer.zero_grad()
    loss = criterion(mlp(X_train), y_train)
    loss.backward()
    optimizer.step()
with torch.no_grad():
    r2 = r2_score(y_test, mlp(X_test).squeeze(1).numpy())
print(f"MLP test R^2 {r2:.3f}")
assert r2 > 0.35
