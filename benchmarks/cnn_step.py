"""Time one training step of the digits CNN (batch 64, float32, Adam).

The model is ``models.build("cnn", 64, 10)``: three blocks (32, 64, 128 channels) of
Conv2d 3x3 (padding 1, no bias) -> BatchNorm2d -> ReLU -> MaxPool2d(2), then
Dropout(0.25) and Linear(128, 10). One step is forward, cross-entropy, backward, Adam update and the
loss read back. The frameworks run it from the same float32 weights on the same
minibatches: minitorch; the NumPy floor (the same step written out by hand in
NumPy, channels last, im2col with ``sliding_window_view`` and the same BLAS);
minitorch through ``mt.compile`` (the step traced, then replayed as NumPy calls); and
PyTorch on the CPU when it is installed (its model is loaded from minitorch's
state dict: the names carry over). Every framework gets the same number of
threads (``--threads``, default 1: NumPy's BLAS through threadpoolctl, PyTorch's
intra-op pool); the frameworks are interleaved (A B C A B C ...) and the report
gives per-step medians with 25-75th percentiles and the ratios within the run.
Final losses differ slightly: each framework draws its own dropout masks.

    python benchmarks/cnn_step.py              # full run (about a minute)
    python benchmarks/cnn_step.py --quick      # a few seconds
    python benchmarks/cnn_step.py --profile    # where minitorch's time goes
"""
import argparse
import cProfile
import os
import platform
import pstats
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # models/ and this checkout's minitorch

import minitorch as mt  # noqa: E402
import minitorch.nn.functional as F  # noqa: E402
import models  # noqa: E402

BATCH, LR, DROPOUT = 64, 1e-3, 0.25
CHANNELS = (32, 64, 128)  # models.CNN's default blocks
torch = None


def load_torch():
    global torch
    try:
        import torch as torch_module
    except ImportError:
        return None
    torch = torch_module
    return torch


def make_batches(steps, rng):
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x = ((x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)).astype(np.float32)
    starts = rng.integers(0, len(x) - BATCH + 1, steps)
    return [(x[s:s + BATCH], y[s:s + BATCH].astype(np.int64)) for s in starts]


def initial_state():
    """The CNN's initial weights as NumPy arrays, by state-dict name."""
    mt.manual_seed(0)
    return {k: v.numpy().copy() for k, v in models.build("cnn", 64, 10).state_dict().items()}


