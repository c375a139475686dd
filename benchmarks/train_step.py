"""Time one training step (forward, loss, backward, SGD update, loss read back).

Four workloads, each run by minitorch, by the NumPy floor (the same step written
out by hand in NumPy, with the same BLAS) and by PyTorch when it is installed.
Every framework starts from the same float32 weights and sees the same
minibatches; the frameworks are interleaved (A B C A B C ...) and the report
gives per-step medians with 25-75th percentiles, ratios to the floor and to
PyTorch from the same run, and each framework's final loss (equal work).

    python benchmarks/train_step.py            # full run (a few minutes)
    python benchmarks/train_step.py --quick    # under a minute
    python benchmarks/train_step.py --memory   # peak RSS of W3, growth over W1 steps
    python benchmarks/train_step.py --profile W1   # where a replayed (mt.compile) step goes

"minitorch compiled" is the same step through ``mt.compile``: traced on its first two
calls, then replayed as plain NumPy calls. The first two steps of every framework are
run but not timed (warm-up).
"""
import argparse
import importlib.util
import json
import platform
import resource
import subprocess
import sys
import time
import timeit
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits, make_moons

import minitorch as mt

torch = None  # PyTorch is optional: imported by load_torch() only when compared against


def load_torch():
    """Import PyTorch if it is installed (not in memory runs of the other frameworks)."""
    global torch
    try:
        import torch as torch_module
    except ImportError:
        return None
    torch = torch_module
    return torch


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    sizes: tuple  # layer widths, input first
    batch: int  # 0 = full batch
    lr: float
    momentum: float
    hinge: bool = False  # micrograd's demo: hinge loss + L2, lr decaying 1.0 -> 0.1


WORKLOADS = {
    "W1": Workload("W1", "two-moons, MLP 2-16-16-2, batch 32", (2, 16, 16, 2), 32, 0.1, 0.9),
    "W2": Workload("W2", "digits, MLP 64-256-256-10, batch 128", (64, 256, 256, 10), 128,
                   0.05, 0.9),
    "W3": Workload("W3", "synthetic 512 features, MLP 512-2048-2048-10, batch 512",
                   (512, 2048, 2048, 10), 512, 0.01, 0.9),
    "W4": Workload("W4", "micrograd's demo: moons n=100, MLP 2-16-16-1, hinge + L2, full batch",
                   (2, 16, 16, 1), 0, 1.0, 0.0, hinge=True),
}


def make_data(workload, rng):
    """Features (float32) and targets: class indices, or -1/+1 labels for the hinge loss."""
    if workload.name == "W1":
        x, y = make_moons(1024, noise=0.1, random_state=0)
    elif workload.name == "W2":
        x, y = load_digits(return_X_y=True)
        x = x / 16.0
    elif workload.name == "W3":
        x = rng.standard_normal((4096, 512))
        y = rng.integers(0, 10, 4096)
    else:
        x, y = make_moons(100, noise=0.1, random_state=1)
        return x.astype(np.float32), (2 * y - 1).astype(np.float32)
    return x.astype(np.float32), y.astype(np.int64)


def initial_weights(sizes, rng):
    """PyTorch-style uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights and biases, float32."""
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


def learning_rate(workload, step, total):
    return 1.0 - 0.9 * step / total if workload.hinge else workload.lr


