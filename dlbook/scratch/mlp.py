"""Section 4's formulas trained: a two-layer sigmoid MLP, forward, backward and training.

Section 5's NumPy MLP listing has a forward pass only: weights from ``np.random.randn``
(unscaled), zero biases, a sigmoid hidden layer and a sigmoid output. Here the hidden layer is the
listing's, ``h = sigmoid(W1 x + b1)``, with weights scaled to the layer's size (`glorot_uniform`)
so that the sigmoid does not start saturated; the output layer gives logits ``z2 = W2 h + b2`` and
the loss is the softmax cross-entropy, because the ten classes exclude each other (a sigmoid per
class would score each class on its own). Back-propagation is the delta rule applied twice, top
down, and training is plain mini-batch gradient descent, ``w <- w - eta dL/dw``.
"""

from __future__ import annotations

from dlbook.scratch.dense import dense_backward, dense_forward, gradient_descent_step
from dlbook.scratch.losses import one_hot, softmax_cross_entropy, softmax_cross_entropy_gradient

import numpy as np


def glorot_uniform(rng: np.random.Generator, outputs: int, inputs: int) -> np.ndarray:
    """``W ~ U(-a, a)`` with ``a = sqrt(6 / (inputs + outputs))``, Keras's default for ``Dense``:
    it keeps the variance of ``Wx`` about that of ``x``, so the sigmoid starts unsaturated."""
    limit = np.sqrt(6 / (inputs + outputs))
    return rng.uniform(-limit, limit, size=(outputs, inputs))


class MLP:
    """``inputs -> hidden (sigmoid) -> outputs (logits)``; weights shaped ``(out, in)``."""

    def __init__(self, inputs: int = 784, hidden: int = 128, outputs: int = 10, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.W1 = glorot_uniform(rng, hidden, inputs)
        self.b1 = np.zeros(hidden)
        self.W2 = glorot_uniform(rng, outputs, hidden)
        self.b2 = np.zeros(outputs)

    def parameters(self) -> list[np.ndarray]:
        return [self.W1, self.b1, self.W2, self.b2]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Logits ``(N, outputs)`` for a batch ``x`` of shape ``(N, inputs)``; keeps what the
        backward pass needs."""
        self.x = x
        self.h, self.z1 = dense_forward(x, self.W1, self.b1, "sigmoid")
        self.z2, _ = dense_forward(self.h, self.W2, self.b2, "linear")
        return self.z2

    def backward(self, dL_dz2: np.ndarray) -> list[np.ndarray]:
        """Gradients of the loss for `parameters`, from ``dL/dz2`` of the last `forward` batch."""
        dL_dh, dW2, db2 = dense_backward(dL_dz2, self.h, self.z2, self.W2, "linear")
        _, dW1, db1 = dense_backward(dL_dh, self.x, self.z1, self.W1, "sigmoid")
        return [dW1, db1, dW2, db2]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most likely class of each example."""
        return np.argmax(self.forward(x), axis=1)


def evaluate(model: MLP, x: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """``(loss, accuracy)`` on a whole set."""
    logits = model.forward(x)
    loss = softmax_cross_entropy(one_hot(labels, logits.shape[1]), logits)
    return loss, float(np.mean(np.argmax(logits, axis=1) == labels))


def fit(
    model: MLP,
    x: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 64,
    learning_rate: float = 0.5,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    verbose: bool = True,
) -> dict[str, list[float]]:
    """Mini-batch gradient descent on the softmax cross-entropy; the history of every epoch.

    ``history["loss"]`` and ``["accuracy"]`` average the epoch's batches (as Keras reports them),
    ``val_loss`` and ``val_accuracy`` are measured on ``validation_data`` after the epoch.
    """
    if len(x) != len(labels):
        raise ValueError(f"x has shape {x.shape} but labels has shape {labels.shape}")
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    if validation_data is not None:
        history |= {"val_loss": [], "val_accuracy": []}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x))
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            targets = one_hot(labels[batch], model.W2.shape[0])
            logits = model.forward(x[batch])
            grads = model.backward(softmax_cross_entropy_gradient(targets, logits))
            gradient_descent_step(model.parameters(), grads, learning_rate)
            total_loss += softmax_cross_entropy(targets, logits) * len(batch)
            correct += int(np.sum(np.argmax(logits, axis=1) == labels[batch]))
        history["loss"].append(total_loss / len(x))
        history["accuracy"].append(correct / len(x))
        if validation_data is not None:
            val_loss, val_accuracy = evaluate(model, *validation_data)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)
        if verbose:
            print(f"epoch {epoch}/{epochs}: " + ", ".join(
                f"{name} {values[-1]:.4f}" for name, values in history.items()))
    return history
