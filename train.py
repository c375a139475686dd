#!/usr/bin/env python
"""Train a minitorch model on a scikit-learn toy data set: a thin command line over
``minitorch.training`` that wires in the repository's ``datasets`` and ``models``.

    python train.py --dataset digits --epochs 50 --json digits.json --plot digits.png
    python train.py --save run.npz; python train.py --resume run.npz --epochs 60

Options left out take the data set's defaults (``datasets.SPECS[name].train``), then
``RunConfig``'s. Everything that can be checked is checked before training."""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, fields

import minitorch as mt
from minitorch import training
from minitorch.sklearn import sklearn_baseline
from minitorch.training import cli
from minitorch.training.config import (LAYER_WIDTHS, NONNEGATIVE, OPEN_UNIT_INTERVAL,
                                       POSITIVE_INT, UNIT_INTERVAL, one_of, option)

import datasets
import models


@dataclass
class RunConfig(training.TrainConfig):
    """TrainConfig plus the data set and the model: what a checkpoint's config holds."""
    dataset: str = option("moons", one_of(*datasets.SPECS), "the data set")
    data: dict = option({}, None, "the data set's parameters")
    test_size: float = option(0.2, OPEN_UNIT_INTERVAL, "fraction held out for testing")
    model: str = option("mlp", one_of(*models.available()), "the model")
    hidden: tuple = option((64, 64), LAYER_WIDTHS, "MLP hidden widths, comma-separated, or none")
    activation: str = option("relu", one_of(*models.ACTIVATIONS), "MLP activation")
    dropout: float = option(0.0, UNIT_INTERVAL, "MLP dropout")


def build_parser() -> argparse.ArgumentParser:
    per_set, moons = {k for s in datasets.SPECS.values() for k in s.train}, datasets.SPECS["moons"]
    describe = lambda key, default: (  # noqa: E731
        f"(default: per data set; moons: {moons.train.get(key, default)})" if key in per_set
        else f"(default: {default})")
    listing = lambda what, things: f"{what}:\n" + "\n".join(  # noqa: E731
        f"  {k:<19}{v}" for k, v in things.items())
    p = argparse.ArgumentParser(
        description="Fit a minitorch model on a scikit-learn toy data set.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=listing("data sets", datasets.available()) + "\n\n" + listing(
            "models", models.available()))
    groups = {"data": "dataset test_size seed", "model": "model hidden activation dropout",
              "optimisation": "epochs batch_size optimizer lr momentum weight_decay"}
    data = cli.add_config_arguments(p, RunConfig, groups, describe)["data"]
    data.add_argument("--n-samples", type=cli.parse_with(POSITIVE_INT),
                      help="number of samples, for generated data sets (default: per data set)")
    data.add_argument("--noise", type=cli.parse_with(NONNEGATIVE),
                      help="noise level, for generated data sets that have one (default: per set)")
    cli.add_output_arguments(p, RunConfig.RESUMABLE)
    p.add_argument("--compile", action="store_true",
                   help="trace each training step once and replay it as plain NumPy calls "
                        "(mt.compile): the same results, faster on small models")
    return p


def given_options(args) -> dict:
    """The training options the user set explicitly on the command line."""
    given = cli.given(args, [f.name for f in fields(RunConfig) if f.name != "data"])
    data = cli.given(args, ["n_samples", "noise"])
    return {**given, "data": data} if data else given


def make_config(given: dict) -> RunConfig:
    """Explicit choices, then the data set's training defaults, then RunConfig's."""
    name = given.get("dataset", RunConfig.dataset)
    spec = datasets.SPECS[name]
    data = datasets.check_params(name, **given.get("data", {}))
    config = RunConfig(**{**spec.train, **given, "dataset": name, "data": data})
    models.check_task(config.model, spec.task, f"data set {name!r}")
    return check_options_apply(config, given)


def check_options_apply(config: RunConfig, given: dict) -> RunConfig:
    """``config``, or ValueError for an option the user set that it would ignore."""
    mlp_only = [k for k in ("hidden", "activation", "dropout") if k in given]
    if config.model != "mlp" and mlp_only:
        raise ValueError(f"--{mlp_only[0]} applies to --model mlp only, not {config.model!r}")
    per_layer = [k for k in ("activation", "dropout") if k in given]
    if config.model == "mlp" and not config.hidden and per_layer:
        raise ValueError(f"--{per_layer[0]} has no effect with --hidden none (no hidden layer); "
                         "leave it out or give hidden widths such as --hidden 64,64")
    cli.check_given_apply(config, given)
    return config


def configure(args, given: dict) -> RunConfig:
    """The run's config: from the options, or from --resume's checkpoint and the options."""
    if not args.resume:
        return make_config(given)
    state = training.load_checkpoint(args.resume, RunConfig)
    config = check_options_apply(cli.resume_config(RunConfig, state["config"], given), given)
    training.check_epochs(config.epochs, state["epoch"])
    return config


def load_split(config: RunConfig) -> datasets.Split:
    try:
        return datasets.load(config.dataset, test_size=config.test_size, seed=config.seed,
                             **config.data)
    except ValueError as e:          # name the flags that set these parameters
        raise ValueError(re.sub(r"\b(n_samples|noise|test_size|seed)\b",
                                lambda m: "--" + m.group(1).replace("_", "-"), str(e))) from None


def build_model(config: RunConfig, split: datasets.Split) -> mt.nn.Module:
    mlp = config.model == "mlp"  # the other models keep their own defaults
    options = {key: getattr(config, key) for key in models.OPTIONS["mlp"]} if mlp else {}
    return models.build(config.model, split.n_features, split.n_outputs, **options)


def fit(config: RunConfig, split: datasets.Split | None = None, **options) -> training.FitResult:
    """Seed, build the model ``config`` describes and train it (see ``training.fit``)."""
    split = split or load_split(config)
    mt.manual_seed(config.seed)
    return training.fit(build_model(config, split), split, config, command="python train.py",
                        name=f"{config.model} on {config.dataset}", **options)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = configure(args, given_options(args))
        plot = cli.check_outputs(args)
        cli.stage("loading the data set", "nothing was trained or written")
        split = load_split(config)
        hidden = config.hidden if config.model == "mlp" else ()
        training.check_fits_in_memory([split.n_features, *hidden, split.n_outputs], max(
            len(split.X_train), config.batch_size), config.optimizer, f"--model {config.model}")
    except (ValueError, OSError) as e:
        parser.error(str(e))
    try:
        with cli.StopOnSigint() as stop:
            result = fit(config, split, resume=args.resume, save=args.save or args.resume,
                         progress=not args.quiet, should_stop=stop, compile=args.compile)
    except training.CheckpointError as e:   # raised before anything is trained
        parser.error(str(e))
    compare = args.compare_sklearn and result.final is not None
    sk = sklearn_baseline(split, hidden, config.activation, config.seed) if compare else None
    return cli.finish(result, args, plot, sk)


if __name__ == "__main__":
    sys.exit(cli.run(main))
