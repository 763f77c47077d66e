# %% [markdown]
# # Section 8 · Magnitude pruning: the CNN with 90% of its weights set to zero
#
# Tutorial: section 8 · 未来发展趋势 (seed 003 §8.2); section 9 · 深度学习中的模型裁剪是什么？ (seed
# 003 §9 Q5) · 深度学习需要强大的计算资源吗？ (seed 002 §9 Q2)
#
# Section 8 of the tutorial names efficiency through pruning and quantization among the trends of
# deep learning; its FAQ asks what model pruning is, and gives pruning and quantization when it
# asks whether deep learning needs much compute. Quantization (`quantization.py`) keeps every
# weight in fewer bits; pruning removes weights. A trained network has many weights close to
# zero that change its outputs little, so the smallest ones can be set to zero, and kept there,
# while the others train on and make up for them.
#
# What pruning is for: a smaller, faster model at, at best, the dense model's accuracy. Seed 003's
# FAQ claims more: that pruning improves generalization (Q5), and, as cutting some of the model's
# layers, that it fights overfitting (Q2). It is no standard cure for either. Below, 50% sparsity
# pruned while training does score 0.3 points above the dense network in a full run, but those
# runs also train 5 more epochs than the dense one; whether pruning or the extra training earned
# the gain is not measured here.
#
# **The magnitude mask.** For a target sparsity $s$ (the fraction of weights to remove), let
# $\tau_s$ be the $s$-quantile of $|w|$ over the kernels of all the convolution and dense
# layers. Each weight gets a mask bit, and the network computes with $w \odot m$:
#
# $$m = \mathbb{1}\big[\,|w| \ge \tau_s\,\big].$$
#
# One threshold for all the layers lets each layer be pruned as much as its weights allow; the
# biases are left whole (170 numbers: each of the 96 of the convolutions shifts a whole feature
# map, each of the 74 of the dense layers one unit), and so, below, are the first and last
# layers.
#
# **Gradual pruning** (Zhu & Gupta, 2017, "To prune, or not to prune"). Removing 90% of the
# weights at once costs much of the network's accuracy; removing them a little at a time while
# it trains lets the rest adapt. The sparsity rises from $s_0 = 0$ to $s_f$ between steps $t_0$
# and $t_1$,
#
# $$s_t = s_f + (s_0 - s_f)\left(1 - \frac{t - t_0}{t_1 - t_0}\right)^3,$$
#
# fast at first, while many weights are near zero, slowly at the end; the mask is recomputed
# every few steps on that schedule and applied after every step, then training goes on at
# $s_f$ for a while.
#
# The TensorFlow Model Optimization toolkit (`tensorflow-model-optimization`, whose
# `prune_low_magnitude` does this) supports only Keras 2, the `tf.keras` of TensorFlow up to
# 2.15 or the `tf_keras` package since; a Keras 3 model is refused. This page writes the same
# machinery for Keras 3: the kernels to prune, the magnitude mask, the schedule,
# `PolynomialSparsity`, and a `model.fit` callback, `Pruning`, that masks the kernels on that
# schedule; then it prunes the CNN of chapter 5 to 50, 80 and 90% sparsity.

# %%
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.errors import DlbookError
from dlbook.plots import plot_against, plot_bars
from dlbook.training import adam_cosine, keras_verbose
from dlbook.training.trained_cnn import trained_cnn

import keras
import numpy as np

# %% [markdown]
# ## Settings
#
# Each constant is a flag of the page (`--epochs 3`, `--cnn PATH`; `--help` lists them).
# `--quick` prunes for one epoch on 2,048 images.

# %%
EPOCHS = 5  # epochs of training while pruning, for each sparsity
BATCH_SIZE = 128  # images per gradient step (chapter 5's CNN trained on 32)
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
CNN: Path | None = None  # the CNN (.keras file) to prune; default chapter 5's, or one trained here

page = start_page("ch08_trends/pruning", globals())

# %% [markdown]
# ## The model to prune
#
# The CNN of chapter 5 (`cnn.py`): its saved model if that page has run on the same data,
# otherwise one trained here with its recipe (kept for the next run).

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)
model, origin = trained_cnn(data, page.output_dir / f"cnn-{data.name}.keras", cnn=CNN,
                            quick=page.quick)
