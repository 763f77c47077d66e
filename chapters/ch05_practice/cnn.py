# %% [markdown]
# # Section 5 · A convolutional network trained with `compile` and `fit`
#
# Tutorial: section 5 · 使用Python和TensorFlow实现简单的CNN (seed 001 §4.2)
#
# One listing of section 5 is a small convolutional network (CNN) written as a
# `keras.Sequential`: convolution 32@3x3 (ReLU) on 28x28x1 images, max-pooling 2x2, convolution
# 64@3x3 (ReLU), max-pooling 2x2, flatten, dense 64 (ReLU), dense 10 with a softmax. It is
# compiled with Adam, sparse categorical cross-entropy and the accuracy metric, and trained for
# 10 epochs in batches of 32. The listing does not say which images it trains on.
#
# Here Keras runs the training loop: `compile` names the loss, the optimizer and the metric,
# `fit` runs the epochs (`lenet.py` writes that loop by hand). Where we depart from the listing:
#
# - **Data**: none there; here MNIST, or Fashion-MNIST when MNIST cannot be had (`--dataset`).
# - **Output**: the last layer returns ten logits instead of their softmax; the loss applies the
#   softmax itself (`from_logits=True`), which is the same model computed without rounding.
# - **Dropout** of half the flattened features during training, which the listing does not have.
# - **Optimizer**: Adam with its default constant rate $10^{-3}$ there; here a rate that starts
#   at $2 \cdot 10^{-3}$ and falls to 0 along a cosine over the run.
#
# The batches are the listing's 32, the epochs its 10. The last two changes are measured at the
# end of the page: together they gain about a point of test accuracy. `--listing` trains with the
# listing's recipe (no dropout, constant rate) to compare.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.models.layers import ExpectShape
from dlbook.models.saving import save_model
from dlbook.plots import plot_history, plot_test_results
from dlbook.training import EpochTimer, adam_cosine, keras_verbose, resumable_run, run_identity

import keras
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--epochs 3`, `--listing`; `--help` lists them).
# `--quick` trains one epoch on 2,048 images.

# %%
EPOCHS = 10  # epochs of the full run, the listing's 10
BATCH_SIZE = 32  # images per gradient step, the listing's 32
LISTING = False  # train with the listing's recipe: no dropout, Adam at a constant rate of 1e-3
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch05_practice/cnn", globals(), resumable=True)

# %% [markdown]
# ## The data
#
# 28x28 grayscale images scaled to $[0, 1]$, one channel, labels 0-9; a tenth of the training
# images (at most 5,000) is held out for validation.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## The model
#
# The listing's `Sequential`, written here, with a first `keras.Input` (how Keras 3 learns the
# input shape) and a layer that names the expected shape when an image of another size comes
# in. Each 3x3 convolution without padding takes 2 pixels off each side, each pooling halves
# the rest: $28 \to 26 \to 13 \to 11 \to 5$, so `Flatten` hands $5 \cdot 5 \cdot 64 = 1600$
# numbers to the dense layers. The dense 64 layer is named `features`: `dcgan.py` measures
# generated images in its output.
#
# Dropout sets each of those 1600 numbers to 0 with probability 1/2 at every training step (and
# doubles the others), so that no unit can rely on a few particular inputs; it is off when the
# model predicts. It adds no weights; `dropout=0` builds the listing's layers exactly.
#
# The cell's first line, `#@save dlbook/models/cnn.py`, makes it part of the package as well
# (that module runs this page's cells so marked): `dcgan.py`, chapter 8's pages and the tests
# build this network with `from dlbook.models import build_cnn`, so it is written once, here.

