# %% [markdown]
# # Section 5 · A multilayer perceptron for two classes
#
# Tutorial: section 5 · 使用Python和TensorFlow实现简单的神经网络 (seed 001 §4.1)
#
# The first listing of section 5 is a multilayer perceptron (MLP) written as a
# `keras.Sequential`: dense 64 (ReLU) on an input of 10 features, dense 64 (ReLU), dense 1 with a
# sigmoid, the probability of class 1. It is compiled with Adam, binary cross-entropy and the
# accuracy metric, and trained for 10 epochs in batches of 32 on `x_train` and `y_train`, which
# the listing never defines.
#
# This page trains that network as listed, on data whose best possible accuracy is known, so that
# its result can be read against a ceiling. Where we depart from the listing:
#
# - **Data**: two classes of 10 features drawn from two Gaussians (below).
# - **Output**: the last layer returns the logit $z$ instead of $\sigma(z)$; the loss applies the
#   sigmoid itself, and the accuracy counts $z > 0$ as class 1. Why, and what it changes, is
#   measured below.
# - **Labels checked**: the loss refuses a label other than 0 or 1 (Keras would train on it).

# %%
from dlbook.cli import start_page
from dlbook.data.pipeline import DataSplits, train_validation_test
from dlbook.data.synthetic import TwoGaussians
from dlbook.losses import CheckedBinaryCrossentropy
from dlbook.models.layers import ExpectShape
from dlbook.plots import plot_confusion_matrix, plot_history
from dlbook.training import EpochTimer, keras_verbose, resumable_run, run_identity

import keras
import numpy as np
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--epochs 3`; `--help` lists them). `--quick`
# trains one epoch on 2,048 examples.

# %%
EPOCHS = 10  # epochs of the run, the listing's 10
BATCH_SIZE = 32  # examples per gradient step, the listing's 32

page = start_page("ch05_practice/mlp_binary", globals(), resumable=True)

# %% [markdown]
# ## Data with a known ceiling
#
# Each class $y \in \{0, 1\}$ is equally likely, and its features are Gaussian with their own
# mean and a shared covariance: $x \mid y \sim \mathcal{N}(\mu_y, S)$. For such data the best
# rule any classifier can follow (the Bayes rule) is linear, and its accuracy is
# $\Phi(\Delta / 2)$, where $\Phi$ is the standard normal distribution function and
# $\Delta^2 = (\mu_1 - \mu_0)^\top S^{-1} (\mu_1 - \mu_0)$ the squared (Mahalanobis) distance
# between the means. With $\Delta = 2.5$ that is 89.4%: no model can do better on average.
#
# 10,000 training examples (a tenth held out for validation) and 20,000 test examples.

# %%
problem = TwoGaussians.random(num_features=10, distance=2.5, seed=page.seed)
train = problem.sample(page.limit or 10_000, seed=page.seed + 1)
x_test, y_test = problem.sample(20_000, seed=page.seed + 2)
data = DataSplits(name="two_gaussians", class_names=["class 0", "class 1"],
                  source=f"dlbook.data.synthetic.TwoGaussians (seed {page.seed})",
                  **train_validation_test("two_gaussians", train, (x_test, y_test), BATCH_SIZE,
                                          page.validation_fraction, page.seed))
print(data)
print(f"Bayes accuracy Phi(Delta/2) = {problem.bayes_accuracy:.4f} "
      f"(Delta = {problem.mahalanobis_distance:.2f})")

# %% [markdown]
# ## The model
#
# The listing's network, written here, with a first `keras.Input` (how Keras 3 learns the input
# shape), a layer that names the expected shape when an input of another size comes in, and a
# last layer without the sigmoid: $(10 + 1) \cdot 64 + (64 + 1) \cdot 64 + (64 + 1) = 4{,}929$
# weights.
#
# The cell's first line, `#@save dlbook/models/mlp_binary.py`, makes it part of the package as
# well (that module runs this page's cells so marked): the tests and your own code build it
# with `from dlbook.models import build_binary_mlp`, so it is written once, here.

