# %% [markdown]
# # Section 5.2 · LeNet-5 trained with a GradientTape loop
#
# Tutorial: section 5 · 源代码详细实现 (seed 003 §5.2) · 代码解读与分析 (seed 003 §5.3); section 4 ·
# 案例分析与讲解 (seed 003 §4.3)
#
# The longest listing of the tutorial, seed 003's, builds LeNet as a `tf.keras.Model` subclass
# and trains it on MNIST with a loop written by hand: a `train_step` that runs the model under a
# `tf.GradientTape`, takes the gradients and applies them, an `evaluate_step`, and an epoch loop
# over batches of 100 images sliced in order, with `SGD(learning_rate=0.1)` for 10 epochs.
#
# This page runs that loop. It fixes the listing's two defects in the open, shows each one on a
# real batch, trains with the fixed loop, and then hands the full run to `dlbook.training.Trainer`,
# which adds what a long run needs. Where we depart from the listing:
#
# - **Data**: MNIST from `keras.datasets` there; here MNIST, or Fashion-MNIST when MNIST cannot
#   be had (`--dataset`), so that the page runs offline.
# - **Batches**: 100 sliced in order there; here 128, reshuffled every epoch (batches in order
#   repeat the same sequence of updates every epoch).
# - **Loss** (defect 1): a softmax output and `sparse_categorical_crossentropy` per example,
#   never reduced, there; here logits and the batch **mean** of the loss.
# - **Accuracy** (defect 2): the metric of the arg-max labels there, which Keras 3 answers with an
#   array and the Keras 2 of the listing's own set-up raises on; here `SparseCategoricalAccuracy`
#   fed the scores.
# - **Optimizer**: `SGD(0.1)` run op by op there; here Adam on a one-cycle rate and a compiled
#   step, measured below and in `benchmarks/`.

# %%
import time

from dlbook.cli import start_page
from dlbook.config import one_thread_per_op
from dlbook.data import load_images
from dlbook.plots import plot_history, plot_test_results
from dlbook.training import Trainer, adam_cosine

import keras
import tensorflow as tf
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page: `python chapters/ch05_practice/lenet.py --epochs 3`,
# or `make ch05-lenet EPOCHS=3` (`--help` lists them). `--quick` trains one epoch on 2,048
# images, to see the page run in seconds. The cell's last line tells TensorFlow how to use the
# cores, which it must hear before its first op runs; the `Trainer` at the end of the page says
# why.

# %%
EPOCHS = 8  # epochs of the Trainer's full run, at the end of the page
BATCH_SIZE = 128  # images per gradient step
LEARNING_RATE = 6e-3  # Adam's peak rate; it falls to 0 along a cosine after the warm-up
WARMUP = 0.2  # share of the steps whose rate rises to the peak from a tenth of it; 0 for none
PAGE_EPOCHS = 1  # epochs of the loop written on this page; 0 skips it (make run does)
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch05_practice/lenet", globals(), resumable=True,
                  may_be_zero={"PAGE_EPOCHS", "WARMUP"})
cores = one_thread_per_op()  # before TensorFlow's first op: see the Trainer at the end

# %% [markdown]
# ## The data
#
# 28x28 grayscale images with values scaled to $[0, 1]$, one channel (`(28, 28, 1)`), labels
# 0-9. A tenth of the training images (at most 5,000) is held out to watch for overfitting.
# A folder of your own images (`--dataset FOLDER`, one sub-folder per class) is read whatever
# the images' sizes and formats, resized to `IMAGE_SIZE`, and the loader says in one line what it
# did; LeNet is built for the images' shape and channels.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE, **page.data_options)
print(data)

