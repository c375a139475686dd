"""scaled_dot_product_attention, MultiheadAttention and the transformer encoder against NumPy
written from PyTorch's documentation: masks (bool and float, both conventions), causal,
dropout, scale, need_weights/average_attn_weights, batch_first, norm_first, activation."""
import math

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch.autograd import gradcheck, gradgradcheck


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def attention_reference(q, k, v, bias=None, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if bias is not None:
        scores = scores + bias
    weights = softmax(scores)
    return weights @ v, weights


def test_sdpa_masks_causal_and_scale():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)))
    run = lambda **kw: F.scaled_dot_product_attention(mt.tensor(q), mt.tensor(k), mt.tensor(v),  # noqa: E731
                                                     **kw).numpy()
    np.testing.assert_allclose(run(), attention_reference(q, k, v)[0], atol=1e-12)
    np.testing.assert_allclose(run(scale=0.3), attention_reference(q, k, v, scale=0.3)[0],
                               atol=1e-12)
    allowed = rng.random((4, 6)) < 0.6
    allowed[:, 0] = True
    bias = np.where(allowed, 0.0, -np.inf)
    np.testing.assert_allclose(run(attn_mask=mt.tensor(allowed)),
                               attention_reference(q, k, v, bias)[0], atol=1e-12)
    float_mask = rng.standard_normal((2, 1, 4, 6))
    np.testing.assert_allclose(run(attn_mask=mt.tensor(float_mask)),
                               attention_reference(q, k, v, float_mask)[0], atol=1e-12)
    causal = np.where(np.tril(np.ones((4, 6), bool)), 0.0, -np.inf)
    np.testing.assert_allclose(run(is_causal=True), attention_reference(q, k, v, causal)[0],
                               atol=1e-12)
    nothing = np.zeros((4, 6), bool)
    with np.errstate(invalid="ignore"):
        assert np.isnan(run(attn_mask=mt.tensor(nothing))).all()  # as PyTorch: no key, no answer


def test_sdpa_dropout_drops_weights_with_the_default_generator():
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((1, 3, 4)) for _ in range(3))
    mt.manual_seed(7)
    out = F.scaled_dot_product_attention(mt.tensor(q), mt.tensor(k), mt.tensor(v), dropout_p=0.5)
    mt.manual_seed(7)
    weights = F.dropout(mt.tensor(attention_reference(q, k, v)[1]), 0.5).numpy()
    np.testing.assert_allclose(out.numpy(), weights @ v, atol=1e-12)
    zero = F.scaled_dot_product_attention(mt.tensor(q), mt.tensor(k), mt.tensor(v), dropout_p=1.0)
    np.testing.assert_array_equal(zero.numpy(), 0.0)


def test_sdpa_gradients_to_second_order_and_errors():
    rng = np.random.default_rng(2)
    inputs = [mt.tensor(rng.standard_normal(s), requires_grad=True)
              for s in ((2, 3, 2), (2, 4, 2), (2, 4, 3))]
    mask = mt.tensor(rng.random((3, 4)) < 0.7) | mt.tensor(np.eye(3, 4, dtype=bool))
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)
    with pytest.raises(ValueError, match="scaled_dot_product_attention: expected query"):
        F.scaled_dot_product_attention(*inputs[:2], mt.randn(2, 5, 3, dtype=mt.float64))
    with pytest.raises(ValueError, match="either attn_mask or is_causal=True, not both"):
        fn2 = F.scaled_dot_product_attention
        fn2(*inputs, attn_mask=mask, is_causal=True)


def mha_reference(module, q, k, v, bias=None):
    """PyTorch's multi_head_attention_forward for (L, N, E) inputs, from the docs."""
    e, heads = module.embed_dim, module.num_heads
    w = module.in_proj_weight.detach().numpy()
    b = module.in_proj_bias.detach().numpy()
    qp, kp, vp = q @ w[:e].T + b[:e], k @ w[e:2 * e].T + b[e:2 * e], v @ w[2 * e:].T + b[2 * e:]
    split = lambda x: x.reshape(x.shape[0], x.shape[1], heads, -1).transpose(1, 2, 0, 3)  # noqa: E731
    out, weights = attention_reference(split(qp), split(kp), split(vp), bias)  # (N, H, L, d)
    out = out.transpose(2, 0, 1, 3).reshape(q.shape[0], q.shape[1], e)
    out = out @ module.out_proj.weight.detach().numpy().T + module.out_proj.bias.detach().numpy()
    return out, weights


