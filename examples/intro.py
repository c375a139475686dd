#!/usr/bin/env python
"""The two introductory examples of reverse-mode differentiation.

1. c = a * b at a = 1, b = 0: dc/da = b = 0 and dc/db = a = 1.
2. d(a, b, c) = a * (b + c) at a=2.2, b=-1.8, c=0.1: the chain rule gives
   dd/da = b + c = -1.7 and dd/db = dd/dc = a = 2.2.

Run from anywhere: python examples/intro.py
"""
import minitorch as mt
from minitorch import viz

# 1. A product: c = a * b at a = 1, b = 0, so dc/da = b = 0 and dc/db = a = 1.
a = mt.ones(1, requires_grad=True)
b = mt.zeros(1, requires_grad=True)
c = a * b
c.backward()
print("a gradient:", a.grad, "| b gradient:", b.grad)
assert a.grad.tolist() == [0.0] and b.grad.tolist() == [1.0]

# 2. The classic a * (b + c); retain_grads keeps the gradient of the sum e as well.
with mt.autograd.retain_grads():
    a = mt.tensor(2.2, requires_grad=True)
    b = mt.tensor(-1.8, requires_grad=True)
    c = mt.tensor(0.1, requires_grad=True)
    e = b + c
    d = a * e
for tensor, name in ((a, "a"), (b, "b"), (c, "c"), (e, "e"), (d, "d")):
    tensor.name = name
d.backward()
print(f"\nd = a * (b + c) = {d.item():.4g}")
print(f"dd/da = {a.grad.item():.4g}, dd/db = {b.grad.item():.4g}, dd/dc = {c.grad.item():.4g}")
assert abs(a.grad.item() - (-1.7)) < 1e-6
assert abs(b.grad.item() - 2.2) < 1e-6 and abs(c.grad.item() - 2.2) < 1e-6

print("\nThe graph that backward() walked, from the output back to the inputs:")
viz.print_graph(d)