# %%
#@save dlbook/models/cnn.py
def build_cnn(num_classes: int = 10, input_shape: tuple[int, ...] = (28, 28, 1),
              dropout: float = 0.5) -> keras.Sequential:
    """Section 5's CNN listing for small images, ending in logits, with dropout on the
    flattened features (121,930 parameters for 28x28x1 images and 10 classes)."""
    return keras.Sequential([
        keras.Input(tuple(input_shape)),
        ExpectShape(input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        *([layers.Dropout(dropout)] if dropout else []),
        layers.Dense(64, activation="relu", name="features"),
        layers.Dense(num_classes),
    ], name="cnn")


# %%
model = build_cnn(len(data.class_names), data.image_shape, dropout=0.0 if LISTING else 0.5)
model.summary()

# %% [markdown]
# ## `compile`
#
# The loss is the cross-entropy of the softmax of the logits $z$, averaged over the batch:
# $J = -\frac{1}{B} \sum_i \log \operatorname{softmax}(z^{(i)})_{y_i}$. The listing's sparse
# categorical cross-entropy, in its default form, takes the model's output for probabilities:
# right for its softmax layer, wrong for logits, so here the loss object is built with
# `from_logits=True` (`mlp_binary.py` shows what the two forms compute). `"accuracy"`
# compares the arg-max of $z$ with the label, the same for logits and probabilities.
#
# `adam_cosine` sets Adam's rate at step $t$ of $T$ to
# $\eta_t = \frac{\eta_0}{2} \left(1 + \cos \frac{\pi t}{T}\right)$: large steps while the loss is
# high, small ones to settle at the end.
#
# `compile_cnn` is chapter 5's CNN recipe, dlbook's and (`listing=True`) the listing's. Its
# cell's first line, `#@save dlbook/training/cnn_recipe.py`, saves it to the package: chapter
# 8's pages train the CNN with it when they find no model of this page's, so the recipe is
# written once, here.

# %%
#@save dlbook/training/cnn_recipe.py
def compile_cnn(model: keras.Model, epochs: int, steps_per_epoch: int,
                listing: bool = False) -> None:
    """Compile ``model`` with chapter 5's CNN recipe: Adam from 2e-3 down to 0 along a cosine
    over ``epochs * steps_per_epoch`` steps (``listing=True``: the listing's Adam at a constant
    1e-3), the batch-mean cross-entropy of the logits, and the accuracy."""
    optimizer = (keras.optimizers.Adam(1e-3) if listing
                 else adam_cosine(2e-3, epochs, steps_per_epoch))
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


# %%
compile_cnn(model, EPOCHS, int(data.train.cardinality()), listing=LISTING)

# %% [markdown]
# ## `fit`
#
# `fit` runs the epochs; callbacks add the rest. `resumable_run` gives a backup after every
# epoch (interrupt the page, run it again: it resumes at the last finished epoch; a folder that
# holds another run, other seed or batch size, is refused and `--restart` starts afresh) and
# TensorBoard logs. `EpochTimer` records the seconds per epoch. `shuffle=False` because the
# `tf.data` pipeline already shuffles the training images every epoch (`fit` shuffles arrays
# only).

# %%
timer = EpochTimer()
history = model.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                    shuffle=False, verbose=keras_verbose(),
                    callbacks=[*resumable_run(page.output_dir / data.name, model, EPOCHS,
                                              data.identity, page.restart, data.train), timer])

# %% [markdown]
# ## Evaluation
#
# The test images were never used for training or for choosing the recipe. The trained model is
# saved as `cnn-<dataset>.keras`, which `dcgan.py` loads to judge its images.

# %%
test_loss, test_accuracy = model.evaluate(data.test, verbose=0)
print(f"Test accuracy on {data.name}: {test_accuracy:.4f} (loss {test_loss:.4f})")
page.record(test_accuracy=test_accuracy, train_accuracy=history.history["accuracy"][-1],
            parameters=model.count_params(), seconds_per_epoch=timer.seconds_per_epoch,
            identity=run_identity(model, model.optimizer, EPOCHS, data.identity))
model_path = save_model(model, page.output_dir / f"cnn-{data.name}.keras",
                        trained_on=data.identity)

plot_history(history, page.output_dir / "curves.png")
plot_test_results(model, data.test, data.class_names, page.output_dir)
print(f"{model_path.name}, plots and TensorBoard logs in {page.output_dir}/")

# %% [markdown]
# ## What to look at
#
# `curves.png`: with the listing's recipe the training accuracy runs ahead of the validation
# accuracy from the fourth epoch on, and after the eighth the validation loss rises again: the
# model starts to learn its training images by heart (overfitting). With dropout and the
# decaying rate the two curves stay together to the end. Measured on Fashion-MNIST, 10 epochs,
# batches of 32, seed 0 (the training accuracy is the one `fit` reports for the last epoch):
#
# | recipe | training accuracy | test accuracy |
# | --- | ---: | ---: |
# | the listing's (`--listing`) | 95.0% | 90.62% |
# | dlbook's (dropout 0.5, Adam $2 \cdot 10^{-3}$ with cosine decay) | 92.6% | 91.54% |
#
# Both cost the same per epoch: dropout and the schedule add no weights and almost no work.
# `confusion_matrix.png` shows which classes are taken for which: on Fashion-MNIST, shirts for
# T-shirts, pullovers and coats.