def test_multihead_attention_matches_the_definition_with_masks():
    mt.manual_seed(3)
    mha = nn.MultiheadAttention(8, 2).double()
    with mt.no_grad():  # non-zero biases so that they are tested too
        mha.in_proj_bias.copy_(mt.randn(24, dtype=mt.float64))
        mha.out_proj.bias.copy_(mt.randn(8, dtype=mt.float64))
    rng = np.random.default_rng(3)
    q, k, v = rng.standard_normal((4, 3, 8)), rng.standard_normal((5, 3, 8)), \
        rng.standard_normal((5, 3, 8))
    forbidden = rng.random((4, 5)) < 0.3  # MultiheadAttention: True = may NOT attend
    forbidden[:, 0] = False
    padding = np.zeros((3, 5), bool)
    padding[1, 3:] = True
    out, weights = mha(mt.tensor(q), mt.tensor(k), mt.tensor(v), attn_mask=mt.tensor(forbidden),
                       key_padding_mask=mt.tensor(padding))
    bias = np.where(forbidden, -np.inf, 0.0)[None, None] + \
        np.where(padding, -np.inf, 0.0)[:, None, None, :]
    expected, expected_weights = mha_reference(mha, q, k, v, bias)
    np.testing.assert_allclose(out.detach().numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(weights.detach().numpy(), expected_weights.mean(1), atol=1e-12)
    _, per_head = mha(mt.tensor(q), mt.tensor(k), mt.tensor(v), average_attn_weights=False)
    assert per_head.shape == (3, 2, 4, 5)
    out, none = mha(mt.tensor(q), mt.tensor(k), mt.tensor(v), need_weights=False,
                    attn_mask=mt.tensor(np.where(forbidden, -np.inf, 0.0)))
    assert none is None
    expected, _ = mha_reference(mha, q, k, v, np.where(forbidden, -np.inf, 0.0))
    np.testing.assert_allclose(out.detach().numpy(), expected, atol=1e-12)


def test_multihead_attention_batch_first_and_unbatched():
    mt.manual_seed(4)
    mha = nn.MultiheadAttention(6, 3, batch_first=True)
    x = mt.randn(2, 5, 6)  # (N, L, E)
    out, weights = mha(x, x, x)
    assert out.shape == (2, 5, 6) and weights.shape == (2, 5, 5)
    mha.batch_first = False
    reference, _ = mha(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1))
    np.testing.assert_allclose(out.detach().numpy(), reference.transpose(0, 1).detach().numpy(),
                               atol=1e-6)
    single, single_weights = mha(x[0], x[0], x[0])  # unbatched (L, E)
    np.testing.assert_allclose(single.detach().numpy(), reference.detach().numpy()[:, 0],
                               atol=1e-6)
    assert single_weights.shape == (5, 5)


def test_multihead_attention_parameters_are_pytorchs():
    mt.manual_seed(5)
    mha = nn.MultiheadAttention(8, 2)
    assert {k: tuple(v.shape) for k, v in mha.state_dict().items()} == {
        "in_proj_weight": (24, 8), "in_proj_bias": (24,), "out_proj.weight": (8, 8),
        "out_proj.bias": (8,)}
    np.testing.assert_array_equal(mha.in_proj_bias.detach().numpy(), 0)
    np.testing.assert_array_equal(mha.out_proj.bias.detach().numpy(), 0)
    bound = math.sqrt(6 / (24 + 8))  # xavier_uniform_ on (3E, E)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    other = nn.MultiheadAttention(8, 2, kdim=5, vdim=3, add_bias_kv=True)
    assert {k: tuple(v.shape) for k, v in other.state_dict().items()} == {
        "q_proj_weight": (8, 8), "k_proj_weight": (8, 5), "v_proj_weight": (8, 3),
        "in_proj_bias": (24,), "bias_k": (1, 1, 8), "bias_v": (1, 1, 8),
        "out_proj.weight": (8, 8), "out_proj.bias": (8,)}
    out, weights = other(mt.randn(4, 2, 8), mt.randn(6, 2, 5), mt.randn(6, 2, 3))
    assert out.shape == (4, 2, 8) and weights.shape == (2, 4, 7)  # one more key: bias_k


def test_multihead_attention_gradients_to_second_order():
    mt.manual_seed(6)
    mha = nn.MultiheadAttention(4, 2, add_zero_attn=True).double()
    x = mt.tensor(np.random.default_rng(6).standard_normal((3, 1, 4)), requires_grad=True)
    params = list(mha.parameters())
    padding = mt.tensor([[False, False, True]])
    assert gradcheck(lambda x, *p: mha(x, x, x, key_padding_mask=padding)[0], [x, *params])
    assert gradgradcheck(lambda x, *p: mha(x, x, x)[0], [x, *params[:2]])