# ---------------------------------------------------------------- NumPy floor
class NumpyFloor:
    """The training step written out by hand: the fastest this math runs in NumPy."""

    label = "NumPy floor"

    def __init__(self, workload, weights):
        self.workload = workload
        self.params = [w.copy() for w in weights]
        self.buffers = [np.zeros_like(w) for w in weights]

    def step(self, x, y, lr):
        params = self.params
        n_layers = len(params) // 2
        inputs, masks = [], []
        h = x
        for i in range(n_layers):
            inputs.append(h)
            h = h @ params[2 * i].T + params[2 * i + 1]
            if i < n_layers - 1:
                mask = h > 0
                h *= mask
                masks.append(mask)
        if self.workload.hinge:
            margins = 1 - y[:, None] * h
            active = margins > 0
            loss = (margins * active).mean() + 1e-4 * sum((p * p).sum() for p in params)
            g = -(y[:, None] * active).astype(np.float32) / len(x)
        else:
            shifted = h - h.max(1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(1, keepdims=True)
            rows = np.arange(len(x))
            loss = (np.log(total[:, 0]) - shifted[rows, y]).mean()
            g = exp / total
            g[rows, y] -= 1
            g /= len(x)
        grads = [None] * len(params)
        for i in reversed(range(n_layers)):
            grads[2 * i] = g.T @ inputs[i]
            grads[2 * i + 1] = g.sum(0)
            if i > 0:
                g = g @ params[2 * i]
                g *= masks[i - 1]
        momentum = self.workload.momentum
        for p, grad, buffer in zip(params, grads, self.buffers):
            if self.workload.hinge:
                grad += 2e-4 * p
            if momentum:
                buffer *= momentum
                buffer += grad
                grad = buffer
            p -= lr * grad
        return float(loss)


# ------------------------------------------------------------- minitorch and PyTorch
class Framework:
    """The training step as a user writes it, in a library with PyTorch's API."""

    label = None

    @staticmethod
    def library():
        raise NotImplementedError

    def __init__(self, workload, weights):
        lib = self.library()
        self.workload = workload
        self.model = _sequential(lib.nn, workload.sizes)
        with lib.no_grad():
            for p, w in zip(self.model.parameters(), weights):
                p.copy_(lib.from_numpy(w))
        self.optimizer = lib.optim.SGD(self.model.parameters(), lr=workload.lr,
                                       momentum=workload.momentum)
        self.cross_entropy = lib.nn.functional.cross_entropy

    def step(self, x, y, lr):
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return self.train_step(x, y).item()

    def train_step(self, x, y):
        scores = self.model(x)
        if self.workload.hinge:
            loss = (1 - y.unsqueeze(1) * scores).relu().mean()
            loss = loss + 1e-4 * sum((p * p).sum() for p in self.model.parameters())
        else:
            loss = self.cross_entropy(scores, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss


class Minitorch(Framework):
    label = "minitorch"

    @staticmethod
    def library():
        return mt


class MinitorchCompiled(Minitorch):
    """The same step through ``mt.compile``: traced on its first calls, then replayed
    as plain NumPy calls (the optimizer reads the lr set in ``step`` at each replay)."""

    label = "minitorch compiled"

    def __init__(self, workload, weights):
        super().__init__(workload, weights)
        self.train_step = mt.compile(self.train_step)


class Torch(Framework):
    label = "PyTorch"

    @staticmethod
    def library():
        return torch


def _sequential(nn, sizes):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _convert(framework, array):
    if framework in (Minitorch, MinitorchCompiled):
        return mt.from_numpy(array)
    if framework is Torch:
        return torch.from_numpy(array)
    return array


# --------------------------------------------------------------------------- running
WARMUP = 2  # each framework's first steps are not timed (mt.compile traces in them)


def run_workload(workload, rounds, steps_per_round, frameworks):
    rng = np.random.default_rng(0)
    x, y = make_data(workload, rng)
    weights = initial_weights(workload.sizes, rng)
    total = rounds * steps_per_round
    if workload.batch:
        order = rng.integers(0, len(x) - workload.batch + 1, total)
        batches = [(x[s:s + workload.batch], y[s:s + workload.batch]) for s in order]
    else:
        batches = [(x, y)] * total
    runners = {f: f(workload, weights) for f in frameworks}
    inputs = {f: [(_convert(f, bx), _convert(f, by)) for bx, by in batches] for f in frameworks}
    times = {f: [] for f in frameworks}
    losses = {f: None for f in frameworks}
    for r in range(rounds):
        for f in frameworks:  # interleaved: A B C A B C ...
            runner = runners[f]
            for k in range(r * steps_per_round, (r + 1) * steps_per_round):
                bx, by = inputs[f][k]
                lr = learning_rate(workload, k, total)
                start = time.perf_counter()
                losses[f] = runner.step(bx, by, lr)
                if k >= WARMUP:
                    times[f].append(time.perf_counter() - start)
    return {f: (np.array(times[f]), losses[f]) for f in frameworks}


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                         for i in threadpool_info())
    except ImportError:
        return "unknown (threadpoolctl not installed)"


def report(results):
    lines = ["| workload | framework | median ms/step | 25-75th pct ms | x floor | x PyTorch "
             "| final loss |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for workload, by_framework in results.items():
        medians = {f.label: np.median(t) * 1e3 for f, (t, _) in by_framework.items()}
        for f, (t, loss) in by_framework.items():
            q25, q75 = np.percentile(t, [25, 75]) * 1e3
            ratio_floor = medians[f.label] / medians["NumPy floor"]
            ratio_torch = (f"{medians[f.label] / medians['PyTorch']:.2f}"
                           if "PyTorch" in medians else "-")
            lines.append(f"| {workload.name} | {f.label} | {medians[f.label]:.3f} | "
                         f"{q25:.3f}-{q75:.3f} | {ratio_floor:.2f} | {ratio_torch} | {loss:.6f} |")
    return "\n".join(lines)


def memory_child(framework_name, workload_name, steps):
    """Run in a subprocess: train, print peak RSS (MiB) and RSS growth as JSON."""
    if framework_name == "torch":
        load_torch()
    framework = {"floor": NumpyFloor, "minitorch": Minitorch, "compiled": MinitorchCompiled,
                 "torch": Torch}[framework_name]
    workload = WORKLOADS[workload_name]
    rng = np.random.default_rng(0)
    x, y = make_data(workload, rng)
    runner = framework(workload, initial_weights(workload.sizes, rng))
    batch = workload.batch or len(x)
    bx, by = _convert(framework, x[:batch]), _convert(framework, y[:batch])

    def rss_mib():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    checkpoints = {}
    for k in range(steps):
        runner.step(bx, by, learning_rate(workload, k, steps))
        if k + 1 in (steps // 10, steps):
            checkpoints[k + 1] = rss_mib()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mib": peak, "rss_mib": checkpoints}))


def run_memory(quick):
    # each framework runs in a fresh process; this one never imports PyTorch, whose
    # import changes the environment that the children inherit
    has_torch = importlib.util.find_spec("torch") is not None
    frameworks = ["floor", "minitorch", "compiled"] + (["torch"] if has_torch else [])
    lines = ["| measurement | " + " | ".join(frameworks) + " |",
             "|---|" + "---:|" * len(frameworks)]
    for workload, steps, key in (("W3", 5 if quick else 20, "peak_mib"),
                                 ("W1", 1000 if quick else 10000, "rss_mib")):
        row = []
        for name in frameworks:
            command = [sys.executable, __file__, "--memory-child", name, workload, str(steps)]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            data = json.loads(out.strip().splitlines()[-1])
            if key == "peak_mib":
                row.append(f"{data['peak_mib']:.0f} MiB")
            else:
                rss = {int(k): v for k, v in data["rss_mib"].items()}
                first, last = rss[min(rss)], rss[max(rss)]
                row.append(f"{first:.1f} -> {last:.1f} MiB")
        label = (f"{workload} peak RSS ({steps} steps)" if key == "peak_mib"
                 else f"{workload} RSS after {steps // 10} -> {steps} steps")
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def profile_compiled(name, steps=2000):
    """Time each line of a replayed step (mt.compile) alone, grouped by what it does,
    next to the whole compiled step and the floor's step (microseconds per step)."""
    workload = WORKLOADS[name]
    rng = np.random.default_rng(0)
    x, y = make_data(workload, rng)
    weights = initial_weights(workload.sizes, rng)
    batch = workload.batch or len(x)
    runner, floor = MinitorchCompiled(workload, weights), NumpyFloor(workload, weights)
    inputs = [mt.from_numpy(x[:batch]), mt.from_numpy(y[:batch])]
    for _ in range(3):
        runner.step(*inputs, workload.lr)
    recording = runner.train_step._last

    def per_step(fn):
        return min(timeit.repeat(fn, number=steps, repeat=5)) / steps * 1e6

    floor_us = per_step(lambda: floor.step(x[:batch], y[:batch], workload.lr))
    step_us = per_step(lambda: runner.step(*inputs, workload.lr))
    namespace = dict(recording.namespace, inputs=inputs)
    kinds = {}
    body = recording.code.splitlines()[1:-1]  # the lines between `def` and `return`
    for line in body:
        source = line.split("  # ")[0].strip()
        where = line.split("  # ")[1] if "  # " in line else ""
        code = compile(source, "<replay line>", "exec")
        with np.errstate(all="ignore"):  # a line repeated alone drifts to inf: no matter
            seconds = per_step(lambda code=code: exec(code, namespace))  # noqa: S102
        kind = _line_kind(source, where)
        count, total = kinds.get(kind, (0, 0.0))
        kinds[kind] = (count + 1, total + seconds)
    lines = [f"{name}: compiled step {step_us:.1f} us (whole call: signature, guards, replay, "
             f"output), NumPy floor {floor_us:.1f} us; the replay's lines timed one by one:",
             "", "| lines of the replay | count | us per step | share |", "|---|---:|---:|---:|"]
    total = sum(t for _, t in kinds.values())
    for kind, (count, seconds) in sorted(kinds.items(), key=lambda item: -item[1][1]):
        lines.append(f"| {kind} | {count} | {seconds:.1f} | {100 * seconds / total:.0f} % |")
    lines.append(f"| all lines | {sum(c for c, _ in kinds.values())} | {total:.1f} | 100 % |")
    return "\n".join(lines)


def _line_kind(source, where):
    if source.startswith(("x", "inputs")) and "inputs[" in source:
        return "copy the inputs into their buffers"
    if "raise Diverged" in source or "functional.py" in where.split(",")[0]:
        return "cross_entropy's target range check (replayed as a check)"
    if "._grad" in source:
        return "set .grad of the parameters"
    if source.endswith("()"):
        return f"`{source.split('0(')[0].replace('_', '.', 1)}()` (called, not recorded)"
    function = where.split(" ")[1].rstrip(",") if " " in where else ""
    if function == "forward" and "loss.py" not in where:
        return "forward: layers (matmul, add, relu)"
    if "loss.py" in where and function == "forward":
        return "forward: fused cross-entropy"
    if function == "_softmax" or "loss.py" in where:
        return "backward: cross-entropy (softmax again, minus one-hot)"
    return "backward: layers (matmuls, bias sums, relu masks)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps: under a minute")
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--memory", action="store_true", help="measure memory instead of time")
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--profile", metavar="WORKLOAD",
                        help="profile a replayed step of mt.compile instead (e.g. W1)")
    args = parser.parse_args()
    if args.profile:
        print(profile_compiled(args.profile))
        return
    if args.memory_child:
        memory_child(args.memory_child[0], args.memory_child[1], int(args.memory_child[2]))
        return
    if not args.memory:
        load_torch()
    print(f"date: {time.strftime('%Y-%m-%d')}; machine: {platform.machine()}, "
          f"{platform.processor() or platform.platform()}; python {platform.python_version()}; "
          f"numpy {np.__version__}; BLAS: {blas_info()}")
    if args.memory:
        print(run_memory(args.quick))
        return
    if torch is None:
        print("(PyTorch is not installed: its rows are skipped)")
    else:
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads")
    frameworks = [NumpyFloor, Minitorch, MinitorchCompiled] + ([Torch] if torch is not None else [])
    plan = {"W1": (20, 100), "W2": (20, 50), "W3": (20, 1), "W4": (20, 25)}
    if args.quick:
        plan = {"W1": (5, 50), "W2": (5, 20), "W3": (2, 2), "W4": (5, 20)}
    results = {}
    for name in args.workloads.split(","):
        workload = WORKLOADS[name]
        rounds, steps = plan[name]
        results[workload] = run_workload(workload, rounds, steps, frameworks)
        print(f"{name} ({workload.description}): done", file=sys.stderr)
    print(report(results))


if __name__ == "__main__":
    main()
