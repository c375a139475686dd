"""Autograd mechanics on a least-squares problem from make_regression: leaves and
grad_fn, retain_grad, tensor hooks, gradient accumulation, torch.autograd.grad,
create_graph for second derivatives (a Hessian-vector product), detach.
Every gradient is checked against its closed form computed with NumPy."""
import numpy as np
import torch
from sklearn.datasets import make_regression

X_np, y_np = make_regression(n_samples=200, n_features=5, noise=0.5, random_state=0)
X = torch.from_numpy(X_np)            # float64, like the NumPy array
y = torch.from_numpy(y_np)
n = X.shape[0]
assert X.dtype == torch.float64 and not X.requires_grad

torch.manual_seed(0)
w = torch.randn(5, dtype=torch.float64, requires_grad=True)
b = torch.zeros(1, dtype=torch.float64, requires_grad=True)

# Forward: the graph records how every non-leaf was made.
pred = X @ w + b
pred.retain_grad()
residual = pred - y
loss = (residual ** 2).mean()
print("loss", loss.item(), "grad_fn", loss.grad_fn)
assert w.is_leaf and b.is_leaf and not pred.is_leaf and loss.grad_fn is not None
assert residual.requires_grad and X.grad is None

# A hook sees the gradient flowing into `residual`; another one doubles b's gradient.
seen = []
h1 = residual.register_hook(lambda g: seen.append(g.clone()))
h2 = b.register_hook(lambda g: g * 2)
loss.backward(retain_graph=True)

w_np, b_np = w.detach().numpy(), b.item()
r_np = X_np @ w_np + b_np - y_np
np.testing.assert_allclose(w.grad.numpy(), 2 / n * X_np.T @ r_np, rtol=1e-10)
np.testing.assert_allclose(b.grad.item(), 2 * (2 / n * r_np.sum()), rtol=1e-10)
np.testing.assert_allclose(pred.grad.numpy(), 2 / n * r_np, rtol=1e-10)
np.testing.assert_allclose(seen[0].numpy(), 2 / n * r_np, rtol=1e-10)

# Gradients accumulate until zeroed; removed hooks no longer run.
h1.remove()
h2.remove()
first = w.grad.clone()
loss.backward()
assert torch.allclose(w.grad, 2 * first) and len(seen) == 1
np.testing.assert_allclose(b.grad.item(), 3 * (2 / n * r_np.sum()), rtol=1e-10)
w.grad.zero_()
b.grad = None

# torch.autograd.grad returns gradients without touching .grad.
loss = ((X @ w + b - y) ** 2).mean()
gw, gb = torch.autograd.grad(loss, (w, b))
assert w.grad.abs().sum() == 0 and b.grad is None
np.testing.assert_allclose(gw.numpy(), first.numpy(), rtol=1e-10)

# Second derivatives: the Hessian of the loss in w is 2/n X^T X.
loss = ((X @ w + b - y) ** 2).mean()
(gw,) = torch.autograd.grad(loss, w, create_graph=True)
assert gw.requires_grad
v = torch.ones(5, dtype=torch.float64)
(hvp,) = torch.autograd.grad(gw @ v, w, retain_graph=True)
np.testing.assert_allclose(hvp.numpy(), 2 / n * X_np.T @ X_np @ np.ones(5), rtol=1e-10)
rows = [torch.autograd.grad(gw[i], w, retain_graph=True)[0] for i in range(5)]
hessian = torch.stack(rows)
np.testing.assert_allclose(hessian.numpy(), 2 / n * X_np.T @ X_np, rtol=1e-10)

# Newton's method converges in one step on a quadratic; detach() stops the graph.
with torch.no_grad():
    step = torch.linalg.solve(hessian, gw.detach())
    w -= step
assert w.requires_grad and w.is_leaf
w_opt = np.linalg.lstsq(np.c_[X_np, np.ones(n)], y_np, rcond=None)[0]
print("Newton step:", w.detach().numpy(), "least squares:", w_opt[:5])
# b was not updated, so compare with the least-squares weights for a fixed bias of 0.
w_fixed_b = np.linalg.solve(X_np.T @ X_np, X_np.T @ y_np)
np.testing.assert_allclose(w.detach().numpy(), w_fixed_b, rtol=1e-8)

# In no_grad mode nothing is recorded; requires_grad_(False) freezes a leaf.
with torch.no_grad():
    out = X @ w
assert not out.requires_grad and out.grad_fn is None
frozen = w.detach().requires_grad_(False)
assert not (X @ frozen).requires_grad
assert torch.is_grad_enabled()

# Gradient descent from scratch reaches the same optimum.
w2 = torch.zeros(5, dtype=torch.float64, requires_grad=True)
b2 = torch.zeros(1, dtype=torch.float64, requires_grad=True)
for _ in range(200):
    loss = ((X @ w2 + b2 - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w2 -= 0.1 * w2.grad
        b2 -= 0.1 * b2.grad
    w2.grad.zero_()
    b2.grad.zero_()
np.testing.assert_allclose(w2.detach().numpy(), w_opt[:5], rtol=1e-6)
np.testing.assert_allclose(b2.item(), w_opt[5], rtol=1e-4, atol=1e-6)
