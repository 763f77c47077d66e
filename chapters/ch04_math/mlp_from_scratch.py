# %% [markdown]
# # Section 4 · The formulas at work: a two-layer MLP trained from scratch in NumPy
#
# Tutorial: section 4 · 前馈神经网络的数学模型 (seed 004 §4.1); section 5 · 前馈神经网络的代码实现
# (seed 004 §5.1)
#
# Section 4's formulas are all a network needs to learn: the forward pass
# $h = \sigma(W_1 x + b_1)$, $z = W_2 h + b_2$, the softmax and the cross-entropy (`losses.py`),
# the delta rule (`backprop.py`) and the step $w \leftarrow w - \eta\, \partial J / \partial w$.
# This page trains such a network on 28x28 images with NumPy alone, no TensorFlow.
#
# Section 5 has a NumPy MLP listing too: a class whose weights come from `np.random.randn`
# (unscaled), with zero biases, a sigmoid hidden layer and a sigmoid output, and a forward pass
# only. Where the class `MLP` written below departs from it, and why:
#
# - **Initialization**: the weights are scaled to the layer's size (below, with the measured
#   difference), the biases stay zero.
# - **Output**: ten scores and a softmax with the cross-entropy instead of a sigmoid on each
#   output, because an image belongs to exactly one class (shown below).
# - **Backward pass and training**, which the listing does not have.
#
# The network and its training loop are written in cells marked `#@save dlbook/scratch/mlp.py`:
# that module of the package runs them (`from dlbook.scratch import MLP`).

# %%
import time

from dlbook.cli import start_page
from dlbook.data import load_arrays, resolve_dataset
from dlbook.data.pipeline import validation_size
from dlbook.plots import plot_history
from dlbook.scratch import Comparisons
from dlbook.scratch.activations import sigmoid, softmax
from dlbook.scratch.dense import dense_backward, dense_forward, gradient_descent_step
from dlbook.scratch.gradcheck import numerical_gradient
from dlbook.scratch.losses import one_hot, softmax_cross_entropy, softmax_cross_entropy_gradient

