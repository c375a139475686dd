"""Dropout1d/2d drop whole channels; Unflatten splits one dimension."""
import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn


@pytest.mark.parametrize("layer, shape", [(nn.Dropout2d(0.5), (20, 30, 3, 4)),
                                          (nn.Dropout1d(0.5), (20, 30, 5))])
def test_whole_channels_are_dropped_and_the_rest_scaled(layer, shape):
    mt.manual_seed(0)
    out = layer(mt.ones(*shape)).numpy()
    per_channel = out.reshape(shape[0], shape[1], -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1)).all()
    assert 0.4 < (per_channel[..., 0] == 0).mean() < 0.6
    layer.eval()
    np.testing.assert_array_equal(layer(mt.ones(*shape)).numpy(), 1.0)
    assert repr(layer).endswith("(p=0.5, inplace=False)")


def test_channel_dropout_errors():
    with pytest.raises(ValueError, match="Dropout2d: probability has to be between 0 and 1"):
        nn.Dropout2d(1.5)
    with pytest.raises(ValueError, match=r"dropout2d: expected input of shape \(N, C, H, W\)"):
        nn.Dropout2d()(mt.ones(2, 3))


def test_unflatten():
    x = mt.arange(2 * 64).reshape(2, 64)
    assert nn.Unflatten(1, (1, 8, 8))(x).shape == (2, 1, 8, 8)
    assert nn.Unflatten(-1, (4, -1))(x).shape == (2, 4, 16)
    assert repr(nn.Unflatten(1, (1, 8, 8))) == "Unflatten(dim=1, unflattened_size=(1, 8, 8))"
    with pytest.raises(ValueError, match=r"Unflatten: cannot split dimension 1 of size 64"):
        nn.Unflatten(1, (3, 8))(x)
    with pytest.raises(ValueError, match="unflattened_size must be"):
        nn.Unflatten(1, (0, 8))
