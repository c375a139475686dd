#!/usr/bin/env python
"""A tiny transformer encoder learns to sort sequences of digits.

Input: 8 random digits, e.g. 4 1 7 7 0 9 2 5; target: the same digits sorted,
0 1 2 4 5 7 7 9. Output position i must find the i-th smallest digit, which needs
every position to compare itself with all the others: attention. The model is
token embeddings plus learned position embeddings, a 2-layer
``nn.TransformerEncoder`` (d_model 32, 4 heads, pre-norm) and a linear read-out per
position, trained with cross-entropy per position. 400 Adam steps (a few seconds
on CPU) sort more than 95 % of unseen sequences entirely right (chance: about 1e-8).

Run from anywhere: python examples/transformer_sort.py
"""
import numpy as np

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F

LENGTH, DIGITS, WIDTH = 8, 10, 32


class Sorter(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(DIGITS, WIDTH)
        self.positions = nn.Embedding(LENGTH, WIDTH)
        layer = nn.TransformerEncoderLayer(WIDTH, nhead=4, dim_feedforward=64, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.read_out = nn.Linear(WIDTH, DIGITS)

    def forward(self, digits):  # (N, LENGTH) int64 -> (N, LENGTH, DIGITS) logits
        x = self.tokens(digits) + self.positions(mt.arange(LENGTH))
        return self.read_out(self.encoder(x))


def make_batch(rng, n):
    digits = rng.integers(0, DIGITS, (n, LENGTH))
    return mt.tensor(digits), mt.tensor(np.sort(digits, axis=1))


mt.manual_seed(0)
rng = np.random.default_rng(0)
model = Sorter()
optimizer = mt.optim.Adam(model.parameters(), lr=3e-3)
test_x, test_y = make_batch(np.random.default_rng(1), 500)
for step in range(1, 401):
    x, y = make_batch(rng, 64)
    loss = F.cross_entropy(model(x).reshape(-1, DIGITS), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        with mt.no_grad():
            right = model(test_x).argmax(-1) == test_y
        digit_accuracy = right.float().mean().item()
        sequence_accuracy = right.all(-1).float().mean().item()
        print(f"step {step}  loss {loss.item():.3f}  digits right {digit_accuracy:.3f}  "
              f"sequences right {sequence_accuracy:.3f}")
print(f"sorted {sequence_accuracy:.1%} of 500 unseen sequences entirely right "
      f"({digit_accuracy:.1%} of digits)")
assert sequence_accuracy > 0.95, "the transformer did not learn to sort"
