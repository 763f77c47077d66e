# %% [markdown]
# # Section 3 · The algorithm in six steps, on one batch
#
# Tutorial: section 3 · 算法原理概述 (seed 000 §3.1) · 算法步骤详解 (seeds 000 §3.2, 003 §3.2) ·
# 核心算法原理具体操作步骤 (seed 002 §3) · 前馈神经网络的训练过程 (seed 004 §3.1)
#
# Section 3 describes how a network learns as a loop: prepare the data; (1) build the network
# and give its weights small random values; (2) propagate forward, each layer computing
# $h = \varphi(W^\top x + b)$, with a softmax at the output for classification; (3) measure the
# loss, the cross-entropy; (4) propagate backward, the chain rule giving $\partial J / \partial W$
# for every weight; (5) update, $W \leftarrow W - \eta\, \partial J / \partial W$; (6) iterate
# until the validation performance stops improving; evaluate on the test set last.
#
# Seed 000 draws steps 1 to 6 as a loop: its six nodes and its edge back from iterating to the
# forward pass, each node here with its English name (drawn left to right, where the seed draws
# top to bottom).
#
# ```mermaid
# graph LR
#     A["构建网络模型<br/>build the network"] --> B["前向传播<br/>forward propagation"]
#     B --> C["计算损失<br/>compute the loss"]
#     C --> D["反向传播<br/>backpropagation"]
#     D --> E["更新权重<br/>update the weights"]
#     E --> F["迭代训练<br/>iterate"]
#     F --> B
# ```
#
# Each step is one cell below, on one batch of images, with nothing hidden in a library: the
# weights are four `tf.Variable`s, the forward pass is two lines, the update is a subtraction.
# Step 4 is done twice, by `tf.GradientTape` and by hand with the chain rule, and the two are
# compared.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images

import numpy as np
import tensorflow as tf

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--learning-rate 0.1`, `make ch03-six-steps
# EPOCHS=3`; `--help` lists them). `--quick` iterates one epoch over 2,048 images.

# %%
EPOCHS = 10  # passes over the training set at most, at the end of the page
BATCH_SIZE = 128  # images per batch, in the six steps and in the loop over the data
HIDDEN_UNITS = 64  # ReLU units of the hidden layer
LEARNING_RATE = 0.2  # eta of plain gradient descent
PATIENCE = 2  # epochs without a better validation accuracy before the loop stops
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch03_algorithm/six_steps", globals())

# %% [markdown]
# ## Data preparation
#
# Images of 28x28 pixels scaled to $[0, 1]$, flattened into vectors $x$ of 784 numbers; labels
# $y$ from 0 to 9. A batch of `BATCH_SIZE` images (128) is what the steps work on.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)
images, labels = next(iter(data.train))
x = tf.reshape(images, (len(images), -1))
print(f"one batch: x {tuple(x.shape)}, y {tuple(labels.shape)}, first labels "
      f"{labels.numpy()[:8]}")

# %% [markdown]
# ## Step 1: build the network and initialize its weights
#
# 784 inputs, a hidden layer of `HIDDEN_UNITS` (64) ReLU units, 10 outputs. The weights start
# small and random (normal, standard deviation 0.05), the biases at 0. Random, because units
# that start equal would stay equal (the initialization page shows it).

# %%
inputs, hidden, classes = x.shape[1], HIDDEN_UNITS, len(data.class_names)
W1 = tf.Variable(tf.random.normal((inputs, hidden), stddev=0.05), name="W1")
b1 = tf.Variable(tf.zeros(hidden), name="b1")
W2 = tf.Variable(tf.random.normal((hidden, classes), stddev=0.05), name="W2")
b2 = tf.Variable(tf.zeros(classes), name="b2")
weights = [W1, b1, W2, b2]
print(f"{sum(int(tf.size(w)) for w in weights):,} weights")

# %% [markdown]
# ## Step 2: forward propagation
#
# $a = x W_1 + b_1$, $h = \mathrm{ReLU}(a)$, $z = h W_2 + b_2$, $p = \operatorname{softmax}(z)$.
# A batch holds one example per row, so $x W$ here is the section's $W^\top x$ for every example
# at once.

# %%
def forward(x):
    a = x @ W1 + b1
    h = tf.nn.relu(a)
    z = h @ W2 + b2
    return a, h, z


a, h, z = forward(x)
p = tf.nn.softmax(z)
print(f"probabilities of the first image: {np.round(p[0].numpy(), 3)} (sum "
      f"{float(tf.reduce_sum(p[0])):.3f}); before training they are all close to 1/10")

