"""Draw the graph that ``backward()`` walks: Graphviz DOT, image files, a text tree.

Every tensor is a box (its name, its shape, its value when small, its gradient
once computed) and every operation an oval, with arrows in data-flow direction::

    b ─┐
       ├─> Add ─> e ─┐
    c ─┘             ├─> Mul ─> d        (d = a * (b + c))
    a ───────────────┘

Values of intermediate tensors are known only while those tensors are alive and
reachable: record the graph inside ``with mt.autograd.retain_grads():`` (and keep
references to the results) to see the value and the gradient at every node.
Without it, an intermediate tensor shows only its shape. Inputs that do not
require grad (constants) are not part of the recorded graph and are not drawn.

``group_modules=model`` collapses each layer to one node: the operations that use
a submodule's parameters, and every operation on a path between two of them, are
drawn as a single node named by the submodule (``layers.0: Linear``), with its
parameters' names and shapes listed inside it.
"""
import collections
import math
import shutil
import subprocess
import warnings
from pathlib import Path

from .autograd.function import Node as GraphNode
from .backend import xp
from .tensor import Tensor

__all__ = ["Graph", "build_graph", "draw", "print_graph", "to_dot"]

Node = collections.namedtuple("Node", ["kind", "parts"])
Node.__doc__ = """A node of a ``Graph``: ``kind`` is "tensor", "op" or "module";
``parts`` are the lines of its label (name and shape, data, grad)."""


class Graph:
    """A drawable graph: ``nodes`` (id -> Node, in data-flow order), ``edges`` and ``root``."""

    def __init__(self):
        self.nodes = {}
        self.edges = []
        self.root = None
        self._ids = {}

    def _node(self, key, kind, parts):
        """The id of the node for ``key``, added on first use."""
        node_id = self._ids.get(key)
        if node_id is None:
            node_id = self._ids[key] = f"n{len(self._ids)}"
            self.nodes[node_id] = Node(kind, parts)
        return node_id

    def inputs(self):
        """For every node, the ids of the nodes with an edge into it (in edge order)."""
        inputs = {node_id: [] for node_id in self.nodes}
        for source, target in self.edges:
            inputs[target].append(source)
        return inputs


def build_graph(tensor, show_values=True, show_grads=True, group_modules=None,
                max_elements=8):
    """The graph that produced ``tensor`` as a ``Graph`` (see the module docstring).

    ``max_elements``: values and gradients are shown for tensors with at most this
    many elements. ``group_modules``: an ``nn.Module`` whose layers are collapsed.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"viz: expected a Tensor, got {type(tensor).__name__}")
    style = (show_values, show_grads, max_elements)
    graph = Graph()
    if tensor.grad_fn is None:
        graph.root = graph._node(("leaf", id(tensor)), "tensor", _tensor_parts(
            tensor, tensor.shape, None, *style))
        return graph
    order, consumers = _walk(tensor.grad_fn)
    param_names, group_of, groups = {}, {}, []
    if group_modules is not None:
        param_names, group_of, groups = _group(group_modules, order, consumers)
    folded = _folded_parameters(group_modules, consumers, group_of) if groups else {}

    def tensor_node(edge):
        """The node of the tensor that ``edge`` (a graph node or a leaf) stands for."""
        if isinstance(edge, GraphNode):
            if edge is tensor.grad_fn:
                value = tensor
            else:
                value = edge.retained() if edge.retained is not None else None
            return graph._node(("out", edge), "tensor", _tensor_parts(
                value, edge.out_shape, None, *style))
        return graph._node(("leaf", id(edge)), "tensor", _tensor_parts(
            edge, edge.shape, param_names.get(id(edge)), *style))

    seen_edges = set()
    for ctx in order:
        group = group_of.get(ctx)
        sources = []
        for edge in ctx.next:
            if edge is None:
                continue
            if group is not None:
                inside = (group_of.get(edge) is group if isinstance(edge, GraphNode)
                          else folded.get(id(edge)) is group)
                if inside:
                    continue
            sources.append(tensor_node(edge))
        if group is None:
            target = graph._node(("op", ctx), "op", [ctx.fn.__name__])
        else:
            target = graph._node(("group", id(group)), "module",
                                 _group_parts(group, param_names))
        for source in sources:
            if group is None or (source, target) not in seen_edges:
                seen_edges.add((source, target))
                graph.edges.append((source, target))
        used_outside = ctx is tensor.grad_fn or any(
            group_of.get(user) is not group for user in consumers[ctx])
        if group is None or used_outside:
            graph.edges.append((target, tensor_node(ctx)))
    graph.root = tensor_node(tensor.grad_fn)
    return graph


def to_dot(tensor, show_values=True, show_grads=True, group_modules=None, max_elements=8):
    """Graphviz DOT source of the graph that produced ``tensor`` (see ``build_graph``)."""
    graph = build_graph(tensor, show_values, show_grads, group_modules, max_elements)
    lines = ["digraph minitorch {",
             "  graph [rankdir=LR];",
             '  node [fontname="Helvetica", fontsize=11];']
    for node_id, node in graph.nodes.items():
        attributes = _DOT_STYLE[node.kind]
        if node_id == graph.root:
            attributes += ", penwidth=2"
        if node.kind == "tensor":
            label = "{ " + " | ".join(_escape_record(part) for part in node.parts) + " }"
        else:
            label = "\\n".join(_escape(part) for part in node.parts)
        lines.append(f'  {node_id} [{attributes}, label="{label}"];')
    lines += [f"  {source} -> {target};" for source, target in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(tensor, path, show_values=True, show_grads=True, group_modules=None, max_elements=8):
    """Write the graph of ``tensor`` to ``path`` (.svg, .png, .pdf or .dot); return the path.

    Images are rendered by Graphviz's ``dot`` program. When it is not installed,
    the DOT source is written next to ``path`` (suffix .dot) with a warning that
    says how to render it, and that path is returned.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf", "dot"):
        raise ValueError(f"draw: cannot write {path.name!r}; use a .svg, .png, .pdf or .dot file")
    source = to_dot(tensor, show_values, show_grads, group_modules, max_elements)
    dot = shutil.which("dot")
    if fmt == "dot" or dot is None:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(source)
        if fmt != "dot":
            warnings.warn(
                f"draw: Graphviz's `dot` program was not found, so wrote {dot_path} "
                f"instead of {path}. Install Graphviz (e.g. `apt install graphviz` or "
                f"`brew install graphviz`) and run: dot -T{fmt} {dot_path} -o {path}",
                stacklevel=2)
        return dot_path
    result = subprocess.run([dot, f"-T{fmt}", "-o", str(path)], input=source.encode(),
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"draw: dot failed to write {path}: "
                           f"{result.stderr.decode(errors='replace').strip()}")
    return path


