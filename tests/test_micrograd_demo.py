"""micrograd's demo, reproduced step for step (examples/micrograd_demo.py)."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_demo():
    spec = importlib.util.spec_from_file_location("micrograd_demo",
                                                  ROOT / "examples" / "micrograd_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reaches_full_training_accuracy_with_micrograds_numbers():
    history = load_demo().run(steps=100, verbose=False)
    assert len(history) == 101
    # The values micrograd's demo.ipynb prints ("step 0 loss 0.8958441028683222, accuracy
    # 50.0%", "step 1 ... 1.7235905336972017, 81.0%", "step 99 ... 0.010978370135492717, 100%").
    assert history[0] == (pytest.approx(0.8958441028683222, rel=1e-9), 0.5)
    assert history[1] == (pytest.approx(1.7235905336972017, rel=1e-9), 0.81)
    assert history[99] == (pytest.approx(0.010978370135492717, rel=1e-6), 1.0)
    assert history[-1][1] == 1.0
