"""Binary and multi-class classification in the style of the popular "PyTorch for deep
learning" course: make_circles with a non-linear model and BCEWithLogitsLoss (logits
-> sigmoid -> round), a decision boundary evaluated on a meshgrid, then make_blobs
with softmax + argmax; device-agnostic code and torch.inference_mode()."""
import torch
from sklearn.datasets import make_blobs, make_circles
from sklearn.model_selection import train_test_split
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"

X, y = make_circles(1000, noise=0.03, random_state=42)
X = torch.from_numpy(X).type(torch.float)
y = torch.from_numpy(y).type(torch.float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
print(X_train[:2], y_train[:5], type(X_train))
assert isinstance(X_train, torch.Tensor) and X_train.dtype == torch.float32


def accuracy_fn(y_true, y_pred):
    correct = torch.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


class CircleModelV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=10)
        self.layer_2 = nn.Linear(in_features=10, out_features=10)
        self.layer_3 = nn.Linear(in_features=10, out_features=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))


torch.manual_seed(42)
model_3 = CircleModelV2().to(device)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model_3.parameters(), lr=0.1)
X_train, y_train = X_train.to(device), y_train.to(device)
X_test, y_test = X_test.to(device), y_test.to(device)

epochs = 1500
for epoch in range(epochs):
    model_3.train()
    y_logits = model_3(X_train).squeeze()
    y_pred = torch.round(torch.sigmoid(y_logits))
    loss = loss_fn(y_logits, y_train)
    acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model_3.eval()
    with torch.inference_mode():
        test_logits = model_3(X_test).squeeze()
        test_pred = torch.round(torch.sigmoid(test_logits))
        test_loss = loss_fn(test_logits, y_test)
        test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
    if epoch % 300 == 0:
        print(f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | "
              f"Test Loss: {test_loss:.5f}, Test Accuracy: {test_acc:.2f}%")
print(f"final: test accuracy {test_acc:.2f}%")
assert test_acc > 95
assert not test_logits.requires_grad and test_pred.unique().tolist() == [0.0, 1.0]

# The decision boundary on a grid: inside the inner circle is class 1.
xs = torch.linspace(-1.5, 1.5, 61)
xx, yy = torch.meshgrid(xs, xs, indexing="ij")
grid = torch.stack((xx.reshape(-1), yy.reshape(-1)), dim=1)
with torch.inference_mode():
    zz = torch.sigmoid(model_3(grid)).reshape(xx.shape)
assert zz.shape == (61, 61) and torch.all((zz >= 0) & (zz <= 1))
radius = (xx ** 2 + yy ** 2).sqrt()
assert zz[radius < 0.6].mean() > 0.9 and zz[(radius > 1.0) & (radius < 1.4)].mean() < 0.1

# Multi-class: blobs, logits -> softmax probabilities -> labels.
NUM_CLASSES, NUM_FEATURES, RANDOM_SEED = 4, 2, 42
X_blob, y_blob = make_blobs(n_samples=1000, n_features=NUM_FEATURES, centers=NUM_CLASSES,
                            cluster_std=1.5, random_state=RANDOM_SEED)
X_blob = torch.from_numpy(X_blob).type(torch.float)
y_blob = torch.from_numpy(y_blob).type(torch.LongTensor)
X_blob_train, X_blob_test, y_blob_train, y_blob_test = train_test_split(
    X_blob, y_blob, test_size=0.2, random_state=RANDOM_SEED)


class BlobModel(nn.Module):
    def __init__(self, input_features, output_features, hidden_units=8):
        super().__init__()
        self.linear_layer_stack = nn.Sequential(
            nn.Linear(in_features=input_features, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=output_features),
        )

    def forward(self, x):
        return self.linear_layer_stack(x)


model_4 = BlobModel(input_features=NUM_FEATURES, output_features=NUM_CLASSES).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model_4.parameters(), lr=0.1)
for epoch in range(100):
    model_4.train()
    y_logits = model_4(X_blob_train)
    y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
    loss = loss_fn(y_logits, y_blob_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model_4.eval()
with torch.inference_mode():
    y_logits = model_4(X_blob_test)
    y_pred_probs = torch.softmax(y_logits, dim=1)
    y_preds = y_pred_probs.argmax(dim=1)
print("blob test accuracy:", accuracy_fn(y_blob_test, y_preds))
assert y_blob.dtype == torch.int64 and y_preds.dtype == torch.int64
assert torch.allclose(y_pred_probs.sum(dim=1), torch.ones(len(y_pred_probs)))
assert accuracy_fn(y_blob_test, y_preds) > 95
