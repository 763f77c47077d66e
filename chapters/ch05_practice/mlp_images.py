# %% [markdown]
# # Section 5 · The MLP project: classifying images with dense layers only
#
# Tutorial: section 5 · 项目实践：代码实例和详细解释说明 (seed 002 §5)
#
# Seed 002 describes, in its section 5, a multilayer perceptron (MLP) project in TensorFlow in
# five parts, without code: the project's structure, loading the data, the model, training and
# evaluation. This page is that project written out. The choices in it (the dataset, two hidden
# layers of 256 and 128 units, Adam, 15 epochs) are dlbook's, not the tutorial's.
#
# An MLP sees an image as 784 separate numbers: nothing in it knows which pixels are neighbours,
# and a shape moved by one pixel meets other weights. Set its result beside the CNN of `cnn.py`,
# which slides the same small filters over every position.

# %% [markdown]
# ## 1. Structure
#
# This page holds what the project decides, its settings and its network; the package holds
# the machinery it imports: `dlbook.cli` (the settings as flags, the output folder),
# `dlbook.data` (loading and checking the images, the `tf.data` pipeline), `dlbook.training`
# (the GradientTape training loop, with checkpoints) and `dlbook.plots` (what the run leaves
# behind in `outputs/`).

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.models.layers import ExpectShape
from dlbook.plots import plot_history, plot_test_results
from dlbook.training import Trainer

import keras
from keras import layers

# %% [markdown]
# The project's settings are constants, each also a flag of the page (`--epochs 3`; `--help`
# lists them). `--quick` trains one epoch on 2,048 images.

# %%
EPOCHS = 15  # epochs of the run
BATCH_SIZE = 128  # images per gradient step
LEARNING_RATE = 1e-3  # Adam's rate, its default
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)

page = start_page("ch05_practice/mlp_images", globals(), resumable=True)

# %% [markdown]
# ## 2. Loading the data
#
# MNIST, or Fashion-MNIST when MNIST cannot be had (`--dataset`): 28x28 grayscale images scaled
# to $[0, 1]$, labels 0-9. A tenth of the training images (at most 5,000) is held out to watch
# for overfitting; the test images are used once, at the end.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## 3. The model
#
# Flatten the 28x28x1 image into $x \in \mathbb{R}^{784}$, then two hidden layers
# $h_1 = \operatorname{relu}(W_1 x + b_1)$ (256 units) and
# $h_2 = \operatorname{relu}(W_2 h_1 + b_2)$ (128 units), and the ten class scores (logits)
# $z = W_3 h_2 + b_3$. The loss applies the softmax to $z$ itself.
#
# `build_mlp` writes that for any input and any hidden layers (chapter 2's network for XOR is
# one with 2 inputs, 8 hidden units and one logit); `build_image_mlp` is this project's. The
# cell's first line, `#@save dlbook/models/mlp.py`, makes both part of the package as well
# (that module runs this page's cells so marked): other pages and the tests take them with
# `from dlbook.models import build_mlp, build_image_mlp`, so they are written once, here.

# %%
#@save dlbook/models/mlp.py
def build_mlp(input_shape: tuple[int, ...], hidden_units: tuple[int, ...], num_outputs: int,
              name: str = "mlp") -> keras.Sequential:
    """A multilayer perceptron (sections 2 and 5): ``[Flatten] -> Dense(units, relu)`` for each
    hidden layer ``-> Dense(num_outputs)``, the logits. The flatten is there only for inputs of
    more than one axis, such as images."""
    return keras.Sequential([
        keras.Input(tuple(input_shape)),
        ExpectShape(input_shape),
        *([layers.Flatten()] if len(input_shape) > 1 else []),
        *(layers.Dense(units, activation="relu") for units in hidden_units),
        layers.Dense(num_outputs),
    ], name=name)


def build_image_mlp(num_classes: int = 10, input_shape: tuple[int, ...] = (28, 28, 1),
                    hidden_units: tuple[int, ...] = (256, 128)) -> keras.Sequential:
    """The MLP project's network (section 5): the image flattened, two hidden dense layers,
    one logit per class."""
    return build_mlp(input_shape, hidden_units, num_classes, name="image_mlp")


# %%
model = build_image_mlp(len(data.class_names), data.image_shape)
model.summary()

# %% [markdown]
# ## 4. Training
#
# Sparse categorical cross-entropy on the logits, the batch mean, minimised by Adam at its
# default rate $10^{-3}$ in batches of 128, for 15 epochs. `dlbook.training.Trainer` runs the
# GradientTape step of `lenet.py` in a compiled loop and saves a checkpoint after every epoch:
# run the page again after an interruption and it resumes; a folder holding another run (other
# seed, batch size, data) is refused, `--restart` starts afresh.

# %%
trainer = Trainer(model, keras.optimizers.Adam(learning_rate=LEARNING_RATE))
history = trainer.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                      checkpoint_dir=page.output_dir / "checkpoints" / data.name,
                      log_dir=page.output_dir / "logs" / data.name,
                      identity=data.identity, restart=page.restart)

# %% [markdown]
# ## 5. Evaluation
#
# Accuracy on the test images, the first test images titled with their predicted class
# (`predictions.png`, the true class in red when wrong) and the confusion matrix.

# %%
test = trainer.evaluate(data.test)
print(f"Test accuracy on {data.name}: {test['accuracy']:.4f} (loss {test['loss']:.4f})")
page.record(test_accuracy=test["accuracy"], parameters=model.count_params(),
            seconds_per_epoch=trainer.seconds_per_epoch, identity=trainer.identity)

plot_history(history, page.output_dir / "curves.png")
plot_test_results(model, data.test, data.class_names, page.output_dir)
print(f"Plots, checkpoints and TensorBoard logs in {page.output_dir}/")

# %% [markdown]
# ## What to look at
#
# On Fashion-MNIST, seed 0: 88.68% test accuracy after 15 epochs, with 235,146 weights. The CNN
# of `cnn.py` reaches 91.54% in 10 epochs with 121,930, about half: filters shared across
# positions do more with fewer weights. `curves.png`: the training loss keeps falling, while the
# validation loss stops improving after about three epochs and wanders around 0.32; at the end
# the training accuracy is 93%, the validation accuracy 89%. The gap is the MLP learning its
# training images by heart.
