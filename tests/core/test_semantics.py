"""PyTorch's tensor semantics, per-thread grad mode, and a core without import cycles."""
import ast
import threading
from pathlib import Path

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn

PACKAGE = Path(mt.__file__).parent


# ---------------------------------------------------------------- .data, numpy, reprs

def test_data_is_a_tensor_sharing_memory_outside_the_graph():
    model = nn.Linear(3, 2)
    model(mt.randn(4, 3)).sum().backward()
    p = model.weight
    assert isinstance(p.data, mt.Tensor) and not p.data.requires_grad
    assert p.data.grad_fn is None
    p.grad.data.zero_()
    assert np.all(p.grad.numpy() == 0)
    model.bias.data.fill_(0.01)
    assert np.allclose(model.bias.detach().numpy(), 0.01)
    nn.init.normal_(model.weight.data, 0, 0.02)
    assert 0 < float(model.weight.detach().abs().max()) < 0.2
    out = model(mt.randn(5, 3))
    values, indices = mt.max(out.data, 1)
    assert values.shape == (5,) and indices.dtype == mt.int64 and not values.requires_grad
    # nothing done through .data is recorded, and it writes the original's memory
    x = mt.ones(3, requires_grad=True)
    with mt.enable_grad():
        y = x.data * 2
    assert y.grad_fn is None and not y.requires_grad
    x.data.mul_(3)
    assert x.tolist() == [3.0, 3.0, 3.0] and x.requires_grad


def test_data_assignment_replaces_the_values():
    x = mt.ones(2, 2, requires_grad=True)
    x.data = mt.zeros(3)
    assert x.shape == (3,) and x.tolist() == [0.0, 0.0, 0.0] and x.requires_grad
    with pytest.raises(TypeError, match="data: expected a Tensor"):
        x.data = np.zeros(3)
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_numpy_refuses_a_tensor_that_requires_grad():
    x = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"requires grad.*detach\(\)\.numpy\(\)"):
        x.numpy()
    assert np.shares_memory(x.detach().numpy(), x.data.numpy())
    assert mt.ones(2).numpy().tolist() == [1.0, 1.0]


def test_shape_size_dtype_and_grad_fn_print_like_pytorch():
    x = mt.ones(2, 3, requires_grad=True)
    assert isinstance(x.shape, mt.Size) and isinstance(x.shape, tuple)
    assert repr(x.shape) == "minitorch.Size([2, 3])" and str(x.size()) == "minitorch.Size([2, 3])"
    assert x.shape == (2, 3) and x.size(-1) == 3 and x.shape.numel() == 6
    assert isinstance(x.shape[1:], mt.Size)
    assert repr(x.dtype) == "minitorch.float32" and x.dtype == mt.float32
    assert x.dtype == np.float32 and np.zeros(2, dtype=x.dtype).dtype == np.float32
    assert repr(mt.tensor([1.5], dtype=mt.float64)) == "tensor([1.5], dtype=minitorch.float64)"
    names = {
        "AddBackward0": x + 1, "SubBackward0": x - 1, "MulBackward0": x * 2,
        "DivBackward0": x / 2, "SumBackward0": x.sum(), "MeanBackward0": x.mean(),
        "ReluBackward0": x.relu(), "ExpBackward0": x.exp(), "TanhBackward0": x.tanh(),
        "SigmoidBackward0": x.sigmoid(), "PowBackward0": x ** 2, "NegBackward0": -x,
        "ViewBackward0": x.view(6), "PermuteBackward0": x.T, "MmBackward0": x @ mt.ones(3, 2),
        "SoftmaxBackward0": x.softmax(1), "LogSoftmaxBackward0": x.log_softmax(1),
        "AddmmBackward0": nn.Linear(3, 2)(x), "CloneBackward0": x.clone(),
    }
    for name, t in names.items():
        assert type(t.grad_fn).__name__ == name and t.grad_fn.name() == name
        assert repr(t).endswith(f"grad_fn=<{name}>)")


def test_view_never_copies_and_reshape_may():
    x = mt.arange(6.0).reshape(2, 3)
    v = x.view(3, 2)
    v[0, 0] = 100.0
    assert x[0, 0].item() == 100.0
    with pytest.raises(RuntimeError, match=r"view: .*\(3, 2\).*use \.reshape"):
        x.T.view(-1)
    flat = x.T.reshape(-1)
    assert flat.tolist() == [100.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_grad_assignment_is_checked_as_in_pytorch():
    p = nn.Parameter(mt.zeros(3))
    with pytest.raises(RuntimeError, match=r"grad of shape \(1,\) for a tensor of shape \(3,\)"):
        p.grad = mt.ones(1)
    assert p.grad is None
    with pytest.raises(TypeError, match="Tensor or None"):
        p.grad = np.ones(3)
    p.grad = mt.ones(3)
    assert p.grad.tolist() == [1.0, 1.0, 1.0]


def test_tensor_hooks_see_and_may_replace_the_gradient():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 2)
    y = x * 3
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    assert seen == [[6.0, 6.0]] and x.grad.tolist() == [12.0, 12.0]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        mt.ones(2).register_hook(lambda g: g)


