"""Chapter 3's exercises: the reference solutions against tf.GradientTape, Keras's initializers,
tf.clip_by_global_norm and the Trainer's early stopping, and wrong answers written as a learner
would write them, each failing with the hint of its mistake."""

from dlbook.exercises import ch03
from dlbook.training.early_stopping import EarlyStopping

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_checks import wrong_answer_tests

RNG = np.random.default_rng(3)


def test_the_update_by_hand_is_the_tapes():
    params = {"W1": RNG.normal(size=(5, 4)), "b1": RNG.normal(size=4),
              "W2": RNG.normal(size=(4, 3)), "b2": RNG.normal(size=3)}
    x, labels = RNG.normal(size=(7, 5)), RNG.integers(0, 3, size=7)
    ours = ch03.gradient_descent_update(params, x, labels, 0.3)
    weights = {name: tf.Variable(value) for name, value in params.items()}
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(x @ weights["W1"] + weights["b1"])
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels, hidden @ weights["W2"] + weights["b2"]))
    gradients = tape.gradient(loss, weights)
    assert ours["loss"] == pytest.approx(float(loss), rel=1e-12)
    for name, value in params.items():
        np.testing.assert_allclose(ours[name], value - 0.3 * gradients[name].numpy(), rtol=1e-10)


@pytest.mark.parametrize(("scheme", "initializer"), [
    ("he_normal", keras.initializers.HeNormal(seed=1)),
    ("glorot_normal", keras.initializers.GlorotNormal(seed=1)),
    ("he_uniform", keras.initializers.HeUniform(seed=1)),
    ("glorot_uniform", keras.initializers.GlorotUniform(seed=1)),
])
def test_the_scales_are_keras_initializers(scheme, initializer):
    weights = initializer((400, 300)).numpy()
    scale = ch03.init_scale(scheme, 400, 300)
    if scheme.endswith("uniform"):
        assert np.abs(weights).max() == pytest.approx(scale, rel=1e-3)
    else:
        assert weights.std() == pytest.approx(scale, rel=0.02)


def test_clipping_is_tf_clip_by_global_norm():
    for scale in (0.01, 10.0):
        gradients = [scale * RNG.normal(size=(3, 4)), scale * RNG.normal(size=5)]
        ours, norm = ch03.clip_by_global_norm(gradients, 1.0)
        theirs, tf_norm = tf.clip_by_global_norm(gradients, 1.0)
        assert norm == pytest.approx(float(tf_norm), rel=1e-12)
        for mine, their in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(mine, their, rtol=1e-10)


@pytest.mark.parametrize("losses", [[1.0, 0.8, 0.9, 0.95, 0.7], [0.9, 0.8, 0.7],
                                    [1.0, 0.8, 0.8, 0.8, 0.5], [0.5, 0.6, 0.4]])
@pytest.mark.parametrize("patience", [1, 2, 3])
def test_early_stopping_is_the_trainers(losses, patience):
    watch = EarlyStopping("val_loss", patience)
    stop = len(losses)
    for epoch in range(1, len(losses) + 1):
        watch.update({"val_loss": losses[:epoch]})
        if watch.should_stop:
            stop = epoch
            break
    assert ch03.early_stopping(losses, patience) == (stop, watch.best_epoch)


def test_inverted_dropout_keeps_the_mean():
    x = RNG.normal(size=200_000)
    out = ch03.inverted_dropout(x, 0.3, RNG.random(x.shape))
    assert np.mean(out == 0) == pytest.approx(0.3, abs=0.01)
    assert np.mean(out * x) == pytest.approx(np.mean(x * x), rel=0.02)


# Wrong answers, as a learner would write them -------------------------------------------------


def _forward(params, x, labels):
    a = x @ params["W1"] + params["b1"]
    h = np.where(a > 0, a, 0.0)
    z = h @ params["W2"] + params["b2"]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(len(labels)), labels] = 1
    return a, h, p, onehot


def update_summed_gradient(params, x, labels, rate):
    a, h, p, onehot = _forward(params, x, labels)
    loss = -np.mean(np.log(np.sum(p * onehot, axis=1)))
    dz = p - onehot
    da = dz @ params["W2"].T * (a > 0)
    grads = {"W1": x.T @ da, "b1": da.sum(0), "W2": h.T @ dz, "b2": dz.sum(0)}
    return {"loss": loss, **{k: params[k] - rate * g for k, g in grads.items()}}


def update_through_relu_unchanged(params, x, labels, rate):
    a, h, p, onehot = _forward(params, x, labels)
    loss = -np.mean(np.log(np.sum(p * onehot, axis=1)))
    dz = (p - onehot) / len(x)
    da = dz @ params["W2"].T
    grads = {"W1": x.T @ da, "b1": da.sum(0), "W2": h.T @ dz, "b2": dz.sum(0)}
    return {"loss": loss, **{k: params[k] - rate * g for k, g in grads.items()}}


