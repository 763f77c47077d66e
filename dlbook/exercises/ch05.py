"""Chapter 5's exercises: the binary cross-entropy of a logit and the text classifier's word
numbers (NumPy), the LeNet training step with the listing's two defects fixed and the DCGAN's
two-tape step (TensorFlow and Keras)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.exercises.core import Case, Exercise, Mistake, case
from dlbook.exercises.i18n import N_, _

import keras
import numpy as np
import tensorflow as tf

# ------------------------------------------------------------------------------------------------
# 5.1 The binary cross-entropy of a logit


def bce_from_logits(labels: np.ndarray, logits: np.ndarray) -> float:
    """The mean of ``-y log sigmoid(z) - (1 - y) log(1 - sigmoid(z))``, computed from ``z`` as
    ``max(z, 0) - z y + log(1 + e^-|z|)``, exact for every ``z``."""
    return float(np.mean(np.maximum(logits, 0) - logits * labels
                         + np.log1p(np.exp(-np.abs(logits)))))


def _bce_cases() -> list[Case]:
    return [
        case(N_("four examples, logits of either sign"), np.array([1.0, 0.0, 1.0, 0.0]),
             np.array([0.5, -1.2, -0.3, 2.0])),
        case(N_("a batch of one, logit 0 (the loss is log 2)"), np.array([1.0]), np.array([0.0])),
        case(N_("confident logits of 50: sigmoid(50) rounds to 1"), np.array([0.0, 1.0, 1.0]),
             np.array([50.0, -50.0, 50.0])),
        case(N_("extreme logits of 1000: e^1000 overflows"), np.array([1.0, 0.0, 0.0, 1.0]),
             np.array([-1000.0, 1000.0, -1000.0, 1000.0])),
    ]


def _bce_through_sigmoid(labels, logits):
    p = 1 / (1 + np.exp(-logits))
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def _bce_clipped(labels, logits):
    p = np.clip(1 / (1 + np.exp(-logits)), 1e-7, 1 - 1e-7)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def _bce_per_example(labels, logits):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def _bce_labels_flipped(labels, logits):
    return bce_from_logits(1 - labels, logits)


def _bce_without_abs(labels, logits):
    return float(np.mean(np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-logits))))


def _bce_unshifted(labels, logits):
    return float(np.mean(logits - logits * labels + np.log1p(np.exp(-logits))))


BCE = Exercise(
    "5.1", "bce_from_logits", bce_from_logits, _bce_cases,
    hint=N_("With p = sigmoid(z), -y log p - (1 - y) log(1 - p) simplifies to z - z y + "
            "log(1 + e^-z); taking max(z, 0) out of the log makes it safe for both signs: "
            "max(z, 0) - z y + log(1 + e^-|z|) (np.log1p). Return the mean over the examples."),
    mistakes=[
        Mistake(N_("the loss of the probability"),
                N_("sigmoid(z) rounds to exactly 1 (or 0) for large |z|, and log(1 - 1) = "
                   "-inf: compute the loss from the logit, never from the probability."),
                _bce_through_sigmoid),
        Mistake(N_("the probability clipped, as Keras does"),
                N_("clipping p into [1e-7, 1 - 1e-7] keeps the log finite but caps the loss "
                   "near 16 whatever the logit (mlp_binary.py shows Keras doing it); the form "
                   "in the logit is exact."), _bce_clipped),
        Mistake(N_("one loss per example"),
                N_("return the mean over the batch, one number."), _bce_per_example),
        Mistake(N_("the labels swapped"),
                N_("y = 1 goes with log sigmoid(z), the probability of class 1; y = 0 with "
                   "log(1 - sigmoid(z))."), _bce_labels_flipped),
        Mistake(N_("log(1 + e^-z) without the absolute value"),
                N_("after taking max(z, 0) out, what is left is log(1 + e^-|z|): for z < 0, "
                   "log(1 + e^-z) is not the same."), _bce_without_abs),
        Mistake(N_("z - z y + log(1 + e^-z)"),
                N_("that form is right, but e^-z overflows for z = -1000: write it as max(z, "
                   "0) - z y + log(1 + e^-|z|)."), _bce_unshifted),
    ],
)

# ------------------------------------------------------------------------------------------------
# 5.2 From words to the numbers an embedding reads


def word_numbers(words: list[str], vocabulary: list[str], length: int) -> np.ndarray:
    """Each word's position in ``vocabulary`` (lower-cased; 1, ``"[UNK]"``, for a word not in
    it), cut to the first ``length`` words or padded with 0 at the end, as ``TextVectorization``
    does."""
    number_of = {word: number for number, word in enumerate(vocabulary)}
    numbers = [number_of.get(word.lower(), 1) for word in words[:length]]
    return np.array(numbers + [0] * (length - len(numbers)), dtype=np.int64)


VOCABULARY = ["", "[UNK]", "the", "film", "was", "good", "not", "dull"]


def _word_cases() -> list[Case]:
    return [
        case(N_("a short text, padded"), ["the", "film", "was", "good"], VOCABULARY, 6),
        case(N_("a word not in the vocabulary"), ["the", "plot", "was", "dull"], VOCABULARY, 5),
        case(N_("capital letters"), ["The", "Film", "was", "NOT", "good"], VOCABULARY, 5),
        case(N_("a long text, cut"), ["the", "film", "was", "not", "good", "the", "plot", "was"],
             VOCABULARY, 4),
        case(N_("an empty text"), [], VOCABULARY, 3),
        case(N_("exactly the length"), ["good", "film"], VOCABULARY, 2),
    ]


def _words_with(words, vocabulary, length, *, front=False, last=False, unknown=1, lower=True,
                skip_unknown=False, start=0):
    number_of = {word: number for number, word in enumerate(vocabulary, start=start)}
    words = [word.lower() if lower else word for word in words]
    if skip_unknown:
        words = [word for word in words if word in number_of]
    kept = words[-length:] if last and len(words) > length else words[:length]
    numbers = [number_of.get(word, unknown) for word in kept]
    padding = [0] * (length - len(numbers))
    return np.array(padding + numbers if front else numbers + padding, dtype=np.int64)


WORD_NUMBERS = Exercise(
    "5.2", "word_numbers", word_numbers, _word_cases,
    hint=N_("A word's number is its position in the vocabulary list (vocabulary.index, or a "
            "dict built once), after lower-casing; any other word is 1. Keep the first length "
            "words, then add 0s at the end up to length."),
    mistakes=[
        Mistake(N_("padding in front"),
                N_("TextVectorization pads at the end (keras.utils.pad_sequences, by default, "
                   "in front): the text's first word stays first."),
                partial(_words_with, front=True)),
        Mistake(N_("the last words kept"),
                N_("a long text is cut at the end: keep its first length words."),
                partial(_words_with, last=True)),
        Mistake(N_("unknown words as padding"),
                N_("0 is the padding, which a masked LSTM skips; an unknown word is still a "
                   "word, number 1 ('[UNK]')."), partial(_words_with, unknown=0)),
        Mistake(N_("capitals not lower-cased"),
                N_("TextVectorization lower-cases before looking a word up: 'The' is 'the'."),
                partial(_words_with, lower=False)),
        Mistake(N_("unknown words left out"),
                N_("an unknown word keeps its place in the text, as number 1: dropping it "
                   "shifts the words after it."), partial(_words_with, skip_unknown=True)),
        Mistake(N_("numbers counted from 1"),
                N_("a word's number is its index in the vocabulary list, which starts at 0 "
                   "(the padding, '')."), partial(_words_with, start=1)),
    ],
    rtol=0.0, atol=0.0,
)

# ------------------------------------------------------------------------------------------------
# 5.3 The LeNet training step, both defects fixed


def train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer,
               accuracy: keras.metrics.Metric, images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    """One step of gradient descent on the batch mean of the cross-entropy of the model's logits;
    the accuracy metric is fed the logits. Returns the mean loss."""
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    accuracy.update_state(labels, logits)
    return loss


def _classifier(rng: np.random.Generator) -> keras.Model:
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    model.set_weights([rng.normal(scale=0.5, size=(16, 3)), rng.normal(scale=0.1, size=3)])
    return model


def _step_case(label: str, seed: int, batch: int, one_class: bool = False) -> Case:
    def make() -> tuple:
        rng = np.random.default_rng(seed)
        model = _classifier(rng)
        images = rng.normal(size=(batch, 4, 4, 1)).astype(np.float32)
        labels = np.zeros(batch, np.int64) if one_class else rng.integers(0, 3, size=batch)
        return (model, keras.optimizers.SGD(0.5), keras.metrics.SparseCategoricalAccuracy(),
                tf.constant(images), tf.constant(labels))

    return Case(label, make)


def _step_cases() -> list[Case]:
    return [
        _step_case(N_("a batch of 8 images, 3 classes"), 53, 8),
        _step_case(N_("a batch of one"), 54, 1),
        _step_case(N_("an odd batch of 5, every label 0"), 55, 5, one_class=True),
    ]


def _observe_step(function: Callable, args: tuple) -> dict:
    model, _optimizer, accuracy, _images, _labels = args
    loss = function(*args)
    kernel, bias = model.get_weights()
    return {"loss": loss, "kernel": kernel, "bias": bias, "accuracy": accuracy.result()}


def _step_with(model, optimizer, accuracy, images, labels, *, reduction="sum_over_batch_size",
               from_logits=True, argmax=False):
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits,
                                                         reduction=reduction)
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    accuracy.update_state(labels, tf.argmax(logits, axis=1) if argmax else logits)
    return loss


def _step_no_update(model, optimizer, accuracy, images, labels):
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    logits = model(images, training=True)
    accuracy.update_state(labels, logits)
    return loss_fn(labels, logits)


TRAIN_STEP = Exercise(
    "5.3", "train_step", train_step, _step_cases,
    hint=N_("Under a tf.GradientTape, run model(images, training=True) to get logits and take "
            "the loss SparseCategoricalCrossentropy(from_logits=True), which averages over the "
            "batch. Then tape.gradient(loss, model.trainable_variables), "
            "optimizer.apply_gradients(zip(gradients, variables)), accuracy.update_state(labels, "
            "logits), and return the loss."),
    mistakes=[
        Mistake(N_("the listing's loss, never reduced"),
                N_("a loss with reduction=None is one number per example, and tape.gradient "
                   "of a vector is the gradient of its sum: every step is batch-size times too "
                   "long. Use the batch mean (Keras's default reduction)."),
                partial(_step_with, reduction=None)),
        Mistake(N_("logits taken for probabilities"),
                N_("the model returns logits: the loss needs from_logits=True, or it treats "
                   "them as probabilities."), partial(_step_with, from_logits=False)),
        Mistake(N_("the listing's accuracy of the arg-max"),
                N_("SparseCategoricalAccuracy takes one score per class and finds the arg-max "
                   "itself: feed it the logits, not tf.argmax of them (lenet.py shows what the "
                   "arg-max gives)."), partial(_step_with, argmax=True)),
        Mistake(N_("the forward pass outside the tape"),
                N_("the tape records only what runs inside its `with` block: call the model "
                   "there, or tape.gradient has nothing to differentiate (every gradient is "
                   "None)."), raises="No gradients provided"),
        Mistake(N_("no update"),
                N_("a training step applies the gradients: tape.gradient, then "
                   "optimizer.apply_gradients(zip(gradients, model.trainable_variables))."),
                _step_no_update),
    ],
    observe=_observe_step, rtol=1e-5, atol=1e-6,
)

# ------------------------------------------------------------------------------------------------
# 5.4 The DCGAN's step: two networks, two tapes, two optimizers


def gan_step(generator: keras.Model, discriminator: keras.Model,
             generator_optimizer: keras.optimizers.Optimizer,
             discriminator_optimizer: keras.optimizers.Optimizer, images: tf.Tensor,
             noise: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """One step of each network on the same forward pass: D learns real -> 1, fake -> 0; G learns
    to make D say 1. Returns ``(generator_loss, discriminator_loss)``."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
        fakes = generator(noise, training=True)
        real_logits = discriminator(images, training=True)
        fake_logits = discriminator(fakes, training=True)
        generator_loss = bce(tf.ones_like(fake_logits), fake_logits)
        discriminator_loss = (bce(tf.ones_like(real_logits), real_logits)
                              + bce(tf.zeros_like(fake_logits), fake_logits))
    for tape, loss, network, optimizer in [
        (generator_tape, generator_loss, generator, generator_optimizer),
        (discriminator_tape, discriminator_loss, discriminator, discriminator_optimizer),
    ]:
        gradients = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(gradients, network.trainable_variables, strict=True))
    return generator_loss, discriminator_loss


