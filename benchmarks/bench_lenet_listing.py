"""The tutorial's LeNet listing (seed 003 §5.2, 源代码详细实现) run as printed, beside the same
loop with only its loss reduced to the mean.

As printed, the listing's network ends in a softmax; its ``train_step`` computes
``tf.keras.losses.sparse_categorical_crossentropy(labels, probabilities)`` under a
``tf.GradientTape``, a vector of one loss per example that is never reduced, so ``tape.gradient``
differentiates the sum over the batch; the update is ``SGD(learning_rate=0.1)``; every epoch
slices the 60,000 training images into batches of 100 in order, never shuffled; nothing is
compiled (no ``tf.function``); 10 epochs. Here ``dlbook.models.LeNet`` (the listing's layers,
returning logits) is followed by ``keras.activations.softmax``, the activation of the listing's
last ``Dense``, and everything else is as printed. The second run divides the same per-example
losses by the batch size (``tf.reduce_mean``), nothing else changed.

The listing loads MNIST from ``tf.keras.datasets``, which downloads it; this script takes MNIST
when dlbook finds it on disk or can download it, else Fashion-MNIST (``DATASET = "auto"``), and
says which. The listing's ``evaluate_step`` measures no accuracy (it hands arg-maxed class numbers
to ``sparse_categorical_accuracy``: Keras 3 returns 10,000 zeros and ones, Keras 2 raises), so
the test accuracy after each epoch is measured here as the listing means it: the arg-max of the
output against the label. Writes ``benchmarks/results/lenet_listing.md``.
"""

import math
import time
from pathlib import Path

from dlbook.config import set_seed
from dlbook.data import load_arrays, resolve_dataset
from dlbook.models import LeNet

import keras
import numpy as np
import tensorflow as tf

RESULTS = Path(__file__).parent / "results" / "lenet_listing.md"
DATASET = "auto"
BATCH_SIZE = 100
LEARNING_RATE = 0.1
EPOCHS = 10
SEED = 0


def listing_arrays(name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """The listing's preprocessing: images reshaped to ``(N, 28, 28, 1)`` and divided by 255."""
    return [((images.reshape(-1, 28, 28, 1) / 255.0).astype("float32"), labels)
            for images, labels in load_arrays(name)]


def train_listing(train: tuple, test: tuple, reduce_loss: bool) -> dict:
    """The listing's loop, eager: batches of 100 in order, SGD(0.1), a softmax output; the loss
    per example summed by ``tape.gradient`` (as printed) or reduced to its mean."""
    set_seed(SEED)
    model = LeNet()
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    (images, labels), (test_images, test_labels) = train, test
    epochs, losses, started = [], [], time.perf_counter()
    for _ in range(EPOCHS):
        for start in range(0, len(images), BATCH_SIZE):
            with tf.GradientTape() as tape:
                probabilities = keras.activations.softmax(model(images[start:start + BATCH_SIZE]))
                loss = tf.keras.losses.sparse_categorical_crossentropy(
                    labels[start:start + BATCH_SIZE], probabilities)
                if reduce_loss:
                    loss = tf.reduce_mean(loss)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
            losses.append(float(tf.reduce_mean(loss)))
        predicted = np.argmax(model.predict(test_images, batch_size=1000, verbose=0), axis=1)
        epochs.append(float(np.mean(predicted == test_labels)))
    finite = [loss for loss in losses if math.isfinite(loss)]
    first_not_finite = next((step for step, loss in enumerate(losses, 1)
                             if not math.isfinite(loss)), None)
    return {"accuracy": epochs, "largest_loss": max(finite), "first_not_finite": first_not_finite,
            "minutes": (time.perf_counter() - started) / 60}


def not_finite_text(step: int | None) -> str:
    return "never" if step is None else f"step {step:,}"


def main() -> None:
    name = resolve_dataset(DATASET)
    train, test = listing_arrays(name)
    runs = {"as printed (loss per example, never reduced)": train_listing(train, test, False),
            "the loss reduced to its mean, nothing else changed": train_listing(train, test, True)}
    rows = "\n".join(
        f"| {way} | {' / '.join(f'{a:.4f}' for a in run['accuracy'][:3])} | "
        f"{run['accuracy'][-1]:.4f} | {run['largest_loss']:.3g} | "
        f"{not_finite_text(run['first_not_finite'])} | {run['minutes']:.1f} |"
        for way, run in runs.items())
    table = f"""# The LeNet listing as printed (`benchmarks/bench_lenet_listing.py`)

Seed 003 §5.2 (源代码详细实现), run as printed on {name}, {len(train[0]):,} training and
{len(test[0]):,} test images: the listing's LeNet ending in a softmax, its loss
`tf.keras.losses.sparse_categorical_crossentropy(labels, probabilities)` per example and never
reduced (the gradient of the batch's sum), `SGD(learning_rate={LEARNING_RATE})`, batches of
{BATCH_SIZE} sliced in order without shuffling, eager (no `tf.function`), {EPOCHS} epochs, seed
{SEED}; TensorFlow {tf.__version__}, Keras {keras.__version__}. The listing trains on MNIST, which
it downloads; this machine has {"it" if name == "mnist" else "no internet, so Fashion-MNIST"}.
Test accuracy is the arg-max of the output against the label after each epoch (the listing's
own `evaluate_step` prints 10,000 zeros and ones under Keras 3 and raises under Keras 2). The
loss is the batch mean of the per-example losses: its largest finite value over the run, and the
first step at which it was not finite (an overflow, then NaN weights that predict one class).

| run | test accuracy, epochs 1 / 2 / 3 | epoch {EPOCHS} | largest loss | not finite | minutes |
| --- | --- | ---: | ---: | ---: | ---: |
{rows}
"""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table)
    print(table)


if __name__ == "__main__":
    main()
