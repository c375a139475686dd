"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells.

Everything is PyTorch's: the arguments, the shapes (``batch_first``, unbatched
input), the parameter names (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0``, ``..._reverse`` for the backward direction, ``weight_hr_l0`` for
an LSTM's projection), the gate order stacked in each weight (LSTM: input,
forget, cell, output; GRU: reset, update, new) and the initialisation
(every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))), so state
dicts carry over. The equations (PyTorch's documentation):

    RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)          (or relu)
    LSTM:  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (W_ih x + b_ih + W_hh h + b_hh)
           c' = f * c + i * g        h' = o * tanh(c')        (h' = W_hr h' with proj_size)
    GRU:   r, z = sigmoid(W_ir x + b_ir + W_hr h + b_hr), sigmoid(W_iz x + b_iz + W_hz h + b_hz)
           n = tanh(W_in x + b_in + r * (W_hn h + b_hn))     h' = (1 - z) * n + z * h

A layer projects the inputs of all time steps with one matrix product, then runs
the recurrence one step at a time; the gradient flows back through time by the
same operations (backpropagation through time).
"""
import math
import numbers
import warnings

from ..creation import empty, zeros
from ..device import check_device
from ..methods import cat, stack
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _lstm_step(x_proj, state, w_hh, b_hh, w_hr=None):
    """One LSTM step from the projected input and (h, c): returns (h', c')."""
    h, c = state
    gates = x_proj + F.linear(h, w_hh, b_hh)
    size = gates.shape[-1] // 4
    squashed = gates.sigmoid()
    i, f, o = squashed[..., :size], squashed[..., size:2 * size], squashed[..., 3 * size:]
    g = gates[..., 2 * size:3 * size].tanh()
    c = f * c + i * g
    h = o * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(x_proj, h, w_hh, b_hh):
    """One GRU step from the projected input W_i x + b_i and h: returns h'."""
    hidden = F.linear(h, w_hh, b_hh)
    size = hidden.shape[-1] // 3
    r_z = (x_proj[..., :2 * size] + hidden[..., :2 * size]).sigmoid()
    r, z = r_z[..., :size], r_z[..., size:]
    n = (x_proj[..., 2 * size:] + r * hidden[..., 2 * size:]).tanh()
    return n + z * (h - n)  # (1 - z) * n + z * h


def _check_size(name, what, value, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}: {what} must be an int >= {minimum}, got {value!r}")


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrence shared by RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        _check_size(name, "input_size", input_size)
        _check_size(name, "hidden_size", hidden_size)
        _check_size(name, "num_layers", num_layers)
        _check_size(name, "proj_size", proj_size, minimum=0)
        if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or \
                not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout option adds dropout after all but last recurrent "
                          f"layer, so non-zero dropout expects num_layers greater than 1, but "
                          f"got dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size argument is only supported for LSTM, not "
                             f"{name}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size ({proj_size}) has to be smaller than "
                             f"hidden_size ({hidden_size})")
        self.mode = mode
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, out_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for kind, shape in shapes:
                    self.register_parameter(kind + suffix, Parameter(empty(*shape, dtype=dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            init.uniform_(parameter, -bound, bound)

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (get("weight_ih" + suffix), get("weight_hh" + suffix), get("bias_ih" + suffix),
                get("bias_hh" + suffix), get("weight_hr" + suffix))

    def _check_input(self, input):
        """``input`` as (L, N, H_in), and whether it was unbatched (L, H_in)."""
        name = self._name()
        F._check_tensor(name, "input", input)
        F._check_float(name, "input", input)
        layout = "(N, L, H_in)" if self.batch_first else "(L, N, H_in)"
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            layout = layout.replace("H_in", str(self.input_size))
            raise ValueError(f"{name}: expected input of shape {layout} or "
                             f"(L, {self.input_size}), got {tuple(input.shape)}")
        if input.ndim == 2:
            return input.unsqueeze(1), True
        return (input.transpose(0, 1) if self.batch_first else input), False

    def _check_state(self, state, what, size, batch, unbatched, like):
        """An initial state as (D * num_layers, N, size) (zeros when None)."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        if state is None:
            return zeros(layers, batch, size, dtype=like.dtype)
        name = self._name()
        F._check_tensor(name, what, state)
        expected = (layers, size) if unbatched else (layers, batch, size)
        if tuple(state.shape) != expected:
            raise ValueError(f"{name}: expected {what} of shape {expected}, got "
                             f"{tuple(state.shape)}")
        if state.dtype != like.dtype:
            raise TypeError(f"{name}: {what} ({state.dtype}) must have the input's dtype "
                            f"({like.dtype})")
        return state.unsqueeze(1) if unbatched else state

    def _run(self, x, states, step):
        """Run every layer and direction over x (L, N, H_in) from ``states`` (a list, per
        layer and direction, of the step function's state); returns the last layer's
        outputs (L, N, D * H_out) and the final states in the same order."""
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = F.dropout(x, self.dropout)
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
                projected = F.linear(x, w_ih, b_ih)  # every time step in one product
                state = states[layer * directions + direction]
                steps = range(x.shape[0] - 1, -1, -1) if direction else range(x.shape[0])
                seen = []
                for t in steps:
                    state = step(projected[t], state, w_hh, b_hh, w_hr)
                    seen.append(state[0] if isinstance(state, tuple) else state)
                if direction:
                    seen.reverse()
                outputs.append(stack(seen))
                finals.append(state)
            x = outputs[0] if directions == 1 else cat(outputs, -1)
        return x, finals

    def _output(self, out, unbatched):
        if unbatched:
            return out.squeeze(1)
        return out.transpose(0, 1) if self.batch_first else out

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (or relu), stacked
    ``num_layers`` deep, optionally bidirectional.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)`` as in PyTorch.
    ``forward(input, hx=None)``: input (L, N, H_in) ((N, L, H_in) with
    ``batch_first``) or unbatched (L, H_in); hx (D * num_layers, N, H) (zeros when
    None) -> (output (L, N, D * H), h_n (D * num_layers, N, H)). ``dropout`` applies
    to the outputs of every layer but the last, in training.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'")
        self.__dict__["nonlinearity"] = nonlinearity  # before Module.__init__, read by repr
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, unbatched = self._check_input(input)
        h0 = self._check_state(hx, "hx", self.hidden_size, x.shape[1], unbatched, x)
        activation = F.tanh if self.nonlinearity == "tanh" else F.relu

        def step(x_proj, h, w_hh, b_hh, w_hr):
            return activation(x_proj + F.linear(h, w_hh, b_hh))

        out, finals = self._run(x, [h0[i] for i in range(h0.shape[0])], step)
        return self._output(out, unbatched), self._state_out(stack(finals), unbatched)

    @staticmethod
    def _state_out(state, unbatched):
        return state.squeeze(1) if unbatched else state


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's: gates i, f, g, o (stacked in that order in
    ``weight_ih_l*``/``weight_hh_l*``), c_t = f * c_(t-1) + i * g, h_t = o * tanh(c_t)
    (then h_t = W_hr h_t when ``proj_size`` > 0).

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0)``. ``forward(input, hx=None)``
    with hx = (h_0, c_0): h_0 (D * num_layers, N, H_out), c_0 (D * num_layers, N, H)
    (zeros when None) -> (output (L, N, D * H_out), (h_n, c_n)).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, unbatched = self._check_input(input)
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise ValueError(f"{self._name()}: hx must be a tuple (h_0, c_0), got "
                             f"{type(hx).__name__}")
        h0, c0 = hx if hx is not None else (None, None)
        batch = x.shape[1]
        h0 = self._check_state(h0, "h_0", self.proj_size or self.hidden_size, batch, unbatched, x)
        c0 = self._check_state(c0, "c_0", self.hidden_size, batch, unbatched, x)
        states = [(h0[i], c0[i]) for i in range(h0.shape[0])]
        out, finals = self._run(x, states, _lstm_step)
        h_n, c_n = stack([h for h, _ in finals]), stack([c for _, c in finals])
        if unbatched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._output(out, unbatched), (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's: gates r, z, n (stacked in that order),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``. ``forward(input, hx=None)`` -> (output
    (L, N, D * H), h_n (D * num_layers, N, H)), as ``RNN``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, unbatched = self._check_input(input)
        h0 = self._check_state(hx, "hx", self.hidden_size, x.shape[1], unbatched, x)

        def step(x_proj, h, w_hh, b_hh, w_hr):
            return _gru_step(x_proj, h, w_hh, b_hh)

        out, finals = self._run(x, [h0[i] for i in range(h0.shape[0])], step)
        h_n = stack(finals)
        return self._output(out, unbatched), (h_n.squeeze(1) if unbatched else h_n)


class RNNCellBase(Module):
    """One time step: parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    _gates = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        _check_size(name, "input_size", input_size)
        _check_size(name, "hidden_size", hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = self._gates * hidden_size
        self.weight_ih = Parameter(empty(gate_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gate_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gate_size, dtype=dtype))
            self.bias_hh = Parameter(empty(gate_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def _check(self, input, state, what):
        """input (N, H_in) or (H_in,) and a state (N, H) or (H,) (zeros when None)
        as 2-D tensors, and whether they were unbatched."""
        name = f"{type(self).__name__}({self.extra_repr()})"
        F._check_tensor(name, "input", input)
        F._check_float(name, "input", input)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got {tuple(input.shape)}")
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        if state is None:
            return x, zeros(x.shape[0], self.hidden_size, dtype=x.dtype), unbatched
        F._check_tensor(name, what, state)
        expected = (self.hidden_size,) if unbatched else (x.shape[0], self.hidden_size)
        if tuple(state.shape) != expected:
            raise ValueError(f"{name}: expected {what} of shape {expected}, got "
                             f"{tuple(state.shape)}")
        return x, (state.unsqueeze(0) if unbatched else state), unbatched

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).
    ``forward(input, hx=None)``: input (N, H_in) or (H_in,) -> h' (N, H) or (H,)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; use 'tanh' or "
                             "'relu'")
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__(input_size, hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, h, unbatched = self._check(input, hx, "hx")
        activation = F.tanh if self.nonlinearity == "tanh" else F.relu
        h = activation(F.linear(x, self.weight_ih, self.bias_ih)
                       + F.linear(h, self.weight_hh, self.bias_hh))
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o). ``forward(input, hx=None)`` with hx = (h, c)
    -> (h', c'), each (N, H) (or (H,) for unbatched input)."""

    _gates = 4

    def forward(self, input, hx=None):
        h, c = (None, None) if hx is None else hx
        x, h, unbatched = self._check(input, h, "h")
        _, c, _ = self._check(input, c, "c")
        h, c = _lstm_step(F.linear(x, self.weight_ih, self.bias_ih), (h, c), self.weight_hh,
                          self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n). ``forward(input, hx=None)`` -> h' (N, H) or (H,)."""

    _gates = 3

    def forward(self, input, hx=None):
        x, h, unbatched = self._check(input, hx, "hx")
        h = _gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                      self.bias_hh)
        return h.squeeze(0) if unbatched else h