def _dense_network(rng: np.random.Generator, inputs: int, units: int,
                   activation: str | None) -> keras.Model:
    network = keras.Sequential([keras.Input((inputs,)),
                                keras.layers.Dense(units, activation=activation)])
    network.set_weights([rng.normal(scale=0.8, size=(inputs, units)),
                         rng.normal(scale=0.2, size=units)])
    return network


def _gan_case(label: str, seed: int, batch: int) -> Case:
    def make() -> tuple:
        rng = np.random.default_rng(seed)
        generator = _dense_network(rng, 2, 4, "tanh")
        discriminator = _dense_network(rng, 4, 1, None)
        images = np.tanh(rng.normal(loc=0.5, size=(batch, 4))).astype(np.float32)
        noise = rng.normal(size=(batch, 2)).astype(np.float32)
        return (generator, discriminator, keras.optimizers.SGD(0.2), keras.optimizers.SGD(0.2),
                tf.constant(images), tf.constant(noise))

    return Case(label, make)


def _gan_cases() -> list[Case]:
    return [
        _gan_case(N_("4 real images of 4 pixels, noise of 2 numbers"), 57, 4),
        _gan_case(N_("a batch of one"), 58, 1),
        _gan_case(N_("a batch of 3"), 59, 3),
    ]


def _observe_gan(function: Callable, args: tuple) -> dict:
    generator, discriminator = args[:2]
    losses = function(*args)
    if not isinstance(losses, tuple | list) or len(losses) != 2:
        raise TypeError(_("gan_step should return the pair (generator_loss, "
                          "discriminator_loss); it returned {got!r}").format(got=losses))
    return {N_("generator loss"): losses[0], N_("discriminator loss"): losses[1],
            N_("generator weights"): generator.get_weights(),
            N_("discriminator weights"): discriminator.get_weights()}