# %% [markdown]
# ## The model
#
# The listing's network, written as the listing writes it, a `keras.Model` subclass:
# convolution 6@5x5 (ReLU), max-pooling 2x2, convolution 16@5x5 (ReLU), max-pooling 2x2,
# flatten, dense 120 and 84 (ReLU), dense 10. One change: the last layer returns the ten scores
# $z$ (logits) instead of their softmax. The loss below takes the softmax itself
# (`from_logits=True`), which computes $\log \operatorname{softmax}(z)_y = z_y - \log \sum_j
# e^{z_j}$ in one step, without a probability that could round to 0. Keras computes the
# listing's loss from the same scores, which it keeps on a softmax layer's output
# (`learning_rate.py` measures the two forms step for step), but a probability computed apart,
# by `predict` for one, has lost them (`mlp_binary.py` shows it for a sigmoid). The weights and
# the arg-max, the predicted class, are the same.
#
# Two additions: the model checks the shape of its input, so a wrong image size is an error that
# names both shapes, and `get_config` lets `keras.saving.load_model` rebuild it. The first line
# of the cell, `#@save dlbook/models/lenet.py`, makes the cell part of the package too
# (that module runs the page's cells so marked): the other pages and the tests take this class
# with `from dlbook.models import LeNet`, so it is written once, here.

