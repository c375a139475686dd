"""Ordinary PyTorch programs run under minitorch after changing only their imports.

Each file in tests/pytorch_programs/ is a tutorial-style PyTorch script on
scikit-learn data that ends with assertions of what it should achieve (accuracy,
a falling loss, values equal to NumPy's). It is written for, and checked with,
real PyTorch. Here its import lines, and nothing else, are rewritten
(``import torch`` -> ``import minitorch as torch``, ``import torch.nn as nn`` ->
``import minitorch.nn as nn``, ``from torch.utils.data import ...`` -> ``from
minitorch.utils.data import ...``, ...) and it must exit 0. PyTorch is never needed.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "tests" / "pytorch_programs"
# This checkout's minitorch. Two programs run at a time (the suite's two cores), so each
# gets one BLAS thread: two multithreaded BLAS pools on two cores only wait on each other.
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
PARALLEL = 2

_IMPORT = re.compile(r"^(\s*)import torch(\.[\w.]+)?(\s+as\s+\w+)?\s*(#.*)?$")
_FROM = re.compile(r"^(\s*)from torch((?:\.\w+)*) import (.+)$")


def port(source):
    """``source`` with its torch imports pointing at minitorch; every other line unchanged.

    ``import torch`` becomes ``import minitorch as torch`` (so that ``torch.X`` keeps
    working), ``import torch.A.B as C`` becomes ``import minitorch.A.B as C`` and
    ``from torch.A import B`` becomes ``from minitorch.A import B``. A bare
    ``import torch.A`` (which binds the name ``torch``) is refused: no program uses it.
    """
    lines = []
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\n")
        match = _IMPORT.match(body)
        if match:
            indent, sub, alias, _ = match.groups()
            if sub and not alias:
                raise ValueError(f"cannot port {body!r}: write 'import torch{sub} as ...'")
            line = f"{indent}import minitorch{sub or ''}{alias or ' as torch'}\n"
        elif _FROM.match(body):
            indent, sub, names = _FROM.match(body).groups()
            line = f"{indent}from minitorch{sub} import {names}\n"
        elif re.match(r"^\s*(import|from)\s+torch\b", body):
            raise ValueError(f"cannot port the import line {body!r}")
        lines.append(line)
    return "".join(lines)


def test_port_rewrites_only_the_imports():
    source = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
              "from torch import nn, optim\nfrom torch.utils.data import DataLoader, TensorDataset\n"
              "from torch.optim.lr_scheduler import StepLR\n"
              "x = torch.tensor([1.0])  # import torch\ny = 'from torch import x'\n")
    assert port(source) == (
        "import minitorch as torch\nimport minitorch.nn as nn\n"
        "import minitorch.nn.functional as F\nfrom minitorch import nn, optim\n"
        "from minitorch.utils.data import DataLoader, TensorDataset\n"
        "from minitorch.optim.lr_scheduler import StepLR\n"
        "x = torch.tensor([1.0])  # import torch\ny = 'from torch import x'\n")
    with pytest.raises(ValueError, match="import torch.nn"):
        port("import torch.nn\n")


@pytest.mark.parametrize("name", sorted(p.name for p in PROGRAMS.glob("prog_*.py")))
def test_port_changes_nothing_but_import_lines(name):
    before = (PROGRAMS / name).read_text().splitlines()
    after = port("\n".join(before)).splitlines()
    assert len(after) == len(before)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed and all(re.match(r"\s*(import|from) torch\b", a) for a, _ in changed)
    assert all(re.match(r"\s*(import|from) minitorch\b", b) for _, b in changed)


def test_programs_are_many_and_not_collected():
    names = sorted(p.name for p in PROGRAMS.glob("*.py"))
    assert len(names) >= 12
    assert all(name.startswith("prog_") for name in names)   # never test_*.py: pytest skips them


def _run(name, folder):
    """Port the program ``name`` into ``folder``, run it there; the CompletedProcess."""
    source = (PROGRAMS / name).read_text()
    script = folder / name
    script.write_text(port(source))
    return subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True,
                          text=True, timeout=180, env=ENV)


@pytest.fixture(scope="module")
def results(request, tmp_path_factory):
    """The runs of every selected program, ``PARALLEL`` at a time, by name."""
    names = [item.callspec.params["name"] for item in request.session.items
             if getattr(item, "function", None) is test_program_runs_under_minitorch]
    folders = [tmp_path_factory.mktemp(name.removesuffix(".py")) for name in names]
    with ThreadPoolExecutor(PARALLEL) as pool:
        return dict(zip(names, pool.map(_run, names, folders)))


@pytest.mark.parametrize("name", sorted(p.name for p in PROGRAMS.glob("prog_*.py")))
def test_program_runs_under_minitorch(name, results):
    assert "import torch" in (PROGRAMS / name).read_text()
    result = results[name]
    assert result.returncode == 0, (f"{name} failed under minitorch:\n{result.stdout[-3000:]}\n"
                                    f"{result.stderr[-5000:]}")
