"""docs/autodiff.md cannot rot: its Python blocks run in order, its outputs and figures are checked.

A ```text block right after a ```python block is that block's exact standard output.
"""
import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "autodiff.md"
FIGURES = ["forward", "backward", "broadcast", "mlp_step"]


def fenced_blocks(text):
    """(language, code) of every fenced block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S)


def test_guide_code_blocks_run_and_print_what_the_guide_shows():
    blocks = fenced_blocks(GUIDE.read_text())
    assert sum(lang == "python" for lang, _ in blocks) >= 8
    namespace = {"__name__": "autodiff_guide"}
    for position, (lang, code) in enumerate(blocks):
        if lang != "python":
            continue
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(code, f"{GUIDE.name}, block {position}", "exec"), namespace)
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if following is not None and following[0] == "text":
            printed = re.sub(r" object at 0x[0-9a-f]+", " object at 0x...", output.getvalue())
            assert printed.rstrip() == following[1].rstrip(), (
                f"block {position} ({code.splitlines()[0]!r}...) printed something "
                f"else than the guide shows:\n{output.getvalue()}")


def test_guide_gives_the_textbook_gradients():
    text = GUIDE.read_text()
    assert "d(a, b, c)" in text or "d = a * (b + c)" in text
    assert "dd/da = -1.7, dd/db = 2.2, dd/dc = 2.2" in text


def test_every_figure_of_the_guide_is_committed():
    referenced = re.findall(r"!\[[^\]]*\]\((figures/[\w.]+)\)", GUIDE.read_text())
    assert sorted(Path(name).stem for name in referenced) == sorted(FIGURES)
    for name in referenced:
        svg = (GUIDE.parent / name).read_text()
        assert "<svg" in svg, f"{name} is not an SVG file"


def test_figure_script_writes_every_figure(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "make_figures.py"),
                             str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    suffix = ".svg" if shutil.which("dot") else ".dot"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f + suffix for f in FIGURES)