def print_graph(tensor, show_values=True, show_grads=True, group_modules=None,
                max_elements=8, file=None):
    """Print the graph of ``tensor`` as an indented tree, from the output back to the inputs.

    A part of the graph used more than once is printed in full once and marked
    ``(see above)`` afterwards. Indentation stops growing after ``_MAX_INDENT``
    levels, so very deep graphs print in space linear in their size.
    """
    graph = build_graph(tensor, show_values, show_grads, group_modules, max_elements)
    inputs = graph.inputs()
    expanded = set()
    stack = [(graph.root, "", "")]  # (node, prefix of its line, prefix of its children)
    while stack:
        node_id, prefix, child_prefix = stack.pop()
        text = "  ".join(graph.nodes[node_id].parts)
        if node_id in expanded and inputs[node_id]:
            print(f"{prefix}{text}  (see above)", file=file)
            continue
        expanded.add(node_id)
        print(prefix + text, file=file)
        children = inputs[node_id]
        if len(child_prefix) >= 4 * _MAX_INDENT:  # deep: keep the column, mark the cut
            child_prefix = child_prefix[:4 * (_MAX_INDENT - 1)] + "┆   "
        for position in reversed(range(len(children))):
            last = position == len(children) - 1
            stack.append((children[position],
                          child_prefix + ("└── " if last else "├── "),
                          child_prefix + ("    " if last else "│   ")))


# ---------------------------------------------------------------------- internals
_MAX_INDENT = 40  # levels of indentation print_graph draws before it stops indenting

_DOT_STYLE = {
    "tensor": 'shape=record, style=filled, fillcolor="#eef4fb"',
    "op": 'shape=ellipse, style=filled, fillcolor="#f3f3f3"',
    "module": 'shape=box, style="rounded,filled", fillcolor="#fdf1d6"',
}


def _walk(root):
    """graph nodes reachable from ``root`` in data-flow order, and each one's consumers.

    ``consumers`` maps a graph node, or the id of a leaf tensor, to the graph nodes
    that take it as an input.
    """
    order, expanded = [], set()
    stack = [(root, False)]
    while stack:  # iterative depth-first search; its post-order puts inputs first
        ctx, finished = stack.pop()
        if finished:
            order.append(ctx)
            continue
        if ctx in expanded:
            continue
        expanded.add(ctx)
        stack.append((ctx, True))
        for edge in reversed(ctx.next):
            if isinstance(edge, GraphNode) and edge not in expanded:
                stack.append((edge, False))
    consumers = {ctx: [] for ctx in order}
    for ctx in order:
        for edge in ctx.next:
            if edge is not None:
                key = edge if isinstance(edge, GraphNode) else id(edge)
                consumers.setdefault(key, []).append(ctx)
    return order, consumers


