"""Recurrent classifiers reading each 8x8 digit row by row (a sequence of 8 steps of
8 features): an nn.LSTM with batch_first=True and an nn.GRU, classifying from the
last hidden state; both must exceed 90 % test accuracy."""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

digits = load_digits()
images = digits.images / 16.0                                     # (1797, 8, 8)
X_train, X_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.25,
                                                    random_state=0)
X_train = torch.tensor(X_train, dtype=torch.float32)
X_test = torch.tensor(X_test, dtype=torch.float32)
y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)


class RNNClassifier(nn.Module):
    def __init__(self, cell, input_size=8, hidden_size=64, num_classes=10):
        super().__init__()
        self.rnn = cell(input_size, hidden_size, num_layers=1, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        output, hidden = self.rnn(x)               # output: (batch, seq, hidden)
        if isinstance(hidden, tuple):              # the LSTM returns (h_n, c_n)
            hidden = hidden[0]
        assert torch.allclose(output[:, -1], hidden[-1])
        return self.fc(output[:, -1, :])


def fit(model, epochs=12):
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(X_test).argmax(dim=1) == y_test).float().mean().item()


torch.manual_seed(0)
lstm = RNNClassifier(nn.LSTM)
names = [name for name, _ in lstm.rnn.named_parameters()]
assert names == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], names
assert lstm.rnn.weight_ih_l0.shape == (4 * 64, 8)                # input, forget, cell, output gates
out, (h, c) = lstm.rnn(X_train[:5])
assert out.shape == (5, 8, 64) and h.shape == (1, 5, 64) and c.shape == (1, 5, 64)
h0 = torch.zeros(1, 5, 64)
out0, _ = lstm.rnn(X_train[:5], (h0, torch.zeros(1, 5, 64)))
assert torch.allclose(out0, out)                                 # zero initial state by default

lstm_accuracy = fit(lstm)
print(f"LSTM test accuracy: {lstm_accuracy:.3f}")
assert lstm_accuracy > 0.9

torch.manual_seed(0)
gru = RNNClassifier(nn.GRU)
assert gru.rnn.weight_hh_l0.shape == (3 * 64, 64)               # reset, update, new gates
gru_accuracy = fit(gru)
print(f"GRU test accuracy: {gru_accuracy:.3f}")
assert gru_accuracy > 0.9
