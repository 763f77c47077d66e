# %% [markdown]
# # Section 3 · The learning rate: too small, right, too large
#
# Tutorial: section 3 · 算法步骤详解 (seed 000 §3.2) · 核心算法原理具体操作步骤 (seed 002 §3) ·
# 参数更新 (seed 004 §3.1.6); section 5 · 源代码详细实现 (seed 003 §5.2)
#
# Step 5 of section 3's loop moves every weight against its gradient,
# $W \leftarrow W - \eta\, \partial J / \partial W$. The learning rate $\eta$ decides how far. Too
# small, and the loss barely moves; too large, and each step overshoots the valley it was meant
# to descend, the loss rises instead of falling, and the weights can be thrown to places from
# which the network never recovers. Seed 002 (§3) says the step follows the gradient with a rate
# below 1; it goes against the gradient (as seed 002's own section 4 writes it,
# $\Delta W = -\eta \nabla W$), and no bound of 1 holds: what moves the weights is $\eta$ times the
# gradient, whose size depends on how the loss is written, as the runs below show.
#
# The same LeNet-5 (section 5.2's network), from the same initial weights, on the same batches
# of 100 images, trained with plain gradient descent at four rates. Three more runs repeat the
# tutorial's LeNet listing: $\eta = 0.1$ on a loss that is never reduced to its mean. The
# gradient of that vector of per-example losses is the gradient of their **sum**, 100 times the
# gradient of the mean, so the step is that of $\eta = 10$ on the mean. The listing's network
# ends in a softmax and hands the loss probabilities, where dlbook's returns the scores (logits)
# and lets the loss apply the softmax; the three runs compute the summed loss both ways, and once
# more from probabilities alone, to find which part of the listing makes it fail. They repeat
# the listing's loss and rate, not all of it: like every run here they read shuffled batches
# and run a compiled step. `benchmarks/bench_lenet_listing.py` runs the listing exactly as
# printed (batches in order, eager), and there the summed loss climbs to $1.1 \cdot 10^{23}$
# without overflowing, while the accuracy stays at chance just the same.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.models import LeNet
from dlbook.plots import plot_curves

import keras
import numpy as np
import tensorflow as tf

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`make ch03-learning-rate EPOCHS=1`; `--help` lists
# them). `--quick` trains each run for one epoch on 2,048 images.

# %%
EPOCHS = 2  # epochs of each of the seven runs
BATCH_SIZE = 100  # images per step, as in the listing
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch03_algorithm/learning_rate", globals())

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## Gradient descent, written out
#
# `reduce` says what the tape differentiates: the batch mean $J$ of the per-example losses, or
# (the listing) the vector itself, that is their sum. `form` says how the per-example loss is
# computed:
#
# - `logits`, dlbook's way: the network returns the scores $z$ and the loss takes the softmax
#   itself, $\ell = \log \sum_j e^{z_j} - z_y$ (`from_logits=True`);
# - `softmax`, the listing's way: a softmax turns the scores into probabilities $p$ (the
#   activation of the listing's last `Dense`, `keras.activations.softmax`) and
#   `sparse_categorical_crossentropy(labels, p)` takes them in its default form;
# - `clipped`: $\ell = -\log \operatorname{clip}(p_y, 10^{-7}, 1 - 10^{-7})$ on probabilities
#   alone, what that default form computes from a tensor of probabilities that carries no scores.
#
# The update is the formula, one `assign_sub` per weight. Every run starts from the same weights
# and reads the same batches in the same order. The loss recorded at each step is the
# batch mean of the per-example losses the run computes, so that the runs can be compared.

# %%
per_example = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
accuracy = keras.metrics.SparseCategoricalAccuracy()


def loss_per_example(labels: tf.Tensor, logits: tf.Tensor, form: str) -> tf.Tensor:
    """The cross-entropy of each example, computed in one of the three forms above."""
    if form == "logits":
        return per_example(labels, logits)
    if form == "softmax":
        return keras.losses.sparse_categorical_crossentropy(labels,
                                                            keras.activations.softmax(logits))
    right = tf.gather(tf.nn.softmax(logits), labels, batch_dims=1)
    return -tf.math.log(tf.clip_by_value(right, keras.config.epsilon(),
                                         1 - keras.config.epsilon()))


def same_batches() -> tf.data.Dataset:
    """The training pipeline made afresh: each run sees the same batches in the same order (a
    pipeline reshuffles every time it is read, so runs reading one pipeline would not)."""
    return load_images(data.name if DATASET == "auto" else DATASET, batch_size=BATCH_SIZE,
                       image_size=IMAGE_SIZE, **page.data_options).train


def train(rate: float, reduce: str, form: str) -> dict:
    keras.utils.set_random_seed(page.seed)
    batches = same_batches()
    model = LeNet(len(data.class_names), data.image_shape)
    model(tf.zeros((1, *data.image_shape)))

    @tf.function
    def step(images, labels):
        with tf.GradientTape() as tape:
            losses = loss_per_example(labels, model(images, training=True), form)
            objective = tf.reduce_mean(losses) if reduce == "mean" else losses
        gradients = tape.gradient(objective, model.trainable_variables)
        for weight, gradient in zip(model.trainable_variables, gradients, strict=True):
            weight.assign_sub(rate * gradient)
        return tf.reduce_mean(losses)

    losses = []
    for _ in range(EPOCHS):
        for images, labels in batches:
            losses.append(float(step(images, labels)))
            if not np.isfinite(losses[-1]):
                break
    accuracy.reset_state()
    for images, labels in data.validation or data.test:
        accuracy.update_state(labels, model(images, training=False))
    return {"losses": losses, "validation_accuracy": float(accuracy.result())}