# ---------------------------------------------------------------------- NumPy floor
class NumpyFloor:
    """The step written out by hand in NumPy, channels last: the fastest this math runs
    in NumPy without a framework (max pooling routes ties to every maximum: after ReLU
    they are zeros, whose gradient ReLU drops anyway)."""

    label = "NumPy floor"

    def __init__(self, state):
        self.blocks = len(CHANNELS)
        params = {}
        for i in range(self.blocks):  # features.{4i}: Conv2d, features.{4i+1}: BatchNorm2d
            params[f"w{i}"] = state[f"features.{4 * i}.weight"]
            params[f"g{i}"] = state[f"features.{4 * i + 1}.weight"]
            params[f"b{i}"] = state[f"features.{4 * i + 1}.bias"]
        side = 8 // 2 ** self.blocks
        lin = state["classifier.2.weight"]  # (10, C*H*W) -> (10, H*W*C): channels last
        params["wl"] = lin.reshape(10, CHANNELS[-1], side, side).transpose(0, 2, 3, 1).reshape(
            10, -1)
        params["bl"] = state["classifier.2.bias"]
        self.params = {k: v.astype(np.float32).copy() for k, v in params.items()}
        self.m = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.running = {f"{kind}{i}": (np.zeros if kind == "m" else np.ones)(c, np.float32)
                        for i, c in enumerate(CHANNELS) for kind in "mv"}
        self.t = 0
        self.rng = np.random.default_rng(0)

    @staticmethod
    def conv(x, w):
        """3x3 convolution, padding 1, of x (N, H, W, C): columns and output (N*H*W, O)."""
        n, h, width, c = x.shape
        padded = np.zeros((n, h + 2, width + 2, c), np.float32)
        padded[:, 1:-1, 1:-1] = x
        windows = sliding_window_view(padded, (3, 3), axis=(1, 2))  # (N, H, W, C, 3, 3)
        columns = np.empty((n, h, width, 3, 3, c), np.float32)
        columns[...] = windows.transpose(0, 1, 2, 4, 5, 3)
        columns = columns.reshape(n * h * width, 9 * c)
        kernel = w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)
        return columns, columns @ kernel.T

    @staticmethod
    def conv_backward(grad, columns, w, shape, need_input):
        kernel = w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)
        grad_w = (grad.T @ columns).reshape(w.shape[0], 3, 3, -1).transpose(0, 3, 1, 2)
        if not need_input:
            return grad_w, None
        n, h, width, c = shape
        per_offset = (grad @ kernel).reshape(n, h, width, 3, 3, c)
        padded = np.zeros((n, h + 2, width + 2, c), np.float32)
        for i in range(3):
            for j in range(3):
                padded[:, i:i + h, j:j + width] += per_offset[:, :, :, i, j]
        return grad_w, padded[:, 1:-1, 1:-1]

    def batch_norm(self, x, gamma, beta, i):
        count = x.shape[0]
        mean = x.mean(0)
        centered = x - mean
        var = (centered * centered).mean(0)
        inv = 1 / np.sqrt(var + 1e-5)
        normalized = centered * inv
        self.running[f"m{i}"] = 0.9 * self.running[f"m{i}"] + 0.1 * mean
        self.running[f"v{i}"] = 0.9 * self.running[f"v{i}"] + 0.1 * var * count / (count - 1)
        return normalized, inv, normalized * gamma + beta

    @staticmethod
    def batch_norm_backward(grad, normalized, inv, gamma):
        scaled = grad * gamma
        grad_x = inv * (scaled - scaled.mean(0) - normalized * (scaled * normalized).mean(0))
        return grad_x, (grad * normalized).sum(0), grad.sum(0)

    def step(self, x, y):
        p, n = self.params, len(x)
        grads, saved = {}, []
        h = x.reshape(n, 8, 8, 1)
        for i in range(self.blocks):  # conv -> batch norm -> relu -> 2x2 max pool
            shape = h.shape
            columns, h = self.conv(h, p[f"w{i}"])  # (N*H*W, C)
            normalized, inv, h = self.batch_norm(h, p[f"g{i}"], p[f"b{i}"], i)
            relu = h > 0
            h = h * relu
            _, side, _, c = shape[0], shape[1], shape[2], h.shape[1]
            blocks = h.reshape(n, side // 2, 2, side // 2, 2, c)
            pooled = blocks.max(axis=(2, 4))
            route = blocks == pooled[:, :, None, :, None]
            saved.append((shape, columns, normalized, inv, relu, route))
            h = pooled
        keep = (self.rng.random((n, h[0].size)) >= DROPOUT).astype(np.float32) / (1 - DROPOUT)
        features = h.reshape(n, -1) * keep
        logits = features @ p["wl"].T + p["bl"]
        shifted = logits - logits.max(1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(1, keepdims=True)
        rows = np.arange(n)
        loss = (np.log(total[:, 0]) - shifted[rows, y]).mean()
        grad = exp / total  # backward from here
        grad[rows, y] -= 1
        grad /= n
        grads["wl"], grads["bl"] = grad.T @ features, grad.sum(0)
        grad = (grad @ p["wl"]) * keep
        for i in reversed(range(self.blocks)):
            shape, columns, normalized, inv, relu, route = saved[i]
            side, c = shape[1], route.shape[-1]
            grad = (route * grad.reshape(n, side // 2, 1, side // 2, 1, c)).reshape(-1, c) * relu
            grad, grads[f"g{i}"], grads[f"b{i}"] = self.batch_norm_backward(
                grad, normalized, inv, p[f"g{i}"])
            grads[f"w{i}"], grad = self.conv_backward(grad, columns, p[f"w{i}"], shape, i > 0)
        self.t += 1  # Adam, PyTorch's update with the default betas and eps
        correction1, correction2 = 1 - 0.9 ** self.t, 1 - 0.999 ** self.t
        for key, value in p.items():
            g, m, v = grads[key], self.m[key], self.v[key]
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            value -= (LR / correction1) * m / (np.sqrt(v / correction2) + 1e-8)
        return float(loss)


# ------------------------------------------------------------ minitorch and PyTorch
class Minitorch:
    label = "minitorch"

    def __init__(self, state):
        self.model = models.build("cnn", 64, 10)
        self.model.load_state_dict({k: mt.from_numpy(v.copy()) for k, v in state.items()})
        self.optimizer = mt.optim.Adam(self.model.parameters(), lr=LR)

    @staticmethod
    def convert(array):
        return mt.from_numpy(array)

    def step(self, x, y):
        loss = F.cross_entropy(self.model(x), y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()


class MinitorchCompiled(Minitorch):
    """The same step through ``mt.compile`` (traced twice, then replayed)."""

    label = "minitorch compiled"

    def __init__(self, state):
        super().__init__(state)
        self.train_step = mt.compile(self.train_step)

    def train_step(self, x, y):
        loss = F.cross_entropy(self.model(x), y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss

    def step(self, x, y):
        return self.train_step(x, y).item()


class Torch:
    label = "PyTorch"

    def __init__(self, state):
        nn = torch.nn
        self.model = nn.Module()
        layers, width = [], 1
        for c in CHANNELS:  # models.CNN's layers, PyTorch's modules
            layers += [nn.Conv2d(width, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                       nn.ReLU(), nn.MaxPool2d(2)]
            width = c
        side = 8 // 2 ** len(CHANNELS)
        self.model.features = nn.Sequential(*layers)
        self.model.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(DROPOUT),
                                              nn.Linear(width * side * side, 10))
        self.model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR)

    @staticmethod
    def convert(array):
        return torch.from_numpy(array)

    def step(self, x, y):
        out = self.model.classifier(self.model.features(x.reshape(-1, 1, 8, 8)))
        loss = torch.nn.functional.cross_entropy(out, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()


NumpyFloor.convert = staticmethod(lambda array: array)


def run(frameworks, rounds, steps_per_round):
    batches = make_batches(rounds * steps_per_round, np.random.default_rng(0))
    state = initial_state()
    runners = {f: f(state) for f in frameworks}
    inputs = {f: [(f.convert(x), f.convert(y)) for x, y in batches] for f in frameworks}
    times = {f: [] for f in frameworks}
    losses = {}
    for r in range(rounds):
        for f in frameworks:  # interleaved
            for k in range(r * steps_per_round, (r + 1) * steps_per_round):
                x, y = inputs[f][k]
                start = time.perf_counter()
                losses[f] = runners[f].step(x, y)
                times[f].append(time.perf_counter() - start)
    warm = steps_per_round  # the first round warms up caches and allocators
    return {f: (np.array(times[f][warm:]), losses[f]) for f in frameworks}


def report(results):
    medians = {f.label: np.median(t) * 1e3 for f, (t, _) in results.items()}
    lines = ["| framework | median ms/step | 25-75th pct ms | x floor | x PyTorch | final loss |",
             "|---|---:|---:|---:|---:|---:|"]
    for f, (t, loss) in results.items():
        q25, q75 = np.percentile(t, [25, 75]) * 1e3
        torch_ratio = (f"{medians[f.label] / medians['PyTorch']:.2f}" if "PyTorch" in medians
                       else "-")
        lines.append(f"| {f.label} | {medians[f.label]:.2f} | {q25:.2f}-{q75:.2f} | "
                     f"{medians[f.label] / medians['NumPy floor']:.2f} | {torch_ratio} | "
                     f"{loss:.4f} |")
    return "\n".join(lines)


def profile(steps):
    """cProfile of minitorch's steps: the functions with the most time of their own."""
    runner = Minitorch(initial_state())
    batches = [(mt.from_numpy(x), mt.from_numpy(y)) for x, y in make_batches(steps + 20,
                                                                             np.random.default_rng(0))]
    for x, y in batches[:20]:
        runner.step(x, y)
    profiler = cProfile.Profile()
    profiler.enable()
    for x, y in batches[20:]:
        runner.step(x, y)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(entry[2] for entry in stats.stats.values())
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:15]
    lines = ["| function | calls/step | ms/step (own) | share |", "|---|---:|---:|---:|"]
    for (filename, line, name), (calls, _, own, _, _) in rows:
        where = os.path.relpath(filename, ROOT) if filename.startswith(ROOT) else filename
        where = f"{where}:{line} {name}" if line else name
        lines.append(f"| `{where}` | {calls / steps:.1f} | {own / steps * 1e3:.3f} | "
                     f"{own / total:.0%} |")
    return "\n".join(lines) + f"\n\n(profiled total {total / steps * 1e3:.2f} ms/step)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds")
    parser.add_argument("--threads", type=int, default=1, help="threads for every framework")
    parser.add_argument("--profile", action="store_true", help="profile minitorch's step")
    args = parser.parse_args()
    from threadpoolctl import threadpool_info, threadpool_limits
    threadpool_limits(args.threads)
    if not args.profile:
        load_torch()
    if torch is not None:
        torch.set_num_threads(args.threads)
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                     for i in threadpool_info())
    print(f"date: {time.strftime('%Y-%m-%d')}; {platform.machine()} "
          f"{platform.processor() or platform.platform()}; python {platform.python_version()}; "
          f"numpy {np.__version__}; BLAS: {blas}"
          + (f"; PyTorch {torch.__version__} ({torch.get_num_threads()} threads)" if torch
             else "; PyTorch not installed: its row is skipped"))
    if args.profile:
        print(profile(100 if args.quick else 500))
        return
    frameworks = [NumpyFloor, Minitorch, MinitorchCompiled] + ([Torch] if torch is not None
                                                                else [])
    rounds, steps = (4, 10) if args.quick else (21, 25)
    print(report(run(frameworks, rounds, steps)))


if __name__ == "__main__":
    main()
