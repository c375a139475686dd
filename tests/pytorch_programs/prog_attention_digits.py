"""A tiny transformer written by hand, as in nanoGPT-style tutorials: multi-head
self-attention (q, k, v projections, scaled dot products, a mask filled with -inf,
softmax, heads merged with transpose(...).contiguous().view(...)), LayerNorm, an MLP
block, a learned position embedding and a registered buffer. It reads each 8x8 digit
as a sequence of 8 rows and must classify > 90 % of the test set."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32)    # (N, T=8, 8)
y = torch.tensor(digits.target)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, causal=False):
        super().__init__()
        assert n_embd % n_head == 0
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.n_head, self.n_embd, self.causal = n_head, n_embd, causal
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size))
                             .view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)   # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        if self.causal:
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        self.last_attention = att.detach()
        y = att @ v                                                         # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, causal):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = MultiHeadSelfAttention(n_embd, n_head, block_size, causal)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(0.1))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class DigitTransformer(nn.Module):
    def __init__(self, n_embd=32, n_head=4, n_layer=2, block_size=8, causal=False):
        super().__init__()
        self.embed = nn.Linear(8, n_embd)
        self.pos = nn.Parameter(torch.zeros(1, block_size, n_embd))
        self.blocks = nn.ModuleList([Block(n_embd, n_head, block_size, causal)
                                     for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, 10)

    def forward(self, x):
        x = self.embed(x) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x).mean(dim=1))


def train(model, epochs=10):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(X_train)).split(64):
            loss = F.cross_entropy(model(X_train[idx]), y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(X_test).argmax(-1) == y_test).float().mean().item()


torch.manual_seed(0)
model = DigitTransformer()
assert "blocks.0.attn.bias" in model.state_dict()                       # buffers are saved
assert all(name != "blocks.0.attn.bias" for name, _ in model.named_parameters())
print(f"{sum(p.numel() for p in model.parameters())} parameters")
accuracy = train(model)
print(f"transformer test accuracy: {accuracy:.3f}")
assert accuracy > 0.9
attention = model.blocks[0].attn.last_attention
assert attention.shape == (len(X_test), 4, 8, 8)
assert torch.allclose(attention.sum(-1), torch.ones(len(X_test), 4, 8), atol=1e-5)

# With the causal mask no position attends to a later one.
torch.manual_seed(0)
causal = DigitTransformer(causal=True)
with torch.no_grad():
    causal(X_test[:4])
att = causal.blocks[1].attn.last_attention
assert torch.all(att.triu(diagonal=1) == 0) and torch.allclose(att[..., 0, 0], torch.ones(4, 4))
