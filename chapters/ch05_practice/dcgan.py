# %% [markdown]
# # Section 5 · A GAN at work: section 2's generator and discriminator, trained
#
# Tutorial: section 2 · 核心概念与联系 (seed 000 §2)
#
# Section 2 names generative adversarial networks (GANs, 生成对抗网络) among the families of
# networks on seed 000's family tree: a generator and a discriminator trained against each
# other. No version of the tutorial has GAN code; this page, dlbook's own, trains one, a DCGAN
# (Radford et al., 2015) on 28x28 images, laid out as TensorFlow's own DCGAN example but half as
# wide, so that it trains in 16 to 20 minutes on two cores.
#
# The generator $G$ turns a noise vector $z \sim \mathcal{N}(0, I_{100})$ into an image; the
# discriminator $D$ returns a logit, positive for "real". $D$ learns to call training images real
# and $G$'s images fake; $G$ learns, through $D$'s gradients, to make $D$ call its images real.
# With binary cross-entropy $\operatorname{BCE}(t, \ell)$ of a target $t$ and a logit $\ell$:
#
# $$J_D = \operatorname{BCE}(1, D(x)) + \operatorname{BCE}(0, D(G(z))), \qquad
#   J_G = \operatorname{BCE}(1, D(G(z))).$$
#
# Each training step draws a batch of noise, runs both networks under two `tf.GradientTape`s and
# updates each network with its own loss and its own Adam. Then, instead of judging the samples
# by eye, the page measures them through a trained classifier.

# %%
import math
from pathlib import Path

from dlbook.cli import start_page
from dlbook.data import load_images, to_tanh_range
from dlbook.errors import DlbookError
from dlbook.gan_scores import (
    classifier_score,
    features_and_probabilities,
    frechet_distance,
    load_judge,
    shuffled_pixels,
)
from dlbook.models import build_cnn
from dlbook.models.layers import ExpectShape
from dlbook.models.saving import save_model
from dlbook.plots import plot_history, plot_samples, save_gif
from dlbook.training import EpochTimer, Trainer, keras_verbose, resumable_run, run_identity
from dlbook.training.trained_cnn import chapter5_model_path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--epochs 5`, `--judge FILE`; `--help` lists them).
# `--quick` trains one epoch on 2,048 images.

# %%
EPOCHS = 15  # epochs of the GAN's training
BATCH_SIZE = 32  # real images per step (the generator draws as many)
LEARNING_RATE = 5e-4  # both Adams' rate at the first step; it falls linearly to 0 by the last
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
JUDGE: Path | None = None  # the classifier (.keras) that measures the images (None: cnn.py's)

page = start_page("ch05_practice/dcgan", globals(), resumable=True)

# %% [markdown]
# ## The data
#
# Only the training images, scaled from $[0, 1]$ to $[-1, 1]$, the range of the generator's
# $\tanh$ output; the labels are not used. A GAN has no validation loss to watch, so no images
# are held out (`--validation-fraction` does not apply); the test images serve the measurement.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options | {"validation_fraction": 0})
print(data)

# %% [markdown]
# ## The judge, checked now
#
# The measurement at the end needs a classifier of the same images: by default the CNN that
# `cnn.py` saved for this dataset. It is loaded and checked before the GAN trains (same image
# shape, same number of classes, a `features` layer, logits out), so that a wrong file stops
# the page now, in one line, not after the training. Without one, a small CNN is trained at the
# end.

# %%
judge_path = JUDGE or chapter5_model_path(data.name, page.quick)
judge = None
if JUDGE or judge_path.is_file():
    judge = load_judge(judge_path, data.image_shape, len(data.class_names), data.identity)
    print(f"Judge: the classifier of {judge_path}")

# %% [markdown]
# ## The two networks
#
# Both are written here for 28x28 images (7 doubled twice), in the layout of TensorFlow's DCGAN
# example with half its filters and 4x4 kernels where it has 5x5. A stride-2 transposed
# convolution whose kernel the stride divides spreads every input pixel over the same number of
# output pixels; an odd kernel overlaps unevenly and tends to draw a checkerboard (Odena et al.,
# 2016). Half the filters and the smaller kernels make a training step about three times
# cheaper. Images of another size are refused before anything trains, naming the size to resize
# them to. The first line of each cell, `#@save dlbook/models/dcgan.py`, makes the cell part of
# the package as well (that module runs this page's cells so marked): chapter 2's family tree,
# the tests and your own code take the networks with `from dlbook.models import
# make_generator, make_discriminator`, so they are written once, here.

