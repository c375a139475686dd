"""models/: every model builds from minitorch.nn, has the right shapes, and trains."""
import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
import minitorch.nn.functional as F
import models


def test_available():
    assert set(models.available()) == {"mlp", "logistic", "linear", "cnn"}
    assert all(isinstance(d, str) and d for d in models.available().values())


@pytest.mark.parametrize("name, task", [("mlp", "classification"), ("mlp", "regression"),
                                        ("logistic", "classification"), ("linear", "regression")])
def test_builds_and_trains_a_few_steps(name, task):
    mt.manual_seed(0)
    model = models.build(name, 5, 3)
    assert isinstance(model, nn.Module)
    assert all(isinstance(m, nn.Module) for m in model.modules())
    assert all(isinstance(p, nn.Parameter) for p in model.parameters())
    x = mt.randn(64, 5)
    if task == "classification":
        y = mt.tensor((x.numpy()[:, 0] > 0).astype(np.int64) + (x.numpy()[:, 1] > 0))
        loss_fn = F.cross_entropy
    else:
        y = mt.tensor(x.numpy()[:, :3] * 2.0 - 1.0)
        loss_fn = F.mse_loss
    optimizer = mt.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert model(x).shape == (64, 3)
    assert losses[-1] < 0.7 * losses[0]


def test_mlp_structure():
    model = models.MLP(4, 2, hidden=(8, 16), activation="tanh", dropout=0.5)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {"layers.0.weight": (8, 4), "layers.0.bias": (8,),
                      "layers.3.weight": (16, 8), "layers.3.bias": (16,),
                      "layers.6.weight": (2, 16), "layers.6.bias": (2,)}
    assert [type(m).__name__ for m in models.MLP(4, 2, hidden=()).layers] == ["Linear"]


@pytest.mark.parametrize("activation", list(models.ACTIVATIONS))
def test_every_activation_runs(activation):
    model = models.build("mlp", 3, 2, hidden=(4,), activation=activation)
    model(mt.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_dropout_is_off_in_eval_mode():
    model = models.MLP(3, 2, hidden=(32,), dropout=0.5)
    x = mt.randn(4, 3)
    model.eval()
    np.testing.assert_array_equal(model(x).detach().numpy(), model(x).detach().numpy())


def test_errors_list_valid_choices():
    with pytest.raises(ValueError, match="valid choices: mlp, logistic, linear"):
        models.build("resnet", 2, 2)
    with pytest.raises(ValueError, match="valid options: hidden, activation, dropout"):
        models.build("mlp", 2, 2, width=3)
    with pytest.raises(ValueError, match="valid options: none"):
        models.build("logistic", 2, 2, hidden=(3,))
    with pytest.raises(ValueError, match="valid choices: relu, tanh"):
        models.MLP(2, 2, activation="swish")
    with pytest.raises(ValueError, match="dropout"):
        models.MLP(2, 2, dropout=1.0)
    with pytest.raises(ValueError, match="hidden sizes"):
        models.MLP(2, 2, hidden=(4, 0))


def test_tasks():
    assert models.tasks("logistic") == ("classification",)
    assert models.tasks("linear") == ("regression",)
    assert set(models.tasks("mlp")) == {"classification", "regression"}


def test_hidden_accepts_an_int_or_a_sequence_of_positive_ints():
    assert [type(m).__name__ for m in models.build("mlp", 2, 2, hidden=8).layers] == \
        ["Linear", "ReLU", "Linear"]
    assert models.hidden_sizes([np.int64(3), 4]) == (3, 4)
    assert models.hidden_sizes(h for h in (5, 6)) == (5, 6)
    assert models.hidden_sizes(()) == ()


@pytest.mark.parametrize("hidden", ["8,8", (2.7,), (True,), None, 0, (4, -1), 8.0])
def test_bad_hidden_sizes_are_rejected_clearly(hidden):
    with pytest.raises(ValueError, match=r"hidden sizes must be a positive int or a sequence "
                                         r"of positive ints such as \(64, 64\)"):
        models.build("mlp", 2, 2, hidden=hidden)


def test_dropout_must_be_a_number():
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
        models.MLP(2, 2, dropout="0.5")
