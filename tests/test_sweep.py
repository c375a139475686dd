"""examples/sweep.py: the same grid on a 2-worker Dask LocalCluster and with n_jobs=1
gives the same results."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GRID = ["--hidden", "16,32", "--lr", "0.01,0.003", "--seeds", "0,1", "--max-iter", "15"]


def sweep(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "sweep.py"), *GRID, *args],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


def test_sweep_on_a_two_worker_dask_cluster_equals_one_process(tmp_path):
    pytest.importorskip("distributed")
    local = sweep("--n-jobs", "1", "--json", "local.json", cwd=tmp_path)
    dask = sweep("--workers", "2", "--json", "dask.json", cwd=tmp_path)
    one, two = (json.loads((tmp_path / name).read_text()) for name in ("local.json", "dask.json"))
    assert one["where"] == "joblib, n_jobs=1" and two["where"] == "Dask, 2 workers"
    assert len(one["params"]) == 8 and one["params"] == two["params"]
    assert one["mean_test_score"] == two["mean_test_score"]
    assert one["std_test_score"] == two["std_test_score"] and one["best"] == two["best"]
    assert min(one["mean_test_score"]) > 0.7
    for result in (local, dask):
        assert "best: {'hidden_layer_sizes'" in result.stdout and "rank" in result.stdout
        assert "Traceback" not in result.stderr and "ConvergenceWarning" not in result.stderr
