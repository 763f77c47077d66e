"""DCGAN training time: the TensorFlow example's recipe against chapter 5's page, side by side.

``chapters/ch05_practice/dcgan.py`` once trained TensorFlow's DCGAN example as it is (5x5
kernels, the generator 256-128-64 filters wide, the discriminator 64-128, batches of 128, 20
epochs). The page now trains networks half as wide with 4x4 kernels, in batches of 32, for the
epochs its ``EPOCHS`` says. Both recipes train the same `GAN` step here, on the same in-memory
batches (random images in [-1, 1]: a convolution costs the same whatever the pixels), in
alternating rounds, so that a busy host slows both alike; each keeps its fastest round. A whole
run is projected from it: epochs x 60,000 images (Fashion-MNIST's training set). The samples'
quality is measured by ``make bench``'s full run of the page (``models.md``).

Writes ``benchmarks/results/dcgan_speed.md``.
"""

import os
import platform
import time
from pathlib import Path

from dlbook.cli import page_constants
from dlbook.config import PACKAGE_DIR
from dlbook.models.dcgan import NOISE_DIM, make_discriminator, make_generator
from dlbook.training.gan import GAN

import keras
import numpy as np
import tensorflow as tf
from keras import layers

RESULTS = Path(__file__).parent / "results" / "dcgan_speed.md"
PAGE = PACKAGE_DIR.parent / "chapters" / "ch05_practice" / "dcgan.py"
TRAIN_IMAGES = 60_000  # images an epoch (Fashion-MNIST's training set)
ROUND_IMAGES = 6_400  # images a round: 50 batches of 128, 200 of 32
ROUNDS = 3  # timed rounds of each recipe, after one round of warm-up
EXAMPLE_EPOCHS, EXAMPLE_BATCH_SIZE = 20, 128  # the TensorFlow example's run, as the page had it
TARGET = 1 / 3  # the page's run in at most a third of the example's time (issue 25)


def example_generator() -> keras.Sequential:
    """The TensorFlow DCGAN example's generator: 5x5 kernels, 256-128-64 filters."""
    return keras.Sequential([
        keras.Input((NOISE_DIM,)),
        layers.Dense(7 * 7 * 256, use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False,
                               activation="tanh"),
    ])


def example_discriminator() -> keras.Sequential:
    """The TensorFlow DCGAN example's discriminator: 5x5 kernels, 64-128 filters."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 5, strides=2, padding="same"),
        layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Conv2D(128, 5, strides=2, padding="same"),
        layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Flatten(),
        layers.Dense(1),
    ])


def compiled_gan(generator: keras.Model, discriminator: keras.Model, rate: float) -> GAN:
    gan = GAN(generator, discriminator)
    gan.compile(generator_optimizer=keras.optimizers.Adam(rate, beta_1=0.5),
                discriminator_optimizer=keras.optimizers.Adam(rate, beta_1=0.5))
    return gan


def round_seconds(gan: GAN, batches: tf.data.Dataset) -> float:
    start = time.perf_counter()
    gan.fit(batches, epochs=1, shuffle=False, verbose=0)
    return time.perf_counter() - start


def stolen_share() -> tuple[int, int] | None:
    """The CPU time so far, and the part of it the host gave to other machines ("steal" in
    /proc/stat), in clock ticks; None where there is no /proc/stat."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    except OSError:
        return None
    return sum(fields), fields[7]


def main() -> None:
    page, _ = page_constants(PAGE)
    images = np.random.default_rng(0).uniform(-1, 1, (ROUND_IMAGES, 28, 28, 1))
    labels = np.zeros(ROUND_IMAGES, np.int32)
    recipes = {
        "TensorFlow's example": (compiled_gan(example_generator(), example_discriminator(), 2e-4),
                                 EXAMPLE_BATCH_SIZE, EXAMPLE_EPOCHS),
        "chapter 5's page": (compiled_gan(make_generator(), make_discriminator(),
                                          page["LEARNING_RATE"]),
                             page["BATCH_SIZE"], page["EPOCHS"]),
    }
    batches = {name: tf.data.Dataset.from_tensor_slices((images.astype(np.float32), labels))
               .batch(batch_size).prefetch(tf.data.AUTOTUNE)
               for name, (_, batch_size, _) in recipes.items()}
    best = {}
    before = stolen_share()
    for round_index in range(ROUNDS + 1):
        for name, (gan, _, _) in recipes.items():
            seconds = round_seconds(gan, batches[name])
            if round_index:  # the first round builds and traces the step
                best[name] = min(best.get(name, seconds), seconds)
    after = stolen_share()
    steal = (f"; the host kept {(after[1] - before[1]) / (after[0] - before[0]):.0%} of the "
             "CPU time from this machine meanwhile (steal in /proc/stat)" if before else "")

    rows, run_minutes = [], {}
    for name, (gan, batch_size, epochs) in recipes.items():
        epoch_seconds = best[name] / ROUND_IMAGES * TRAIN_IMAGES
        run_minutes[name] = epochs * epoch_seconds / 60
        step_ms = best[name] / (ROUND_IMAGES / batch_size) * 1e3
        rows.append(f"| {name} | {gan.count_params():,} | {batch_size} | {step_ms:.0f} | "
                    f"{epoch_seconds:.0f} | {epochs} | {run_minutes[name]:.1f} |")
    share = run_minutes["chapter 5's page"] / run_minutes["TensorFlow's example"]
    table = f"""# DCGAN training time (`benchmarks/bench_dcgan.py`)

Each recipe's `GAN` step on {ROUND_IMAGES:,} in-memory images a round, the two recipes in turn,
the fastest of {ROUNDS} rounds after a warm-up; an epoch is {TRAIN_IMAGES:,} images. On
{os.cpu_count()} CPU cores ({platform.machine()}), TensorFlow {tf.__version__}{steal}.

| recipe | parameters | batch | ms a step | s an epoch | epochs | whole run, min |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}

The page's run takes {share:.2f} of the example's time ({1 / share:.1f}x faster); target at most
a third: {"met" if share <= TARGET else "NOT met"}. The quality of the page's samples is in
`models.md` (`make bench`'s full run of the page).
"""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table)
    print(table)


if __name__ == "__main__":
    main()