# ------------------------------------------------------------------ grad mode per thread

def _train_mlp(steps, seed, failures):
    generator = mt.Generator().manual_seed(seed)
    x = mt.randn(16, 2, generator=generator)
    y = (x[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        try:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        except RuntimeError as error:  # "does not require grad" when the mode leaks
            failures.append(str(error))


def test_two_threads_training_do_not_interfere():
    failures = []
    threads = [threading.Thread(target=_train_mlp, args=(3000, s, failures)) for s in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert mt.is_grad_enabled()
    assert (mt.ones(1, requires_grad=True) * 2).requires_grad


def test_no_grad_in_two_threads_leaves_grad_mode_on():
    barrier = threading.Barrier(2)
    seen_inside = []

    def toggle():
        barrier.wait()
        for _ in range(200):
            with mt.no_grad():
                seen_inside.append(mt.is_grad_enabled())
            assert mt.is_grad_enabled()

    threads = [threading.Thread(target=toggle) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen_inside == [False] * 400
    assert mt.is_grad_enabled()


def test_grad_mode_set_in_one_thread_is_invisible_in_another():
    started, release = threading.Event(), threading.Event()

    def hold_no_grad():
        with mt.no_grad():
            started.set()
            release.wait(5)

    thread = threading.Thread(target=hold_no_grad)
    thread.start()
    started.wait(5)
    try:
        assert mt.is_grad_enabled()
        assert (mt.ones(1, requires_grad=True) * 2).grad_fn is not None
    finally:
        release.set()
        thread.join()


def test_inference_mode_and_set_grad_enabled():
    x = mt.ones(2, requires_grad=True)
    with mt.inference_mode():
        assert not (x * 2).requires_grad
    with mt.inference_mode(False):
        assert (x * 2).requires_grad

    @mt.inference_mode()
    def evaluate():
        return x * 2

    assert not evaluate().requires_grad and mt.is_grad_enabled()
    with mt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert mt.is_grad_enabled()


# ------------------------------------------------------------------ layering

def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(name):
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()


def _is_module(name):
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path):
    """(minitorch modules imported at module level, problems with import placement)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    targets, problems, seen_code = set(), [], False
    for node in tree.body:
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        docstring = (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        if is_import and seen_code:
            problems.append(f"{name}: import below the top at line {node.lineno}")
        if not is_import and not docstring:
            seen_code = True
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[:len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                targets.add(sub if _is_module(sub) else target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("minitorch"):
            targets.add(node.module)
    for node in ast.walk(tree):  # no imports of minitorch inside functions
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.level or (inner.module or "")
                                                          .startswith("minitorch")):
                    problems.append(f"{name}: import inside {node.name}() at line "
                                    f"{inner.lineno}")
    return targets, problems


def test_no_import_cycles_and_no_imports_below_the_top():
    graph, problems = {}, []
    for path in sorted(PACKAGE.rglob("*.py")):
        targets, found = _imports(path)
        graph[_module_name(path)] = targets
        problems += found
    assert problems == []
    # a package's own __init__ imports its children; a child importing its package is a cycle
    state = {}

    def visit(module, stack):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, stack + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert "minitorch.ops" not in " ".join(sorted(graph["minitorch.tensor"]))
    assert not any(t.startswith("minitorch.autograd") for t in graph["minitorch.tensor"])


def test_leaves_never_share_a_gradient_array():
    class Twice(mt.autograd.Function):  # one array returned for both inputs
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            shared = grad * 2
            return shared, shared

    a, b = mt.ones(3, requires_grad=True), mt.ones(3, requires_grad=True)
    for _ in range(2):
        Twice.apply(a, b).sum().backward()
    assert a.grad.tolist() == [4.0] * 3 and b.grad.tolist() == [4.0] * 3
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())


def test_saved_tensors_are_tensors_after_a_retained_backward():
    a = mt.ones(3, requires_grad=True)
    y = a * a
    y.sum().backward(retain_graph=True)
    assert all(isinstance(t, mt.Tensor) for t in y.grad_fn.saved_tensors)
