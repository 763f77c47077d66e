"""LeNet on Fashion-MNIST, the same batches (128) trained five ways: how fast is each?

(a) the tutorial's loop, eager as printed (nothing compiled), with the loss reduced to the mean,
    on logits and reshuffled batches of 128 like the others,
(e) the same Python loop with the step compiled by ``tf.function``, as on lenet.py's page,
(b) the dlbook GradientTape `Trainer` (the step compiled with ``tf.function``, 16 steps per call),
(c) Keras ``model.fit`` with the same model, optimizer and batch size (defaults: one step per call),
(d) for reference, ``model.fit`` compiled with ``steps_per_execution=16``, Keras's own version of
    (b)'s trick.

Each way trains one warm-up epoch (tracing, caches), then three timed epochs over the full
training set; the median counts. Then (b) goes on to 10 epochs of SGD(0.1) on the mean loss, the
listing's optimizer with its loss fixed. The listing as printed is run by
``bench_lenet_listing.py``. Writes ``benchmarks/results/lenet.md``.
"""

import os
import platform
import statistics
import time
from pathlib import Path

from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models import LeNet
from dlbook.training import Trainer

import keras
import tensorflow as tf

RESULTS = Path(__file__).parent / "results" / "lenet.md"
BATCH_SIZE = 128
LEARNING_RATE = 0.1
SGD_EPOCHS = 10
TIMED_EPOCHS = 3


def per_example_loss():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)


def tape_step(model, optimizer):
    """The tutorial's step with its loss reduced to the mean: forward pass under a tape, loss,
    gradients, update."""
    loss_fn = per_example_loss()

    def step(images, labels):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(labels, model(images, training=True)))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))

    return step


def python_loop_epoch(step, batches):
    """An epoch as the tutorial (and lenet.py's page) writes it: a Python loop over batches."""
    for images, labels in batches:
        step(images, labels)


def timed(train_one_epoch, repeats=TIMED_EPOCHS):
    """Seconds per epoch after a warm-up epoch: the median of ``repeats`` timed epochs (one
    epoch's time varies by several percent with what else the machine does)."""
    train_one_epoch()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_one_epoch()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def verdict(speedup, target):
    """``met (6.23x)`` or ``not met (1.27x)``."""
    return f"{'met' if speedup >= target else 'not met'} ({speedup:.2f}x)"


def main():
    set_seed(0)
    data = load_images("fashion_mnist", batch_size=BATCH_SIZE, validation_fraction=0, seed=0)
    samples = data.num_train

    eager_step = tape_step(LeNet(), keras.optimizers.SGD(LEARNING_RATE))
    seconds_a = timed(lambda: python_loop_epoch(eager_step, data.train))
    compiled_step = tf.function(tape_step(LeNet(), keras.optimizers.SGD(LEARNING_RATE)))
    seconds_e = timed(lambda: python_loop_epoch(compiled_step, data.train))

    trainer = Trainer(LeNet(), keras.optimizers.SGD(LEARNING_RATE))
    seconds_b = timed(lambda: trainer.fit(data.train, epochs=trainer.epochs_done + 1, verbose=0))
    trained_epochs = trainer.epochs_done

    def keras_fit(steps_per_execution):
        model = LeNet()
        model.compile(keras.optimizers.SGD(LEARNING_RATE),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"], steps_per_execution=steps_per_execution)
        return timed(lambda: model.fit(data.train, epochs=1, verbose=0))

    seconds_c = keras_fit(1)
    seconds_d = keras_fit(trainer.steps_per_call)

    engine_accuracy = trainer.evaluate(data.test)["accuracy"]
    trainer.fit(data.train, epochs=SGD_EPOCHS, verbose=0)
    sgd_accuracy = trainer.evaluate(data.test)["accuracy"]

    ways = {
        "(a) tutorial's eager loop, loss reduced": seconds_a,
        "(e) the same loop, step in `tf.function` (lenet.py's page)": seconds_e,
        "(b) dlbook `Trainer` (GradientTape + tf.function)": seconds_b,
        "(c) Keras `model.fit`": seconds_c,
        f"(d) `model.fit`, `steps_per_execution={trainer.steps_per_call}`": seconds_d,
    }
    rows = "\n".join(
        f"| {way} | {seconds:.1f} | {samples / seconds:,.0f} | {seconds_a / seconds:.2f}x "
        f"| {seconds_c / seconds:.2f}x |"
        for way, seconds in ways.items()
    )
    table = f"""# LeNet training speed (`make bench`, `benchmarks/bench_lenet.py`)

Fashion-MNIST, {samples:,} training images, batch {BATCH_SIZE}, SGD({LEARNING_RATE}); seconds per
epoch: the median of {TIMED_EPOCHS} timed epochs after a warm-up epoch, on {os.cpu_count()} CPU
cores ({platform.machine()}), no GPU; TensorFlow {tf.__version__}, Keras {keras.__version__}.

| way | seconds / epoch | samples / s | speed vs (a) | speed vs (c) |
| --- | ---: | ---: | ---: | ---: |
{rows}

Targets: (b) >= 4x (a): {verdict(seconds_a / seconds_b, 4)}; (b) >= 1.3x (c):
{verdict(seconds_c / seconds_b, 1.3)}. (b)'s lead over (c) comes from running 16 steps per
`tf.function` call with nothing in Python between them; (d) asks Keras for the same, and (e) shows
what compiling the step alone gives.

Test accuracy of (b), SGD({LEARNING_RATE}) on the mean loss: {engine_accuracy:.4f} after
{trained_epochs} epochs, {sgd_accuracy:.4f} after {SGD_EPOCHS} (lenet.py trains with Adam and a
cosine-decayed rate instead: see `models.md`). The listing as printed: `lenet_listing.md`.
"""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table)
    print(table)


if __name__ == "__main__":
    main()
