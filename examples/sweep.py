#!/usr/bin/env python
"""A hyper-parameter sweep of minitorch's MLPClassifier on scikit-learn's digits, on Dask.

    python examples/sweep.py                                # a LocalCluster on this machine
    python examples/sweep.py --scheduler tcp://host:8786    # the workers of a running cluster
    python examples/sweep.py --n-jobs 1                     # no Dask: one process

A GridSearchCV over hidden sizes x learning rates x seeds (3-fold cross-validation);
with Dask, joblib's "dask" backend sends each fit to the cluster's workers (install it
with `pip install -e ".[distributed]"`). Prints a results table and the best
parameters; the results do not depend on where the fits ran.
"""
import argparse
import time
import warnings

import joblib
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from minitorch.sklearn import MLPClassifier
from minitorch.training import write_json


def numbers(kind):
    return lambda text: [kind(part) for part in text.split(",")]


def quiet():
    """Short sweeps stop before convergence on purpose: no ConvergenceWarning per fit."""
    warnings.simplefilter("ignore", ConvergenceWarning)


def run_search(search, X, y, args):
    """Fit ``search``: in this process with ``--n-jobs``, else on a Dask cluster. Returns
    it, where it ran and the seconds the fits took (not counting the cluster's start)."""
    if args.n_jobs:
        search.set_params(n_jobs=args.n_jobs)
        with threadpool_limits(limits=1):           # as on Dask's workers: one BLAS thread
            t0 = time.perf_counter()
            search.fit(X, y)
            return search, f"joblib, n_jobs={args.n_jobs}", time.perf_counter() - t0
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise SystemExit("sweep.py needs Dask: pip install -e \".[distributed]\" "
                         "(or run it without Dask: --n-jobs 1)") from None
    cluster = None if args.scheduler else LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(args.scheduler or cluster) as client, joblib.parallel_backend("dask"):
        where = f"Dask, {len(client.scheduler_info()['workers'])} workers"
        client.run(quiet)
        t0 = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - t0
    if cluster is not None:
        cluster.close()
    return search, where, seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scheduler", help="address of a running Dask scheduler "
                                       "(default: start a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default: 2)")
    p.add_argument("--n-jobs", type=int, help="run with joblib in this machine's processes "
                                              "instead of Dask (1: sequentially)")
    p.add_argument("--hidden", type=numbers(int), default=[32, 64, 128], help="e.g. 32,64,128")
    p.add_argument("--lr", type=numbers(float), default=[0.01, 0.003, 0.001],
                   help="learning rates, e.g. 0.01,0.003")
    p.add_argument("--seeds", type=numbers(int), default=[0, 1], help="e.g. 0,1")
    p.add_argument("--max-iter", type=int, default=50, help="epochs per fit (default: 50)")
    p.add_argument("--json", help="also write the results to this file")
    args = p.parse_args(argv)

    quiet()
    X, y = load_digits(return_X_y=True)
    grid = {"hidden_layer_sizes": [(h,) for h in args.hidden],
            "learning_rate_init": args.lr, "random_state": args.seeds}
    search = GridSearchCV(MLPClassifier(max_iter=args.max_iter), grid, cv=3, n_jobs=-1)
    search, where, seconds = run_search(search, X / 16.0, y, args)

    results = search.cv_results_
    rows = sorted(range(len(results["params"])), key=lambda i: results["rank_test_score"][i])
    print(f"{len(rows)} candidates x 3 folds on digits ({where}): {seconds:.1f} s\n")
    print(f"{'rank':>4}  {'hidden':>7}  {'lr':>7}  {'seed':>4}  {'accuracy':>14}  {'fit (s)':>7}")
    for i in rows:
        params = results["params"][i]
        print(f"{results['rank_test_score'][i]:>4}  {params['hidden_layer_sizes'][0]:>7}  "
              f"{params['learning_rate_init']:>7g}  {params['random_state']:>4}  "
              f"{results['mean_test_score'][i]:.4f} ± {results['std_test_score'][i]:.4f}  "
              f"{results['mean_fit_time'][i]:>7.2f}")
    print(f"\nbest: {search.best_params_} (accuracy {search.best_score_:.4f})")
    if args.json:
        write_json(args.json, {"where": where, "seconds": seconds, "best": search.best_params_,
                               "params": results["params"],
                               "mean_test_score": results["mean_test_score"].tolist(),
                               "std_test_score": results["std_test_score"].tolist()})


if __name__ == "__main__":
    main()
