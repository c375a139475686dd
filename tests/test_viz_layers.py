"""mt.viz draws convolution, normalisation, embedding, recurrent and attention layers
grouped by module, as it draws Linear: one node per layer, listing its parameters."""
import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
import models
from minitorch import viz


def module_nodes(graph):
    return {node.parts[0]: node.parts for node in graph.nodes.values() if node.kind == "module"}


def test_cnn_layers_are_drawn_one_node_each():
    mt.manual_seed(0)
    model = models.build("cnn", 64, 10)
    loss = F.cross_entropy(model(mt.randn(4, 64)), mt.tensor([0, 1, 2, 3]))
    nodes = module_nodes(viz.build_graph(loss, group_modules=model))
    assert set(nodes) == {"features.0: Conv2d", "features.1: BatchNorm2d", "features.4: Conv2d",
                          "features.5: BatchNorm2d", "features.8: Conv2d",
                          "features.9: BatchNorm2d", "classifier.2: Linear"}
    assert nodes["features.0: Conv2d"] == ["features.0: Conv2d", "Convolution",
                                           "features.0.weight (32, 1, 3, 3)"]
    assert "features.5.bias (64,)" in nodes["features.5: BatchNorm2d"]
    ops = {node.parts[0] for node in viz.build_graph(loss, group_modules=model).nodes.values()
           if node.kind == "op"}
    assert {"MaxPool", "Relu", "CrossEntropy"} <= ops  # layers without parameters: one op
    dot = viz.to_dot(loss, group_modules=model)
    assert dot.count('fillcolor="#fdf1d6"') == 7  # the module style, once per layer


def test_sequence_and_attention_layers_are_grouped():
    mt.manual_seed(1)
    embedding, lstm, norm = nn.Embedding(10, 4), nn.LSTM(4, 4, batch_first=True), nn.LayerNorm(4)
    attention = nn.MultiheadAttention(4, 2, batch_first=True)
    model = nn.Sequential(embedding, norm)
    tokens = mt.tensor([[1, 2, 3]])
    x = model(tokens)
    out, _ = lstm(x)
    out, _ = attention(out, out, out)
    for module, title, parameter in ((model, "0: Embedding", "0.weight (10, 4)"),
                                     (model, "1: LayerNorm", "1.weight (4,)"),
                                     (lstm, "LSTM", "weight_hh_l0 (16, 4)"),
                                     (attention, "MultiheadAttention", "in_proj_weight (12, 4)")):
        nodes = module_nodes(viz.build_graph(out.sum(), group_modules=module))
        assert title in nodes and parameter in nodes[title], nodes
