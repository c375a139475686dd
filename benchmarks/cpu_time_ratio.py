"""One workload's step in CPU time, minitorch against the NumPy floor, interleaved.

    python benchmarks/cpu_time_ratio.py W1      # or W2, W3, W4

CPU time (``time.process_time``) instead of wall time, 15 rounds of 300 steps each,
frameworks alternating, medians: for before/after comparisons of the eager hot path
(run it in two checkouts back to back). ``train_step.py`` is the full benchmark.
"""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import train_step as ts  # noqa: E402  (the workloads and both step implementations)


def main(name):
    workload = ts.WORKLOADS[name]
    rng = np.random.default_rng(0)
    x, y = ts.make_data(workload, rng)
    weights = ts.initial_weights(workload.sizes, rng)
    runs = {}
    for cls in (ts.NumpyFloor, ts.Minitorch):
        step = cls(workload, weights)
        xs, ys = ts._convert(cls, x), ts._convert(cls, y)
        if workload.batch:
            xs, ys = xs[:workload.batch], ys[:workload.batch]
        runs[cls.label] = (step, xs, ys, [])
    for _ in range(15):
        for step, xs, ys, times in runs.values():
            start = time.process_time()
            for _ in range(300):
                step.step(xs, ys, 0.1)
            times.append((time.process_time() - start) / 300 * 1e6)
    floor = np.median(runs[ts.NumpyFloor.label][3])
    mini = np.median(runs[ts.Minitorch.label][3])
    print(f"{name}: floor {floor:.1f} us, minitorch {mini:.1f} us, ratio {mini / floor:.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "W1")
