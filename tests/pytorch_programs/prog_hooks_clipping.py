"""Module hooks and gradient clipping on the wine data: a forward hook records each
layer's activations (feature extraction), a pre-hook checks the inputs, handles remove
the hooks; clip_grad_norm_ bounds the total gradient norm during training."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                    stratify=y)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_test = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                      nn.Linear(16, 3))

activations = {}


def save_activation(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()
    return hook


handles = [module.register_forward_hook(save_activation(name))
           for name, module in model.named_modules() if isinstance(module, nn.ReLU)]
calls = []
pre = model[0].register_forward_pre_hook(lambda module, inputs: calls.append(inputs[0].shape))

logits = model(X_train)
assert set(activations) == {"1", "3"}
assert activations["1"].shape == (len(X_train), 32) and activations["3"].shape == (len(X_train), 16)
assert (activations["1"] >= 0).all() and calls == [X_train.shape]
# The recorded activation is exactly what the next layer sees.
assert torch.allclose(model[4](activations["3"]), logits)

# A forward hook may also replace the output: here it scales the logits.
scale = model[4].register_forward_hook(lambda module, inputs, output: output * 2)
assert torch.allclose(model(X_train), 2 * logits)
scale.remove()
assert torch.allclose(model(X_train), logits)

for handle in handles:
    handle.remove()
pre.remove()
activations.clear()
model(X_train)
assert activations == {} and len(calls) == 3         # the pre-hook ran 3 times before removal

# Training with clip_grad_norm_: a large learning rate stays stable.
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
criterion = nn.CrossEntropyLoss()
max_norm = 0.25
norms = []
for epoch in range(100):
    optimizer.zero_grad()
    loss = criterion(model(X_train), y_train)
    loss.backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)
    clipped = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))
    assert clipped.item() <= max_norm * (1 + 1e-5)
    if total.item() <= max_norm:
        assert torch.isclose(clipped, total, rtol=1e-5)           # left alone
    else:
        assert abs(clipped.item() - max_norm) < 1e-4              # scaled down to max_norm
    norms.append(total.item())
    optimizer.step()
print(f"gradient norm before clipping: first {norms[0]:.3f}, max {max(norms):.3f}, last {norms[-1]:.3f}")
assert isinstance(total, torch.Tensor) and np.isfinite(norms).all()
assert max(norms) > max_norm > norms[-1]                        # clipping was needed, then not

# clip_grad_value_ clamps each element.
optimizer.zero_grad()
criterion(model(X_train), y_train).backward()
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.01)
assert all(p.grad.abs().max() <= 0.01 for p in model.parameters())

model.eval()
with torch.no_grad():
    accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
print(f"test accuracy {accuracy:.3f}")
assert accuracy > 0.93
