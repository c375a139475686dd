"""Fit a cubic polynomial by gradient descent, first with raw tensors and hand-written
gradients, then with autograd (PyTorch's "Learning PyTorch with Examples").

Data: body-mass index against disease progression in scikit-learn's diabetes set.
The fitted coefficients must match NumPy's least-squares polynomial fit.
"""
import numpy as np
import torch
from sklearn.datasets import load_diabetes

X, y = load_diabetes(return_X_y=True)
bmi = (X[:, 2] - X[:, 2].mean()) / X[:, 2].std()
target = (y - y.mean()) / y.std()

dtype = torch.float64
device = torch.device("cpu")
x = torch.tensor(bmi, dtype=dtype, device=device)
t = torch.tensor(target, dtype=dtype, device=device)
expected = np.polyfit(bmi, target, 3)[::-1]   # a, b, c, d for a + b x + c x^2 + d x^3

# Part 1: raw tensors, gradients computed by hand.
torch.manual_seed(0)
a = torch.randn((), device=device, dtype=dtype)
b = torch.randn((), device=device, dtype=dtype)
c = torch.randn((), device=device, dtype=dtype)
d = torch.randn((), device=device, dtype=dtype)

learning_rate = 1e-4
losses = []
for step in range(1000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - t).pow(2).sum().item()
    losses.append(loss)
    if step % 250 == 249:
        print(step, loss)
    grad_y_pred = 2.0 * (y_pred - t)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
manual = np.array([a.item(), b.item(), c.item(), d.item()])
assert losses[-1] < losses[0]
np.testing.assert_allclose(manual, expected, atol=1e-3)

# Part 2: the same fit with autograd.
torch.manual_seed(0)
coeffs = [torch.randn((), dtype=dtype, requires_grad=True) for _ in range(4)]
a, b, c, d = coeffs
for step in range(1000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - t).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        for p in coeffs:
            p -= learning_rate * p.grad
            p.grad = None

auto = np.array([p.item() for p in coeffs])
print("autograd:", auto, "numpy:", expected)
np.testing.assert_allclose(auto, manual, rtol=1e-10, atol=1e-10)
assert all(p.is_leaf and p.grad is None for p in coeffs)

# Part 3: the same model as a polynomial-features linear layer, trained with SGD.
xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)).to(dtype)
loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
for step in range(1000):
    loss = loss_fn(model(xx), t)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
linear = model[0]
fitted = np.array([linear.bias.item(), *linear.weight[0].tolist()])
print(f"Linear: y = {fitted}")
np.testing.assert_allclose(fitted, expected, atol=1e-3)
