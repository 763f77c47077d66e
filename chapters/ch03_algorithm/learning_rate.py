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
# which the network never recovers.
#
# The same LeNet-5 (section 5.2's network), from the same initial weights, on batches of 100
# images, trained with plain gradient descent at four rates. A fifth run repeats the tutorial's
# LeNet listing: $\eta = 0.1$ on a loss that is never reduced to its mean. The gradient of that
# vector of per-example losses is the gradient of their **sum**, 100 times the gradient of the
# mean, so the step is that of $\eta = 10$ on the mean. (The listing's network ends in a softmax
# and its loss takes the log of those probabilities; here, as everywhere in dlbook, the network
# returns logits and the loss applies the softmax itself. The divergence below comes from the
# sum, not from that.)

# %%
from dlbook.cli import chapter_args
from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models import LeNet
from dlbook.plots import plot_curves
from dlbook.results import save_results

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch03_algorithm/learning_rate", "LeNet-5 trained by gradient descent over a "
                    "sweep of learning rates, and on the listing's unreduced loss (section 3)",
                    epochs=2, batch_size=100)
set_seed(args.seed)
data = load_images(args.dataset, batch_size=args.batch_size, limit=args.limit,
                   validation_fraction=args.validation_fraction, seed=args.seed,
                   data_dir=args.data_dir)
print(data)

# %% [markdown]
# ## Gradient descent, written out
#
# `reduce` says what the tape differentiates: the batch mean $J$ of the per-example losses, or
# (the listing) the vector itself, that is their sum. The update is the formula, one
# `assign_sub` per weight. The loss recorded at each step is always the batch mean, so that the
# runs can be compared.

# %%
per_example = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
accuracy = keras.metrics.SparseCategoricalAccuracy()


def train(rate: float, reduce: str) -> dict:
    set_seed(args.seed)
    model = LeNet(len(data.class_names), data.image_shape)
    model(tf.zeros((1, *data.image_shape)))

    @tf.function
    def step(images, labels):
        with tf.GradientTape() as tape:
            losses = per_example(labels, model(images, training=True))
            objective = tf.reduce_mean(losses) if reduce == "mean" else losses
        gradients = tape.gradient(objective, model.trainable_variables)
        for weight, gradient in zip(model.trainable_variables, gradients, strict=True):
            weight.assign_sub(rate * gradient)
        return tf.reduce_mean(losses)

    losses = []
    for _ in range(args.epochs):
        for images, labels in data.train:
            losses.append(float(step(images, labels)))
            if not np.isfinite(losses[-1]):
                break
    accuracy.reset_state()
    for images, labels in data.validation or data.test:
        accuracy.update_state(labels, model(images, training=False))
    return {"losses": losses, "validation_accuracy": float(accuracy.result())}


RUNS = {"rate 0.001": (0.001, "mean"), "rate 0.01": (0.01, "mean"), "rate 0.1": (0.1, "mean"),
        "rate 1.0": (1.0, "mean"), "rate 0.1, summed loss (listing)": (0.1, "sum")}
runs = {}
for name, (rate, reduce) in RUNS.items():
    runs[name] = run = train(rate, reduce)
    last = run["losses"][-50:]
    print(f"{name:<32} loss: first step {run['losses'][0]:.3f}, largest {max(run['losses']):.3g}, "
          f"mean of the last {len(last)} steps {np.mean(last):.3f}; validation accuracy "
          f"{run['validation_accuracy']:.4f}")

# %% [markdown]
# ## What the runs show
#
# - $\eta = 0.001$ is safe and slow: after two epochs the loss has only begun to fall from
#   $\log 10 \approx 2.30$, the loss of a guess.
# - $\eta = 0.01$ learns; $\eta = 0.1$ learns fastest of the four.
# - $\eta = 1$ overshoots from the first steps: the loss goes up instead of down, then stays at
#   2.30, the loss of a network that gives every image the same scores. The usual cause is that
#   the large steps have pushed the ReLU units to where they output 0 for every image, and no
#   gradient flows back through a unit that is always 0: the network stops learning for good.
# - The listing's unreduced loss at $\eta = 0.1$ is worse still: its mean loss climbs to
#   astronomical values within a few steps, and the run ends at chance as well. Dividing the
#   same gradient by the batch size, that is taking the mean, is the whole difference between
#   this run and the best one.

# %% [markdown]
# ## What to look at
#
# `learning_rates.png`: the batch loss at every step of the five runs. On the left, a log scale
# makes room for the divergent run; on the right, the same curves up to a loss of 3 on a linear
# scale, to compare the others. The dashed line is $\log 10$, the loss of guessing.

# %%
every_run = "batch loss, log scale"
zoomed = "the same, losses up to 3"
plot_curves({every_run: {name: run["losses"] for name, run in runs.items()},
             zoomed: {name: np.where(np.array(run["losses"]) <= 3, run["losses"], np.nan)
                      for name, run in runs.items()}},
            args.output_dir / "learning_rates.png", xlabel="step", ylabel="batch mean loss",
            log_y=[every_run], references={every_run: (np.log(10), "log 10 (guessing)"),
                                           zoomed: (np.log(10), "log 10 (guessing)")})
print(f"Plot in {args.output_dir}/learning_rates.png")

save_results(args, identity=data.identity, dataset=data.name, epochs=args.epochs, runs={
    name: {"rate": RUNS[name][0], "reduce": RUNS[name][1], "steps": len(run["losses"]),
           "first_loss": run["losses"][0], "largest_loss": max(run["losses"]),
           "final_loss": float(np.mean(run["losses"][-50:])),
           "validation_accuracy": run["validation_accuracy"]}
    for name, run in runs.items()})