import numpy as np

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--epochs 3`, `--hidden-units 64`; `--help` lists
# them). `--quick` trains one epoch on 2,048 images, to see the page run in seconds.

# %%
EPOCHS = 10  # passes over the training images
BATCH_SIZE = 64  # images per gradient step
HIDDEN_UNITS = 128  # sigmoid units of the hidden layer
LEARNING_RATE = 0.5  # eta of the step w <- w - eta dJ/dw
DATASET = "auto"  # mnist, fashion_mnist, or auto (MNIST if it can be had)

page = start_page("ch04_math/mlp_from_scratch", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

# %% [markdown]
# ## The data
#
# Each 28x28 image becomes a vector of 784 inputs in $[0, 1]$; the last tenth of the training
# images (`--validation-fraction`, at most 5,000) is held out for validation.

# %%
dataset = resolve_dataset(DATASET, page.data_dir)
(x_train, y_train), (x_test, y_test) = load_arrays(dataset, limit=page.limit,
                                                   data_dir=page.data_dir, seed=page.seed)
x_train = x_train.reshape(len(x_train), -1) / 255.0
x_test = x_test.reshape(len(x_test), -1) / 255.0
held_out = validation_size(len(x_train), page.validation_fraction)
x_train, x_val = x_train[: len(x_train) - held_out], x_train[len(x_train) - held_out :]
y_train, y_val = y_train[: len(y_train) - held_out], y_train[len(y_train) - held_out :]
inputs = x_train.shape[1]
print(f"{dataset}: {len(x_train)} train, {len(x_val)} validation, {len(x_test)} test images "
      f"of {inputs} inputs")

# %% [markdown]
# ## Initialization: why the weights are scaled
#
# A hidden unit sums 784 products $w_j x_j$. With the listing's `randn` weights ($w_j \sim
# \mathcal{N}(0, 1)$) that sum has a standard deviation of $\|x\|$, about 13 for these images:
# the sigmoid sits at 0 or 1, where its derivative $\sigma'(z)$ is nearly 0, and the delta rule
# multiplies every gradient by that derivative. `glorot_uniform` draws $W$ uniformly in
# $\pm\sqrt{6 / (\text{inputs} + \text{outputs})}$ (Glorot, Keras's default for `Dense`), which
# keeps $z$ of order 1.

# %%
#@save dlbook/scratch/mlp.py
def glorot_uniform(rng: np.random.Generator, outputs: int, inputs: int) -> np.ndarray:
    """``W ~ U(-a, a)`` with ``a = sqrt(6 / (inputs + outputs))``, Keras's default for ``Dense``:
    it keeps the variance of ``Wx`` about that of ``x``, so the sigmoid starts unsaturated."""
    limit = np.sqrt(6 / (inputs + outputs))
    return rng.uniform(-limit, limit, size=(outputs, inputs))


# %%
scaled = glorot_uniform(np.random.default_rng(page.seed), HIDDEN_UNITS, inputs)
randn = rng.standard_normal((HIDDEN_UNITS, inputs))  # np.random.randn, as in the listing
images = x_train[:1000]
for name, W1 in [("randn (the listing)", randn), ("scaled (dlbook)", scaled)]:
    z = images @ W1.T
    derivative = sigmoid(z) * (1 - sigmoid(z))
    print(f"{name:<20} z of std {z.std():5.2f}; sigma'(z) {derivative.mean():.3f} on average "
          f"(at most 0.25); {np.mean(np.abs(z) > 5):.0%} of the units saturated (|z| > 5)")

# %% [markdown]
# ## The network, forward and backward
#
# On a batch $X$ of $B$ images, one per row (so $Wx$ is $X W^\top$), with one-hot targets $Y$:
#
# $$H = \sigma(X W_1^\top + b_1), \quad P = \operatorname{softmax}(H W_2^\top + b_2), \quad
# \delta_2 = \frac{P - Y}{B}, \quad \delta_1 = \delta_2 W_2 \odot H (1 - H)$$
#
# $$\frac{\partial J}{\partial W_2} = \delta_2^\top H, \quad
# \frac{\partial J}{\partial W_1} = \delta_1^\top X, \quad
# \frac{\partial J}{\partial b} = \sum_{\text{rows}} \delta, \quad
# w \leftarrow w - \eta \frac{\partial J}{\partial w}$$
#
# (`backprop.py` derives them with one example per column.) The class keeps its weights in the
# formulas' shapes, (outputs, inputs), and computes each layer with `backprop.py`'s
# `dense_forward` and `dense_backward`. Its output is the scores $Z = H W_2^\top + b_2$: the
# softmax and the cross-entropy come together in the loss (`losses.py`), whose gradient at the
# scores, $(P - Y)/B$, is what `backward` takes.

# %%
#@save dlbook/scratch/mlp.py
class MLP:
    """Section 4's network ``inputs -> hidden (sigmoid) -> outputs (scores)``, with weights
    shaped ``(out, in)``, drawn by `glorot_uniform`, and zero biases."""

    def __init__(self, inputs: int = 784, hidden: int = 128, outputs: int = 10,
                 seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.W1 = glorot_uniform(rng, hidden, inputs)
        self.b1 = np.zeros(hidden)
        self.W2 = glorot_uniform(rng, outputs, hidden)
        self.b2 = np.zeros(outputs)

    def parameters(self) -> list[np.ndarray]:
        return [self.W1, self.b1, self.W2, self.b2]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The scores ``(N, outputs)`` of a batch ``x`` of shape ``(N, inputs)``; keeps what the
        backward pass needs."""
        self.x = x
        self.h, self.z1 = dense_forward(x, self.W1, self.b1, "sigmoid")
        self.z2, _ = dense_forward(self.h, self.W2, self.b2, "linear")
        return self.z2

    def backward(self, dL_dz2: np.ndarray) -> list[np.ndarray]:
        """The gradients of the loss for `parameters`, from ``dL/dz2`` at the scores of the last
        `forward` batch: the delta rule, top layer first."""
        dL_dh, dW2, db2 = dense_backward(dL_dz2, self.h, self.z2, self.W2, "linear")
        _, dW1, db1 = dense_backward(dL_dh, self.x, self.z1, self.W1, "sigmoid")
        return [dW1, db1, dW2, db2]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most likely class of each example."""
        return np.argmax(self.forward(x), axis=1)


# %% [markdown]
# One step on the first batch, its gradients checked against central differences
# (`backprop.py`), which know nothing of the delta rule. They cost two forward passes per
# weight, so they check the two bias vectors here, 138 numbers; the first reaches the hidden
# layer through $\sigma'$ and $W_2$, as every gradient of $W_1$ does. The nudge is
# $h = 10^{-5}$: with the default $10^{-6}$, the rounding of the batch's loss is a larger share
# of these small gradients.

# %%
model = MLP(inputs, HIDDEN_UNITS, 10, seed=page.seed)
X, Y = x_train[:BATCH_SIZE], one_hot(y_train[:BATCH_SIZE], 10)
dW1, db1, dW2, db2 = model.backward(softmax_cross_entropy_gradient(Y, model.forward(X)))
print(f"batch of {len(X)}: loss {softmax_cross_entropy(Y, model.z2):.4f}; a step would move W1 "
      f"by {LEARNING_RATE * np.abs(dW1).max():.4f} at most")


def batch_loss():
    """J on the batch from the model's current weights (central differences nudge them)."""
    return softmax_cross_entropy(Y, model.forward(X))


check("dJ/db1 of MLP.backward vs central differences", db1,
      numerical_gradient(batch_loss, model.b1, h=1e-5))
check("dJ/db2 of MLP.backward vs central differences", db2,
      numerical_gradient(batch_loss, model.b2, h=1e-5))

# %% [markdown]
# ## The output: one softmax, not ten sigmoids
#
# Ten sigmoids score each class on its own: their outputs need not sum to 1, and nothing makes
# one class's score fall when another's rises. The softmax of ten scores is one distribution over
# the classes. On the first test image, before training:

# %%
scores = model.forward(x_test[:1])
print(f"ten sigmoids sum to {sigmoid(scores).sum():.3f}; the softmax sums to "
      f"{softmax(scores).sum():.3f}")

# %% [markdown]
# ## Training
#
# `fit` repeats that step over the training set. Each epoch visits the images in a new random
# order (a permutation drawn from a generator seeded once), in mini-batches of 64: for each, the
# forward pass, the gradient $(P - Y)/B$ at the scores, the backward pass and the step with
# $\eta = 0.5$. It reports, as Keras does, the loss and accuracy averaged over the epoch's
# images, and after each epoch `evaluate` measures the validation set: the mean cross-entropy and
# the share of images whose largest score is the right class.

# %%
#@save dlbook/scratch/mlp.py
def evaluate(model: MLP, x: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``model`` on a whole set: the mean cross-entropy and the share of
    examples whose largest score is their label."""
    scores = model.forward(x)
    loss = softmax_cross_entropy(one_hot(labels, scores.shape[1]), scores)
    return loss, float(np.mean(np.argmax(scores, axis=1) == labels))


def train_epoch(model: MLP, x: np.ndarray, labels: np.ndarray, order: np.ndarray,
                batch_size: int, learning_rate: float) -> tuple[float, float]:
    """One pass over the examples in ``order``, one gradient step per mini-batch; the loss and
    accuracy averaged over the examples, each measured before its batch's step."""
    total_loss, correct = 0.0, 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        targets = one_hot(labels[batch], model.W2.shape[0])
        scores = model.forward(x[batch])
        grads = model.backward(softmax_cross_entropy_gradient(targets, scores))
        gradient_descent_step(model.parameters(), grads, learning_rate)
        total_loss += softmax_cross_entropy(targets, scores) * len(batch)
        correct += int(np.sum(np.argmax(scores, axis=1) == labels[batch]))
    return total_loss / len(order), correct / len(order)


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
    """Mini-batch gradient descent on the softmax cross-entropy, the examples reshuffled every
    epoch; the history of every epoch, ``loss`` and ``accuracy`` (and ``val_loss`` and
    ``val_accuracy``, measured on ``validation_data`` after the epoch)."""
    if len(x) != len(labels):
        raise ValueError(f"x has shape {x.shape} but labels has shape {labels.shape}")
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    if validation_data is not None:
        history |= {"val_loss": [], "val_accuracy": []}
    for epoch in range(1, epochs + 1):
        figures = train_epoch(model, x, labels, rng.permutation(len(x)), batch_size,
                              learning_rate)
        if validation_data is not None:
            figures += evaluate(model, *validation_data)
        for values, figure in zip(history.values(), figures, strict=True):
            values.append(figure)
        if verbose:
            print(f"epoch {epoch}/{epochs}: " + ", ".join(
                f"{name} {values[-1]:.4f}" for name, values in history.items()))
    return history


# %%
start = time.perf_counter()
history = fit(model, x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
              learning_rate=LEARNING_RATE, validation_data=(x_val, y_val), seed=page.seed)
seconds_per_epoch = (time.perf_counter() - start) / EPOCHS
test_loss, test_accuracy = evaluate(model, x_test, y_test)
print(f"Test accuracy on {dataset}: {test_accuracy:.4f} (loss {test_loss:.4f}), "
      f"{seconds_per_epoch:.1f} s per epoch")
page.record(model="two-layer sigmoid MLP from scratch (NumPy)", dataset=dataset,
            parameters=sum(weights.size for weights in model.parameters()), epochs=EPOCHS,
            test_accuracy=test_accuracy, seconds_per_epoch=seconds_per_epoch)
print(f"Training curves in {plot_history(history, page.output_dir / 'curves.png')}")

# %% [markdown]
# ## The listing's initialization, measured
#
# The same network, data and training, from the `randn` weights of the listing:

# %%
listing = MLP(inputs, HIDDEN_UNITS, 10, seed=page.seed)
listing.W1 = randn
listing.W2 = rng.standard_normal(listing.W2.shape)
fit(listing, x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
    learning_rate=LEARNING_RATE, seed=page.seed, verbose=False)
_, listing_test_accuracy = evaluate(listing, x_test, y_test)
print(f"Test accuracy after {EPOCHS} epoch(s): scaled weights {test_accuracy:.4f}, randn "
      f"weights {listing_test_accuracy:.4f}")
page.record(randn_init_test_accuracy=listing_test_accuracy)

# %% [markdown]
# ## What to notice
#
# - A few lines of NumPy learn: the loss falls every epoch and the test accuracy ends near 87%
#   on Fashion-MNIST after 10 epochs (`README.md` of this chapter has the measured figures).
# - `curves.png`: the validation loss follows the training loss for about six epochs, then
#   levels off near 0.34 while the training loss keeps falling: the first sign of overfitting,
#   still small after 10 epochs.
# - The scale of the initial weights matters: from the listing's `randn` weights the same
#   training ends about 6 points lower (81.1% against 86.9% after 10 epochs on Fashion-MNIST),
#   because two thirds of its sigmoids start saturated and pass almost no gradient.
