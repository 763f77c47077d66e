"""Section 4.1: a multilayer perceptron for a two-class problem of 10 features.

The tutorial's listing, in essence:

    model = Sequential()
    model.add(Dense(64, activation="relu", input_dim=10))      # Keras 3: use keras.Input((10,))
    model.add(Dense(64, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))                  # here: no sigmoid, a logit
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=10, batch_size=32)

Keras 3 still accepts ``input_dim=`` with a warning; the current way is a first ``keras.Input``.
Sigmoid + ``binary_crossentropy`` is not wrong, but the loss must take the log of a probability
rounded to float32; we keep the last layer linear and build the loss with ``from_logits=True``.
Then the metric must change too: ``"accuracy"`` would threshold the logit at 0.5, so we use
``BinaryAccuracy(threshold=0.0)`` (logit 0 = probability 1/2).

The listing never says where ``x_train`` comes from. We draw it from two Gaussian classes
(`dlbook.data.synthetic.TwoGaussians`) whose best possible accuracy, ``Phi(Delta / 2)``, is known:
the script prints the model's test accuracy beside that ceiling.
"""

import time

from dlbook.cli import chapter_args, save_results
from dlbook.config import set_seed
from dlbook.data.synthetic import TwoGaussians
from dlbook.models.mlp import CheckedBinaryCrossentropy, build_binary_mlp
from dlbook.plots import plot_confusion_matrix, plot_history

import keras
import numpy as np

args = chapter_args(__doc__, script=__file__, epochs=10, dataset=None, batch_size=32)
set_seed(args.seed)

# Data: 10 correlated features, two classes; 10,000 training and 20,000 test examples.
problem = TwoGaussians.random(num_features=10, distance=2.5, seed=args.seed)
x_train, y_train = problem.sample(args.limit or 10_000, seed=args.seed + 1)
x_test, y_test = problem.sample(20_000, seed=args.seed + 2)

# The listing's model and training, returning a logit.
model = build_binary_mlp(num_features=problem.num_features)
model.compile(optimizer="adam", loss=CheckedBinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)])
start = time.perf_counter()
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                    validation_split=0.1, verbose=2)
seconds_per_epoch = (time.perf_counter() - start) / args.epochs

_, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
predicted = (model.predict(x_test, verbose=0)[:, 0] > 0).astype(np.int32)
bayes_on_test = float(np.mean(problem.bayes_predict(x_test) == y_test))
print(f"Test accuracy of the MLP:          {test_accuracy:.4f}")
print(f"Bayes rule on the same test set:   {bayes_on_test:.4f}")
print(f"Bayes accuracy Phi(Delta/2):       {problem.bayes_accuracy:.4f}  "
      f"(Delta = {problem.mahalanobis_distance:.2f}; no classifier can do better on average)")

plot_history(history.history, args.output_dir / "curves.png")
plot_confusion_matrix(y_test, predicted, ["class 0", "class 1"],
                      args.output_dir / "confusion_matrix.png")
print(f"Plots in {args.output_dir}/")

save_results(args, model="MLP 10-64-64-1 (section 4.1)", dataset="two Gaussians (synthetic)",
             parameters=model.count_params(), epochs=args.epochs, test_accuracy=test_accuracy,
             bayes_accuracy=problem.bayes_accuracy, seconds_per_epoch=seconds_per_epoch)