# %%
#@save dlbook/models/lenet.py
@keras.saving.register_keras_serializable(package="dlbook")
class LeNet(keras.Model):
    """The LeNet-like network of section 5.2's listing (not the LeNet-5 of 1998: see the page)
    for 28x28 images; returns logits, not probabilities."""

    def __init__(self, num_classes: int = 10, image_shape: tuple[int, int, int] = (28, 28, 1),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.image_shape = tuple(image_shape)
        self.conv1 = layers.Conv2D(6, 5, activation="relu")
        self.pool1 = layers.MaxPooling2D(2)
        self.conv2 = layers.Conv2D(16, 5, activation="relu")
        self.pool2 = layers.MaxPooling2D(2)
        self.flatten = layers.Flatten()
        self.fc1 = layers.Dense(120, activation="relu")
        self.fc2 = layers.Dense(84, activation="relu")
        self.fc3 = layers.Dense(num_classes)

    def call(self, images, training=False):
        if tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(f"LeNet expects images of shape (batch, "
                             f"{', '.join(map(str, self.image_shape))}), got {tuple(images.shape)}")
        x = self.pool1(self.conv1(images))
        x = self.pool2(self.conv2(x))
        x = self.fc2(self.fc1(self.flatten(x)))
        return self.fc3(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "image_shape": self.image_shape}


# %% [markdown]
# **Layer by layer.** Seed 003 analyses LeNet in its section 4.3 (案例分析与讲解) with one
# formula, $y = \sigma(W_{conv}^\top x_{conv} + b_{conv})$, and gives every layer, pooling
# included, a weight matrix and a bias. One such formula is at most one convolution layer, and a
# pooling layer has no weights. LeNet is seven layers composed, read from the image $x$ up:
#
# $$\begin{aligned}
# p_1 &= P\big(\mathrm{ReLU}(K_1 \star x + b_1)\big), \\
# p_2 &= P\big(\mathrm{ReLU}(K_2 \star p_1 + b_2)\big), \\
# y &= \operatorname{softmax}\Big(W_5\, \mathrm{ReLU}\big(W_4\, \mathrm{ReLU}(W_3
# \operatorname{vec}(p_2) + b_3) + b_4\big) + b_5\Big),
# \end{aligned}$$
#
# with $\star$ the layers' convolution (a cross-correlation, chapter 4), $P$ the 2x2 max pooling
# and $\operatorname{vec}$ the flattening. On a 28x28 image, without padding:
#
# | layer | output shape | parameters |
# | --- | --- | ---: |
# | convolution 6@5x5, ReLU | 24 x 24 x 6 | $(5 \cdot 5 \cdot 1 + 1) \cdot 6 = 156$ |
# | max-pooling 2x2 | 12 x 12 x 6 | 0 |
# | convolution 16@5x5, ReLU | 8 x 8 x 16 | $(5 \cdot 5 \cdot 6 + 1) \cdot 16 = 2{,}416$ |
# | max-pooling 2x2 | 4 x 4 x 16 | 0 |
# | flatten | 256 | 0 |
# | dense 120, ReLU | 120 | $(256 + 1) \cdot 120 = 30{,}840$ |
# | dense 84, ReLU | 84 | $(120 + 1) \cdot 84 = 10{,}164$ |
# | dense 10 (softmax in the listing) | 10 | $(84 + 1) \cdot 10 = 850$ |
# | all | | 44,426 |
#
# **LeNet-like, not the LeNet-5 of 1998.** The network of LeCun, Bottou, Bengio and Haffner
# (1998) took 32x32 images, so that its second pooling left 5x5 maps; it squashed with a
# scaled tanh where this one uses ReLU; its subsampling layers multiplied the sum of each 2x2
# window by a trainable coefficient and added a trainable bias, where this one takes the maximum;
# 15 of the 16 maps of its third layer read only some of the 6 maps before; and its output was
# 10 radial-basis-function units, each measuring the distance of the 84 features to a fixed code
# of its class, where this one has a dense layer and a softmax. It had about 60,000 trainable
# parameters. The listing keeps its layer widths (6, 16, 120, 84, 10) and its alternation of
# convolution and pooling.
#
# A subclassed model knows its layers' shapes only once it has seen an input; calling it on a
# symbolic `keras.Input` builds it and prints each layer's output shape and parameters, the
# numbers of the table.

# %%
model = LeNet(len(data.class_names), data.image_shape)
inputs = keras.Input(data.image_shape)
keras.Model(inputs, model.call(inputs), name="lenet").summary()

# %% [markdown]
# ## The full run's folder, checked before anything trains
#
# The end of the page trains a fresh LeNet for `EPOCHS` epochs with `dlbook.training.Trainer`,
# which saves a checkpoint after every epoch. Its folder is opened now, before the page trains
# anything: `open_run` checks that the checkpoints there belong to this very run (the same data,
# seed, batch size, model and optimizer), takes the folder's lock so that no second process
# writes into it, and restores the last finished epoch. Run the page with other settings into
# the same folder and it stops here, in one line, rather than after its own loop has trained.

# %%
steps_per_epoch = int(data.train.cardinality())
keras.utils.set_random_seed(page.seed)  # the same first weights as the model above
trainer = Trainer(LeNet(len(data.class_names), data.image_shape),
                  adam_cosine(LEARNING_RATE, EPOCHS, steps_per_epoch, WARMUP), batch_parts=cores)
full_run = {"checkpoint_dir": page.output_dir / "checkpoints" / data.name,
            "identity": data.identity, "restart": page.restart}
trainer.open_run(data.train, EPOCHS, **full_run)

# %% [markdown]
# ## Defect 1: a loss that is never reduced
#
# The listing's loss is one number per example, a vector $(\ell_1, \dots, \ell_B)$.
# `tape.gradient` of a vector differentiates its **sum**, so every step is $B$ times larger than
# the gradient of the mean loss $J = \frac{1}{B} \sum_i \ell_i$, the gradient a rate such as 0.1
# is usually meant for. With $B = 100$ and `SGD(0.1)` that is a step of 10 times the gradient,
# and training fails. `benchmarks/bench_lenet_listing.py` runs the listing as printed (softmax
# output, unreduced loss, `SGD(0.1)`, batches of 100 in order, eager, 10 epochs) on
# Fashion-MNIST, MNIST being out of reach offline: 10.00% test accuracy, chance, after every
# epoch; the same loop with the loss reduced to its mean, nothing else changed, reaches 88.77%
# (`benchmarks/results/lenet_listing.md`).

# %%
images, labels = next(iter(data.train))
per_example = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
with tf.GradientTape(persistent=True) as tape:
    losses = per_example(labels, model(images, training=True))
    mean_loss = tf.reduce_mean(losses)
summed_gradient = tape.gradient(losses, model.trainable_variables)
mean_gradient = tape.gradient(mean_loss, model.trainable_variables)
print(f"loss of the batch: shape {losses.shape}, one value per example")
print(f"gradient norm: of the vector {tf.linalg.global_norm(summed_gradient):.3f}, of the mean "
      f"{tf.linalg.global_norm(mean_gradient):.3f}, ratio "
      f"{tf.linalg.global_norm(summed_gradient) / tf.linalg.global_norm(mean_gradient):.1f} "
      f"= the batch size {len(labels)}")

# %% [markdown]
# ## The training step, fixed
#
# One step of gradient descent: the forward pass under the tape, the mean loss, its gradients
# $\partial J / \partial W$, and the update, here by Adam. `tf.function` compiles the step into a
# graph once, instead of running it op by op in Python as the listing does
# (`benchmarks/results/lenet.md` times each way side by side: the loop below with its step
# compiled runs about seven times as fast as the eager loop, about as fast as `model.fit` at 16
# steps per call; the `Trainer` further down, which also splits each batch over the cores, runs
# about 1.3 times as fast again).
#
# In place of the listing's constant `SGD(0.1)`, Adam's rate follows one cycle over the run
# (`adam_cosine` with `WARMUP`): it rises in a straight line from $6 \cdot 10^{-4}$ to
# $6 \cdot 10^{-3}$ over the first fifth of the steps, then falls to 0 along a half cosine,
# $\eta_t = \frac{\eta_{max}}{2}\left(1 + \cos \frac{\pi (t - t_w)}{T - t_w}\right)$ for
# $t \ge t_w$. The small first steps keep the fresh network from being thrown far by its first
# gradients; the large ones that follow cover ground, and the small last ones settle. On
# Fashion-MNIST, 8 epochs of it reach 89.94% test accuracy on this page (`make run`) and 10
# epochs 89.90%, where 10 epochs of a rate falling from $3 \cdot 10^{-3}$ along the cosine
# alone reach 89.73% (`lenet_fit.py`, the same network). `make bench` times `make run` to its
# printed accuracy (`benchmarks/results/lenet.md`), beside the listing's `SGD(0.1)` on the mean
# loss, 87.23% after 10 epochs.

# %%
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)  # the batch mean
optimizer = adam_cosine(LEARNING_RATE, max(PAGE_EPOCHS, 1), steps_per_epoch, WARMUP)
train_accuracy = keras.metrics.SparseCategoricalAccuracy()
test_accuracy = keras.metrics.SparseCategoricalAccuracy()


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)  # fix 1: a number, the mean over the batch
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    train_accuracy.update_state(labels, logits)  # fix 2 (below): the scores, not the arg-max
    return loss


