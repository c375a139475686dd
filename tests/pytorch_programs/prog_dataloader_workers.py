"""A custom Dataset read by a DataLoader with num_workers=2 and pin_memory=True (as
tutorials write it for GPU training), on make_moons: the worker processes must yield
the same batches, in the same order, as loading in the main process; then a model
trains on the batches from the workers."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, Dataset, random_split


class MoonsDataset(Dataset):
    """Samples as float32 tensors, standardised on the fly (a per-sample transform)."""

    def __init__(self, n_samples=1000, noise=0.15, seed=0):
        X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
        self.X = X.astype(np.float32)
        self.y = y.astype(np.int64)
        self.mean, self.std = self.X.mean(0), self.X.std(0)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        x = (self.X[idx] - self.mean) / self.std
        return torch.from_numpy(x), torch.tensor(self.y[idx])


def batches(loader):
    return [(xb.clone(), yb.clone()) for xb, yb in loader]


def main():
    dataset = MoonsDataset()
    train_set, val_set = random_split(dataset, [800, 200], generator=torch.Generator().manual_seed(42))
    assert len(train_set) == 800 and len(val_set) == 200

    serial = DataLoader(train_set, batch_size=100, shuffle=False, num_workers=0)
    parallel = DataLoader(train_set, batch_size=100, shuffle=False, num_workers=2, pin_memory=True)
    a, b = batches(serial), batches(parallel)
    assert len(a) == len(b) == 8
    for (xa, ya), (xb, yb) in zip(a, b):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
        assert xb.dtype == torch.float32 and yb.dtype == torch.int64 and xb.shape == (100, 2)

    # Shuffled loading with a seeded generator gives the same order in workers.
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    shuffled = DataLoader(train_set, batch_size=64, shuffle=True, generator=g1)
    shuffled_workers = DataLoader(train_set, batch_size=64, shuffle=True, generator=g2,
                                  num_workers=2, pin_memory=True, drop_last=True)
    for (xa, ya), (xb, yb) in zip(batches(shuffled), batches(shuffled_workers)):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 2)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    loss_fn = nn.CrossEntropyLoss()
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=2,
                              pin_memory=True, persistent_workers=True)
    val_loader = DataLoader(val_set, batch_size=200, num_workers=2, pin_memory=True)
    for epoch in range(15):
        model.train()
        for xb, yb in train_loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb.to(device)).argmax(1) == yb.to(device)).sum().item()
    accuracy = correct / len(val_set)
    print(f"validation accuracy with worker-loaded batches: {accuracy:.3f}")
    assert accuracy > 0.95


if __name__ == "__main__":
    main()
