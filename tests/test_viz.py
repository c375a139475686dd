"""minitorch.viz: the DOT text, the text tree and rendering through Graphviz."""
import io
import re
import shutil

import pytest

import minitorch as mt
import minitorch.nn as nn
from minitorch import viz

HAVE_DOT = shutil.which("dot") is not None

NODE = re.compile(r'^  (n\d+) \[(.*), label="((?:[^"\\]|\\.)*)"\];$')
EDGE = re.compile(r"^  (n\d+) -> (n\d+);$")


def parse_dot(source):
    """Nodes (id -> (attributes, label)) and edges of our DOT output; fails on anything else."""
    lines = source.strip().splitlines()
    assert lines[0] == "digraph minitorch {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if line.startswith(("  graph [", "  node [")):
            continue
        node, edge = NODE.match(line), EDGE.match(line)
        assert node or edge, f"not a node or edge statement: {line!r}"
        if node:
            nodes[node[1]] = (node[2], node[3])
        else:
            edges.append((edge[1], edge[2]))
    for source_id, target_id in edges:
        assert source_id in nodes and target_id in nodes
    return nodes, edges


def by_label(nodes, start):
    """The id of the only node whose label starts with ``start`` (record braces ignored)."""
    found = [i for i, (_, label) in nodes.items() if label.strip("{ ").startswith(start)]
    assert len(found) == 1, f"{len(found)} nodes labelled {start!r}"
    return found[0]


def acyclic(nodes, edges):
    indegree = {n: 0 for n in nodes}
    for _, target in edges:
        indegree[target] += 1
    ready = [n for n, k in indegree.items() if k == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for source, target in edges:
            if source == node:
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
    return seen == len(nodes)


def classic(retain=True):
    """d = a * (b + c) at a=2.2, b=-1.8, c=0.1, every tensor named."""
    with mt.autograd.retain_grads() if retain else mt.enable_grad():
        a = mt.tensor(2.2, requires_grad=True)
        b = mt.tensor(-1.8, requires_grad=True)
        c = mt.tensor(0.1, requires_grad=True)
        e = b + c
        d = a * e
    for tensor, name in ((a, "a"), (b, "b"), (c, "c"), (e, "e"), (d, "d")):
        tensor.name = name
    return d, (a, b, c, e)


def test_classic_expression_has_five_tensors_two_operations_six_edges():
    d, keep = classic()
    nodes, edges = parse_dot(viz.to_dot(d))
    assert len(nodes) == 7 and len(edges) == 6
    assert sum("shape=record" in attrs for attrs, _ in nodes.values()) == 5
    ids = {name: by_label(nodes, name + " ") for name in "abcde"}
    add, mul = by_label(nodes, "Add"), by_label(nodes, "Mul")
    assert sorted(edges) == sorted([(ids["b"], add), (ids["c"], add), (add, ids["e"]),
                                    (ids["a"], mul), (ids["e"], mul), (mul, ids["d"])])


def test_values_and_gradients_sit_on_their_own_nodes():
    d, keep = classic()
    before, _ = parse_dot(viz.to_dot(d))
    assert not any("grad" in label for _, label in before.values())
    d.backward()
    nodes, _ = parse_dot(viz.to_dot(d))
    expected = {"a": ("2.2", "-1.7"), "b": ("-1.8", "2.2"), "c": ("0.1", "2.2"),
                "e": ("-1.7", "2.2"), "d": ("-3.74", "1")}
    for name, (value, grad) in expected.items():
        label = nodes[by_label(nodes, name + " ")][1]
        assert label == f"{{ {name} | data {value} | grad {grad} }}"
    assert "penwidth=2" in nodes[by_label(nodes, "d ")][0]  # the output stands out


def test_show_flags_and_size_limit():
    d, keep = classic()
    d.backward()
    labels = [label for _, label in parse_dot(viz.to_dot(d, show_values=False))[0].values()]
    assert not any("data" in label for label in labels) and any("grad" in x for x in labels)
    labels = [label for _, label in parse_dot(viz.to_dot(d, show_grads=False))[0].values()]
    assert not any("grad" in label for label in labels) and any("data" in x for x in labels)
    x = mt.ones(3, 4, requires_grad=True)
    x.name = "x"
    nodes, _ = parse_dot(viz.to_dot((x * 2).sum(), max_elements=8))
    assert nodes[by_label(nodes, "x")][1] == "{ x (3, 4) }"


def test_without_retain_grads_intermediates_show_their_shape_only():
    d, (a, b, c, e) = classic(retain=False)
    d.backward()
    nodes, edges = parse_dot(viz.to_dot(d))
    assert len(nodes) == 7 and len(edges) == 6
    labels = sorted(label for attrs, label in nodes.values() if "record" in attrs)
    assert "{ () }" in labels  # e: its value was not kept
    assert "{ a | data 2.2 | grad -1.7 }" in labels and "{ d | data -3.74 }" in labels


def test_reused_tensors_and_constants():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = a + a
    c = b * b
    nodes, edges = parse_dot(viz.to_dot(c))
    assert len(nodes) == 5 and len(edges) == 6  # a -> Add twice, b -> Mul twice
    nodes, edges = parse_dot(viz.to_dot(a * 3.0 + mt.ones(2)))  # constants are not drawn
    assert len(nodes) == 5 and len(edges) == 4


def test_a_leaf_alone_and_bad_input():
    a = mt.tensor(1.5, requires_grad=True)
    a.name = "a"
    nodes, edges = parse_dot(viz.to_dot(a))
    assert list(label for _, label in nodes.values()) == ["{ a | data 1.5 }"] and not edges
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.to_dot([1.0])


def test_labels_are_escaped():
    x = mt.tensor(1.0, requires_grad=True)
    x.name = 'x|{y}<"z">'
    nodes, _ = parse_dot(viz.to_dot(x * x))
    assert any(r'x\|\{y\}\<\"z\"\>' in label for _, label in nodes.values())


def test_print_graph_tree():
    d, keep = classic()
    d.backward()
    out = io.StringIO()
    viz.print_graph(d, file=out)
    assert out.getvalue().splitlines() == [
        "d  data -3.74  grad 1",
        "└── Mul",
        "    ├── a  data 2.2  grad -1.7",
        "    └── e  data -1.7  grad 2.2",
        "        └── Add",
        "            ├── b  data -1.8  grad 2.2",
        "            └── c  data 0.1  grad 2.2",
    ]
    a = mt.tensor(1.0, requires_grad=True)
    b = a.exp()
    out = io.StringIO()
    viz.print_graph(b * b, file=out)
    assert out.getvalue().count("(see above)") == 1


def mlp():
    mt.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))


def test_group_modules_draws_one_node_per_layer():
    model = mlp()
    loss = nn.functional.mse_loss(model(mt.randn(16, 2)), mt.randn(16, 1))
    loss.backward()
    nodes, edges = parse_dot(viz.to_dot(loss, group_modules=model))
    layers = [label for attrs, label in nodes.values() if "shape=box" in attrs]
    assert [label.split("\\n")[0] for label in layers] == ["0: Linear", "2: Linear", "4: Linear"]
    assert "0.weight (8, 2)" in layers[0] and "0.bias (8,)" in layers[0]
    assert not any("weight" in label for attrs, label in nodes.values() if "record" in attrs)
    ungrouped, _ = parse_dot(viz.to_dot(loss))
    assert len(nodes) == len(ungrouped) - 6  # the six parameters are inside their layers
    assert acyclic(nodes, edges)


class Affine(nn.Module):
    """x @ w.T + b written with three operations instead of the fused Linear."""

    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(mt.randn(n, n))
        self.b = nn.Parameter(mt.zeros(n))

    def forward(self, x):
        return x @ self.w.T + self.b


def test_group_modules_collapses_every_operation_between_a_layers_parameters():
    model = nn.Sequential(Affine(3), nn.Tanh(), Affine(3))
    out = model(mt.randn(4, 3)).sum()
    nodes, edges = parse_dot(viz.to_dot(out, group_modules=model))
    layers = [label for attrs, label in nodes.values() if "shape=box" in attrs]
    assert layers == ["0: Affine\\nPermute, MatMul, Add\\n0.w (3, 3)\\n0.b (3,)",
                      "2: Affine\\nPermute, MatMul, Add\\n2.w (3, 3)\\n2.b (3,)"]
    assert by_label(nodes, "Tanh") and acyclic(nodes, edges)


def test_a_layer_used_twice_stays_acyclic():
    layer = Affine(3)
    out = layer(layer(mt.randn(2, 3)).relu()).sum()
    nodes, edges = parse_dot(viz.to_dot(out, group_modules=layer))
    assert sum("shape=box" in attrs for attrs, _ in nodes.values()) == 1
    assert acyclic(nodes, edges)
    with pytest.raises(TypeError, match="group_modules must be an nn.Module"):
        viz.to_dot(out, group_modules=[layer])


def test_a_graph_of_thousands_of_nodes_is_drawn_whole():
    weights = [mt.tensor(0.1, requires_grad=True) for _ in range(10)]
    total = mt.tensor(0.0)
    for step in range(2000):
        total = total + weights[step % 10] * float(step)
    total.backward()
    nodes, edges = parse_dot(viz.to_dot(total))
    out = io.StringIO()
    viz.print_graph(total, file=out)
    # 10 weights; per step a Mul and an Add with their outputs; the first Add has one input
    assert len(nodes) == 10 + 4 * 2000 and len(edges) == 2 * 2000 + 3 * 2000 - 1


def test_draw_without_graphviz_writes_dot_and_says_how_to_render(tmp_path, monkeypatch):
    d, keep = classic()
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    with pytest.warns(UserWarning, match=r"dot -Tsvg .*graph\.dot -o .*graph\.svg"):
        written = viz.draw(d, tmp_path / "graph.svg")
    assert written == tmp_path / "graph.dot" and not (tmp_path / "graph.svg").exists()
    parse_dot(written.read_text())
    with pytest.raises(ValueError, match="use a .svg, .png, .pdf or .dot file"):
        viz.draw(d, tmp_path / "graph.jpeg")


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot program is not installed")
@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_draw_renders_with_graphviz(tmp_path, suffix):
    d, keep = classic()
    d.backward()
    keep[0].name = 'a|{weird}<"name">'
    path = viz.draw(d, tmp_path / f"graph.{suffix}")
    data = path.read_bytes()
    assert path == tmp_path / f"graph.{suffix}"
    assert b"<svg" in data if suffix == "svg" else data.startswith(b"\x89PNG")
    if suffix == "svg":
        assert b"grad &#45;1.7" in data or b"grad -1.7" in data


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot program is not installed")
def test_grouped_graph_renders_with_graphviz(tmp_path):
    model = mlp()
    loss = model(mt.randn(4, 2)).sum()
    path = viz.draw(loss, tmp_path / "mlp.svg", group_modules=model)
    assert b"0: Linear" in path.read_bytes()


class Scale(nn.Module):
    def __init__(self, value):
        super().__init__()
        self.p = nn.Parameter(mt.tensor(value))


def test_layers_that_would_feed_each_other_are_merged():
    """A's first op feeds B, B's other op feeds A: collapsed apart they would form a cycle."""
    model = nn.Module()
    model.a, model.b = Scale(2.0), Scale(3.0)
    x = mt.tensor(1.5, requires_grad=True)
    a1 = x * model.a.p
    b1 = a1 * model.b.p
    a2 = model.b.p.exp() * model.a.p
    nodes, edges = parse_dot(viz.to_dot(b1 + a2, group_modules=model))
    layers = [label for attrs, label in nodes.values() if "shape=box" in attrs]
    assert len(layers) == 1 and layers[0].startswith("a: Scale + b: Scale")
    assert acyclic(nodes, edges)


def test_print_graph_of_a_deep_chain_stays_linear_in_size():
    x = mt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(2000):
        y = y * 1.0
    out = io.StringIO()
    mt.viz.print_graph(y, file=out)
    lines = out.getvalue().splitlines()
    assert len(lines) > 4000 and max(len(line) for line in lines) < 250