@tf.function
def test_step(images, labels):
    test_accuracy.update_state(labels, model(images, training=False))


# %% [markdown]
# ## The epoch loop
#
# Each epoch runs the step over every training batch, then measures the held-out images. This
# page trains `PAGE_EPOCHS` epochs: 1 by default; 8 in `make bench`, as many as the Trainer
# below, to compare the two; 0 in `make run`, which is the Trainer's full run alone.

# %%
page_seconds = []
for epoch in range(1, PAGE_EPOCHS + 1):
    train_accuracy.reset_state()
    test_accuracy.reset_state()
    start = time.perf_counter()
    for images, labels in data.train:
        loss = train_step(images, labels)
    page_seconds.append(time.perf_counter() - start)
    for images, labels in data.validation or data.test:
        test_step(images, labels)
    print(f"epoch {epoch}: last batch loss {float(loss):.4f}, training accuracy "
          f"{float(train_accuracy.result()):.4f}, validation accuracy "
          f"{float(test_accuracy.result()):.4f} ({data.num_train / page_seconds[-1]:,.0f} "
          "images/s)")
if PAGE_EPOCHS:
    test_accuracy.reset_state()
    for images, labels in data.test:
        test_step(images, labels)
    print(f"the loop on this page, {PAGE_EPOCHS} epoch(s): test accuracy "
          f"{float(test_accuracy.result()):.4f}")
    page.record(page_loop_test_accuracy=float(test_accuracy.result()),
                page_loop_images_per_second=data.num_train * PAGE_EPOCHS / sum(page_seconds))
else:
    print("the loop on this page: skipped (--page-epochs 0), the Trainer below trains alone")

# %% [markdown]
# ## Defect 2: the accuracy of the arg-max
#
# `sparse_categorical_accuracy(y_true, y_pred)` wants one score per class in each row of
# `y_pred` and takes the arg-max itself. The listing's `evaluate_step` passes it the arg-max,
# a vector of class numbers. In Keras 3 the function's own arg-max then picks the *position* of
# the largest class number in the batch and compares every label with that position; what comes
# back is one 0 or 1 per example, printed as the "accuracy". The Keras 2 of the listing's own
# set-up (Python 3.8, so TensorFlow 2.13 at most) does not get that far: given labels and
# predictions of the same rank, it squeezes the labels' last axis, 10,000 long, and raises an
# error (checked on TensorFlow 2.13.1). On the model the loop above trained (still untrained if
# `--page-epochs 0` skipped the loop, as `make run` does), Keras 3's answer:

# %%
images, labels = next(iter(data.test))
predicted = tf.argmax(model(images, training=False), axis=1, output_type=tf.int32)
listing_metric = keras.metrics.sparse_categorical_accuracy(labels, predicted)
print("the listing's 'accuracy', first 12 values:", listing_metric.numpy()[:12])
print("is each prediction right, first 12:       ",
      (predicted == labels).numpy().astype(float)[:12])
print(f"mean of the listing's array {float(tf.reduce_mean(listing_metric)):.3f}; the accuracy "
      f"on this batch {float(tf.reduce_mean(tf.cast(predicted == labels, tf.float32))):.3f}")

# %% [markdown]
# ## The same training with `dlbook.training.Trainer`
#
# The listing stops at the step and the epoch loop; its code-reading part only names what
# production adds (saving and deployment, hyperparameter search, multi-GPU training). A run of
# many epochs needs more, and the `Trainer` adds it around the same tape step (read
# `dlbook/training/engine.py`):
#
# - the step compiled into a graph loop that runs 16 steps per call, so Python is not visited
#   between batches (faster than the loop above and than `model.fit` at its default of one step
#   per call);
# - each batch computed in `cores` parts side by side (`batch_parts`), whose gradients add up to
#   the batch's. LeNet's ops are small: a convolution over 128 images takes tenths of a
#   millisecond, too little to gain from being shared out over two threads. With one thread per
#   op (`one_thread_per_op()`, in the settings at the top) and each core taking half of the
#   batch, an epoch is about a quarter shorter on 2 cores (`benchmarks/results/lenet.md`). The
#   sum of the halves' gradients is the batch's gradient up to rounding, so the recipe is the
#   same;
# - a progress bar on a terminal, one line per epoch in a log or a notebook;
# - a checkpoint after every epoch: run the page again after an interruption and it resumes
#   where it stopped, with the same weights as a run that never stopped; a folder holding
#   another run (other seed, batch size, data...) is refused, `--restart` starts afresh;
# - TensorBoard logs (`tensorboard --logdir outputs/ch05_practice/lenet/logs`), a stop with a
#   clear message if the loss turns NaN, any `tf.distribute` strategy (chapter 8).
#
# The fresh LeNet opened above, the same recipe, the full run of `EPOCHS` epochs:

# %%
history = trainer.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                      log_dir=page.output_dir / "logs" / data.name, **full_run)
model = trainer.model
test = trainer.evaluate(data.test)
print(f"Test accuracy on {data.name} after {trainer.epochs_done} epochs: {test['accuracy']:.4f} "
      f"(loss {test['loss']:.4f})")
page.record(test_accuracy=test["accuracy"], parameters=model.count_params(),
            identity=trainer.identity,
            seconds_per_epoch=sum(trainer.epoch_seconds) / max(len(trainer.epoch_seconds), 1))

# %% [markdown]
# ## What to look at
#
# `curves.png`: the training loss keeps falling while the validation loss flattens, the usual
# sign that more epochs would start to overfit. `predictions.png` titles each test image with the
# predicted class (in red when it is wrong, with the true class in brackets), and
# `confusion_matrix.png` shows which classes are taken for which (on Fashion-MNIST: shirts,
# pullovers and coats).

# %%
plot_history(history, page.output_dir / "curves.png")
plot_test_results(model, data.test, data.class_names, page.output_dir)
print(f"Plots, checkpoints and TensorBoard logs in {page.output_dir}/")

