"""The README's Python examples run and print what the README says."""
import contextlib
import io
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_python_blocks_run_and_match_their_printed_comments():
    namespace = {}
    blocks = python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), namespace)
        expected = [line[2:] for line in block.splitlines()
                    if line.startswith("# ") and not line.startswith("# (")]
        printed = out.getvalue().splitlines()
        assert printed == expected
    assert namespace["x"].grad.tolist() == [3.0, 12.0]


def test_readme_quick_start_has_exactly_two_commands():
    first_block = re.search(r"```(?:bash)?\n(.*?)```", README.read_text(), flags=re.S).group(1)
    commands = [line for line in first_block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "python train.py" in commands[0] and "pip install" in commands[0]
    assert "pytest" in commands[1] and "pip install" in commands[1]
