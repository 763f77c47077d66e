"""The other way to own the training step: override ``train_step`` and keep ``model.fit``.

`Trainer` writes the epoch loop by hand. Keras 3 also lets a ``keras.Model`` subclass replace just
the step, so ``fit()``, its callbacks (EarlyStopping, TensorBoard, ModelCheckpoint...) and
``evaluate()`` keep working around a hand-written ``tf.GradientTape`` step (the keras-io guide
"Customizing what happens in fit()"). Chapter 5's ``lenet_fit.py`` trains LeNet this way,
``lenet.py`` with the loop by hand.
"""

from __future__ import annotations

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

import keras
import tensorflow as tf


class TapeStepModel(keras.Model):
    """Wrap ``network`` so that ``fit()`` runs the GradientTape step below.

    Compile it as usual, e.g. ``compile(optimizer, loss=SparseCategoricalCrossentropy(
    from_logits=True), metrics=["accuracy"])``; ``clip_norm`` clips gradients by global norm.
    """

    def __init__(self, network: keras.Model, clip_norm: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.network = network
        self.clip_norm = clip_norm

    def call(self, inputs, training=False):
        return self.network(inputs, training=training)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            logits = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=logits)
        gradients = tape.gradient(loss, self.trainable_variables)
        if self.clip_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self.clip_norm)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, logits)
        return {metric.name: metric.result() for metric in self.metrics}