# %% [markdown]
# ## Step 3: the loss
#
# The cross-entropy, averaged over the $B$ examples of the batch:
# $J = -\frac{1}{B} \sum_i \log p_{i, y_i}$. Guessing evenly gives $\log 10 \approx 2.303$.
# `log_softmax` computes $\log p$ from $z$ directly, without rounding a small $p$ to 0.

# %%
def loss_of(z, labels):
    log_p = tf.nn.log_softmax(z)
    return -tf.reduce_mean(tf.gather(log_p, labels, batch_dims=1))


print(f"J = {float(loss_of(z, labels)):.4f} (log 10 = {np.log(10):.4f})")

# %% [markdown]
# ## Step 4: backward propagation, by the tape and by hand
#
# The tape records the forward pass and applies the chain rule backwards. By hand, layer by
# layer from the output:
#
# - $\partial J / \partial z = (p - \mathrm{onehot}(y)) / B$ (softmax and cross-entropy
#   together);
# - $\partial J / \partial W_2 = h^\top\, \partial J / \partial z$,
#   $\partial J / \partial b_2 = \sum_i \partial J / \partial z_i$;
# - $\partial J / \partial h = \partial J / \partial z\; W_2^\top$, then through the ReLU:
#   $\partial J / \partial a = \partial J / \partial h \odot [a > 0]$;
# - $\partial J / \partial W_1 = x^\top\, \partial J / \partial a$.
#
# Backpropagation ends there: it computes gradients and changes no weight. Seed 001 calls it an
# optimization algorithm that updates the weights (its §3.1 and FAQ §6.2), and seed 003's steps
# have it update the parameters (§3.2); the update is step 5, the optimizer's (plain gradient
# descent here, SGD with momentum or Adam elsewhere), and another optimizer would use the same
# gradients.

# %%
with tf.GradientTape() as tape:
    _, _, z = forward(x)
    loss = loss_of(z, labels)
tape_gradients = tape.gradient(loss, weights)

dz = (tf.nn.softmax(z) - tf.one_hot(labels, classes)) / len(labels)
dW2 = tf.transpose(h) @ dz
db2 = tf.reduce_sum(dz, axis=0)
da = (dz @ tf.transpose(W2)) * tf.cast(a > 0, tf.float32)
dW1 = tf.transpose(x) @ da
db1 = tf.reduce_sum(da, axis=0)
hand_gradients = [dW1, db1, dW2, db2]

row, column = np.unravel_index(np.argmax(np.abs(dW1.numpy())), dW1.shape)
print(f"dJ/dW1[{row}, {column}]: by hand {float(dW1[row, column]):+.8f}, by the tape "
      f"{float(tape_gradients[0][row, column]):+.8f}")
gradient_differences = {}
for weight, by_hand, by_tape in zip(weights, hand_gradients, tape_gradients, strict=True):
    name = weight.name.split(":")[0]
    gradient_differences[name] = float(tf.reduce_max(tf.abs(by_hand - by_tape)))
    print(f"dJ/d{name}: largest |gradient| {float(tf.reduce_max(tf.abs(by_tape))):.2e}, largest "
          f"difference hand - tape {gradient_differences[name]:.1e}")
page.record(hand_vs_tape_gradient_difference=gradient_differences)

# %% [markdown]
# ## Step 5: update
#
# $W \leftarrow W - \eta\, \partial J / \partial W$ for each of the four, with $\eta =$
# `LEARNING_RATE` (0.2): plain gradient descent. The loss on the same batch, before and after:

# %%
loss_before = float(loss)
for weight, gradient in zip(weights, tape_gradients, strict=True):
    weight.assign_sub(LEARNING_RATE * gradient)
loss_after = float(loss_of(forward(x)[2], labels))
print(f"J before the update {loss_before:.4f}, after {loss_after:.4f}")

# %% [markdown]
# ## Step 6: iterate
#
# Steps 2 to 5 again, ten times on the same batch: the loss falls at every update. (Ten steps on
# one batch would end by learning that batch by heart; the real loop takes a new batch each
# time.)

# %%
def train_step(x, labels):
    with tf.GradientTape() as tape:
        loss = loss_of(forward(x)[2], labels)
    for weight, gradient in zip(weights, tape.gradient(loss, weights), strict=True):
        weight.assign_sub(LEARNING_RATE * gradient)
    return loss


batch_losses = [loss_before, loss_after]
for update in range(2, 12):
    before = float(train_step(x, labels))
    after = float(loss_of(forward(x)[2], labels))
    batch_losses.append(after)
    print(f"update {update:>2}: J {before:.4f} -> {after:.4f}")