RUNS = {"rate 0.001": (0.001, "mean", "logits"), "rate 0.01": (0.01, "mean", "logits"),
        "rate 0.1": (0.1, "mean", "logits"), "rate 1.0": (1.0, "mean", "logits"),
        "rate 0.1, summed, logits": (0.1, "sum", "logits"),
        "rate 0.1, summed, softmax (listing)": (0.1, "sum", "softmax"),
        "rate 0.1, summed, clipped": (0.1, "sum", "clipped")}
runs = {}
for name, (rate, reduce, form) in RUNS.items():
    runs[name] = run = train(rate, reduce, form)
    finite = [loss for loss in run["losses"] if np.isfinite(loss)]
    run["largest_finite_loss"], run["final_loss"] = max(finite), float(np.mean(finite[-50:]))
    run["not_finite_at"] = next((step for step, loss in enumerate(run["losses"], 1)
                                 if not np.isfinite(loss)), None)
    overflow = f" (not finite at step {run['not_finite_at']})" if run["not_finite_at"] else ""
    print(f"{name:<35} loss: first step {finite[0]:.3f}, largest finite {max(finite):.3g}"
          f"{overflow}, mean of the last 50 steps {run['final_loss']:.3f}; validation "
          f"accuracy {run['validation_accuracy']:.4f}")
same_as_logits = bool(np.array_equal(runs["rate 0.1, summed, softmax (listing)"]["losses"],
                                     runs["rate 0.1, summed, logits"]["losses"], equal_nan=True))
print(f"the listing's softmax form and the logits form, summed: the same loss at every step: "
      f"{same_as_logits}")
page.record(identity=data.identity, listing_form_same_as_logits=same_as_logits, runs={
    name: {"steps": len(run["losses"]), "largest_loss": max(run["losses"])}
    | {key: value for key, value in run.items() if key != "losses"} for name, run in runs.items()})

# %% [markdown]
# ## What the runs show
#
# Measured in a full run (2 epochs, 1,100 steps, on Fashion-MNIST; the chapter's README has the
# table):
#
# - $\eta = 0.001$ is safe and slow: after two epochs the loss (2.08) has only begun to fall from
#   $\log 10 \approx 2.30$, the loss of a guess.
# - $\eta = 0.01$ learns; $\eta = 0.1$ learns fastest of the four (loss 0.45, validation accuracy
#   0.84).
# - $\eta = 1$ overshoots from the first steps: the loss goes up instead of down, then stays at
#   2.30, the loss of a network that gives every image the same scores. The usual cause is that
#   the large steps have pushed the ReLU units to where they output 0 for every image, and no
#   gradient flows back through a unit that is always 0: the network stops learning for good.
# - The listing's unreduced loss at $\eta = 0.1$ is worse still: its batch loss reaches
#   $8 \cdot 10^{17}$ by the sixth step and overflows at the seventh, and the run ends at chance.
#   The listing's softmax form gives the same loss as the logits form at every step: Keras keeps
#   on a softmax layer's output the scores it came from, and computes the listing's loss from
#   them, exactly as `from_logits=True` does (so does the Keras 2 of the listing's own set-up,
#   checked on TensorFlow 2.13.1).
# - From probabilities alone the loss of an example cannot exceed $-\log 10^{-7} \approx 16.1$,
#   and the batch loss never goes above 16.0; the run fails all the same, stuck near 14.5 at
#   chance, since an example whose right class is clipped at $10^{-7}$ sends back no gradient.
#
# In every form the sum breaks the training. Dividing the same gradient by the batch size, that
# is taking the mean, is the whole difference between these runs and the best one.

# %% [markdown]
# ## What to look at
#
# `learning_rates.png`: the batch loss at every step of the seven runs (the logits form of the
# summed loss lies under the softmax form, step for step). On the left, a log scale makes room
# for the divergent runs; on the right, the same curves up to a loss of 3 on a linear scale, to
# compare the others. The dashed line is $\log 10$, the loss of guessing. A run whose loss
# overflowed skips the rest of that epoch, so the summed runs are shorter.

# %%
every_run = "batch loss, log scale"
zoomed = "the same, losses up to 3"
plot_curves({every_run: {name: run["losses"] for name, run in runs.items()},
             zoomed: {name: np.where(np.array(run["losses"]) <= 3, run["losses"], np.nan)
                      for name, run in runs.items()}},
            page.output_dir / "learning_rates.png", xlabel="step", ylabel="batch mean loss",
            log_y=[every_run], references={every_run: (np.log(10), "log 10 (guessing)"),
                                           zoomed: (np.log(10), "log 10 (guessing)")})
print(f"Plot in {page.output_dir}/learning_rates.png")
