"""Training a GAN (section 2): two networks, two losses, two GradientTapes in one step.

The discriminator D learns to tell real images from generated ones; the generator G learns to make
D call its images real. With binary cross-entropy on D's logits:

    discriminator loss = BCE(1, D(x)) + BCE(0, D(G(z)))      real -> 1, fake -> 0
    generator loss     = BCE(1, D(G(z)))                     fool D: fake -> 1

`GANTrainer` is the engine's `Trainer` with only the step replaced, so the GAN gets the same
compiled step (one trace, whatever the size of the last batch), progress bar, history, checkpoint
per epoch and exact resume. Images must be scaled to [-1, 1], the range of the generator's tanh
(`dlbook.data.to_tanh_range`).
"""

from __future__ import annotations

from dlbook.training.engine import Trainer

import keras
import tensorflow as tf


class GAN(keras.Model):
    """Everything a GAN run trains and must checkpoint, in one model; calling it generates images.

    The engine checkpoints its ``model``, its ``optimizer``, the model's non-trainable variables
    (Dropout's random state among them) and the epoch. `GANTrainer` passes this container as the
    model and the generator's optimizer as the optimizer, so the container holds the rest: the
    discriminator's optimizer and the seeded noise generator (a resumed run draws the same
    noise).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        discriminator_optimizer: keras.optimizers.Optimizer,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.discriminator_optimizer = discriminator_optimizer
        self.noise = tf.random.Generator.from_seed(seed)
        self.built = True  # no weights of its own: the networks it holds are built

    def call(self, noise, training=False):
        return self.generator(noise, training=training)


class GANTrainer(Trainer):
    """Train ``generator`` and ``discriminator`` against each other with the engine's epoch loop.

    ``fit(images, epochs, checkpoint_dir=..., on_epoch_end=...)`` works as for `Trainer`, on
    batches ``(images in [-1, 1], labels)`` (the labels are ignored). The history holds
    ``generator_loss`` and ``discriminator_loss``. Create the networks and optimizers inside
    ``strategy.scope()`` when you pass a strategy.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        generator_optimizer: keras.optimizers.Optimizer,
        discriminator_optimizer: keras.optimizers.Optimizer,
        seed: int = 0,
        strategy: tf.distribute.Strategy | None = None,
    ) -> None:
        strategy = strategy or tf.distribute.get_strategy()
        with strategy.scope():
            gan = GAN(generator, discriminator, discriminator_optimizer, seed=seed)
        super().__init__(gan, generator_optimizer, strategy=strategy)
        self.generator, self.discriminator = generator, discriminator
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.noise_dim = generator.input_shape[-1]
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
        with self.strategy.scope():
            self.train_metrics = [
                keras.metrics.Mean(name="generator_loss"),
                keras.metrics.Mean(name="discriminator_loss"),
            ]

    def train_step(self, images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """One step for each network on one replica's batch; returns the sum of both losses."""
        # The batch size is read at run time: the last, smaller batch needs no second trace.
        noise = self.model.noise.normal([tf.shape(images)[0], self.noise_dim])
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fakes = self.generator(noise, training=True)
            real_logits = self.discriminator(images, training=True)
            fake_logits = self.discriminator(fakes, training=True)
            generator_per_example = self.cross_entropy(tf.ones_like(fake_logits), fake_logits)
            discriminator_per_example = self.cross_entropy(
                tf.ones_like(real_logits), real_logits
            ) + self.cross_entropy(tf.zeros_like(fake_logits), fake_logits)
            generator_loss = tf.nn.compute_average_loss(generator_per_example)
            discriminator_loss = tf.nn.compute_average_loss(discriminator_per_example)
        for tape, loss, network, optimizer in [
            (generator_tape, generator_loss, self.generator, self.generator_optimizer),
            (discriminator_tape, discriminator_loss, self.discriminator,
             self.discriminator_optimizer),
        ]:
            gradients = tape.gradient(loss, network.trainable_variables)
            optimizer.apply_gradients(zip(gradients, network.trainable_variables, strict=True))
        generator_mean, discriminator_mean = self.train_metrics
        generator_mean.update_state(generator_per_example)
        discriminator_mean.update_state(discriminator_per_example)
        return generator_loss + discriminator_loss

    def fit(self, *args, **kwargs) -> keras.callbacks.History:
        """`Trainer.fit` with TensorFlow's "remapper" graph rewrite off while the step runs.

        The remapper fuses a convolution with its bias and activation. On this step (the
        discriminator's LeakyReLU differentiated inside the compiled loop) it fails, prints an
        ``E0000 ... remapper failed`` error line and leaves the graph as it was: the losses are
        the same bit for bit with it off, and no error line frightens the reader.
        """
        remapping = tf.config.optimizer.get_experimental_options().get("remapping", True)
        tf.config.optimizer.set_experimental_options({"remapping": False})
        try:
            return super().fit(*args, **kwargs)
        finally:
            tf.config.optimizer.set_experimental_options({"remapping": remapping})

    def _build(self, dataset: tf.data.Dataset) -> None:
        """Create each optimizer's variables for its own network, so a checkpoint can fill them."""
        with self.strategy.scope():
            self.generator_optimizer.build(self.generator.trainable_variables)
            self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    def evaluate(self, data: tf.data.Dataset) -> dict[str, float]:
        """Not defined for a GAN: its losses measure the game, not the images."""
        raise NotImplementedError(
            "a GAN has no validation loss to evaluate: fit without validation_data and measure "
            "the generated images with dlbook.gan_scores (Frechet distance, classifier score)"
        )