page.record(batch_loss_before_and_after_updates=batch_losses,
            batch_loss_fell_at_every_update=bool(np.all(np.diff(batch_losses) < 0)))

# %% [markdown]
# ## Iterate over the data, until the validation accuracy stops improving
#
# The same step over every batch of the training set is an epoch. After each epoch, the accuracy
# on the held-out validation images decides: keep going while it improves, stop after
# `PATIENCE` (2) epochs without improvement and keep the best weights. The test set is used
# once, at the very end.
#
# The rule reads the validation figures of the epochs so far, a history like the one Keras's `fit`
# returns: the best epoch is the one with the highest accuracy (the lowest loss, when a loss is
# watched), an epoch that only equals the best does not count as better, nor one that beats it by
# no more than `min_delta` (0 unless asked for), and the loop stops once the best lies `patience`
# epochs back. A `min_delta` ends a run whose figure still creeps: on the generated task of
# chapter 5's text classifier, the LSTM is right about every validation text after one epoch, and
# its validation loss then falls by millionths an epoch; `min_delta=1e-3` stops it where it would
# train on to the last epoch. The first line of the cell,
# `#@save dlbook/training/early_stopping.py`, makes the class part of the package too (that module
# runs this page's cells so marked): `dlbook.training.Trainer` stops by it when given `patience=`
# (chapter 3's overfitting page), so the rule is written once, here.

# %%
#@save dlbook/training/early_stopping.py
class EarlyStopping:
    """Section 3's step 6: iterate until the figure ``monitor`` of the validation data has not
    improved by more than ``min_delta`` for ``patience`` epochs (lower is better for a loss,
    higher for anything else).

    `update` reads every epoch's figure from the history, so a run resumed from a checkpoint,
    which keeps its history (`dlbook.training.Trainer`), knows its best epoch and its wait.
    """

    def __init__(self, monitor: str, patience: int, min_delta: float = 0.0) -> None:
        if patience < 1:
            raise ValueError(f"patience={patience}: expected at least 1 epoch")
        if min_delta < 0:
            raise ValueError(f"min_delta={min_delta}: expected 0 or more")
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.lower_is_better = "loss" in monitor
        self.best_epoch = 0
        self.should_stop = False

    def update(self, history: dict[str, list[float]]) -> bool:
        """Read the epochs so far from ``history``; True when the last one is the best."""
        if self.monitor not in history:
            raise KeyError(f"early stopping watches {self.monitor!r}, which the history lacks; "
                           f"it has {sorted(history)}")
        values = history[self.monitor]
        sign = 1.0 if self.lower_is_better else -1.0  # improvement = sign * (best - value)
        self.best_epoch = 1
        for epoch, value in enumerate(values[1:], start=2):
            if sign * (values[self.best_epoch - 1] - value) > self.min_delta:
                self.best_epoch = epoch
        self.should_stop = len(values) - self.best_epoch >= self.patience
        return self.best_epoch == len(values)


# %%
def accuracy(dataset) -> float:
    right = total = 0
    for images, labels in dataset:
        predicted = tf.argmax(forward(tf.reshape(images, (len(images), -1)))[2], axis=1)
        right += int(tf.reduce_sum(tf.cast(predicted == tf.cast(labels, tf.int64), tf.int32)))
        total += len(labels)
    return right / total


compiled_step = tf.function(train_step)
held_out = data.validation or data.test
stopper = EarlyStopping("val_accuracy", PATIENCE)
history = {"val_accuracy": []}
for epoch in range(1, EPOCHS + 1):
    for images, labels in data.train:
        compiled_step(tf.reshape(images, (len(images), -1)), labels)
    history["val_accuracy"].append(accuracy(held_out))
    print(f"epoch {epoch}: validation accuracy {history['val_accuracy'][-1]:.4f}")
    if stopper.update(history):
        best_weights = [w.numpy() for w in weights]
    if stopper.should_stop:
        print(f"no improvement for {PATIENCE} epochs: stop, keep the weights of epoch "
              f"{stopper.best_epoch}")
        break
for weight, value in zip(weights, best_weights, strict=True):
    weight.assign(value)
test_accuracy = accuracy(data.test)
print(f"test accuracy {test_accuracy:.4f} (weights of epoch {stopper.best_epoch})")
page.record(validation_accuracy=history["val_accuracy"], best_epoch=stopper.best_epoch,
            test_accuracy=test_accuracy, identity=data.identity)
