"""Chapter 5's exercises: the reference solutions against Keras's losses, TextVectorization and a
separate tape, and wrong answers written as a learner would write them, each failing with the
hint of its mistake (two of them by the error they raise)."""

from dlbook.exercises import ch05

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_checks import wrong_answer_tests

RNG = np.random.default_rng(5)


def test_the_binary_cross_entropy_is_keras_from_logits():
    labels = RNG.integers(0, 2, size=9).astype(float)
    logits = RNG.normal(scale=30, size=9)
    keras_loss = keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64")
    assert ch05.bce_from_logits(labels, logits) == pytest.approx(
        float(keras_loss(labels[:, None], logits[:, None])), rel=1e-12)


@pytest.mark.parametrize(("text", "length"), [("The film was not good at all", 4),
                                              ("a dull film", 6), ("", 3)])
def test_the_word_numbers_are_text_vectorizations(text, length):
    layer = keras.layers.TextVectorization(vocabulary=ch05.VOCABULARY[2:], standardize="lower",
                                           output_sequence_length=length)
    assert layer.get_vocabulary() == ch05.VOCABULARY
    np.testing.assert_array_equal(ch05.word_numbers(text.split(), ch05.VOCABULARY, length),
                                  layer([text])[0])


def test_the_training_step_descends_the_batch_mean():
    model, optimizer, accuracy, images, labels = ch05._step_case("", 1, 6).make()
    before = [weight.numpy() for weight in model.trainable_variables]
    with tf.GradientTape() as tape:
        logits = model(images)
        mean = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    gradients = tape.gradient(mean, model.trainable_variables)
    loss = ch05.train_step(model, optimizer, accuracy, images, labels)
    assert float(loss) == pytest.approx(float(mean), rel=1e-6)
    for weight, old, gradient in zip(model.trainable_variables, before, gradients, strict=True):
        np.testing.assert_allclose(weight.numpy(), old - 0.5 * gradient.numpy(), atol=1e-6)
    right = np.mean(np.argmax(logits.numpy(), axis=1) == labels.numpy())
    assert float(accuracy.result()) == pytest.approx(right)


def test_the_gan_step_descends_each_networks_own_loss():
    generator, discriminator, g_opt, d_opt, images, noise = ch05._gan_case("", 1, 5).make()
    g_before, d_before = generator.get_weights(), discriminator.get_weights()
    with tf.GradientTape(persistent=True) as tape:
        real, fake = discriminator(images), discriminator(generator(noise))
        g_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(fake), fake))
        d_loss = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(real), real)) + tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(fake), fake))
    g_grads = tape.gradient(g_loss, generator.trainable_variables)
    d_grads = tape.gradient(d_loss, discriminator.trainable_variables)
    losses = ch05.gan_step(generator, discriminator, g_opt, d_opt, images, noise)
    assert [float(v) for v in losses] == pytest.approx([float(g_loss), float(d_loss)], rel=1e-5)
    for network, before, gradients in [(generator, g_before, g_grads),
                                       (discriminator, d_before, d_grads)]:
        for weight, old, gradient in zip(network.get_weights(), before, gradients, strict=True):
            np.testing.assert_allclose(weight, old - 0.2 * gradient.numpy(), atol=1e-6)


# Wrong answers, as a learner would write them -------------------------------------------------


def bce_of_probabilities(labels, logits):
    p = 1 / (1 + np.exp(-logits))
    return -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))


def bce_like_keras(labels, logits):
    p = np.clip(1 / (1 + np.exp(-logits)), 1e-7, 1 - 1e-7)
    return -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))


def bce_per_example(labels, logits):
    return np.maximum(logits, 0) - logits * labels + np.log(1 + np.exp(-np.abs(logits)))


def bce_textbook_rewrite(labels, logits):
    return np.mean(logits - logits * labels + np.log(1 + np.exp(-logits)))


def words_pre_padded(words, vocabulary, length):
    numbers = [vocabulary.index(w.lower()) if w.lower() in vocabulary else 1 for w in words]
    numbers = numbers[:length]
    return np.array([0] * (length - len(numbers)) + numbers)


def words_unknown_zero(words, vocabulary, length):
    numbers = [vocabulary.index(w.lower()) if w.lower() in vocabulary else 0 for w in words]
    return np.array((numbers + [0] * length)[:length])


def words_as_written(words, vocabulary, length):
    numbers = [vocabulary.index(w) if w in vocabulary else 1 for w in words][:length]
    return np.array(numbers + [0] * (length - len(numbers)))


def words_tail(words, vocabulary, length):
    numbers = [vocabulary.index(w.lower()) if w.lower() in vocabulary else 1 for w in words]
    numbers = numbers[-length:] if numbers else []
    return np.array(numbers + [0] * (length - len(numbers)))