def update_in_place_order(params, x, labels, rate):
    a, h, p, onehot = _forward(params, x, labels)
    loss = -np.mean(np.log(np.sum(p * onehot, axis=1)))
    dz = (p - onehot) / len(x)
    W2 = params["W2"] - rate * h.T @ dz
    b2 = params["b2"] - rate * dz.sum(0)
    da = dz @ W2.T * (a > 0)
    return {"loss": loss, "W1": params["W1"] - rate * x.T @ da,
            "b1": params["b1"] - rate * da.sum(0), "W2": W2, "b2": b2}


def update_uphill(params, x, labels, rate):
    a, h, p, onehot = _forward(params, x, labels)
    loss = -np.mean(np.log(np.sum(p * onehot, axis=1)))
    dz = (p - onehot) / len(x)
    da = dz @ params["W2"].T * (a > 0)
    grads = {"W1": x.T @ da, "b1": da.sum(0), "W2": h.T @ dz, "b2": dz.sum(0)}
    return {"loss": loss, **{k: params[k] + rate * g for k, g in grads.items()}}


def scale_variance(scheme, fan_in, fan_out):
    variance = 2 / fan_in if scheme.startswith("he") else 2 / (fan_in + fan_out)
    return variance if scheme.endswith("normal") else 3 * variance  # the square root forgotten


def scale_fan_out(scheme, fan_in, fan_out):
    n = fan_out if scheme.startswith("he") else (fan_in + fan_out) / 2
    std = np.sqrt(2 / n) if scheme.startswith("he") else np.sqrt(1 / n)
    return std if scheme.endswith("normal") else np.sqrt(3) * std


def scale_uniform_like_normal(scheme, fan_in, fan_out):
    n = fan_in if scheme.startswith("he") else (fan_in + fan_out) / 2
    return np.sqrt(2 / n) if scheme.startswith("he") else np.sqrt(1 / n)


def scale_lecun(scheme, fan_in, fan_out):
    std = np.sqrt(1 / fan_in) if scheme.startswith("he") else np.sqrt(2 / (fan_in + fan_out))
    return std if scheme.endswith("normal") else np.sqrt(3) * std


def clip_each_tensor(gradients, clip_norm):
    norm = np.sqrt(sum((g**2).sum() for g in gradients))
    clipped = []
    for g in gradients:
        n = np.sqrt((g**2).sum())
        clipped.append(g * clip_norm / n if n > clip_norm else g)
    return clipped, norm


def clip_entries(gradients, clip_norm):
    norm = np.sqrt(sum((g**2).sum() for g in gradients))
    return [np.minimum(np.maximum(g, -clip_norm), clip_norm) for g in gradients], norm


def clip_always(gradients, clip_norm):
    norm = np.sqrt(sum((g**2).sum() for g in gradients))
    return [g / norm * clip_norm for g in gradients], norm


def clip_by_sum_of_norms(gradients, clip_norm):
    norm = sum(np.linalg.norm(g) for g in gradients)
    factor = min(1.0, clip_norm / norm) if norm > 0 else 1.0
    return [g * factor for g in gradients], norm


def stopping_counts_one_more(val_losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, 1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited > patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def stopping_returns_the_stop(val_losses, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_losses, 1):
        if loss < best:
            best, best_epoch = loss, epoch
        if epoch - best_epoch >= patience:
            return epoch, epoch
    return len(val_losses), len(val_losses)


def stopping_ties_improve(val_losses, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_losses, 1):
        if loss <= best:
            best, best_epoch = loss, epoch
        if epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses), best_epoch


def dropout_plain(x, rate, u):
    return x * (u >= rate)


def dropout_over_rate(x, rate, u):
    mask = u >= rate
    return x * mask / rate


def dropout_times_keep(x, rate, u):
    mask = (u >= rate).astype(float)
    return x * mask * (1 - rate)


def dropout_keeps_below(x, rate, u):
    mask = (u < rate).astype(float)
    return x * mask / (1 - rate)


WRONG = {
    "3.1": [(update_summed_gradient, "the gradient of the sum"),
            (update_through_relu_unchanged, "the ReLU's derivative forgotten"),
            (update_in_place_order, "W2 updated before it was used"),
            (update_uphill, "a step up the gradient")],
    "3.2": [(scale_variance, "the variance, not the standard deviation"),
            (scale_fan_out, "He with the fan-out"),
            (scale_uniform_like_normal, "the standard deviation as the uniform's limit"),
            (scale_lecun, "1 / fan_in for He")],
    "3.3": [(clip_each_tensor, "each tensor clipped on its own"),
            (clip_entries, "clipped by value"),
            (clip_always, "always rescaled"),
            (clip_by_sum_of_norms, "the sum of the norms")],
    "3.4": [(stopping_counts_one_more, "one epoch too many"),
            (stopping_returns_the_stop, "the last epoch's weights"),
            (stopping_ties_improve, "a tie counted as an improvement")],
    "3.5": [(dropout_plain, "the survivors not scaled"),
            (dropout_over_rate, "divided by the rate"),
            (dropout_times_keep, "multiplied by 1 - rate"),
            (dropout_keeps_below, "the wrong entries dropped")],
}


(test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
 test_every_exercise_has_three_wrong_answers_with_their_own_hints) = wrong_answer_tests(WRONG, "3")