print(f"the CNN: {origin}")
page.record(cnn=origin, parameters=model.count_params(), float32_bytes=4 * model.count_params())

# %% [markdown]
# ## Which weights are pruned
#
# The kernels of the convolution and dense layers, the weights $w$ of the formulas above; the
# biases are left whole. A model of fewer than three kernels cannot keep its first and last
# layers whole and still prune something between them, so it is refused, in one line, before
# anything trains.
#
# The first line of the cell, `#@save dlbook/compression/pruning.py`, makes it part of the
# package too (that module runs this page's cells so marked): code beyond this page prunes
# with `from dlbook.compression import Pruning, magnitude_masks, ...`, the definitions written
# once, here.

# %%
#@save dlbook/compression/pruning.py
class UnprunableModelError(DlbookError):
    """The model has fewer Dense or Conv2D kernels than the pruning asked needs."""


def prunable_kernels(model: keras.Model, minimum: int = 1) -> list[keras.Variable]:
    """The kernels of the model's convolution and dense layers, nested models' included; fewer
    than ``minimum`` of them is a one-line `UnprunableModelError`."""
    kernels = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            kernels += prunable_kernels(layer, minimum=0)
        elif isinstance(layer, keras.layers.Dense | keras.layers.Conv2D):
            kernels.append(layer.kernel)
    if len(kernels) < minimum:
        raise UnprunableModelError(
            f"model {model.name!r} has {len(kernels)} Dense or Conv2D kernel(s), this pruning "
            f"needs at least {minimum}; use a model with more layers, such as chapter 5's CNN")
    return kernels


def sparsity(model: keras.Model) -> float:
    """The fraction of zeros among the weights of the prunable kernels."""
    kernels = [np.asarray(kernel) for kernel in prunable_kernels(model)]
    return sum(int((k == 0).sum()) for k in kernels) / sum(k.size for k in kernels)


# %%
for kernel in prunable_kernels(model, minimum=3):
    print(f"{kernel.path.split('/')[-2]}: kernel {tuple(kernel.shape)}, "
          f"{int(np.prod(kernel.shape)):,} weights")
test_images, test_labels = map(np.concatenate, zip(*data.test.as_numpy_iterator(), strict=True))


def test_accuracy(network: keras.Model) -> float:
    """The share of the test images whose largest logit is the right class."""
    return float(np.mean(network.predict(test_images, verbose=0).argmax(1) == test_labels))


dense_accuracy = test_accuracy(model)
print(f"dense model: test accuracy {dense_accuracy:.4f}")
page.record(dense_test_accuracy=dense_accuracy)

# %% [markdown]
# ## The mask function
#
# A mask function takes the kernels (as NumPy arrays) and the sparsity, and gives one boolean
# mask per kernel back. `magnitude_masks` is the formula above, one quantile over every kernel
# it is given. `masks_keeping_the_ends` leaves the first convolution and the output layer whole,
# 928 weights, under 1% of the network, that everything depends on: every feature map is
# computed from the first, every class score by the last. The layers between are pruned a
# little further, to the same number of zeros in all.

# %%
#@save dlbook/compression/pruning.py
def magnitude_masks(kernels: list[np.ndarray], fraction: float) -> list[np.ndarray]:
    """Keep the weights with |w| at or above the ``fraction``-quantile of all |w| together:
    m = 1[|w| >= tau_s] (section 8, magnitude pruning)."""
    threshold = np.quantile(np.concatenate([np.abs(k).ravel() for k in kernels]), fraction)
    return [np.abs(k) >= threshold for k in kernels]


def masks_keeping_the_ends(kernels: list[np.ndarray], fraction: float) -> list[np.ndarray]:
    """The first and last kernels whole, the others pruned by `magnitude_masks` to as many zeros
    as ``fraction`` of all the weights."""
    inner = kernels[1:-1]
    share = fraction * sum(k.size for k in kernels) / sum(k.size for k in inner)
    return [np.ones(kernels[0].shape, bool), *magnitude_masks(inner, min(share, 1.0)),
            np.ones(kernels[-1].shape, bool)]


# %%
MASKS = {"first and last layers whole": masks_keeping_the_ends,
         "every layer pruned": magnitude_masks}
SPARSITIES = [0.5, 0.8, 0.9]

