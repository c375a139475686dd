#!/usr/bin/env python
"""An LSTM learns to continue periodic digit sequences.

Each sequence repeats a random pattern of 2 to 4 digits, e.g. 3 8 5 3 8 5 3 8 5 3 8 5,
and the task is the next digit (here 3). The answer is the digit one period back,
so the network must find the period from the sequence itself. Digits are embedded
(``nn.Embedding``), read by an ``nn.LSTM`` (batch_first) and the last hidden state
classifies the next digit (``nn.Linear``). 200 Adam steps (a few seconds on CPU) reach
more than 95 % accuracy on unseen sequences (chance: 10 %).

Run from anywhere: python examples/sequence_lstm.py
"""
import numpy as np

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F

LENGTH, DIGITS = 12, 10


def make_batch(rng, n):
    """n sequences of LENGTH digits repeating a random pattern, and their next digits."""
    periods = rng.integers(2, 5, n)
    patterns = rng.integers(0, DIGITS, (n, 4))
    positions = np.arange(LENGTH + 1)[None, :] % periods[:, None]
    full = np.take_along_axis(patterns, positions, axis=1)
    return mt.tensor(full[:, :LENGTH]), mt.tensor(full[:, LENGTH])


class NextDigit(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.embed = nn.Embedding(DIGITS, 16)
        self.lstm = nn.LSTM(16, hidden, batch_first=True)
        self.head = nn.Linear(hidden, DIGITS)

    def forward(self, digits):  # (N, LENGTH) int64 -> (N, DIGITS) logits
        _, (h_n, _) = self.lstm(self.embed(digits))
        return self.head(h_n[-1])


mt.manual_seed(0)
rng = np.random.default_rng(0)
model = NextDigit()
optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
test_x, test_y = make_batch(np.random.default_rng(1), 1000)
for step in range(1, 201):
    x, y = make_batch(rng, 64)
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        with mt.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print(f"step {step}  loss {loss.item():.3f}  test accuracy {accuracy:.3f}")
print(f"next-digit accuracy on 1000 unseen sequences: {accuracy:.1%} (chance 10%)")
assert accuracy > 0.95, "the LSTM did not learn to continue the pattern"
