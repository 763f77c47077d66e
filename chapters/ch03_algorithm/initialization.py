# %% [markdown]
# # Section 3 · Initialization: how the weights start decides whether they learn
#
# Tutorial: section 3 · 算法步骤详解 (seed 000 §3.2) · 网络初始化 (seed 004 §3.1.2)
#
# The first step of section 3's loop gives the weights small random values. This page asks why
# random, and how small. It builds one deep network, eight hidden layers of 128 ReLU units, four
# times, changing only how the weights start:
#
# - **zeros**: every weight 0;
# - **small random**: normal with standard deviation 0.01;
# - **Glorot** (Glorot and Bengio, 2010): uniform with variance $2 / (n_\text{in} + n_\text{out})$,
#   Keras's default;
# - **He** (He et al., 2015): normal with variance $2 / n_\text{in}$, made for ReLU, which zeroes
#   half of its inputs and so halves the variance of the signal at every layer.
#
# It measures the signal at every layer before training, then trains the four with the same
# plain SGD and compares the curves.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.plots import plot_curves, plot_runs
from dlbook.training import Trainer

import keras
import numpy as np
import tensorflow as tf
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--depth 20`, `make ch03-initialization EPOCHS=3`;
# `--help` lists them). `--quick` trains one epoch on 2,048 images.

# %%
EPOCHS = 5  # epochs of plain SGD for each of the four networks
BATCH_SIZE = 128  # images per gradient step
LEARNING_RATE = 0.05  # SGD's rate
DEPTH = 8  # hidden layers
WIDTH = 128  # ReLU units in each hidden layer
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch03_algorithm/initialization", globals())

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## The network and the four ways to start it
#
# Every scheme is a Keras initializer, made with a seed of its own for each layer; the biases
# start at 0 in every network.

# %%
SCHEMES = {
    "zeros": lambda seed: keras.initializers.Zeros(),
    "small random (std 0.01)": lambda seed: keras.initializers.RandomNormal(stddev=0.01, seed=seed),
    "Glorot uniform": lambda seed: keras.initializers.GlorotUniform(seed=seed),
    "He normal": lambda seed: keras.initializers.HeNormal(seed=seed),
}


def deep_network(initializer) -> keras.Sequential:
    """Flatten, DEPTH dense ReLU layers of WIDTH units, 10 logits; every kernel from
    ``initializer(seed)``, every bias 0."""
    model = keras.Sequential([keras.Input(data.image_shape), layers.Flatten()])
    for depth in range(DEPTH):
        model.add(layers.Dense(WIDTH, activation="relu",
                               kernel_initializer=initializer(page.seed + depth)))
    model.add(layers.Dense(len(data.class_names),
                           kernel_initializer=initializer(page.seed + DEPTH)))
    return model


# %% [markdown]
# ## The signal through the layers, before any training
#
# One batch of images goes through each freshly built network; for each hidden layer we measure
# the standard deviation of its outputs. With weights of variance $\sigma^2$, a ReLU layer of
# $n$ inputs multiplies the variance of the signal by about $n \sigma^2 / 2$: below 1 the signal
# fades layer after layer, above 1 it grows. He's $\sigma^2 = 2/n$ makes the factor exactly 1.

# %%
images, _ = next(iter(data.train))
signal = {}
for name, initializer in SCHEMES.items():
    model = deep_network(initializer)
    h, stds = layers.Flatten()(images), []
    for layer in model.layers[1:-1]:
        h = layer(h)
        stds.append(float(tf.math.reduce_std(h)))
    signal[name] = stds
    print(f"{name:<24} std of the outputs, layers 1 to {DEPTH}: "
          + " ".join(f"{s:.1e}" for s in stds))
print(f"input images: std {float(tf.math.reduce_std(images)):.2f}; the factor per layer for "
      f"std 0.01 is sqrt({WIDTH} * 0.01^2 / 2) = {np.sqrt(WIDTH * 1e-4 / 2):.3f}, for Glorot "
      f"sqrt({WIDTH} * 2/{2 * WIDTH} / 2) = {np.sqrt(0.5):.3f}")
page.record(signal_std_per_layer=signal)

# %% [markdown]
# ## Training the four networks
#
# Plain SGD at the rate `LEARNING_RATE` (0.05), `EPOCHS` epochs (5); `dlbook.training.Trainer`
# runs the tape step of section 3 over the data. Each network starts from the same seed.

# %%
histories, trained, test_accuracy = {}, {}, {}
for name, initializer in SCHEMES.items():
    print(f"--- {name}")
    keras.utils.set_random_seed(page.seed)
    trained[name] = model = deep_network(initializer)
    trainer = Trainer(model, keras.optimizers.SGD(LEARNING_RATE))
    histories[name] = trainer.fit(data.train, EPOCHS, validation_data=data.validation)
    test_accuracy[name] = trainer.evaluate(data.test)["accuracy"]
for name, accuracy in test_accuracy.items():
    print(f"{name:<24} test accuracy {accuracy:.4f}")
page.record(test_accuracy=test_accuracy, identity=data.identity,
            final_training_loss={n: h.history["loss"][-1] for n, h in histories.items()})

# %% [markdown]
# ## Zeros: symmetry that never breaks
#
# With every weight 0, every hidden unit computes the same thing and receives the same gradient,
# so no update can make two units differ: the layer is as good as one unit. With ReLU it is
# worse, since $\mathrm{ReLU}'(0) = 0$: no gradient reaches the hidden weights at all, and only
# the output bias learns (the network predicts the same class for every image). The same
# symmetry holds for any constant: a network whose weights all start at 0.01 trains, but each
# layer's units stay copies of one another.

# %%
def distinct_units(kernel: np.ndarray) -> int:
    """How many different columns (units) a kernel has, to 6 decimals."""
    return np.unique(np.round(kernel, 6), axis=1).shape[1]


zero_kernel = trained["zeros"].layers[1].kernel.numpy()
print(f"zeros: first hidden layer, largest |weight| after training {np.abs(zero_kernel).max()}, "
      f"distinct units {distinct_units(zero_kernel)} of {WIDTH}")
keras.utils.set_random_seed(page.seed)
constant = deep_network(lambda seed: keras.initializers.Constant(0.01))
Trainer(constant, keras.optimizers.SGD(LEARNING_RATE)).fit(data.train, 1, verbose=0)
constant_kernel = constant.layers[1].kernel.numpy()
print(f"constant 0.01, one epoch: first hidden layer, weights moved by up to "
      f"{np.abs(constant_kernel - 0.01).max():.3f}, distinct units "
      f"{distinct_units(constant_kernel)} of {WIDTH}")
he_kernel = trained["He normal"].layers[1].kernel.numpy()
print(f"He normal: distinct units {distinct_units(he_kernel)} of {WIDTH}")
page.record(distinct_units_first_layer={"zeros": distinct_units(zero_kernel),
                                        "constant 0.01": distinct_units(constant_kernel),
                                        "He normal": distinct_units(he_kernel)})

# %% [markdown]
# ## What to look at
#
# `signal.png`: the standard deviation of each hidden layer's outputs at initialization (log
# scale; zeros, exactly 0, cannot be drawn). With std 0.01 the signal shrinks about 12-fold per
# layer and is gone by the last one; Glorot loses a factor $\sqrt 2$ per layer; He keeps it level.
# `curves.png`: the training loss and validation accuracy per epoch. Zeros never leave the
# starting point. Small random weights do no better: with a signal of $10^{-9}$ at the last
# layer, the gradient that comes back is as small, and plain SGD does not move. Glorot and He
# both train; He starts faster (a lower loss and a higher validation accuracy after the first
# epoch), and Glorot catches up within a few epochs: at eight layers its loss of $\sqrt 2$ per
# layer still leaves a usable signal. Twenty or fifty layers would not (the gradients page shows
# what depth does to the gradient).

# %%
plot_curves({"std of each hidden layer's outputs at initialization":
             {name: stds for name, stds in signal.items() if name != "zeros"}},
            page.output_dir / "signal.png", xlabel="hidden layer", ylabel="standard deviation",
            log_y=True)
watched = "val_accuracy" if data.validation else "accuracy"  # --validation-fraction 0: none
plot_runs(histories, page.output_dir / "curves.png", metrics=("loss", watched))
print(f"Plots in {page.output_dir}/")
page.record(first_epoch_accuracy={"measured on": watched,
                                  **{n: h.history[watched][0] for n, h in histories.items()}})
