"""``MultiheadAttention``: PyTorch's multi-head attention layer.

Parameters as PyTorch names and initialises them, so state dicts carry over:
``in_proj_weight`` (3E, E) stacking the query, key and value projections
(xavier_uniform_) and ``in_proj_bias`` (3E,) (zeros), or ``q_proj_weight``,
``k_proj_weight``, ``v_proj_weight`` when the key/value sizes differ from E;
``out_proj`` a Linear(E, E) (its bias zeros); ``bias_k``/``bias_v`` (1, 1, E)
with ``add_bias_kv``. The computation (PyTorch's ``multi_head_attention_forward``):
project, split E into ``num_heads`` heads of E / num_heads, per head
``softmax(q k^T / sqrt(E / num_heads) + mask) v``, join the heads, ``out_proj``.
"""
import math

from ..backend import xp
from ..creation import empty, from_numpy, zeros
from ..device import check_device
from ..methods import cat
from . import functional as F
from . import init
from .layers import Linear
from .module import Module
from .parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear (PyTorch's name for ``MultiheadAttention.out_proj``)."""


class MultiheadAttention(Module):
    """Attention from ``num_heads`` heads in parallel, PyTorch's ``nn.MultiheadAttention``.

    ``MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True,
    add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False)``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)``: query (L, N, E),
    key (S, N, kdim), value (S, N, vdim) ((N, L, E) ... with ``batch_first``; or
    unbatched (L, E) ...) -> (output (L, N, E), weights). ``weights`` is None unless
    ``need_weights``: (N, L, S) averaged over heads (``average_attn_weights``, the
    default) or (N, num_heads, L, S). ``key_padding_mask`` (N, S): True (or a float
    added to the scores) where a key is padding. ``attn_mask`` (L, S) or
    (N * num_heads, L, S): True where attention is NOT allowed (the opposite of
    ``scaled_dot_product_attention``), or a float added. ``is_causal`` is a hint
    that ``attn_mask`` is the causal mask (it must then be given). ``dropout``
    applies to the attention weights in training.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        check_device(device, "MultiheadAttention")
        for what, n in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise ValueError(f"MultiheadAttention: {what} must be a positive int, got {n!r}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible "
                             f"by num_heads ({num_heads})")
        F._check_probability("MultiheadAttention", dropout)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, embed_dim, dtype=dtype))
            self.bias_v = Parameter(empty(1, 1, embed_dim, dtype=dtype))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _name(self):
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def _project(self, query, key, value):
        """The query, key and value projections (one product for self-attention)."""
        e, bias = self.embed_dim, self.in_proj_bias
        biases = (None,) * 3 if bias is None else (bias[:e], bias[e:2 * e], bias[2 * e:])
        if self._qkv_same_embed_dim:
            weight = self.in_proj_weight
            if query is key and key is value:
                packed = F.linear(query, weight, bias)
                return packed[..., :e], packed[..., e:2 * e], packed[..., 2 * e:]
            weights = (weight[:e], weight[e:2 * e], weight[2 * e:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    def _mask(self, mask, what, shapes, dtype):
        """A mask as a float tensor to add to the scores (True -> -inf), shape checked."""
        name = self._name()
        F._check_tensor(name, what, mask)
        if tuple(mask.shape) not in shapes:
            raise ValueError(f"{name}: expected {what} of shape "
                             f"{' or '.join(map(str, shapes))}, got {tuple(mask.shape)}")
        if mask.dtype == xp.bool_:
            return from_numpy(xp.where(mask._data, -xp.inf, 0.0).astype(dtype))
        if mask.dtype.kind != "f":
            raise TypeError(f"{name}: {what} must be a bool or float tensor, got {mask.dtype}")
        return mask.to(dtype)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        name = self._name()
        for what, t in (("query", query), ("key", key), ("value", value)):
            F._check_tensor(name, what, t)
            F._check_float(name, what, t)
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"{name}: query, key and value must all be 3-D (batched) or all "
                             f"2-D (unbatched), got {tuple(query.shape)}, {tuple(key.shape)} "
                             f"and {tuple(value.shape)}")
        if is_causal and attn_mask is None:
            raise ValueError(f"{name}: is_causal=True is a hint that attn_mask is the causal "
                             "mask; give that attn_mask too")
        same = query is key and key is value
        if batched and self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        elif not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        if same:
            key = value = query
        length, batch, e = query.shape
        source = key.shape[0]
        layout = "(N, {}, {})" if self.batch_first and batched else "({}, N, {})"
        for what, t, size in (("query", query, self.embed_dim), ("key", key, self.kdim),
                              ("value", value, self.vdim)):
            n = length if what == "query" else source
            if t.shape[-1] != size or t.shape[1] != batch or t.shape[0] != n:
                raise ValueError(f"{name}: expected {what} of shape "
                                 f"{layout.format('L' if what == 'query' else 'S', size)} with "
                                 f"the query's N={batch} (and key and value of equal S), got "
                                 f"{tuple(t.shape)} (after batch_first/unbatched handling)")
        heads, head_dim, dtype = self.num_heads, self.head_dim, query.dtype
        if attn_mask is not None:
            attn_mask = self._mask(attn_mask, "attn_mask",
                                   [(length, source), (batch * heads, length, source)], dtype)
        if key_padding_mask is not None:
            key_padding_mask = self._mask(key_padding_mask, "key_padding_mask",
                                          [(batch, source)], dtype)
        q, k, v = self._project(query, key, value)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(1, batch, e)])
            v = cat([v, self.bias_v.expand(1, batch, e)])
            attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
            key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask,
                                                                           (0, 1))
        # (L, N, E) -> (N * heads, L, head_dim)
        q = q.reshape(length, batch * heads, head_dim).transpose(0, 1)
        k = k.reshape(k.shape[0], batch * heads, head_dim).transpose(0, 1)
        v = v.reshape(v.shape[0], batch * heads, head_dim).transpose(0, 1)
        if self.add_zero_attn:
            k = cat([k, zeros(batch * heads, 1, head_dim, dtype=dtype)], 1)
            v = cat([v, zeros(batch * heads, 1, head_dim, dtype=dtype)], 1)
            attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
            key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask,
                                                                           (0, 1))
        keys = k.shape[1]
        if key_padding_mask is not None:
            padding = key_padding_mask.reshape(batch, 1, 1, keys).expand(batch, heads, 1, keys)
            padding = padding.reshape(batch * heads, 1, keys)
            attn_mask = padding if attn_mask is None else attn_mask + padding
        scores = (q * (1.0 / math.sqrt(head_dim))) @ k.mT  # (N * heads, L, S)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = scores.softmax(-1)
        if self.dropout > 0.0 and self.training:
            weights = F.dropout(weights, self.dropout)
        out = (weights @ v).transpose(0, 1).reshape(length, batch, e)
        out = self.out_proj(out)
        if need_weights:
            weights = weights.reshape(batch, heads, length, keys)
            if average_attn_weights:
                weights = weights.mean(1)
            if not batched:
                weights = weights.squeeze(0)
        else:
            weights = None
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights
