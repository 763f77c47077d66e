# %% [markdown]
# # Section 5.2 · The same LeNet step, run by `model.fit`
#
# Tutorial: section 5 · 源代码详细实现 (seed 003 §5.2)
#
# `lenet.py` trains LeNet-5 the way the tutorial's longest listing does: a `train_step` under a
# `tf.GradientTape` and an epoch loop written by hand. Keras offers a middle way, not in the
# tutorial: keep your own step, and let `model.fit` run the loop around it. A `keras.Model`
# subclass overrides `train_step(data)`; `fit` calls it once per batch and brings everything else:
# epochs, progress, validation, `evaluate`, and the callbacks (resume, TensorBoard, early
# stopping...).
#
# Same model, same recipe as `lenet.py` (logits, mean loss, Adam with a cosine-decayed rate,
# batches of 128 reshuffled every epoch), so the two pages' results can be compared.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.models import LeNet
from dlbook.plots import plot_history
from dlbook.training import EpochTimer, adam_cosine, keras_verbose, resumable_run, run_identity

import keras
import tensorflow as tf

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--epochs 3`; `--help` lists them). `--quick`
# trains one epoch on 2,048 images.

# %%
EPOCHS = 10  # epochs of the run
BATCH_SIZE = 128  # images per gradient step
LEARNING_RATE = 3e-3  # Adam's rate at the first step; it falls to 0 along a cosine
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch05_practice/lenet_fit", globals(), resumable=True)

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## The step `fit` runs
#
# `TapeStepModel` wraps a network and overrides `train_step`. Its body is the step of
# `lenet.py`: forward pass under the tape, the batch-mean loss (`compute_loss` applies the loss
# given to `compile`, which reduces to the mean), gradients, update, metrics. `fit` compiles it
# with `tf.function` itself, and calls it once per batch. `clip_norm`, unused here, clips the
# gradients to a global norm first (section 3 clips them when it trains an RNN).
#
# The cell's first line, `#@save dlbook/training/keras_step.py`, makes the class part of the
# package as well (that module runs this page's cells so marked), so the tests and your own
# code take it with `from dlbook.training import TapeStepModel`.

# %%
#@save dlbook/training/keras_step.py
class TapeStepModel(keras.Model):
    """Wrap ``network`` so that ``fit()`` runs a GradientTape step written by hand (section
    5.2's step, in the ``train_step`` that Keras lets a model override).

    Compile it as usual, e.g. ``compile(optimizer, loss=SparseCategoricalCrossentropy(
    from_logits=True), metrics=["accuracy"])``; ``clip_norm`` clips gradients by global norm.
    """

    def __init__(self, network: keras.Model, clip_norm: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.network = network
        self.clip_norm = clip_norm

    def call(self, inputs, training=False):
        return self.network(inputs, training=training)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            logits = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=logits)
        gradients = tape.gradient(loss, self.trainable_variables)
        if self.clip_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self.clip_norm)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, logits)
        return {metric.name: metric.result() for metric in self.metrics}


# %% [markdown]
# `resumable_run` below restores a checkpoint into the weights, so they must exist before
# `fit`: calling the model once on a batch of zeros creates them.

# %%
model = TapeStepModel(LeNet(len(data.class_names), data.image_shape))
model(keras.ops.zeros((1, *data.image_shape)))
model.compile(adam_cosine(LEARNING_RATE, EPOCHS, steps_per_epoch=int(data.train.cardinality())),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

# %% [markdown]
# ## Training
#
# `resumable_run` adds a backup after every epoch (run the page again after an interruption and
# it goes on from the last finished epoch; a folder holding another run is refused, `--restart`
# starts afresh) and TensorBoard logs. `shuffle=False`: the `tf.data` pipeline already shuffles
# every epoch.

# %%
timer = EpochTimer()
history = model.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                    shuffle=False, verbose=keras_verbose(),
                    callbacks=[*resumable_run(page.output_dir / data.name, model, EPOCHS,
                                              data.identity, page.restart, data.train), timer])
test_loss, test_accuracy = model.evaluate(data.test, verbose=0)
print(f"Test accuracy on {data.name}: {test_accuracy:.4f} (loss {test_loss:.4f})")
page.record(test_accuracy=test_accuracy, parameters=model.count_params(),
            seconds_per_epoch=timer.seconds_per_epoch,
            identity=run_identity(model, model.optimizer, EPOCHS, data.identity))

plot_history(history, page.output_dir / "curves.png")
print(f"Curves and TensorBoard logs in {page.output_dir}/")

# %% [markdown]
# ## Which loop to use
#
# On Fashion-MNIST, 10 epochs, seed 0: 89.73% test accuracy here
# (`benchmarks/results/models.md`); `lenet.py`'s `Trainer` reaches 89.94% in 8 epochs of a
# one-cycle rate and 89.90% in 10 (`benchmarks/results/lenet.md`). The `Trainer` runs 16 steps
# per compiled call: with whole batches it is 1.26x as fast as plain `model.fit` and about as
# fast as `fit` compiled with `steps_per_execution=16` (2.11 s, 2.65 s and 2.19 s an epoch in
# `benchmarks/results/lenet.md`); with each batch split over the cores, as `make run` trains,
# it is 1.25x as fast as the latter. The loop by hand (`lenet.py`) to see every moving part or to
# run on several machines (chapter 8); `fit` with your own `train_step` when the step is yours
# and the rest is standard, as with the two networks and two tapes of `dcgan.py`. Both resume
# an interrupted run bit for bit (the same weights as a run that never stopped): the
# `Trainer` and `resumable_run` restore the same checkpoint and replay the example order.
