"""RNN, LSTM and GRU against NumPy step loops written from PyTorch's equations (gate
orders i,f,g,o and r,z,n), stacked and bidirectional, batch_first, initial states,
gradients to second order, parameter names and init, errors."""
import math

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn as nn
from minitorch.autograd import gradcheck, gradgradcheck


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def cell_reference(kind, x, state, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """One step of PyTorch's documented equations (NumPy)."""
    if kind == "LSTM":
        h, c = state
        i, f, g, o = np.split(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        return (h if w_hr is None else h @ w_hr.T), c
    if kind == "GRU":
        h = state
        xr, xz, xn = np.split(x @ w_ih.T + b_ih, 3, axis=-1)
        hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, axis=-1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        return (1 - z) * n + z * h
    return np.tanh(x @ w_ih.T + b_ih + state @ w_hh.T + b_hh)


def rnn_reference(module, x, states):
    """The whole stacked, optionally bidirectional network (x: (L, N, H_in))."""
    kind = type(module).__name__
    directions = 2 if module.bidirectional else 1
    params = {name: p.detach().numpy() for name, p in module.named_parameters()}
    finals = []
    for layer in range(module.num_layers):
        outputs = []
        for d in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            weights = [params.get(n + suffix, 0.0) for n in ("weight_ih", "weight_hh", "bias_ih",
                                                            "bias_hh")]
            state = states[layer * directions + d]
            seen = [None] * len(x)
            for t in (reversed(range(len(x))) if d else range(len(x))):
                state = cell_reference(kind, x[t], state, *weights, params.get("weight_hr" + suffix))
                seen[t] = state[0] if kind == "LSTM" else state
            outputs.append(np.stack(seen))
            finals.append(state)
        x = np.concatenate(outputs, axis=-1)
    return x, finals


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_two_layers_match_the_equations(cls, bidirectional):
    mt.manual_seed(0)
    module = cls(3, 4, num_layers=2, bidirectional=bidirectional).double()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 2, 3))
    layers = 2 * (2 if bidirectional else 1)
    h0 = rng.standard_normal((layers, 2, 4))
    c0 = rng.standard_normal((layers, 2, 4))
    hx = (mt.tensor(h0), mt.tensor(c0)) if cls is nn.LSTM else mt.tensor(h0)
    out, state = module(mt.tensor(x), hx)
    states = [(h0[i], c0[i]) for i in range(layers)] if cls is nn.LSTM else list(h0)
    expected, finals = rnn_reference(module, x, states)
    np.testing.assert_allclose(out.detach().numpy(), expected, atol=1e-12)
    assert out.shape == (5, 2, 4 * (2 if bidirectional else 1))
    if cls is nn.LSTM:
        h_n, c_n = state
        np.testing.assert_allclose(h_n.detach().numpy(), np.stack([h for h, _ in finals]), atol=1e-12)
        np.testing.assert_allclose(c_n.detach().numpy(), np.stack([c for _, c in finals]), atol=1e-12)
    else:
        np.testing.assert_allclose(state.detach().numpy(), np.stack(finals), atol=1e-12)


def test_batch_first_unbatched_zero_state_and_relu():
    mt.manual_seed(1)
    gru = nn.GRU(3, 4, batch_first=True).double()
    x = np.random.default_rng(1).standard_normal((2, 6, 3))  # (N, L, H_in)
    out, h_n = gru(mt.tensor(x))
    expected, _ = rnn_reference(gru, x.transpose(1, 0, 2), [np.zeros((2, 4))])
    np.testing.assert_allclose(out.detach().numpy(), expected.transpose(1, 0, 2), atol=1e-12)
    single, h_single = gru(mt.tensor(x[0]))  # unbatched (L, H_in)
    np.testing.assert_allclose(single.detach().numpy(), out.detach().numpy()[0], atol=1e-12)
    assert h_n.shape == (1, 2, 4) and h_single.shape == (1, 4)
    relu = nn.RNN(3, 4, nonlinearity="relu")
    assert (relu(mt.randn(5, 2, 3))[0].detach().numpy() >= 0).all()
    assert repr(relu) == "RNN(3, 4)" and relu.nonlinearity == "relu"  # as PyTorch 2.x


def test_lstm_projection():
    mt.manual_seed(2)
    lstm = nn.LSTM(3, 5, proj_size=2).double()
    assert tuple(lstm.weight_hr_l0.shape) == (2, 5) and tuple(lstm.weight_hh_l0.shape) == (20, 2)
    x = np.random.default_rng(2).standard_normal((4, 2, 3))
    out, (h_n, c_n) = lstm(mt.tensor(x))
    expected, _ = rnn_reference(lstm, x, [(np.zeros((2, 2)), np.zeros((2, 5)))])
    np.testing.assert_allclose(out.detach().numpy(), expected, atol=1e-12)
    assert h_n.shape == (1, 2, 2) and c_n.shape == (1, 2, 5)


