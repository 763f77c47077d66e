# %% [markdown]
# # Section 5 · Exercises: the practice code, written by you
#
# Tutorial: section 5 · 项目实践：代码实例和详细解释说明 (seeds 002 §5, 003 §5)
#
# Four exercises on this chapter's pages: the binary cross-entropy of a logit (`mlp_binary.py`)
# and the word numbers of the text classifier (`text_classifier.py`) in NumPy, then the LeNet
# training step with the listing's two defects fixed (`lenet.py`) and the DCGAN's two-tape step
# (`dcgan.py`) in TensorFlow.
#
# Each exercise states what to compute, gives a function whose body is `...`, and checks it with
# one call, `check("5.1", bce_from_logits)`: it runs your function on inputs chosen to catch the
# usual slips, compares it with a reference solution and prints **PASS**, or **FAIL** with the
# first input that went wrong, what was expected, what you returned and, when your answer is a
# mistake it knows, a hint about that mistake. The two TensorFlow steps are run on small models
# with known weights: what is compared is the loss they return and the weights they leave.
# `hint("5.1")` prints a general hint; `solution("5.1")` shows a solution once you have checked
# an attempt of your own.
#
# Work on your own copy: `make exercises` copies the exercise pages into `workspace/` (never over
# a file that is there). Run the cells of `workspace/ch05_practice/exercises.py` in Jupyter
# (`jupytext --to notebook` makes a notebook of it) or check from the command line:
# `make check EX=5.1`, `make check EX=5`, `make check`; `make progress` counts what you have done.

# %%
from dlbook.cli import start_page
from dlbook.exercises import check, hint, outcomes, solution  # noqa: F401 (hint: yours to call)

import keras
import numpy as np
import tensorflow as tf

page = start_page("ch05_practice/exercises", globals())

# %% [markdown]
# ## Exercise 5.1 · The binary cross-entropy of a logit
#
# Write `bce_from_logits(labels, logits)`: for labels $y_i \in \{0, 1\}$ and logits $z_i$ (the
# output of `mlp_binary.py`'s model, before any sigmoid), the mean over the examples of
#
# $$\ell = -y \log \sigma(z) - (1 - y) \log\big(1 - \sigma(z)\big),$$
#
# a float. `mlp_binary.py` shows what goes wrong when the probability is computed first: for
# $|z|$ large $\sigma(z)$ rounds to 0 or 1. Rewrite $\ell$ in $z$ so that it is exact for every
# logit, 1000 included. Relative tolerance $10^{-6}$.

# %%
def bce_from_logits(labels: np.ndarray, logits: np.ndarray) -> float:
    """The mean binary cross-entropy of sigmoid(logits) against 0/1 labels, from the logits."""
    ...


check("5.1", bce_from_logits)

# %% tags=["hide-output"]
solution("5.1")

# %% [markdown]
# ## Exercise 5.2 · From words to the numbers an embedding reads
#
# Write `word_numbers(words, vocabulary, length)`, what `text_classifier.py`'s
# `TextVectorization` layer does to one text once it is split into words: `vocabulary` is a
# list whose position $i$ holds the word numbered $i$ (position 0 is `""`, the padding; 1 is
# `"[UNK]"`, any word not in the list). Look each word up lower-cased, keep the **first**
# `length` numbers, and pad with 0 **at the end** up to `length`. Return an integer array of
# shape `(length,)`, checked exactly.

# %%
def word_numbers(words: list[str], vocabulary: list[str], length: int) -> np.ndarray:
    """The numbers of the words, cut or padded to length."""
    ...


check("5.2", word_numbers)

# %% tags=["hide-output"]
solution("5.2")

# %% [markdown]
# ## Exercise 5.3 · The LeNet training step, both defects fixed
#
# Write `train_step(model, optimizer, accuracy, images, labels)`, the step of `lenet.py`'s loop:
# run `model` (which returns **logits**) under a `tf.GradientTape`, take the loss, its gradients
# with respect to `model.trainable_variables`, apply them with `optimizer`, update the metric
# `accuracy` (a `SparseCategoricalAccuracy`) and return the loss. Avoid the listing's two
# defects that `lenet.py` shows: the loss must be the **batch mean**
# $J = \frac{1}{B} \sum_i \ell_i$ of the cross-entropy of the logits, not the vector of the
# $\ell_i$; and the metric takes the scores, not their arg-max. The check compares the loss you
# return, the model's weights after your step and the metric's value, to a relative tolerance
# of $10^{-5}$ (float32).

# %%
def train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer,
               accuracy: keras.metrics.Metric, images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    """One step of gradient descent on a batch; returns the batch mean loss."""
    ...


check("5.3", train_step)

# %% tags=["hide-output"]
solution("5.3")

# %% [markdown]
# ## Exercise 5.4 · The DCGAN's step: two tapes, two optimizers
#
# Write `gan_step(generator, discriminator, generator_optimizer, discriminator_optimizer, images,
# noise)`, one training step of `dcgan.py`'s two networks on one forward pass: the generator
# turns `noise` into fakes, the discriminator gives a logit for each real image and each fake,
# and with the binary cross-entropy of logits,
#
# $$J_D = \operatorname{BCE}(1, D(x)) + \operatorname{BCE}(0, D(G(z))), \qquad
#   J_G = \operatorname{BCE}(1, D(G(z))).$$
#
# Each network is updated with the gradients of **its own** loss by **its own** optimizer,
# both from the same forward pass. Return the tuple `(generator_loss, discriminator_loss)`. The
# check compares the two losses and both networks' weights after the step, to a relative
# tolerance of $10^{-5}$.

# %%
def gan_step(generator: keras.Model, discriminator: keras.Model,
             generator_optimizer: keras.optimizers.Optimizer,
             discriminator_optimizer: keras.optimizers.Optimizer, images: tf.Tensor,
             noise: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """One step for each network of a GAN; returns (generator_loss, discriminator_loss)."""
    ...


check("5.4", gan_step)

# %% tags=["hide-output"]
solution("5.4")

# %% [markdown]
# ## Your progress
#
# `make progress` prints, for each chapter, how many exercises you have passed, tried and not
# started.

# %%
page.record(exercises=outcomes("5"))
