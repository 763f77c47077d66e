# %% [markdown]
# # Section 9 · Which activation function? Four trained side by side
#
# Tutorial: section 9 · 深度学习中的激活函数有哪些？ (seed 003 §9 Q3)
#
# The FAQ lists the usual activation functions: sigmoid, tanh, ReLU and leaky ReLU. Each turns a
# neuron's weighted sum $z$ into its output, and its derivative decides how much of the gradient
# flows back through the neuron during backpropagation:
#
# | activation | $f(z)$ | $f'(z)$ | largest $f'$ |
# | --- | --- | --- | --- |
# | sigmoid | $\sigma(z) = 1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z))$ | $1/4$ |
# | tanh | $\tanh z$ | $1 - \tanh^2 z$ | $1$ |
# | ReLU | $\max(0, z)$ | $0$ or $1$ | $1$ |
# | leaky ReLU | $\max(\alpha z, z)$, $\alpha = 0.01$ | $\alpha$ or $1$ | $1$ |
#
# Seed 003's answer gives the sigmoid the range $[0, 1]$ and tanh $[-1, 1]$. Both ranges are
# open, $(0, 1)$ and $(-1, 1)$: $e^{-z}$ is never 0, so $\sigma(z)$ never reaches 0 or 1, nor
# $\tanh z$ its ends. Only rounding reaches them: in float32, TensorFlow's sigmoid is exactly 1
# from $z \approx 16.6$ on and its tanh from $z \approx 7.9$, which is why a loss computed from a
# sigmoid's output clips it (`mlp_binary.py`).
#
# Chapter 2 draws these curves and their derivatives, and chapter 3 measures what they do to the
# gradients of a deep network at initialization. This page answers the question the way a
# practitioner would: train **the same network** four times, changing nothing but the activation
# of its hidden layers, and compare. The same initial weights (same seed), the same batches in
# the same order, plain SGD with a rate of 0.1. Plain SGD shows the difference that an adaptive
# optimizer, which rescales every gradient, largely hides: `--optimizer adam` runs the same
# comparison with Adam (the chapter's README has both tables).

# %%
from typing import Literal

from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.plots import plot_runs
from dlbook.training import EpochTimer, keras_verbose, resumable_run

import keras
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is a flag of the page (`--optimizer adam`; `--help` lists them). `--quick`
# trains each network one epoch on 2,048 images.

# %%
EPOCHS = 10  # epochs of each of the four runs
BATCH_SIZE = 128  # images per gradient step
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
OPTIMIZER: Literal["sgd", "adam"] = "sgd"  # SGD with a rate of 0.1, or Adam with its 1e-3

page = start_page("ch09_faq/activations", globals(), resumable=True)

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## The network and its four activations
#
# Three hidden layers of 256, 256 and 128 units, then ten logits (the loss applies the softmax).
# Only `activation` changes from one run to the next. Keras's own `leaky_relu` has a slope of
# 0.2 below zero; the common choice, and ours, is 0.01.

# %%
def leaky_relu(z):
    return keras.ops.leaky_relu(z, negative_slope=0.01)


ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "ReLU": "relu", "leaky ReLU": leaky_relu}


def mlp(activation) -> keras.Sequential:
    return keras.Sequential([
        keras.Input(data.image_shape),
        layers.Flatten(),
        layers.Dense(256, activation=activation),
        layers.Dense(256, activation=activation),
        layers.Dense(128, activation=activation),
        layers.Dense(len(data.class_names)),
    ])


# %% [markdown]
# ## Four runs
#
# Each run starts from the same seed, so the four networks begin with the same weights and see
# the same batches; each keeps its own folder (`<output dir>/<activation>/`) with a backup that
# lets an interrupted run resume, and TensorBoard logs.

# %%
histories, results = {}, {}
for name, activation in ACTIVATIONS.items():
    print(f"--- {name}")
    keras.utils.set_random_seed(page.seed)
    model = mlp(activation)
    optimizer = keras.optimizers.SGD(0.1) if OPTIMIZER == "sgd" else keras.optimizers.Adam()
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    timer = EpochTimer()
    run = page.output_dir / f"{name.replace(' ', '_').lower()}-{OPTIMIZER}" / data.name
    histories[name] = model.fit(
        data.train, epochs=EPOCHS, validation_data=data.validation, shuffle=False,
        verbose=keras_verbose(),
        callbacks=[*resumable_run(run, model, EPOCHS, data.identity, page.restart,
                                  data.train), timer])
    test_loss, test_accuracy = model.evaluate(data.test, verbose=0)
    curve = histories[name].history["val_accuracy" if data.validation else "accuracy"]
    results[name] = {
        "test_accuracy": test_accuracy,
        "final_training_loss": histories[name].history["loss"][-1],
        "first_epoch_accuracy": curve[0],
        "seconds_per_epoch": (sum(timer.epoch_seconds) / len(timer.epoch_seconds)
                              if timer.epoch_seconds else None),
    }

# %% [markdown]
# ## The answer, measured
#
# The table and `curves-sgd.png` (training loss, validation accuracy per epoch) tell the same story.
# The sigmoid network learns slowest: each sigmoid layer multiplies the gradient it passes back by
# at most a quarter, so on its way to the first layer, through three of them, the three sigmoid
# derivatives alone shrink it at least 64-fold (the weights can add to that or make up part of it).
# In a full run the sigmoid network is at 46% validation accuracy after one epoch, where the three
# others are at 79-83%, and still 6 points behind after ten (the chapter's README has the table).
# tanh, centred on zero with a slope of 1 there, does as well as ReLU; ReLU and leaky ReLU pass the
# gradient unchanged wherever a unit is active. With Adam (`--optimizer adam`) the gap shrinks to
# 1.5 points (sigmoid 87.52%, ReLU 89.02%). This is why ReLU (or a relative) is the default for
# hidden layers, and sigmoid is kept for outputs that are probabilities. Leaky ReLU's small slope
# keeps a unit that is inactive for every input (a "dead" ReLU) trainable.

# %%
print(f"{'activation':<12}{'test accuracy':>15}{'training loss':>15}{'epoch 1':>10}"
      f"{'s/epoch':>9}")
for name, row in results.items():
    seconds = f"{row['seconds_per_epoch']:.1f}" if row["seconds_per_epoch"] else "-"
    print(f"{name:<12}{row['test_accuracy']:>15.4f}{row['final_training_loss']:>15.4f}"
          f"{row['first_epoch_accuracy']:>10.4f}{seconds:>9}")
page.record(activations=results, identity=data.identity,
            optimizer=f"{type(optimizer).__name__}({float(optimizer.learning_rate):g})")
plot_runs(histories, page.output_dir / f"curves-{OPTIMIZER}.png",
          metrics=("loss", "val_accuracy" if data.validation else "accuracy"))