def _group(module, order, consumers):
    """Assign operations to layers of ``module``: (parameter names, ctx -> group, groups).

    A group is a dict with ``names`` (the submodules' dotted names) and
    ``members`` (a set of graph nodes). Groups that overlap, or that would feed each
    other once collapsed, are merged, so that the drawing stays acyclic.
    """
    if not hasattr(module, "named_parameters"):
        raise TypeError(f"viz: group_modules must be an nn.Module, got {type(module).__name__}")
    modules = dict(module.named_modules())
    param_names, owner_of = {}, {}
    for name, param in module.named_parameters():
        param_names[id(param)] = name
        owner_of[id(param)] = name.rpartition(".")[0]
    seeds = {}
    for ctx in order:
        for edge in ctx.next:
            owner = owner_of.get(id(edge)) if isinstance(edge, Tensor) else None
            if owner is not None:
                seeds.setdefault(owner, set()).add(ctx)
    groups = [{"names": [name], "members": members} for name, members in seeds.items()]
    while True:
        for group in groups:
            group["members"] = _between(group["members"], consumers)
        tangled = _overlapping(groups) or _in_cycles(groups, order)
        if not tangled:
            break
        first = tangled[0]
        for other in tangled[1:]:
            first["names"] += other["names"]
            first["members"] |= other["members"]
            groups.remove(other)
    group_of = {}
    for group in groups:
        group["title"] = " + ".join(
            f"{name}: {type(modules[name]).__name__}" if name else type(module).__name__
            for name in group["names"])
        group["owners"] = set(group["names"])
        group["ops"] = [ctx for ctx in order if ctx in group["members"]]
        for ctx in group["members"]:
            group_of[ctx] = group
    return param_names, group_of, groups


def _between(members, consumers):
    """``members`` and every graph node on a path from one member to another."""
    def reach(step):
        seen, stack = set(members), list(members)
        while stack:
            for other in step(stack.pop()):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return seen

    upstream = reach(lambda ctx: [e for e in ctx.next if isinstance(e, GraphNode)])
    downstream = reach(lambda ctx: consumers[ctx])
    return members | (upstream & downstream)


def _overlapping(groups):
    """Two groups that share an operation, or an empty list."""
    for i, first in enumerate(groups):
        for second in groups[i + 1:]:
            if first["members"] & second["members"]:
                return [first, second]
    return []


def _in_cycles(groups, order):
    """The groups left over when the collapsed graph is sorted (empty when it is acyclic).

    Each group is convex, yet two groups can still feed each other (one of A's
    operations feeds B, and one of B's feeds another of A's).
    """
    unit_of = {ctx: id(group) for group in groups for ctx in group["members"]}
    edges, indegree = collections.defaultdict(set), collections.Counter()
    for ctx in order:
        target = unit_of.get(ctx, ctx)
        indegree[target] += 0
        for edge in ctx.next:
            source = unit_of.get(edge, edge) if isinstance(edge, GraphNode) else None
            if source is not None and source != target and target not in edges[source]:
                edges[source].add(target)
                indegree[target] += 1
    ready = [unit for unit, count in indegree.items() if count == 0]
    while ready:
        for target in edges[ready.pop()]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    left = {unit for unit, count in indegree.items() if count > 0}
    return [group for group in groups if id(group) in left]


def _folded_parameters(module, consumers, group_of):
    """id(parameter) -> the group drawn around it (when all its users are in that group)."""
    folded = {}
    for name, param in module.named_parameters():
        users = consumers.get(id(param), [])
        groups = {id(group_of.get(user)): group_of.get(user) for user in users}
        if len(groups) == 1:
            group = next(iter(groups.values()))
            if group is not None and name.rpartition(".")[0] in group["owners"]:
                folded[id(param)] = group
                group.setdefault("params", []).append(param)
    return folded


def _group_parts(group, param_names):
    """Label lines of a collapsed layer: its name, its operations, its parameters' shapes."""
    counts = collections.Counter(ctx.fn.__name__ for ctx in group["ops"])
    ops = ", ".join(name if n == 1 else f"{name} ×{n}" for name, n in counts.items())
    parts = [group["title"]]
    if group["title"].rpartition(": ")[2] != ops:  # "0: Linear" done by one Linear op
        parts.append(ops)
    parts += [f"{param_names[id(p)]} {tuple(p.shape)}" for p in group.get("params", [])]
    return parts


def _tensor_parts(tensor, shape, name, show_values, show_grads, max_elements):
    """Label lines of one tensor: name and shape, then data and grad when known and small."""
    small = math.prod(shape) <= max_elements
    value = show_values and tensor is not None and small
    grad = (show_grads and tensor is not None and small
            and getattr(tensor, "grad", None) is not None)
    name = name or (tensor.name if tensor is not None else None)
    shown = str(tuple(shape)) if shape or not value else ""
    head = " ".join(part for part in (name, shown) if part)
    parts = [head] if head else []
    if value:
        parts.append("data " + _format(tensor._data))
    if grad:
        parts.append("grad " + _format(tensor.grad._data))
    return parts


def _format(array):
    """An array on one line, 4 significant digits (float32 -1.6999999 shows as -1.7)."""
    text = xp.array2string(xp.asarray(array), separator=", ",
                           formatter={"float_kind": lambda value: f"{value:.4g}"})
    return " ".join(text.split())


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _escape_record(text):
    """Escape the characters that structure a Graphviz record label."""
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return text
