"""Custom autograd Functions (PyTorch's "Defining new autograd functions").

1. LegendrePolynomial3: P3(x) = (5x^3 - 3x) / 2 with its derivative written by hand,
   checked by gradcheck and used to fit a model on the diabetes data.
2. A hand-written ReLU Function inside an MLP that separates scikit-learn's moons.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes, make_moons


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


# The hand-written derivatives agree with finite differences.
x = torch.randn(6, dtype=torch.float64, requires_grad=True)
assert torch.autograd.gradcheck(LegendrePolynomial3.apply, (x,), eps=1e-6, atol=1e-9)
x = torch.tensor([-2.0, -0.5, 0.7, 3.0], dtype=torch.float64, requires_grad=True)
assert torch.autograd.gradcheck(MyReLU.apply, (x,))
out = MyReLU.apply(x)
out.sum().backward()
assert out.grad_fn is not None and x.grad.tolist() == [0.0, 0.0, 1.0, 1.0]

# Fit y = a + b * P3(c + d * x) on the diabetes data (body-mass index, scaled).
X, y = load_diabetes(return_X_y=True)
xs = torch.tensor(X[:, 2] / np.abs(X[:, 2]).max(), dtype=torch.float64)
ys = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float64)


def fit(P3, steps=300, learning_rate=5e-4):
    """Fit y = a + b * P3(c + d * x) by plain gradient descent; returns losses and a..d."""
    a = torch.full((), 0.0, dtype=torch.float64, requires_grad=True)
    b = torch.full((), -1.0, dtype=torch.float64, requires_grad=True)
    c = torch.full((), 0.0, dtype=torch.float64, requires_grad=True)
    d = torch.full((), 0.3, dtype=torch.float64, requires_grad=True)
    losses = []
    for t in range(steps):
        y_pred = a + b * P3(c + d * xs)
        loss = (y_pred - ys).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return losses, torch.stack([a, b, c, d]).detach()


losses, params = fit(LegendrePolynomial3.apply)
print(f"P3 fit: loss {losses[0]:.1f} -> {losses[-1]:.1f}, a..d = {params.tolist()}")
assert losses[-1] < 0.96 * losses[0]
# The same fit with P3 written in built-in operations follows the same path.
reference_losses, reference = fit(lambda u: 0.5 * (5 * u ** 3 - 3 * u))
assert np.allclose(losses, reference_losses, rtol=1e-9)
assert torch.allclose(params, reference, atol=1e-9)


# An MLP whose activation is the custom Function.
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 32)
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        x = MyReLU.apply(self.fc1(x))
        x = MyReLU.apply(self.fc2(x))
        return self.out(x)


Xm, ym = make_moons(n_samples=400, noise=0.1, random_state=0)
inputs = torch.from_numpy(Xm).float()
labels = torch.from_numpy(ym).long()
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
for epoch in range(200):
    optimizer.zero_grad()
    loss = criterion(model(inputs), labels)
    loss.backward()
    optimizer.step()
accuracy = (model(inputs).argmax(dim=1) == labels).float().mean().item()
print(f"moons with MyReLU: loss {loss.item():.4f}, accuracy {accuracy:.3f}")
assert accuracy > 0.97
