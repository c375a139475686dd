"""Layers and losses keep float32 float32 (a silent float64 upcast doubles matmul time)."""
import pytest

import minitorch as mt
import minitorch.nn.functional as F

CASES = {
    "mse": lambda x, t, c: F.mse_loss(x, t), "l1": lambda x, t, c: F.l1_loss(x, t),
    "huber": lambda x, t, c: F.huber_loss(x, t),
    "bce_with_logits": lambda x, t, c: F.binary_cross_entropy_with_logits(x, (t > 0).float()),
    "bce": lambda x, t, c: F.binary_cross_entropy(x.sigmoid(), (t > 0).float()),
    "cross_entropy": lambda x, t, c: F.cross_entropy(x, c),
    "cross_entropy_smoothing": lambda x, t, c: F.cross_entropy(x, c, label_smoothing=0.1),
    "nll": lambda x, t, c: F.nll_loss(x.log_softmax(1), c),
    "multi_margin": lambda x, t, c: F.multi_margin_loss(x, c),
    "gelu": lambda x, t, c: F.gelu(x).sum(),
    "gelu_tanh": lambda x, t, c: F.gelu(x, approximate="tanh").sum(),
    "leaky_relu": lambda x, t, c: F.leaky_relu(x, 0.1).sum(),
    "dropout": lambda x, t, c: F.dropout(x, 0.5, True).sum(),
    "softmax": lambda x, t, c: F.softmax(x, 1).sum(),
    "linear_module": lambda x, t, c: mt.nn.Linear(3, 2)(x).sum(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_in_float32_out_and_float32_gradients(name):
    x = mt.randn(4, 3, requires_grad=True)
    out = CASES[name](x, mt.randn(4, 3), mt.tensor([0, 1, 2, 0]))
    out.backward()
    assert out.dtype == mt.float32 and x.grad.dtype == mt.float32
