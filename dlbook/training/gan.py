"""Training a GAN (section 2): two networks, two losses, two GradientTapes in one step.

The discriminator D learns to tell real images from generated ones; the generator G learns to make
D call its images real. With binary cross-entropy on D's logits:

    discriminator loss = BCE(1, D(x)) + BCE(0, D(G(z)))      real -> 1, fake -> 0
    generator loss     = BCE(1, D(G(z)))                     fool D: fake -> 1

`GAN` is a ``keras.Model`` that holds both networks and overrides ``train_step``, as keras-io's
DCGAN example does ("GAN overriding Model.train_step"): ``model.fit`` runs the step, with any
callbacks, the exact resume of `dlbook.training.resumable_run` among them. Images must be scaled to
[-1, 1], the range of the generator's tanh (`dlbook.data.to_tanh_range`).
"""

from __future__ import annotations

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

import keras
import tensorflow as tf


class GAN(keras.Model):
    """A generator and a discriminator trained against each other by ``fit``; calling the model
    generates images from noise.

    ``compile(generator_optimizer=..., discriminator_optimizer=...)`` gives each network its own
    optimizer; ``fit`` takes batches ``(images in [-1, 1], labels)`` (the labels are ignored) and
    its history holds ``generator_loss`` and ``discriminator_loss``. The noise comes from a
    seeded generator that the model holds, so a checkpoint of the model holds where it is. Under
    a ``tf.distribute`` strategy, create and compile the model in its scope.
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
