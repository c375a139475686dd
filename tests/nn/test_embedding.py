"""Embedding: lookups, PyTorch's init, padding_idx (no gradient), from_pretrained, max_norm,
scale_grad_by_freq, errors."""
import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
from minitorch.autograd import gradcheck, gradgradcheck


def test_lookup_shape_init_and_repr():
    mt.manual_seed(0)
    emb = nn.Embedding(1000, 8, padding_idx=-1)
    assert emb.padding_idx == 999 and repr(emb) == "Embedding(1000, 8, padding_idx=999)"
    weights = emb.weight.detach().numpy()
    np.testing.assert_array_equal(weights[999], 0)  # the padding row starts at zeros
    assert abs(weights[:999].mean()) < 0.05 and abs(weights[:999].std() - 1) < 0.05  # N(0, 1)
    idx = mt.tensor([[1, 2, 999], [4, 1, 0]])
    out = emb(idx)
    assert out.shape == (2, 3, 8) and out.dtype == mt.float32
    np.testing.assert_array_equal(out.detach().numpy(), weights[idx.numpy()])


def test_padding_row_gets_no_gradient_and_repeats_add_up():
    emb = nn.Embedding(5, 3, padding_idx=2)
    with mt.no_grad():
        emb.weight[2] = 7.0  # a changed padding row is still read, never trained
    idx = mt.tensor([2, 1, 1, 4, 2])
    out = emb(idx)
    np.testing.assert_array_equal(out.detach().numpy()[0], [7.0, 7.0, 7.0])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [0, 2, 0, 0, 1])


def test_scale_grad_by_freq_and_max_norm():
    emb = nn.Embedding(4, 2, scale_grad_by_freq=True)
    emb(mt.tensor([1, 1, 1, 3])).sum().backward()
    np.testing.assert_allclose(emb.weight.grad.numpy()[:, 0], [0, 1, 0, 1])
    emb = nn.Embedding(4, 2, max_norm=1.0)
    with mt.no_grad():
        emb.weight.copy_(mt.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [0.0, 2.0]]))
    out = emb(mt.tensor([0, 1]))
    np.testing.assert_allclose(np.linalg.norm(out.detach().numpy(), axis=1), [1.0, 0.5],
                               rtol=1e-5)
    np.testing.assert_allclose(emb.weight.detach().numpy()[2:], [[6.0, 8.0], [0.0, 2.0]])  # untouched


def test_from_pretrained_shares_and_freezes():
    table = mt.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and list(emb.parameters()) == [emb.weight]
    np.testing.assert_array_equal(emb(mt.tensor([1])).numpy(), [[3.0, 4.0]])
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad and trainable.padding_idx == 0
    with pytest.raises(ValueError, match="embeddings must be a 2-D Tensor"):
        nn.Embedding.from_pretrained(mt.ones(3))


def test_gradients_to_second_order():
    emb = nn.Embedding(5, 3, padding_idx=0).double()
    idx = mt.tensor([[0, 3, 3], [1, 4, 0]])
    assert gradcheck(lambda w: emb(idx) ** 2, [emb.weight])
    assert gradgradcheck(lambda w: emb(idx) ** 2, [emb.weight])


def test_errors():
    emb = nn.Embedding(5, 3)
    with pytest.raises(IndexError, match=r"embedding: index 5 is out of range for 5 embeddings"):
        emb(mt.tensor([1, 5]))
    with pytest.raises(TypeError, match="expected an integer tensor of indices"):
        emb(mt.tensor([1.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be within \[-5, 5\)"):
        nn.Embedding(5, 3, padding_idx=5)
    with pytest.raises(ValueError, match="sparse gradients are not supported"):
        nn.Embedding(5, 3, sparse=True)
