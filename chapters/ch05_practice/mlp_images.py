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
# This page holds what the project decides; the package holds the machinery it imports:
# `dlbook.data` (loading and checking the images, the `tf.data` pipeline), `dlbook.models.mlp`
# (the network), `dlbook.training` (the GradientTape training loop, with checkpoints),
# `dlbook.plots` and `dlbook.results` (what the run leaves behind in `outputs/`).

# %%
from dlbook.cli import chapter_args
from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models.mlp import build_image_mlp
from dlbook.plots import plot_history, plot_test_results
from dlbook.results import save_results
from dlbook.training import Trainer

import keras

args = chapter_args("ch05_practice/mlp_images", "The MLP project: images classified by dense "
                    "layers (section 5)", epochs=15)
set_seed(args.seed)

# %% [markdown]
# ## 2. Loading the data
#
# MNIST, or Fashion-MNIST when MNIST cannot be had (`--dataset`): 28x28 grayscale images scaled
# to $[0, 1]$, labels 0-9. A tenth of the training images (at most 5,000) is held out to watch
# for overfitting; the test images are used once, at the end.

# %%
data = load_images(args.dataset, batch_size=args.batch_size, limit=args.limit,
                   validation_fraction=args.validation_fraction, seed=args.seed,
                   data_dir=args.data_dir)
print(data)

# %% [markdown]
# ## 3. The model
#
# Flatten the 28x28x1 image into $x \in \mathbb{R}^{784}$, then two hidden layers
# $h_1 = \operatorname{relu}(W_1 x + b_1)$ (256 units) and
# $h_2 = \operatorname{relu}(W_2 h_1 + b_2)$ (128 units), and the ten class scores (logits)
# $z = W_3 h_2 + b_3$. The loss applies the softmax to $z$ itself.

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
trainer = Trainer(model, keras.optimizers.Adam(learning_rate=1e-3))
history = trainer.fit(data.train, epochs=args.epochs, validation_data=data.validation,
                      checkpoint_dir=args.output_dir / "checkpoints" / data.name,
                      log_dir=args.output_dir / "logs" / data.name,
                      identity=data.identity, restart=args.restart)

# %% [markdown]
# ## 5. Evaluation
#
# Accuracy on the test images, the first test images titled with their predicted class
# (`predictions.png`, the true class in red when wrong) and the confusion matrix.

# %%
test = trainer.evaluate(data.test)
print(f"Test accuracy on {data.name}: {test['accuracy']:.4f} (loss {test['loss']:.4f})")

plot_history(history, args.output_dir / "curves.png")
plot_test_results(model, data.test, data.class_names, args.output_dir)
print(f"Plots, checkpoints and TensorBoard logs in {args.output_dir}/")

save_results(args, identity=trainer.identity, model="MLP 784-256-128-10 (GradientTape Trainer)",
             dataset=data.name, parameters=model.count_params(), epochs=trainer.epochs_done,
             test_accuracy=test["accuracy"], epoch_seconds=trainer.epoch_seconds)

# %% [markdown]
# ## What to look at
#
# On Fashion-MNIST, seed 0: 88.68% test accuracy after 15 epochs, with 235,146 weights. The CNN
# of `cnn.py` reaches 91.54% in 10 epochs with 121,930, about half: filters shared across
# positions do more with fewer weights. `curves.png`: the training loss keeps falling, while the
# validation loss stops improving after about three epochs and wanders around 0.32; at the end
# the training accuracy is 93%, the validation accuracy 89%. The gap is the MLP learning its
# training images by heart.
