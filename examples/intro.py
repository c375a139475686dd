#!/usr/bin/env python
"""The two introductory examples of reverse-mode differentiation.

1. f(a, b) = a * b: df/da = b and df/db = a.
2. d(a, b, c) = a * (b + c) at a=2.2, b=-1.8, c=0.1: the chain rule gives
   dd/da = b + c = -1.7 and dd/db = dd/dc = a = 2.2.

Run from anywhere: python examples/intro.py
"""
import minitorch as mt
from minitorch import viz

# 1. A product of two numbers.
a = mt.tensor(3.0, requires_grad=True)
b = mt.tensor(-2.0, requires_grad=True)
f = a * b
f.backward()
print(f"f = a * b = {f.item():g}; df/da = {a.grad.item():g} (= b), df/db = {b.grad.item():g} (= a)")
assert a.grad.item() == b.item() and b.grad.item() == a.item()

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