# %%
#@save dlbook/models/dcgan.py
NOISE_DIM = 100
"""Length of the noise vector the generator turns into an image."""

IMAGE_SIZE = 28
"""Height and width of the images the generator draws (7 doubled twice)."""


class ImageSizeError(DlbookError):
    """The images are not the size the DCGAN draws."""


def check_image_shape(image_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """``image_shape`` as ``(28, 28, channels)``, or `ImageSizeError` naming the fix."""
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[:2] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ImageSizeError(
            f"the DCGAN draws {IMAGE_SIZE}x{IMAGE_SIZE} images, the dataset's have shape "
            f"{image_shape}; resize the images to {IMAGE_SIZE}x{IMAGE_SIZE}"
        )
    return image_shape


# %% [markdown]
# The generator: dense $100 \to 7 \cdot 7 \cdot 128$, then 4x4 transposed convolutions up to
# 7x7x64, 14x14x32 and 28x28 with the images' channels ($\tanh$), with batch normalization and
# LeakyReLU between them. A transposed convolution of stride 2 doubles the height and width;
# the layers before batch normalization have no bias, which the normalization would cancel.

# %%
#@save dlbook/models/dcgan.py
def make_generator(noise_dim: int = NOISE_DIM,
                   image_shape: tuple[int, ...] = (28, 28, 1)) -> keras.Sequential:
    """The DCGAN's generator (Radford et al., 2015): noise ``[batch, noise_dim]`` -> images
    ``[batch, 28, 28, channels]`` in [-1, 1]."""
    channels = check_image_shape(image_shape)[2]
    return keras.Sequential([
        keras.Input((noise_dim,)),
        ExpectShape((noise_dim,)),
        layers.Dense(7 * 7 * 128, use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(64, 4, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(channels, 4, strides=2, padding="same", use_bias=False,
                               activation="tanh"),
    ], name="generator")


# %% [markdown]
# The discriminator: two stride-2 4x4 convolutions (32 and 64 filters, LeakyReLU, dropout 0.3),
# then one logit, "real" when positive.

# %%
#@save dlbook/models/dcgan.py
def make_discriminator(image_shape: tuple[int, ...] = (28, 28, 1)) -> keras.Sequential:
    """The DCGAN's discriminator: images ``[batch, 28, 28, channels]`` in [-1, 1] -> one logit
    per image (positive: "real")."""
    image_shape = check_image_shape(image_shape)
    return keras.Sequential([
        keras.Input(image_shape),
        ExpectShape(image_shape),
        layers.Conv2D(32, 4, strides=2, padding="same"),
        layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Conv2D(64, 4, strides=2, padding="same"),
        layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Flatten(),
        layers.Dense(1),
    ], name="discriminator")


# %% [markdown]
# Before any training $D$ cannot tell real from fake and says about $1/2$ to everything, so
# each BCE term is about $\log 2 = 0.693$: $J_D \approx 1.386$, $J_G \approx 0.693$. The two
# losses on the first batch:

# %%
generator = make_generator(image_shape=data.image_shape)
discriminator = make_discriminator(data.image_shape)
real_images, _ = to_tanh_range(*next(iter(data.train)))
fake_images = generator(np.random.default_rng(page.seed).normal(
    size=(len(real_images), NOISE_DIM)).astype(np.float32), training=False)
bce = keras.losses.BinaryCrossentropy(from_logits=True)
real_logits = discriminator(real_images, training=False)
fake_logits = discriminator(fake_images, training=False)
discriminator_loss = bce(np.ones_like(real_logits), real_logits) + bce(
    np.zeros_like(fake_logits), fake_logits)
print(f"J_D = {float(discriminator_loss):.3f}, J_G = "
      f"{float(bce(np.ones_like(fake_logits), fake_logits)):.3f}  (2 log 2 = {2 * np.log(2):.3f},"
      f" log 2 = {np.log(2):.3f})")

# %% [markdown]
# ## The training step: two tapes
#
# `GAN` is a `keras.Model` that holds both networks and overrides `train_step`, as keras-io's
# DCGAN example does, so `fit` runs the step once per batch. The step draws a batch of noise,
# runs the generator and the discriminator (on the real images and on the fakes) under two
# `tf.GradientTape`s, computes $J_G$ and $J_D$ from the same forward pass, and updates each
# network with the gradients of its own loss, by its own optimizer: the discriminator's tape
# never moves the generator, and the other way round. The losses are means over the whole
# batch (`tf.nn.compute_average_loss`), so the step is the same under a `tf.distribute`
# strategy, which sums the replicas' gradients. The noise comes from a seeded generator that
# the model holds, so a checkpoint also holds where the noise was, and a resumed run draws the
# same noise as one that never stopped.
#
# One more thing, not about GANs: `fit` is overridden to switch off a TensorFlow graph rewrite
# that fails on this step, prints an error line and leaves the graph as it was; with it off
# the losses are the same bit for bit, without the frightening line. The cell's first line
# saves the class to `dlbook/training/gan.py` (`from dlbook.training import GAN`).

# %%
#@save dlbook/training/gan.py
class GAN(keras.Model):
    """A generator and a discriminator trained against each other by ``fit`` (section 2's
    GAN); calling the model generates images from noise.

    ``compile(generator_optimizer=..., discriminator_optimizer=...)`` gives each network its own
    optimizer; ``fit`` takes batches ``(images in [-1, 1], labels)`` (the labels are ignored) and
    its history holds ``generator_loss`` and ``discriminator_loss``. The noise comes from a
    seeded generator that the model holds, so a checkpoint of the model holds where it is.
    Under a ``tf.distribute`` strategy, create and compile the model in its scope.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, seed: int = 0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.noise_dim = generator.input_shape[-1]
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.built = True  # no weights of its own: the networks it holds are built

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def compile(self, generator_optimizer: keras.optimizers.Optimizer,
                discriminator_optimizer: keras.optimizers.Optimizer, **kwargs) -> None:
        """Give each network its optimizer (built now, for its own network's variables)."""
        super().compile(optimizer=None, **kwargs)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        generator_optimizer.build(self.generator.trainable_variables)
        discriminator_optimizer.build(self.discriminator.trainable_variables)
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
        self.generator_loss = keras.metrics.Mean(name="generator_loss")
        self.discriminator_loss = keras.metrics.Mean(name="discriminator_loss")

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.generator_loss, self.discriminator_loss]

    @property
    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """The two optimizers by network, for `dlbook.training.run_identity`."""
        return {"generator": self.generator_optimizer,
                "discriminator": self.discriminator_optimizer}

    def train_step(self, data):
        """One step for each network on one batch; returns the two mean losses so far."""
        images, _ = data
        # The batch size is read at run time: the last, smaller batch draws as much noise.
        noise = keras.random.normal((tf.shape(images)[0], self.noise_dim), seed=self.noise_seed)
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fakes = self.generator(noise, training=True)
            real_logits = self.discriminator(images, training=True)
            fake_logits = self.discriminator(fakes, training=True)
            generator_per_example = self.cross_entropy(tf.ones_like(fake_logits), fake_logits)
            discriminator_per_example = self.cross_entropy(
                tf.ones_like(real_logits), real_logits
            ) + self.cross_entropy(tf.zeros_like(fake_logits), fake_logits)
            # The mean over the global batch: a strategy sums the replicas' gradients.
            generator_loss = tf.nn.compute_average_loss(generator_per_example)
            discriminator_loss = tf.nn.compute_average_loss(discriminator_per_example)
        for tape, loss, network, optimizer in [
            (generator_tape, generator_loss, self.generator, self.generator_optimizer),
            (discriminator_tape, discriminator_loss, self.discriminator,
             self.discriminator_optimizer),
        ]:
            gradients = tape.gradient(loss, network.trainable_variables)
            optimizer.apply_gradients(zip(gradients, network.trainable_variables, strict=True))
        self.generator_loss.update_state(generator_per_example)
        self.discriminator_loss.update_state(discriminator_per_example)
        return {metric.name: metric.result() for metric in self.metrics}

    def fit(self, *args, **kwargs) -> keras.callbacks.History:
        """``keras.Model.fit`` with TensorFlow's "remapper" graph rewrite off while it runs.

        The remapper fuses a convolution with its bias and activation. On this step (the
        discriminator's LeakyReLU differentiated in a compiled step) it fails, prints an
        ``E0000 ... remapper failed`` error line and leaves the graph as it was: the losses are
        the same bit for bit with it off, and no error line frightens the reader.
        """
        remapping = tf.config.optimizer.get_experimental_options().get("remapping", True)
        tf.config.optimizer.set_experimental_options({"remapping": False})
        try:
            return super().fit(*args, **kwargs)
        finally:
            tf.config.optimizer.set_experimental_options({"remapping": remapping})


# %% [markdown]
# ## Training
#
# `fit` trains the GAN; `resumable_run` adds a checkpoint per epoch, an exact resume after an
# interruption and the refusal of a folder that holds another run (`--restart` starts afresh).
# Both networks use Adam with $\beta_1 = 0.5$, as in the DCGAN paper (Radford et al., 2015),
# whose authors found that Adam's default momentum $\beta_1 = 0.9$ made training oscillate. The
# paper's rate is $2 \cdot 10^{-4}$ in batches of 128. This page takes batches of 32, four times
# as many steps an epoch, and a rate of $5 \cdot 10^{-4}$ that falls in a straight line to 0 at
# the last step (`PolynomialDecay`): large steps while the shapes form, smaller and smaller ones
# as the two networks near their balance, where a constant rate keeps them circling it.
#
# After every epoch the generator draws from the same 16 noise vectors
# (`samples/<dataset>/epoch_NNN.png`); at the end the frames become `progress.gif`.

# %%
total_steps = EPOCHS * math.ceil(data.num_train / BATCH_SIZE)


def falling_rate_adam() -> keras.optimizers.Adam:
    """Adam, beta_1 = 0.5, its rate falling linearly from LEARNING_RATE to 0 at the last step."""
    rate = keras.optimizers.schedules.PolynomialDecay(LEARNING_RATE, total_steps, 0.0)
    return keras.optimizers.Adam(rate, beta_1=0.5)


gan = GAN(generator, discriminator, seed=page.seed)
gan.compile(generator_optimizer=falling_rate_adam(), discriminator_optimizer=falling_rate_adam())
fixed_noise = np.random.default_rng(page.seed).normal(size=(16, NOISE_DIM)).astype(np.float32)
samples_dir = page.output_dir / "samples" / data.name
draw_samples = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: plot_samples(
    generator, fixed_noise, samples_dir / f"epoch_{epoch + 1:03d}.png"))
train_images = data.train.map(to_tanh_range)
timer = EpochTimer()
history = gan.fit(train_images, epochs=EPOCHS, shuffle=False, verbose=keras_verbose(),
                  callbacks=[*resumable_run(page.output_dir / data.name, gan, EPOCHS,
                                            data.identity, page.restart, train_data=train_images,
                                            optimizer=gan.optimizers), timer, draw_samples])
page.record(parameters=generator.count_params() + discriminator.count_params(),
            seconds_per_epoch=timer.seconds_per_epoch,
            identity=run_identity(gan, gan.optimizers, EPOCHS, data.identity))
plot_history(history, page.output_dir / "losses.png")
save_gif(sorted(samples_dir.glob("epoch_*.png")), page.output_dir / "progress.gif")
save_model(generator, page.output_dir / "generator.keras")

# %% [markdown]
# ## Measuring the images
#
# Two scores look at images through the judge (`dlbook.gan_scores`):
#
# - the **Frechet distance** between Gaussians fitted to the judge's `features` of two image
#   sets, $\lVert \mu_1 - \mu_2 \rVert^2 +
#   \operatorname{tr}\left(S_1 + S_2 - 2 (S_1^{1/2} S_2 S_1^{1/2})^{1/2}\right)$, 0 for
#   identical sets (lower is better);
# - the **classifier score** $\exp\left(\mathbb{E}_x \operatorname{KL}(p(y \mid x) \,\|\,
#   p(y))\right)$, high when each image is confidently one class and the classes are balanced,
#   from 1 to the number of classes (higher is better).
#
# Neither means much alone: each is set beside what real images get (the second half of the test
# set against the first) and what noise gets (real images with their pixels shuffled).

# %%
if judge is None:
    classifier_epochs = 1 if page.quick else 3
    print(f"No trained CNN at {judge_path} (chapters/ch05_practice/cnn.py makes it): training one "
          f"for {classifier_epochs} epochs, enough for a feature extractor")
    judge = build_cnn(num_classes=len(data.class_names), input_shape=data.image_shape)
    Trainer(judge, keras.optimizers.Adam(1e-3)).fit(data.train, epochs=classifier_epochs)
page.record(judge=str(judge_path) if JUDGE or judge_path.is_file() else
            "a CNN trained on this page")

test_images = np.concatenate([images for images, _ in data.test.as_numpy_iterator()])
half = len(test_images) // 2
reference, other_real = test_images[:half], test_images[half : 2 * half]
noise = np.random.default_rng(page.seed + 1).normal(size=(half, NOISE_DIM)).astype(np.float32)
generated = (generator.predict(noise, batch_size=256, verbose=0) + 1.0) / 2.0

reference_features, _ = features_and_probabilities(judge, reference)
real_features, real_probabilities = features_and_probabilities(judge, other_real)
fake_features, fake_probabilities = features_and_probabilities(judge, generated)
noise_features, _ = features_and_probabilities(judge, shuffled_pixels(other_real, page.seed))

frechet_real = frechet_distance(real_features, reference_features)
frechet_fake = frechet_distance(fake_features, reference_features)
frechet_noise = frechet_distance(noise_features, reference_features)
score_real = classifier_score(real_probabilities)
score_fake = classifier_score(fake_probabilities)

print(f"Frechet distance to {half} real test images (lower is better):")
print(f"  other real test images  {frechet_real:10.3f}")
print(f"  DCGAN images            {frechet_fake:10.3f}   "
      f"({frechet_fake / frechet_noise:.1%} of the noise value)")
print(f"  shuffled-pixel noise    {frechet_noise:10.3f}")
print(f"Classifier score (higher is better, at most {len(data.class_names)}):")
print(f"  real test images        {score_real:10.3f}")
print(f"  DCGAN images            {score_fake:10.3f}   "
      f"({score_fake / score_real:.1%} of the real value)")
page.record(frechet_distance=frechet_fake, frechet_real=frechet_real,
            frechet_noise=frechet_noise, classifier_score=score_fake,
            classifier_score_real=score_real)
print(f"Samples, progress.gif, losses.png and checkpoints in {page.output_dir}/")

# %% [markdown]
# ## What to look at
#
# `losses.png`: the two losses do not fall together as in a classifier's training; each network
# gains when the other loses, and they wander around a balance. `progress.gif`: blobs first, then
# shapes, then clothes with details. Measured on Fashion-MNIST after 15 epochs (`make bench`,
# judged by `cnn.py`'s model): Frechet distance 16.75, 12.2% of the noise value 137.50 (real
# images: 0.39), classifier score 5.80, 71.1% of the real images' 8.16. The images are
# recognisable clothes, but not yet as varied or as sharp as real ones.