def test_multihead_attention_errors():
    mha = nn.MultiheadAttention(8, 2)
    with pytest.raises(ValueError, match=r"MultiheadAttention\(embed_dim=8, num_heads=2\): "
                                         r"expected query of shape \(L, N, 8\)"):
        mha(mt.randn(4, 2, 6), mt.randn(4, 2, 8), mt.randn(4, 2, 8))
    with pytest.raises(ValueError, match=r"expected attn_mask of shape \(4, 5\) or \(4, 4, 5\)"):
        mha(mt.randn(4, 2, 8), mt.randn(5, 2, 8), mt.randn(5, 2, 8), attn_mask=mt.zeros(5, 5))
    with pytest.raises(ValueError, match=r"expected key_padding_mask of shape \(2, 5\)"):
        mha(mt.randn(4, 2, 8), mt.randn(5, 2, 8), mt.randn(5, 2, 8),
            key_padding_mask=mt.zeros(2, 4))
    with pytest.raises(ValueError, match="is_causal=True is a hint"):
        mha(mt.randn(4, 2, 8), mt.randn(4, 2, 8), mt.randn(4, 2, 8), is_causal=True)
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be divisible by num_heads \(4\)"):
        nn.MultiheadAttention(6, 4)


def layer_reference(layer, x, mask=None, activation=lambda h: np.maximum(h, 0)):
    """A TransformerEncoderLayer in eval mode, from its documented structure (x: (S, N, E))."""
    def norm(h, module):
        return ((h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5)
                * module.weight.detach().numpy() + module.bias.detach().numpy())

    def attend(h):
        return mha_reference(layer.self_attn, h, h, h, mask)[0]

    def feed_forward(h):
        lin = lambda h, m: h @ m.weight.detach().numpy().T + m.bias.detach().numpy()  # noqa: E731
        return lin(activation(lin(h, layer.linear1)), layer.linear2)
    if layer.norm_first:
        x = x + attend(norm(x, layer.norm1))
        return x + feed_forward(norm(x, layer.norm2))
    x = norm(x + attend(x), layer.norm1)
    return norm(x + feed_forward(x), layer.norm2)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_its_structure(norm_first, activation):
    mt.manual_seed(7)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.3, activation=activation,
                                       norm_first=norm_first).double().eval()
    x = np.random.default_rng(7).standard_normal((5, 3, 8))
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    gelu = lambda h: 0.5 * h * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))  # noqa: E731
    out = layer(mt.tensor(x), src_mask=mt.tensor(causal))
    expected = layer_reference(layer, x, causal,
                               gelu if activation == "gelu" else lambda h: np.maximum(h, 0))
    np.testing.assert_allclose(out.detach().numpy(), expected, atol=1e-10)
    layer.train()  # dropout 0.3 changes the output in training only
    assert not np.allclose(layer(mt.tensor(x)).detach().numpy(), layer_reference(layer, x))


def test_encoder_stacks_independent_copies_and_carries_pytorchs_names():
    mt.manual_seed(8)
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4))
    names = list(encoder.state_dict())
    assert names[:4] == ["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias",
                         "layers.0.self_attn.out_proj.weight", "layers.0.self_attn.out_proj.bias"]
    assert "layers.1.norm2.bias" in names and names[-2:] == ["norm.weight", "norm.bias"]
    assert all(type(p).__name__ == "Parameter" for p in encoder.parameters())
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second and first is not layer.linear1.weight
    x = mt.randn(2, 5, 4, requires_grad=True)
    out = encoder(x, src_key_padding_mask=mt.tensor([[False] * 4 + [True]] * 2))
    assert out.shape == (2, 5, 4)
    out.sum().backward()
    assert first.grad is not None and second.grad is not None and layer.linear1.weight.grad is None
    expected = layer_reference(encoder.layers[0], x.detach().numpy().transpose(1, 0, 2))
    one = nn.TransformerEncoder(encoder.layers[0], 1)  # the first layer alone, copied
    np.testing.assert_allclose(one(x).detach().numpy(), expected.transpose(1, 0, 2), atol=1e-5)


def test_encoder_layer_gradients_to_second_order():
    mt.manual_seed(9)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0).double()
    x = mt.tensor(np.random.default_rng(9).standard_normal((3, 1, 4)), requires_grad=True)
    params = list(layer.parameters())
    assert gradcheck(lambda x, *p: layer(x), [x, *params])
    assert gradgradcheck(lambda x, *p: layer(x), [x, params[0]])


def test_encoder_layer_errors_and_module_activation():
    with pytest.raises(ValueError, match="activation should be relu/gelu, not 'tanh'"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    layer = nn.TransformerEncoderLayer(4, 2, 8, activation=nn.GELU())
    assert "activation" in dict(layer.named_children())
    with pytest.raises(ValueError, match="num_layers must be a positive int"):
        nn.TransformerEncoder(layer, 0)


def test_float32_stays_float32():
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    x = mt.randn(2, 5, 8, requires_grad=True)
    out = layer(x, src_key_padding_mask=mt.tensor([[False] * 4 + [True]] * 2))
    assert out.dtype == mt.float32
    out.sum().backward()
    assert x.grad.dtype == mt.float32
    assert all(p.grad.dtype == mt.float32 for p in layer.parameters())
    q = mt.randn(2, 3, 4)
    mask = mt.randn(3, 3, dtype=mt.float64)
    assert F.scaled_dot_product_attention(q, q, q, attn_mask=mask).dtype == mt.float32
