"""Per-operation overhead: microseconds per forward op and per forward+backward.

Small (16x16 float32) inputs, so the figures measure framework overhead rather
than arithmetic. Compares minitorch with the same computation in raw NumPy
(forward, and forward plus the hand-written backward) and with PyTorch when it
is installed (it is not a dependency).

    python benchmarks/ops.py [--size 16] [--repeat 7] [--number 2000]
"""
import argparse
import timeit

import numpy as np

import minitorch as mt

try:
    import torch
except ImportError:  # PyTorch is optional here
    torch = None


def numpy_cases(a, b, g):
    """name -> (forward, forward + backward) in raw NumPy."""
    return {
        "add": (lambda: a + b, lambda: (a + b, g, g)),
        "mul": (lambda: a * b, lambda: (a * b, g * b, g * a)),
        "matmul": (lambda: a @ b, lambda: (a @ b, g @ b.T, a.T @ g)),
        "relu": (lambda: np.maximum(a, 0), lambda: (np.maximum(a, 0), np.where(a > 0, g, 0))),
        "sum": (lambda: a.sum(), lambda: (a.sum(), np.broadcast_to(np.float32(1), a.shape).copy())),
    }


def framework_cases(lib, a, b, g):
    """name -> (forward, forward + backward) for minitorch or torch tensors."""
    def fwd_bwd(fn, grad):
        def run():
            a.grad = None
            b.grad = None
            fn().backward(grad)
        return run

    one = lib.ones(()) if lib is mt else torch.ones(())
    return {
        "add": (lambda: a + b, fwd_bwd(lambda: a + b, g)),
        "mul": (lambda: a * b, fwd_bwd(lambda: a * b, g)),
        "matmul": (lambda: a @ b, fwd_bwd(lambda: a @ b, g)),
        "relu": (lambda: a.relu(), fwd_bwd(lambda: a.relu(), g)),
        "sum": (lambda: a.sum(), fwd_bwd(lambda: a.sum(), one)),
    }


def time_us(fn, repeat, number):
    fn()
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    a_np, b_np, g_np = (rng.standard_normal((args.size, args.size)).astype(np.float32)
                        for _ in range(3))
    columns = {"NumPy": numpy_cases(a_np, b_np, g_np)}
    columns["minitorch"] = framework_cases(
        mt, mt.tensor(a_np, requires_grad=True), mt.tensor(b_np, requires_grad=True),
        mt.tensor(g_np))
    if torch is not None:
        torch.set_num_threads(1)
        columns[f"PyTorch {torch.__version__.split('+')[0]}"] = framework_cases(
            torch, torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True),
            torch.tensor(g_np))
    else:
        print("(PyTorch not installed: its columns are skipped)")

    names = list(columns)
    header = " | ".join(f"{n} fwd | {n} fwd+bwd" for n in names)
    print(f"{args.size}x{args.size} float32, microseconds per call (best of {args.repeat})\n")
    print(f"| op | {header} |")
    print("|---|" + "---:|" * (2 * len(names)))
    for op in columns["NumPy"]:
        cells = []
        for name in names:
            forward, both = columns[name][op]
            cells += [f"{time_us(forward, args.repeat, args.number):.1f}",
                      f"{time_us(both, args.repeat, args.number):.1f}"]
        print(f"| {op} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
