"""Shared test set-up: the repository root on sys.path (for models/ and datasets/)."""
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts with grad mode on, float32 default and a seeded generator."""
    import minitorch as mt

    mt.set_default_dtype(mt.float32)
    mt.manual_seed(0)
    with mt.enable_grad():
        yield
    mt.set_default_dtype(mt.float32)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