def step_listing_loss(model, optimizer, accuracy, images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = keras.losses.sparse_categorical_crossentropy(labels, predictions, from_logits=True)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    accuracy.update_state(labels, predictions)
    return loss


def step_default_loss(model, optimizer, accuracy, images, labels):
    loss_object = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    accuracy.update_state(labels, predictions)
    return loss


def step_listing_accuracy(model, optimizer, accuracy, images, labels):
    loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    accuracy.update_state(labels, tf.argmax(predictions, axis=1))
    return loss


def step_forward_outside(model, optimizer, accuracy, images, labels):
    loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    predictions = model(images, training=True)
    with tf.GradientTape() as tape:
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    accuracy.update_state(labels, predictions)
    return loss


CROSS_ENTROPY = keras.losses.BinaryCrossentropy(from_logits=True)


def gan_losses(real_output, fake_output, fool=1.0):
    """A learner's two losses (``fool``: the generator's target for its fakes)."""
    gen_loss = CROSS_ENTROPY(fool * tf.ones_like(fake_output), fake_output)
    disc_loss = (CROSS_ENTROPY(tf.ones_like(real_output), real_output)
                 + CROSS_ENTROPY(tf.zeros_like(fake_output), fake_output))
    return gen_loss, disc_loss


def gan_shared_optimizer(generator, discriminator, g_opt, d_opt, images, noise):
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake_output = discriminator(generator(noise, training=True), training=True)
        gen_loss, disc_loss = gan_losses(discriminator(images, training=True), fake_output)
    for tape, loss, network in [(gen_tape, gen_loss, generator),
                                (disc_tape, disc_loss, discriminator)]:
        grads = tape.gradient(loss, network.trainable_variables)
        g_opt.apply_gradients(zip(grads, network.trainable_variables, strict=True))
    return gen_loss, disc_loss


def gan_generator_says_fake(generator, discriminator, g_opt, d_opt, images, noise):
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake_output = discriminator(generator(noise, training=True), training=True)
        gen_loss, disc_loss = gan_losses(discriminator(images, training=True), fake_output, 0.0)
    g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, generator.trainable_variables),
                              generator.trainable_variables, strict=True))
    d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables),
                              discriminator.trainable_variables, strict=True))
    return gen_loss, disc_loss


def gan_one_tape(generator, discriminator, g_opt, d_opt, images, noise):
    g_vars, d_vars = generator.trainable_variables, discriminator.trainable_variables
    with tf.GradientTape() as tape:
        fake_output = discriminator(generator(noise, training=True), training=True)
        gen_loss, disc_loss = gan_losses(discriminator(images, training=True), fake_output)
        total = gen_loss + disc_loss
    grads = tape.gradient(total, g_vars + d_vars)
    g_opt.apply_gradients(zip(grads[:len(g_vars)], g_vars, strict=True))
    d_opt.apply_gradients(zip(grads[len(g_vars):], d_vars, strict=True))
    return gen_loss, disc_loss


def gan_fakes_outside(generator, discriminator, g_opt, d_opt, images, noise):
    generated = generator(noise, training=True)
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake_output = discriminator(generated, training=True)
        gen_loss, disc_loss = gan_losses(discriminator(images, training=True), fake_output)
    g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, generator.trainable_variables),
                              generator.trainable_variables, strict=True))
    d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables),
                              discriminator.trainable_variables, strict=True))
    return gen_loss, disc_loss


WRONG = {
    "5.1": [(bce_of_probabilities, "the loss of the probability"),
            (bce_like_keras, "the probability clipped, as Keras does"),
            (bce_per_example, "one loss per example"),
            (bce_textbook_rewrite, "z - z y + log(1 + e^-z)")],
    "5.2": [(words_pre_padded, "padding in front"),
            (words_unknown_zero, "unknown words as padding"),
            (words_as_written, "capitals not lower-cased"),
            (words_tail, "the last words kept")],
    "5.3": [(step_listing_loss, "the listing's loss, never reduced"),
            (step_default_loss, "logits taken for probabilities"),
            (step_listing_accuracy, "the listing's accuracy of the arg-max"),
            (step_forward_outside, "the forward pass outside the tape")],
    "5.4": [(gan_shared_optimizer, "one optimizer for both networks"),
            (gan_generator_says_fake, "the generator trained towards 'fake'"),
            (gan_one_tape, "one objective for both networks"),
            (gan_fakes_outside, "the fakes made outside the tapes")],
}


(test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
 test_every_exercise_has_three_wrong_answers_with_their_own_hints) = wrong_answer_tests(WRONG, "5")