# %% [markdown]
# ## Pruned at once, without training
#
# First the blunt way: a copy of the trained network with the masks applied once, nothing
# retrained. The single threshold prunes the layers unequally: the dense layer `features`, of
# $1600 \times 64$ weights, most of the network, loses the most; the second convolution, whose
# weights are larger, less. Pruning every layer takes many of the few weights of the first and
# last layers too, and costs far more accuracy.

# %%
def copy_of(network: keras.Model) -> keras.Model:
    """A new model with ``network``'s layers and weights."""
    copy = keras.models.clone_model(network)
    copy.set_weights(network.get_weights())
    return copy


at_once = {name: {} for name in MASKS}
for name, mask_fn in MASKS.items():
    for fraction in SPARSITIES:
        pruned = copy_of(model)
        kernels = prunable_kernels(pruned)
        masks = mask_fn([np.asarray(k) for k in kernels], fraction)
        for kernel, mask in zip(kernels, masks, strict=True):
            kernel.assign(np.where(mask, np.asarray(kernel), 0.0))
        at_once[name][fraction] = test_accuracy(pruned)
        layers = ", ".join(f"{kernel.path.split('/')[-2]} {1 - mask.mean():.0%}"
                           for kernel, mask in zip(kernels, masks, strict=True))
        print(f"{name}, {fraction:.0%} at once: test accuracy {at_once[name][fraction]:.4f} "
              f"(pruned: {layers})")
page.record(pruned_at_once=at_once)

# %% [markdown]
# ## The schedule
#
# The formula of gradual pruning, $s_t$ at training step $t$ (counted from 0), with the
# fraction $\frac{t - t_0}{t_1 - t_0}$ kept within $[0, 1]$: $s_0$ until $t_0$, $s_f$ from
# $t_1$ on.

# %%
#@save dlbook/compression/pruning.py
@dataclass(frozen=True)
class PolynomialSparsity:
    """Sparsity ``s_t`` at training step ``t`` (Zhu & Gupta, 2017): ``initial`` until
    ``begin_step``, rising as ``s_t = s_f + (s_0 - s_f) (1 - (t - t_0) / (t_1 - t_0))^3`` to
    ``final`` at ``end_step``, ``final`` after."""

    final: float
    begin_step: int
    end_step: int
    initial: float = 0.0
    power: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.initial <= self.final < 1:
            raise ValueError(f"sparsities initial={self.initial}, final={self.final}: expected "
                             "0 <= initial <= final < 1")
        if not 0 <= self.begin_step < self.end_step:
            raise ValueError(f"steps begin={self.begin_step}, end={self.end_step}: expected "
                             "0 <= begin < end")

    def __call__(self, step: int) -> float:
        progress = min(max((step - self.begin_step) / (self.end_step - self.begin_step), 0.0), 1.0)
        return self.final + (self.initial - self.final) * (1.0 - progress) ** self.power


# %% [markdown]
# Here the pruning lasts `EPOCHS` epochs of training: the sparsity rises over the first two
# thirds of the steps and the masks are recomputed 20 times on the way; the last third trains
# at the final sparsity. Adam's rate starts at $10^{-3}$, half of chapter 5's, and falls to 0
# along a cosine. The batches hold 128 images, four times the 32 chapter 5 trained the CNN on:
# a quarter as many steps, each of which keeps both cores busier, so the four runs below take
# about 4 minutes on two cores where batches of 32 took 6 to 7, and 90% sparsity still ends
# within a point of the dense network.

