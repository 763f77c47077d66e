# %% [markdown]
# # Section 3 · Vanishing and exploding gradients, and gradient clipping
#
# Tutorial: section 3 · 算法优缺点 (seed 000 §3.3) · 梯度裁剪 (seed 004 §3.3.6)
#
# Backpropagation (step 4 of section 3's loop) carries the gradient from the loss back to the
# first layer by the chain rule: through every layer, the gradient is multiplied by that layer's
# weights and by the derivative of its activation. Twenty layers make a product of twenty such
# factors. If they are below 1 the gradient **vanishes** before it reaches the first layers,
# which then learn nothing; above 1 it **explodes**, and one update can throw the weights far
# away. Seed 000 counts both among deep learning's weaknesses (in section 3's list of strengths
# and weaknesses, 算法优缺点), and seed 004's headings for training a recurrent network end with
# the remedy for the second: **gradient clipping** (梯度裁剪).
#
# Two experiments: the gradient of every layer of a deep sigmoid network and of a deep ReLU
# network, at initialization; then a recurrent network on a long sequence, trained with and
# without clipping.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.data.pipeline import batches
from dlbook.data.sequences import adding_problem
from dlbook.plots import plot_curves

import keras
import numpy as np
import tensorflow as tf
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--clip-norm 5`, `make ch03-gradients EPOCHS=5`;
# `--help` lists them). `--quick` trains the recurrent network for one epoch on 2,048 sequences.

# %%
EPOCHS = 20  # epochs of each recurrent run
BATCH_SIZE = 128  # images in the batch whose gradients the deep networks measure
DEPTH = 20  # dense layers of the deep sigmoid and ReLU networks
SEQUENCES = 10_000  # training sequences of the adding problem
RNN_BATCH_SIZE = 64  # sequences per step of the recurrent runs
LEARNING_RATE = 0.1  # plain SGD's rate in the recurrent runs
CLIP_NORM = 1.0  # the clipped run's gradients are scaled down to this global norm
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
QUICK = {"EPOCHS": 1, "SEQUENCES": 2_048}

page = start_page("ch03_algorithm/gradients", globals())

# %% [markdown]
# ## A deep sigmoid network and a deep ReLU network, at initialization
#
# `DEPTH` (20) dense layers of 128 units, Keras's default (Glorot) initialization, one batch of
# images and its cross-entropy. The tape gives the gradient of every layer's weights; we compare
# its size (the Frobenius norm) from the first layer to the last. The sigmoid's derivative is at
# most $1/4$, so each sigmoid layer passes back at most a quarter of the gradient it receives
# (times its weights); ReLU's derivative is 1 wherever a unit is active.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
images, labels = next(iter(data.train))
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
layer_norms, ratio = {}, {}
for activation in ("sigmoid", "relu"):
    keras.utils.set_random_seed(page.seed)
    hidden = [layers.Dense(128, activation=activation) for _ in range(DEPTH)]
    model = keras.Sequential([keras.Input(data.image_shape), layers.Flatten(), *hidden,
                              layers.Dense(len(data.class_names))])
    kernels = [layer.kernel for layer in hidden]
    with tf.GradientTape() as tape:
        loss = loss_fn(labels, model(images))
    layer_norms[activation] = [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]
    ratio[activation] = layer_norms[activation][0] / layer_norms[activation][-1]
    print(f"{activation:<8} gradient norm, layer 1: {layer_norms[activation][0]:.2e}, layer "
          f"{DEPTH}: {layer_norms[activation][-1]:.2e}; first / last = {ratio[activation]:.1e}")
page.record(layer_gradient_norms=layer_norms, first_to_last_layer_gradient_ratio=ratio,
            identity=data.identity)

# %% [markdown]
# In the sigmoid network the first layer's gradient is many orders of magnitude smaller than the
# last one's: with any single learning rate, the first layers hardly move while the last ones
# train. The ReLU network keeps the gradient's size within a small factor through all twenty
# layers. This is why deep networks use ReLU (or its relatives) in their hidden layers.

# %% [markdown]
# ## A recurrent network on a long sequence
#
# A recurrent network applies the same weights at every time step, and backpropagation through
# time multiplies the gradient by them once per step: on a sequence of 50 steps, a recurrent
# matrix slightly "larger than 1" is raised to a high power. The task is the adding problem:
# 50 random numbers, two of them marked (one in each half); the answer is the sum of the two
# marked numbers. Always answering 1 gives a mean squared error of $1/6 \approx 0.167$; anything
# below that has been learnt.
#
# The network is a `SimpleRNN` of 64 tanh units, $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$,
# and a dense output on the last state, trained with plain SGD (`LEARNING_RATE` 0.1, batches of
# `RNN_BATCH_SIZE` 64). The training step, written here, measures the global norm of the
# gradient, $\lVert g \rVert = \sqrt{\sum_W \lVert \partial J / \partial W \rVert^2}$, before the
# update. Clipping rescales the gradient to norm $c$ (`CLIP_NORM`, 1) whenever it is larger,
# keeping its direction: $g \leftarrow g \cdot \min(1, c / \lVert g \rVert)$.
# (`dlbook.training.Trainer` has the same option, `clip_norm=`.)

# %%
SEQUENCE_LENGTH = 50
x_train, y_train = adding_problem(SEQUENCES, SEQUENCE_LENGTH, seed=page.seed)
x_test, y_test = adding_problem(2_000, SEQUENCE_LENGTH, seed=page.seed + 1)
train_batches = batches((x_train, y_train), RNN_BATCH_SIZE, shuffle_seed=page.seed)


def train_rnn(clip_norm: float | None) -> dict:
    keras.utils.set_random_seed(page.seed)
    model = keras.Sequential([keras.Input((SEQUENCE_LENGTH, 2)), layers.SimpleRNN(64),
                              layers.Dense(1)])
    optimizer = keras.optimizers.SGD(LEARNING_RATE)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        gradients = tape.gradient(loss, model.trainable_variables)
        norm = tf.linalg.global_norm(gradients)
        if clip_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, clip_norm, use_norm=norm)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss, norm

    losses, norms = [], []
    for epoch in range(1, EPOCHS + 1):
        for x, y in train_batches:
            loss, norm = (float(value) for value in train_step(x, y))
            losses.append(loss)
            norms.append(norm)
            if not np.isfinite(loss):
                print(f"  the loss became {loss} at step {len(losses)} (epoch {epoch}): training "
                      "did not survive")
                return {"losses": losses, "norms": norms, "survived": False, "test_mse": None}
        print(f"  epoch {epoch}: mean loss of the epoch "
              f"{np.mean(losses[-len(train_batches):]):.4f}, largest gradient norm so far "
              f"{max(norms):.1f}")
    test_mse = float(np.mean((model.predict(x_test, verbose=0) - y_test) ** 2))
    return {"losses": losses, "norms": norms, "survived": True, "test_mse": test_mse}


def largest_finite(values: list[float]) -> float:
    return float(max(v for v in values if np.isfinite(v)))


runs = {}
for name, clip_norm in (("no clipping", None), (f"clipped to norm {CLIP_NORM:g}", CLIP_NORM)):
    print(f"--- {name}")
    runs[name] = train_rnn(clip_norm)
    run = runs[name]
    print(f"{name}: {len(run['losses'])} steps, survived: {run['survived']}, gradient norm "
          f"median {np.median(run['norms']):.3g}, largest finite "
          f"{largest_finite(run['norms']):.3g}; test MSE "
          + (f"{run['test_mse']:.4f}" if run["survived"] else "none (no model left)")
          + f" (always answering 1: {1 / 6:.4f})")
page.record(rnn={name: {"steps": len(r["losses"]), "survived": r["survived"],
                        "largest_finite_gradient_norm": largest_finite(r["norms"]),
                        "median_gradient_norm": float(np.median(r["norms"])),
                        "test_mse": r["test_mse"]} for name, r in runs.items()})

# %% [markdown]
# Without clipping, the gradient norm jumps by orders of magnitude within a few dozen steps; each
# update throws the weights further, until the loss overflows to infinity. With
# clipping the same spikes happen, but each update is at most 0.1 (the rate) times a vector of
# norm 1, the network survives them and goes on learning.
#
# ## What to look at
#
# `layer_gradients.png`: the gradient norm of each layer's weights at initialization, log scale:
# the sigmoid network's line falls steeply towards the first layer, the ReLU network's stays
# level. `rnn_training.png`: the loss and the gradient norm over the first 100 steps of the two
# recurrent runs, on log scales (the run without clipping stops where its loss became
# infinite), and the loss of the clipped run over all its steps, averaged over 50 steps, against
# the error of always answering 1.

# %%
plot_curves({"gradient norm of each layer's weights, at initialization":
             {f"{DEPTH} {a} layers": norms for a, norms in layer_norms.items()}},
            page.output_dir / "layer_gradients.png", xlabel="layer (1 = next to the input)",
            ylabel="||dJ/dW||", log_y=True)
first_loss, first_norm = "loss, first 100 steps", "gradient norm before clipping, first 100 steps"
clipped = runs[f"clipped to norm {CLIP_NORM:g}"]["losses"]
window = min(50, len(clipped))
clipped_loss = f"loss of the clipped run, mean of {window} steps"
plot_curves({first_loss: {n: r["losses"][:100] for n, r in runs.items()},
             first_norm: {n: r["norms"][:100] for n, r in runs.items()},
             clipped_loss: {f"clipped to norm {CLIP_NORM:g}": np.convolve(
                 clipped, np.ones(window) / window, "valid")}},
            page.output_dir / "rnn_training.png", xlabel="step", ylabel="",
            log_y=[first_loss, first_norm],
            references={first_loss: (1 / 6, "always answering 1"),
                        clipped_loss: (1 / 6, "always answering 1 (MSE 1/6)")})
print(f"Plots in {page.output_dir}/")
