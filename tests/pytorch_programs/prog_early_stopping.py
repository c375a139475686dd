"""Early stopping with checkpoints: train on make_classification, keep the best model
by validation loss (torch.save of state dicts to a temporary directory), stop after
`patience` epochs without improvement, then restore the best model and resume."""
import copy
import os
import tempfile

import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

X, y = make_classification(n_samples=600, n_features=20, n_informative=8, n_redundant=2,
                           n_classes=3, class_sep=1.5, flip_y=0.02, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=0)
train_ds = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
X_val = torch.tensor(X_val, dtype=torch.float32)
y_val = torch.tensor(y_val)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                      nn.Linear(128, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()
loader = DataLoader(train_ds, batch_size=32, shuffle=True)


def evaluate(model):
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        return criterion(logits, y_val).item(), (logits.argmax(dim=1) == y_val).float().mean().item()


tmpdir = tempfile.mkdtemp()
best_path = os.path.join(tmpdir, "best.pt")
best_loss, best_epoch, patience, bad_epochs = float("inf"), -1, 5, 0
history = []
for epoch in range(100):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        criterion(model(xb), yb).backward()
        optimizer.step()
    val_loss, val_acc = evaluate(model)
    history.append(val_loss)
    print(f"epoch {epoch:3d}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")
    if val_loss < best_loss:
        best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                    "optimizer_state_dict": optimizer.state_dict(), "loss": val_loss}, best_path)
        best_state = copy.deepcopy(model.state_dict())
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stopping at epoch {epoch}; best epoch {best_epoch}")
            break

stopped_at = epoch
assert stopped_at < 99, "early stopping never triggered"
assert stopped_at == best_epoch + patience
assert min(history) == best_loss and history[-1] > best_loss

# Restore the best checkpoint into a fresh model and optimizer.
checkpoint = torch.load(best_path)
model2 = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                       nn.Linear(128, 3))
optimizer2 = torch.optim.Adam(model2.parameters(), lr=3e-3)
model2.load_state_dict(checkpoint["model_state_dict"])
optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
assert checkpoint["epoch"] == best_epoch
restored_loss, restored_acc = evaluate(model2)
print("restored:", restored_loss, restored_acc)
assert abs(restored_loss - best_loss) < 1e-6 and abs(checkpoint["loss"] - best_loss) < 1e-6
assert restored_acc > 0.88
for key, value in best_state.items():
    assert torch.equal(model2.state_dict()[key], value), key
assert set(model2.state_dict()) == {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}
state = optimizer2.state_dict()
assert state["param_groups"][0]["lr"] == 3e-3 and len(state["state"]) == 6
assert all("exp_avg" in s and "exp_avg_sq" in s for s in state["state"].values())

# The deep copy and the saved file agree; the live model has moved on since.
model.load_state_dict(best_state)
assert evaluate(model) == (restored_loss, restored_acc)

# Resume training from the checkpoint for a few epochs with a smaller step.
for group in optimizer2.param_groups:
    group["lr"] = 1e-4
for epoch in range(3):
    model2.train()
    for xb, yb in loader:
        optimizer2.zero_grad()
        criterion(model2(xb), yb).backward()
        optimizer2.step()
print("after resuming:", evaluate(model2))
assert evaluate(model2)[0] < best_loss + 0.05
