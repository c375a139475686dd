#!/usr/bin/env python
"""Measure the README's results table: every data set, its default model, minitorch
vs scikit-learn's comparable model on the same split, and minitorch's fit time.

    python benchmarks/datasets_table.py                 # seed 0, as `python train.py --dataset X`
    python benchmarks/datasets_table.py --seeds 0 1 2   # mean over several splits
    python benchmarks/datasets_table.py --datasets moons iris
    python benchmarks/datasets_table.py --datasets digits --model cnn --seeds 0 1 2 3 4

Each row runs exactly what `python train.py --dataset NAME --compare-sklearn` runs
(train.py's per-data-set defaults), single-threaded BLAS. The time is minitorch's
wall time for all epochs, including the evaluation on train and test after each one.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")           # one core, before NumPy is imported

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import datasets  # noqa: E402
import train  # noqa: E402
from minitorch.sklearn import sklearn_baseline  # noqa: E402
from minitorch.training import HEADLINE  # noqa: E402


def measure(name: str, seed: int, model: str | None = None) -> dict:
    given = {"dataset": name, "seed": seed, **({"model": model} if model else {})}
    config = train.make_config(given)
    result = train.fit(config)
    if result.status != "completed":
        raise RuntimeError(f"{name}: {result.message}")
    hidden = config.hidden if config.model == "mlp" else ()
    sk = sklearn_baseline(result.split, hidden, config.activation, config.seed)
    key = HEADLINE[result.split.task]
    return {"minitorch": result.final["test"][key], "sklearn": sk["test"][key],
            "seconds": result.seconds, "sk_seconds": sk["seconds"], "metric": key,
            "config": config, "estimator": sk["estimator"],
            "n_parameters": sum(p.numel() for p in result.model.parameters())}


def training(c: train.RunConfig) -> str:
    text = f"{c.epochs} ep, {c.optimizer} lr {c.lr:g}, bs {c.batch_size}"
    if c.weight_decay:
        text += f", wd {c.weight_decay:g}"
    if c.dropout:
        text += f", dropout {c.dropout:g}"
    return text


def row(name: str, runs: list[dict]) -> str:
    first = runs[0]
    mean = lambda k: float(np.mean([r[k] for r in runs]))  # noqa: E731
    split = datasets.load(name, seed=0)
    scale, unit = (100, "%") if first["metric"] == "accuracy" else (1, "")
    metric = "accuracy" if first["metric"] == "accuracy" else "R²"
    fmt = (lambda v: f"{v * scale:.1f}{unit}") if unit else (lambda v: f"{v:.3f}")
    c = first["config"]
    hidden = "-".join(map(str, [split.n_features, *c.hidden, split.n_outputs]))
    model = f"MLP {hidden}" if c.model == "mlp" else \
        f"{c.model} ({first['n_parameters']:,} parameters)"
    delta = mean("minitorch") - mean("sklearn")
    each = ""
    if len(runs) > 1:
        each = " (" + ", ".join(fmt(r["minitorch"]) for r in runs) + ")"
    return (f"| {name} | {split.task} | {len(split.X_train)}/{len(split.X_test)} | {model} | "
            f"{training(c)} | "
            f"test {metric} | **{fmt(mean('minitorch'))}**{each} | {fmt(mean('sklearn'))} | "
            f"{f'{delta * 100:+.1f} pt' if unit else f'{delta:+.3f}'} | {mean('seconds'):.2f} s | "
            f"{mean('sk_seconds'):.2f} s |")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--datasets", nargs="+", default=list(datasets.available()),
                   choices=list(datasets.available()))
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--model", help="a model of models.available() instead of each data set's "
                                   "default (mlp)")
    args = p.parse_args(argv)
    seeds = ", ".join(map(str, args.seeds))
    print(f"Seeds: {seeds} (mean over seeds). Time: minitorch fit incl. per-epoch evaluation, "
          "one core.\n")
    print("| data set | task | train/test | model | training | metric | minitorch | "
          "scikit-learn | Δ | minitorch time | sklearn time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.datasets:
        print(row(name, [measure(name, seed, args.model) for seed in args.seeds]), flush=True)


if __name__ == "__main__":
    main()