def test_parameter_names_shapes_and_init_are_pytorchs():
    mt.manual_seed(3)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    expected = {}
    for layer in range(2):
        for suffix in ("", "_reverse"):
            s = f"_l{layer}{suffix}"
            expected.update({"weight_ih" + s: (16, 3 if layer == 0 else 8),
                             "weight_hh" + s: (16, 4), "bias_ih" + s: (16,), "bias_hh" + s: (16,)})
    assert shapes == expected
    assert list(shapes)[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                "weight_ih_l0_reverse"]
    bound = 1 / math.sqrt(4)
    values = np.concatenate([p.detach().numpy().ravel() for p in lstm.parameters()])
    assert values.min() >= -bound and values.max() <= bound and values.std() > bound / 3
    gru = nn.GRU(3, 4, bias=False)
    assert [n for n, _ in gru.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert tuple(gru.weight_ih_l0.shape) == (12, 3)
    assert repr(nn.LSTM(3, 4, 2, batch_first=True, dropout=0.5)) == \
        "LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.5)"


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_input_state_and_parameter_gradients_to_second_order(cls):
    mt.manual_seed(4)
    module = cls(2, 2, num_layers=2).double()
    rng = np.random.default_rng(4)
    x = mt.tensor(rng.standard_normal((3, 1, 2)), requires_grad=True)
    h0 = mt.tensor(rng.standard_normal((2, 1, 2)), requires_grad=True)
    params = list(module.parameters())

    def run(x, h0, *p):
        hx = (h0, h0 * 0.5) if cls is nn.LSTM else h0
        out, _ = module(x, hx)
        return out
    assert gradcheck(run, [x, h0, *params])
    assert gradgradcheck(lambda x, h0, *p: run(x, h0) ** 2, [x, h0, *params[:4]])


@pytest.mark.parametrize("cls, kind", [(nn.RNNCell, "RNN"), (nn.LSTMCell, "LSTM"),
                                       (nn.GRUCell, "GRU")])
def test_cells_are_one_step(cls, kind):
    mt.manual_seed(5)
    cell = cls(3, 4).double()
    rng = np.random.default_rng(5)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    weights = [p.detach().numpy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih,
                                            cell.bias_hh)]
    if kind == "LSTM":
        c = rng.standard_normal((2, 4))
        out = cell(mt.tensor(x), (mt.tensor(h), mt.tensor(c)))
        expected = cell_reference(kind, x, (h, c), *weights)
        for a, b in zip(out, expected):
            np.testing.assert_allclose(a.detach().numpy(), b, atol=1e-12)
    else:
        out = cell(mt.tensor(x), mt.tensor(h))
        np.testing.assert_allclose(out.detach().numpy(), cell_reference(kind, x, h, *weights),
                                   atol=1e-12)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh", "bias_ih",
                                                        "bias_hh"]


def test_dropout_between_layers_only_in_training():
    mt.manual_seed(6)
    lstm = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = mt.randn(4, 2, 3)
    lstm.eval()
    first, _ = lstm(x)
    second, _ = lstm(x)
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())
    lstm.train()
    assert not np.allclose(lstm(x)[0].detach().numpy(), first.detach().numpy())
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


def test_float32_stays_float32():
    lstm = nn.LSTM(3, 4)
    x = mt.randn(5, 2, 3, requires_grad=True)
    out, (h, c) = lstm(x)
    assert out.dtype == h.dtype == c.dtype == mt.float32
    out.sum().backward()
    assert x.grad.dtype == mt.float32 and lstm.weight_hh_l0.grad.dtype == mt.float32


def test_errors_name_the_layer_and_the_shapes():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"LSTM\(3, 4, num_layers=2\): expected input of shape "
                                         r"\(L, N, 3\) or \(L, 3\), got \(5, 2, 4\)"):
        lstm(mt.randn(5, 2, 4))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        lstm(mt.randn(5, 2, 3), (mt.zeros(1, 2, 4), mt.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match="hx must be a tuple"):
        lstm(mt.randn(5, 2, 3), mt.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"GRU\(3, 4, batch_first=True\): expected input of shape "
                                         r"\(N, L, 3\)"):
        nn.GRU(3, 4, batch_first=True)(mt.randn(2, 5, 2))
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.RNNBase("GRU", 3, 4, proj_size=2)
    with pytest.raises(ValueError, match="hidden_size must be an int >= 1"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match=r"GRUCell\(3, 4\): expected input of shape \(N, 3\)"):
        nn.GRUCell(3, 4)(mt.randn(2, 5))