def _gan_with(generator, discriminator, generator_optimizer, discriminator_optimizer, images,
              noise, *, fool_target=1.0, real_target=1.0, from_logits=True, one_tape=False):
    bce = keras.losses.BinaryCrossentropy(from_logits=from_logits)
    with tf.GradientTape(persistent=True) as tape:
        fakes = generator(noise, training=True)
        real_logits = discriminator(images, training=True)
        fake_logits = discriminator(fakes, training=True)
        generator_loss = bce(fool_target * tf.ones_like(fake_logits), fake_logits)
        discriminator_loss = (bce(real_target * tf.ones_like(real_logits), real_logits)
                              + bce((1 - real_target) * tf.ones_like(fake_logits), fake_logits))
        both = generator_loss + discriminator_loss
    for loss, network, optimizer in [
        (generator_loss, generator, generator_optimizer),
        (discriminator_loss, discriminator, discriminator_optimizer),
    ]:
        gradients = tape.gradient(both if one_tape else loss, network.trainable_variables)
        optimizer.apply_gradients(zip(gradients, network.trainable_variables, strict=True))
    return generator_loss, discriminator_loss


GAN_STEP = Exercise(
    "5.4", "gan_step", gan_step, _gan_cases,
    hint=N_("Open two tapes together (with tf.GradientTape() as g_tape, tf.GradientTape() as "
            "d_tape:), generate the fakes and run the discriminator on the real images and on "
            "the fakes inside them; J_G = BCE(1, D(G(z))), J_D = BCE(1, D(x)) + BCE(0, D(G(z))), "
            "from logits. Then each network's gradients from its own tape and its own loss, "
            "applied by its own optimizer."),
    mistakes=[
        Mistake(N_("one optimizer for both networks"),
                N_("each network needs its own optimizer: a Keras optimizer builds its state "
                   "for the variables it first updates and refuses any others (in Keras 2 it "
                   "silently counted two steps per step)."), raises="Unknown variable"),
        Mistake(N_("the generator trained towards 'fake'"),
                N_("the generator wants the discriminator to call its images real: its target "
                   "for D(G(z)) is 1."), partial(_gan_with, fool_target=0.0)),
        Mistake(N_("the discriminator's targets swapped"),
                N_("the discriminator learns real -> 1 and fake -> 0."),
                partial(_gan_with, real_target=0.0)),
        Mistake(N_("logits taken for probabilities"),
                N_("the discriminator returns a logit: BinaryCrossentropy(from_logits=True)."),
                partial(_gan_with, from_logits=False)),
        Mistake(N_("one objective for both networks"),
                N_("each network descends its own loss: the generator's gradients come from "
                   "J_G only, the discriminator's from J_D only (their sum pulls the generator "
                   "towards helping the discriminator)."), partial(_gan_with, one_tape=True)),
        Mistake(N_("the fakes made outside the tapes"),
                N_("generate the fakes inside the tapes: the generator's gradient flows back "
                   "through D(G(z)), and a tape sees only what runs in its block."),
                raises="No gradients provided"),
    ],
    observe=_observe_gan, rtol=1e-5, atol=1e-6,
)

EXERCISES = [BCE, WORD_NUMBERS, TRAIN_STEP, GAN_STEP]