# %%
#@save dlbook/models/mlp_binary.py
def build_binary_mlp(num_features: int = 10) -> keras.Sequential:
    """Section 5's MLP listing for two classes: dense 64 and 64 (ReLU), then one logit per
    example, where the listing has a sigmoid unit."""
    return keras.Sequential([
        keras.Input((num_features,)),
        ExpectShape((num_features,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ], name="binary_mlp")


# %%
model = build_binary_mlp(num_features=problem.num_features)
model.summary()

# %% [markdown]
# ## Probability or logit
#
# The binary cross-entropy of a label $y$ and a probability $p = \sigma(z)$ is
# $\ell = -y \log p - (1 - y) \log (1 - p)$. In float32, $\sigma(z)$ is exactly 1 for $z$ above
# about 17, and $\log(1 - p)$ would be $-\infty$; the loss clips $p$ to $1 - 10^{-7}$ and
# reports at most 15.9, whatever $z$. From the logit, the same loss is
# $\max(z, 0) - z y + \log(1 + e^{-|z|})$, exact for every $z$.
#
# The listing's model is not hurt by this: Keras 3 remembers that an output came out of a
# sigmoid layer and computes the loss from the logit underneath. It matters as soon as the
# probability is computed apart, e.g. by `predict`:

# %%
logits = np.array([[5.0], [10.0], [20.0], [40.0]], np.float32)
labels = np.zeros(4, np.float32)
probabilities = np.asarray(keras.ops.sigmoid(logits))  # as predict() would return them
from_probabilities = keras.losses.BinaryCrossentropy(reduction=None)(labels, probabilities)
from_logits = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(labels, logits)
print("logit z:                    ", logits.ravel())
print("sigmoid(z) in float32:      ", probabilities.ravel())
print("loss from the probability:  ", np.asarray(from_probabilities).round(2))
print("loss from the logit (exact):", np.asarray(from_logits).round(2))

# %% [markdown]
# So dlbook's models return logits everywhere and their losses take `from_logits=True`: the
# loss never depends on where the probability was computed. The metric follows: the listing's
# accuracy metric thresholds the output at 0.5, which for a logit means a probability of
# $\sigma(0.5) = 0.62$; `BinaryAccuracy(threshold=0.0)` thresholds the logit at 0, the
# probability at 1/2.

# %%
model.compile(optimizer="adam", loss=CheckedBinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)])

# %% [markdown]
# ## Training, as listed: Adam, 10 epochs, batches of 32
#
# `resumable_run` backs the run up after every epoch (an interrupted run resumes; a folder
# holding another run is refused, `--restart` starts afresh) and writes TensorBoard logs.

# %%
timer = EpochTimer()
history = model.fit(data.train, epochs=EPOCHS, validation_data=data.validation,
                    shuffle=False, verbose=keras_verbose(),
                    callbacks=[*resumable_run(page.output_dir / data.name, model, EPOCHS,
                                              data.identity, page.restart, data.train), timer])

# %% [markdown]
# ## Against the ceiling
#
# $\Phi(\Delta / 2)$ is the Bayes rule's accuracy on average; on a finite test set it varies a
# little, so the rule is also scored on the same 20,000 test examples.

# %%
_, test_accuracy = model.evaluate(data.test, verbose=0)
predicted = (model.predict(data.test, verbose=0)[:, 0] > 0).astype(np.int32)
bayes_on_test = float(np.mean(problem.bayes_predict(x_test) == y_test))
print(f"Test accuracy of the MLP:          {test_accuracy:.4f}")
print(f"Bayes rule on the same test set:   {bayes_on_test:.4f}")
print(f"Bayes accuracy Phi(Delta/2):       {problem.bayes_accuracy:.4f}  "
      f"(no classifier can do better on average)")
page.record(test_accuracy=test_accuracy, bayes_accuracy_on_test=bayes_on_test,
            bayes_accuracy=problem.bayes_accuracy, parameters=model.count_params(),
            seconds_per_epoch=timer.seconds_per_epoch,
            identity=run_identity(model, model.optimizer, EPOCHS, data.identity))

plot_history(history, page.output_dir / "curves.png")
plot_confusion_matrix(y_test, predicted, data.class_names,
                      page.output_dir / "confusion_matrix.png")
print(f"Plots in {page.output_dir}/")

# %% [markdown]
# ## What to look at
#
# The MLP ends within half a point of the ceiling: 89.01% test accuracy, where the Bayes rule
# scores 89.35% on the same 20,000 test examples ($\Phi(\Delta/2) = 89.44\%$), seed 0. Ten epochs
# of the listing's recipe are enough for this problem. `curves.png`: both curves level off after
# two or three epochs, with no sign of overfitting. The validation accuracy (90.9%) even lies
# above the ceiling: 1,000 examples measure an accuracy near 0.9 only to about a point
# ($\sqrt{0.9 \cdot 0.1 / 1000} \approx 0.01$), and this draw happens to be an easy one; the
# 20,000 test examples are the measure to trust.
