"""A bag-of-tokens classifier with nn.Embedding and mean pooling over padded sequences.

Each breast-cancer sample becomes a "sentence": every feature is binned into quartiles
and each (feature, bin) pair is a token; a random part of each sentence is dropped
and the sentences are padded to equal length with token 0 (padding_idx=0)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
edges = np.quantile(X_train, [0.25, 0.5, 0.75], axis=0)          # (3, 30)
n_bins, n_features = 4, X.shape[1]
rng = np.random.default_rng(0)


def tokenize(rows, max_len=30):
    bins = (rows[:, None, :] > edges[None]).sum(axis=1)          # (n, 30) in 0..3
    tokens = 1 + np.arange(n_features) * n_bins + bins            # 0 is the padding token
    out = np.zeros((len(rows), max_len), dtype=np.int64)
    for i, row in enumerate(tokens):
        kept = row[rng.random(n_features) < 0.7]                  # sentences of varying length
        out[i, :len(kept)] = kept
    return out


vocab_size = 1 + n_features * n_bins
train_tokens = torch.from_numpy(tokenize(X_train))
test_tokens = torch.from_numpy(tokenize(X_test))
print("a sentence:", train_tokens[0].tolist())


class MeanEmbeddingClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, tokens):
        mask = (tokens != 0).unsqueeze(-1).float()                # (batch, length, 1)
        embedded = self.embedding(tokens)                         # (batch, length, dim)
        pooled = (embedded * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return self.fc(pooled)


torch.manual_seed(0)
model = MeanEmbeddingClassifier(vocab_size, 16, 2)
assert model.embedding.weight.shape == (vocab_size, 16)
assert torch.all(model.embedding.weight[0] == 0)                 # the padding row starts at zero
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
loader = DataLoader(TensorDataset(train_tokens, torch.tensor(y_train)), batch_size=32,
                    shuffle=True)
for epoch in range(15):
    model.train()
    total = 0.0
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tokens), labels)
        loss.backward()
        assert torch.all(model.embedding.weight.grad[0] == 0)  # padding gets no gradient
        optimizer.step()
        total += loss.item() * len(labels)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: loss {total / len(y_train):.4f}")

model.eval()
with torch.no_grad():
    accuracy = (model(test_tokens).argmax(1) == torch.tensor(y_test)).float().mean().item()
print(f"test accuracy {accuracy:.3f}")
assert accuracy > 0.9
assert torch.all(model.embedding.weight[0] == 0)

# Cosine similarities between the token embeddings (each token's own is 1).
emb = F.normalize(model.embedding.weight.detach(), dim=1)
similarity = emb @ emb.T
assert similarity.shape == (vocab_size, vocab_size)
assert torch.allclose(similarity.diagonal()[1:], torch.ones(vocab_size - 1), atol=1e-5)