# %%
steps_per_epoch = int(data.train.cardinality())
total_steps = EPOCHS * steps_per_epoch
end_step = max(1, 2 * total_steps // 3)
update_every = max(1, end_step // 20)
example = PolynomialSparsity(final=0.9, begin_step=0, end_step=end_step)
print(f"{total_steps} steps; for a final sparsity of 90%: " + ", ".join(
    f"s({t}) = {example(t):.2f}" for t in np.linspace(0, end_step, 6).astype(int)))
page.record(pruning_steps=end_step, mask_updates_every=update_every)

# %% [markdown]
# ## Pruning while training
#
# `Pruning` is a callback of `model.fit`. Every `update_every` steps while the schedule rises,
# and once more at its end, it calls the mask function with the kernels and the sparsity of the
# schedule; after every step it multiplies each kernel by its mask, so a pruned weight stays
# pruned although Adam would move it. The model must run one step per call of its compiled
# function (`compile`'s default), so that the callback sees every step.

# %%
#@save dlbook/compression/pruning.py
MaskFunction = Callable[[list[np.ndarray], float], list[np.ndarray]]
"""``mask_fn(kernels, sparsity)``: one boolean array per kernel, of its shape, False where the
weight is pruned; ``sparsity`` is the fraction to prune (of each kernel, or of all together)."""


class Pruning(keras.callbacks.Callback):
    """Prune every kernel of `prunable_kernels` to ``schedule(step)`` with ``mask_fn``: the
    masks recomputed every ``update_every`` steps while the schedule rises and once more at its
    end, the kernels multiplied by their masks after every step."""

    def __init__(self, schedule: PolynomialSparsity, mask_fn: MaskFunction,
                 update_every: int = 50) -> None:
        super().__init__()
        if update_every < 1:
            raise ValueError(f"update_every={update_every}: expected at least 1")
        self.schedule = schedule
        self.mask_fn = mask_fn
        self.update_every = update_every
        self.step = 0
        self.kernels: list[keras.Variable] = []
        self.masks: list = []  # one boolean tensor per kernel, on the model's device

    def on_train_begin(self, logs=None):
        if getattr(self.model, "steps_per_execution", 1) != 1:
            raise ValueError(f"Pruning needs compile(steps_per_execution=1), got "
                             f"{self.model.steps_per_execution}: it masks after every step")
        self.kernels = prunable_kernels(self.model)
        self.masks = [keras.ops.ones(kernel.shape, "bool") for kernel in self.kernels]

    def on_train_batch_end(self, batch, logs=None):
        schedule = self.schedule
        due = self.step % self.update_every == 0 or self.step == schedule.end_step
        if schedule.begin_step <= self.step <= schedule.end_step and due:
            self.masks = self._new_masks(schedule(self.step))
        for kernel, mask in zip(self.kernels, self.masks, strict=True):
            kernel.assign(keras.ops.where(mask, kernel, 0.0))
        self.step += 1

    def _new_masks(self, fraction: float) -> list:
        kernels = [np.asarray(kernel) for kernel in self.kernels]
        masks = [np.asarray(mask, bool) for mask in self.mask_fn(kernels, fraction)]
        if [mask.shape for mask in masks] != [kernel.shape for kernel in kernels]:
            raise ValueError(f"mask_fn returned masks of shapes {[m.shape for m in masks]} for "
                             f"kernels of shapes {[k.shape for k in kernels]}")
        return [keras.ops.convert_to_tensor(mask) for mask in masks]


# %% [markdown]
# Each run starts from the trained dense network. The three sparsities keep the ends whole; one
# more run prunes every layer to 90%, to measure what keeping them is worth.

# %%
def prune_while_training(fraction: float, mask_fn: MaskFunction) -> keras.Model:
    """A copy of the dense model trained for `EPOCHS` epochs while pruned to ``fraction``."""
    keras.utils.set_random_seed(page.seed)
    pruned = copy_of(model)
    pruned.compile(optimizer=adam_cosine(1e-3, EPOCHS, steps_per_epoch),
                   loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                   metrics=["accuracy"])
    schedule = PolynomialSparsity(final=fraction, begin_step=0, end_step=end_step)
    pruned.fit(data.train, epochs=EPOCHS, validation_data=data.validation, shuffle=False,
               verbose=keras_verbose(),
               callbacks=[Pruning(schedule, mask_fn, update_every=update_every)])
    return pruned


fine_tuned = {}
for fraction in SPARSITIES:
    print(f"pruning to {fraction:.0%}, first and last layers whole:")
    fine_tuned[f"{fraction:.0%} sparse"] = prune_while_training(fraction, masks_keeping_the_ends)
print("pruning to 90%, every layer:")
every_layer = prune_while_training(0.9, magnitude_masks)
# %% [markdown]
# ## Accuracy and size
#
# A zero stored as a float32 still takes 4 bytes: a pruned model saved as it is, is as large as
# the dense one. The zeros pay off once the weights are stored sparsely or compressed. Here
# every weight (kernels and biases) is written as float32 bytes, one array after the other, and
# the bytes are compressed with gzip (level 9): the dense weights hardly shrink, being close to
# random bits, while long runs of zeros do.

# %%
def gzip_size(network: keras.Model) -> int:
    """Bytes of the network's weights as float32, gzip-compressed."""
    raw = b"".join(np.asarray(w, np.float32).tobytes() for w in network.get_weights())
    return len(gzip.compress(raw, compresslevel=9, mtime=0))


dense_size = gzip_size(model)


def row(network: keras.Model, target: float, accuracy_at_once: float) -> dict:
    """The table's figures for one network."""
    accuracy, size = test_accuracy(network), gzip_size(network)
    return {"target_sparsity": target, "sparsity": sparsity(network), "test_accuracy": accuracy,
            "change_points": 100 * (accuracy - dense_accuracy),
            "pruned_at_once_accuracy": accuracy_at_once, "gzip_bytes": size,
            "smaller_than_dense": dense_size / size,
            "layer_sparsity": {kernel.path.split("/")[-2]: float(np.mean(np.asarray(kernel) == 0))
                               for kernel in prunable_kernels(network)}}


ends, every = MASKS  # the names of the two mask functions
rows = {"dense": row(model, 0.0, dense_accuracy)}
for fraction in SPARSITIES:
    rows[f"{fraction:.0%} sparse"] = row(fine_tuned[f"{fraction:.0%} sparse"], fraction,
                                         at_once[ends][fraction])
rows["90% sparse, every layer"] = row(every_layer, 0.9, at_once[every][0.9])
print(f"{'model':<24} {'sparsity':>8} {'at once':>8} {'trained':>8} {'change':>7} "
      f"{'gzip':>9} {'smaller':>8}")
for name, figures in rows.items():
    print(f"{name:<24} {figures['sparsity']:>8.1%} {figures['pruned_at_once_accuracy']:>8.4f} "
          f"{figures['test_accuracy']:>8.4f} {figures['change_points']:>+7.2f} "
          f"{figures['gzip_bytes'] / 1024:>6.1f} KB {figures['smaller_than_dense']:>7.2f}x")
print(f"(sparsity: zeros among the kernels' weights; at once: test accuracy pruned without "
      f"training; trained: pruned on the schedule while training, {EPOCHS} epoch(s); change: "
      f"points against the dense model; gzip: the {4 * model.count_params():,} bytes of float32 "
      f"weights compressed; accuracy on the {len(test_labels):,} test images)")
page.record(pruned=rows, accuracy_change_at_90_points=rows["90% sparse"]["change_points"],
            identity=data.identity)

# %% [markdown]
# ## What to look at
#
# `pruning.png`: pruned at once, the network loses nothing at 50% and much at 90%; pruned
# gradually while it trains, it stays within a point of the dense network at 90% in a full run
# (README), and pruning every layer costs it over a point more. `pruning_sizes.png`: the
# compressed weights shrink with the sparsity, about seven times at 90%; the surviving weights
# are still four random-looking bytes each, and the zeros between them cost a little. A smaller
# file is not a faster model: a CPU multiplies a kernel full of zeros as fast as any other, and
# speed needs sparse arithmetic (code that skips the zeros) or whole channels removed. Pruning
# and quantization combine: the surviving weights can be stored in 8 bits.

# %%
percent = [0] + [round(100 * fraction) for fraction in SPARSITIES]
plot_against(percent, {"pruned while training (schedule)":
                       [rows[f"{f:.0%} sparse" if f else "dense"]["test_accuracy"]
                        for f in [0, *SPARSITIES]],
                       "pruned at once, not retrained":
                       [dense_accuracy] + [at_once[ends][f] for f in SPARSITIES]},
             page.output_dir / "pruning.png", xlabel="weights pruned (%)",
             ylabel="test accuracy",
             title=f"Magnitude pruning of the CNN on {data.name} (first and last layers whole)")
plot_bars({name: figures["gzip_bytes"] / 1024 for name, figures in rows.items()},
          page.output_dir / "pruning_sizes.png", xlabel="weights as float32, gzip-compressed (KB)",
          title=f"The CNN on {data.name}, dense and pruned while training",
          notes={name: f"test accuracy {figures['test_accuracy']:.4f}"
                 for name, figures in rows.items()})
