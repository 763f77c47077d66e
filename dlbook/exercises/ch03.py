"""Chapter 3's exercises: one gradient-descent update by hand, the initialization scales, gradient
clipping by the global norm, early stopping and inverted dropout. NumPy only."""

from __future__ import annotations

from functools import partial

from dlbook.exercises.core import Case, Exercise, Mistake, case
from dlbook.exercises.i18n import N_

import numpy as np

# ------------------------------------------------------------------------------------------------
# 3.1 One update of gradient descent, the six steps by hand


def gradient_descent_update(params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                            rate: float) -> dict[str, np.ndarray]:
    """Steps 2 to 5 of section 3 on one batch for ``x @ W1 + b1 -> ReLU -> @ W2 + b2``: the mean
    cross-entropy before the update, and the four weights after it."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a = x @ W1 + b1
    h = np.maximum(a, 0)
    z = h @ W2 + b2
    shifted = z - z.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    batch = len(labels)
    loss = -np.log(p[np.arange(batch), labels]).mean()
    dz = p.copy()
    dz[np.arange(batch), labels] -= 1
    dz /= batch
    da = (dz @ W2.T) * (a > 0)
    gradients = {"W1": x.T @ da, "b1": da.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}
    return {"loss": loss, **{name: params[name] - rate * gradients[name] for name in gradients}}


def _update_case(label: str, rng: np.random.Generator, batch: int, rate: float = 0.5,
                 dead_unit: bool = False) -> Case:
    params = {"W1": rng.normal(scale=0.5, size=(4, 3)), "b1": rng.normal(scale=0.1, size=3),
              "W2": rng.normal(scale=0.5, size=(3, 3)), "b2": rng.normal(scale=0.1, size=3)}
    if dead_unit:
        params["b1"][1] = -100.0  # hidden unit 1 is off for every example
    return case(label, params, rng.normal(size=(batch, 4)), rng.integers(0, 3, size=batch),
                rate)


def _update_cases() -> list[Case]:
    rng = np.random.default_rng(31)
    return [
        _update_case(N_("a batch of 5 (odd), 4 inputs, 3 hidden units, 3 classes"), rng, 5),
        _update_case(N_("a batch of one"), rng, 1),
        _update_case(N_("a hidden unit that is off for every example"), rng, 6, dead_unit=True),
        _update_case(N_("rate 0: the weights do not move"), rng, 3, rate=0.0),
    ]


def _update_with(params, x, labels, rate, *, per_batch=True, relu_mask=True, db_mean=False,
                 sign=1.0, loss_sum=False, updated_W2=False):
    reference = gradient_descent_update(params, x, labels, rate)
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a = x @ W1 + b1
    h = np.maximum(a, 0)
    z = h @ W2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    batch = len(labels)
    dz = (p - np.eye(p.shape[1])[labels]) / (batch if per_batch else 1)
    new_W2 = W2 - rate * sign * (h.T @ dz)
    da = (dz @ (new_W2 if updated_W2 else W2).T) * ((a > 0) if relu_mask else 1.0)
    gradients = {"W1": x.T @ da, "b1": da.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}
    if db_mean:
        gradients.update(b1=da.mean(axis=0), b2=dz.mean(axis=0))
    loss = reference["loss"] * (batch if loss_sum else 1)
    return {"loss": loss, **{name: params[name] - rate * sign * gradients[name]
                             for name in gradients}}


GRADIENT_DESCENT = Exercise(
    "3.1", "gradient_descent_update", gradient_descent_update, _update_cases,
    hint=N_("Forward: a = x @ W1 + b1, h = ReLU(a), z = h @ W2 + b2, p = softmax(z). Loss: the "
            "mean of -log p at the labels. Backward: dz = (p - onehot(labels)) / B, dW2 = h.T @ "
            "dz, db2 = dz summed over the batch, da = (dz @ W2.T) * (a > 0), dW1 = x.T @ da, db1 "
            "= da summed. Update every weight with the gradients of the old weights."),
    mistakes=[
        Mistake(N_("the gradient of the sum"),
                N_("the loss is the batch mean, so dJ/dz = (p - onehot(y)) / B: without the 1/B "
                   "each step is B times too long (the LeNet listing's defect)."),
                partial(_update_with, per_batch=False)),
        Mistake(N_("the ReLU's derivative forgotten"),
                N_("on the way back through h = ReLU(a), multiply by ReLU'(a) = (a > 0): no "
                   "gradient reaches a unit that is off."), partial(_update_with, relu_mask=False)),
        Mistake(N_("the bias gradients averaged"),
                N_("the 1/B is already in dz: the bias gradients sum dz (and da) over the "
                   "batch, as the weight gradients' matrix products do."),
                partial(_update_with, db_mean=True)),
        Mistake(N_("a step up the gradient"),
                N_("step 5 subtracts: W - rate * dJ/dW moves downhill."),
                partial(_update_with, sign=-1.0)),
        Mistake(N_("the loss summed"),
                N_("report the batch mean of -log p at the labels, the J the gradient is of."),
                partial(_update_with, loss_sum=True)),
        Mistake(N_("W2 updated before it was used"),
                N_("the backward pass needs the weights of the forward pass: compute every "
                   "gradient first, then update."), partial(_update_with, updated_W2=True)),
    ],
)

# ------------------------------------------------------------------------------------------------
# 3.2 The scale of the initial weights


def init_scale(scheme: str, fan_in: int, fan_out: int) -> float:
    """The scale of a layer's initial weights: the standard deviation of a normal
    (``"he_normal"``, ``"glorot_normal"``) or the limit ``a`` of a uniform ``U(-a, a)``
    (``"he_uniform"``, ``"glorot_uniform"``)."""
    variance = {"he": 2 / fan_in, "glorot": 2 / (fan_in + fan_out)}[scheme.split("_")[0]]
    if scheme.endswith("_uniform"):
        return float(np.sqrt(3 * variance))  # U(-a, a) has variance a^2 / 3
    return float(np.sqrt(variance))


def _scale_cases() -> list[Case]:
    return [
        case(N_("He normal, 784 inputs, 256 units"), "he_normal", 784, 256),
        case(N_("Glorot uniform, 784 inputs, 256 units (Keras's default)"), "glorot_uniform",
             784, 256),
        case(N_("Glorot normal, 128 inputs, 10 units"), "glorot_normal", 128, 10),
        case(N_("He uniform, 50 inputs, 200 units"), "he_uniform", 50, 200),
        case(N_("He normal, one input"), "he_normal", 1, 8),
    ]


def _scale_variance(scheme, fan_in, fan_out):
    return init_scale(scheme, fan_in, fan_out) ** 2 / (3 if scheme.endswith("_uniform") else 1)


def _scale_he_fan_out(scheme, fan_in, fan_out):
    if scheme.startswith("he"):
        return init_scale(scheme, fan_out, fan_in)
    return init_scale(scheme, fan_in, fan_out)


def _scale_std_as_limit(scheme, fan_in, fan_out):
    if scheme.endswith("_uniform"):
        return init_scale(scheme.replace("uniform", "normal"), fan_in, fan_out)
    return init_scale(scheme, fan_in, fan_out)


def _scale_lecun(scheme, fan_in, fan_out):
    if scheme.startswith("he"):
        return init_scale(scheme, fan_in, fan_out) / np.sqrt(2)
    return init_scale(scheme, fan_in, fan_out)


def _scale_glorot_fan_in(scheme, fan_in, fan_out):
    if scheme.startswith("glorot"):
        return init_scale(scheme.replace("glorot", "he"), fan_in, fan_out) / np.sqrt(2)
    return init_scale(scheme, fan_in, fan_out)


INIT_SCALE = Exercise(
    "3.2", "init_scale", init_scale, _scale_cases,
    hint=N_("First the variance: He 2 / fan_in (ReLU halves the signal's variance), Glorot "
            "2 / (fan_in + fan_out). A normal's scale is the standard deviation, sqrt(variance); "
            "a uniform U(-a, a) has variance a^2 / 3, so a = sqrt(3 * variance)."),
    mistakes=[
        Mistake(N_("the variance, not the standard deviation"),
                N_("2 / fan_in is He's variance; the scale asked for is its square root (and "
                   "for a uniform, the limit a with a^2 / 3 = variance)."), _scale_variance),
        Mistake(N_("He with the fan-out"),
                N_("He keeps the forward signal's variance: it divides by the number of "
                   "inputs, fan_in."), _scale_he_fan_out),
        Mistake(N_("the standard deviation as the uniform's limit"),
                N_("U(-a, a) has standard deviation a / sqrt(3), so the limit is sqrt(3) times "
                   "the standard deviation: sqrt(6 / (fan_in + fan_out)) for Glorot."),
                _scale_std_as_limit),
        Mistake(N_("1 / fan_in for He"),
                N_("He's variance is 2 / fan_in: the 2 makes up for ReLU zeroing half of its "
                   "inputs (1 / fan_in is LeCun's)."), _scale_lecun),
        Mistake(N_("Glorot with the fan-in alone"),
                N_("Glorot averages the two directions: variance 2 / (fan_in + fan_out)."),
                _scale_glorot_fan_in),
    ],
)

# ------------------------------------------------------------------------------------------------
# 3.3 Gradient clipping by the global norm


def clip_by_global_norm(gradients: list[np.ndarray],
                        clip_norm: float) -> tuple[list[np.ndarray], float]:
    """Rescale all the gradients together so that their global norm is at most ``clip_norm``;
    returns them and the global norm before clipping."""
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients)))
    scale = clip_norm / max(norm, clip_norm)
    return [g * scale for g in gradients], norm


def _clip_cases() -> list[Case]:
    rng = np.random.default_rng(33)
    return [
        case(N_("a matrix and a vector, global norm above the limit"),
             [rng.normal(size=(3, 4)), rng.normal(size=4)], 1.0),
        case(N_("global norm below the limit: unchanged"),
             [0.1 * rng.normal(size=(2, 2)), 0.1 * rng.normal(size=3)], 5.0),
        case(N_("all gradients zero"), [np.zeros((2, 3)), np.zeros(3)], 1.0),
        case(N_("one tensor only"), [rng.normal(size=(5,))], 0.5),
        case(N_("three tensors of very different sizes"),
             [100 * rng.normal(size=(2, 3)), 0.01 * rng.normal(size=3), rng.normal(size=(1,))],
             2.0),
    ]


def _clip_each(gradients, clip_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients)))
    return [g * clip_norm / max(np.linalg.norm(g), clip_norm) for g in gradients], norm


def _clip_values(gradients, clip_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients)))
    return [np.clip(g, -clip_norm, clip_norm) for g in gradients], norm


def _clip_always(gradients, clip_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients)))
    return [g * clip_norm / norm for g in gradients], norm


def _clip_sum_of_norms(gradients, clip_norm):
    norm = float(sum(np.linalg.norm(g) for g in gradients))
    return [g * clip_norm / max(norm, clip_norm) for g in gradients], norm


def _clip_norm_after(gradients, clip_norm):
    clipped, norm = clip_by_global_norm(gradients, clip_norm)
    return clipped, min(norm, clip_norm)


CLIPPING = Exercise(
    "3.3", "clip_by_global_norm", clip_by_global_norm, _clip_cases,
    hint=N_("The global norm is sqrt of the sum of every gradient's squared entries, all tensors "
            "together. If it is above clip_norm, multiply every tensor by clip_norm / norm; "
            "otherwise leave them alone (a zero gradient has norm 0: no division by it)."),
    outputs=(N_("clipped gradients"), N_("global norm")),
    mistakes=[
        Mistake(N_("each tensor clipped on its own"),
                N_("clipping each tensor to its own norm changes the direction of the whole "
                   "gradient: scale all of them by one factor, from their global norm."),
                _clip_each),
        Mistake(N_("clipped by value"),
                N_("np.clip cuts each entry to [-c, c] and bends the gradient's direction; "
                   "clipping by norm rescales every entry by the same factor."), _clip_values),
        Mistake(N_("always rescaled"),
                N_("only a gradient longer than clip_norm is shortened: the factor is "
                   "min(1, clip_norm / norm), and a zero gradient stays zero."), _clip_always),
        Mistake(N_("the sum of the norms"),
                N_("the global norm is sqrt(sum of all squared entries), the norm of all the "
                   "gradients as one long vector; the sum of the tensors' norms is larger."),
                _clip_sum_of_norms),
        Mistake(N_("the norm after clipping"),
                N_("return the global norm before clipping, the one the page logs and "
                   "tf.clip_by_global_norm returns."), _clip_norm_after),
    ],
)

# ------------------------------------------------------------------------------------------------
# 3.4 Early stopping with patience


def early_stopping(val_losses: list[float], patience: int) -> tuple[int, int]:
    """Go through the epochs' validation losses; stop after ``patience`` epochs without a new
    lowest loss. Returns ``(the epoch training stops after, the epoch whose weights are kept)``,
    counting from 1."""
    best_epoch, best = 1, val_losses[0]
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best_epoch, best = epoch, loss
        if epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses), best_epoch


def _stopping_cases() -> list[Case]:
    return [
        case(N_("a minimum at epoch 2, patience 2"), [1.0, 0.8, 0.9, 0.95, 0.7, 0.6], 2),
        case(N_("better at every epoch: no stop"), [0.9, 0.8, 0.7, 0.6], 2),
        case(N_("a tie with the best is no improvement"), [1.0, 0.8, 0.8, 0.8, 0.5], 2),
        case(N_("patience 1"), [0.5, 0.6, 0.4], 1),
        case(N_("a single epoch"), [0.3], 3),
        case(N_("patience longer than the run"), [0.5, 0.6, 0.7], 5),
    ]


def _stopping_with(val_losses, patience, *, late=0, keep_last=False, ties=False, higher=False):
    best_epoch, best = 1, val_losses[0]
    for epoch, loss in enumerate(val_losses, start=1):
        better = loss > best if higher else (loss <= best if ties else loss < best)
        if better:
            best_epoch, best = epoch, loss
        if epoch - best_epoch >= patience + late:
            return epoch, epoch if keep_last else best_epoch
    return len(val_losses), len(val_losses) if keep_last else best_epoch


EARLY_STOPPING = Exercise(
    "3.4", "early_stopping", early_stopping, _stopping_cases,
    hint=N_("Keep the best loss so far and its epoch. After each epoch: if the loss is strictly "
            "lower, it is the new best; then, if epoch - best_epoch >= patience, stop there. If "
            "the run ends first, the stop epoch is the last one. The weights kept are the best "
            "epoch's."),
    outputs=(N_("stop epoch"), N_("best epoch")),
    mistakes=[
        Mistake(N_("one epoch too many"),
                N_("patience p means p epochs without improvement, then stop: stop when epoch "
                   "- best_epoch >= p."), partial(_stopping_with, late=1)),
        Mistake(N_("the last epoch's weights"),
                N_("early stopping gives back the weights of the best epoch, not those of the "
                   "epoch it stopped after."), partial(_stopping_with, keep_last=True)),
        Mistake(N_("a tie counted as an improvement"),
                N_("only a strictly lower loss is an improvement; an equal one does not reset "
                   "the patience."), partial(_stopping_with, ties=True)),
        Mistake(N_("the highest loss"),
                N_("lower is better for a loss: watch for the minimum (for an accuracy it "
                   "would be the maximum)."), partial(_stopping_with, higher=True)),
    ],
    rtol=0.0, atol=0.0,
)

# ------------------------------------------------------------------------------------------------
# 3.5 Inverted dropout


def inverted_dropout(x: np.ndarray, rate: float, u: np.ndarray) -> np.ndarray:
    """Zero each entry of ``x`` whose uniform number ``u`` is below ``rate`` and scale the others
    by ``1 / (1 - rate)``, so that the expected output is ``x``."""
    return np.where(u >= rate, x / (1 - rate), 0.0)


def _dropout_cases() -> list[Case]:
    rng = np.random.default_rng(35)
    return [
        case(N_("rate 0.5 on a 3x4 matrix"), rng.normal(size=(3, 4)), 0.5, rng.random((3, 4))),
        case(N_("rate 0: nothing dropped, nothing scaled"), rng.normal(size=5), 0.0,
             rng.random(5)),
        case(N_("rate 0.2 on a vector"), rng.normal(size=8), 0.2, rng.random(8)),
        case(N_("rate 0.9: most entries dropped"), rng.normal(size=(2, 5)), 0.9,
             rng.random((2, 5))),
    ]


def _dropout_unscaled(x, rate, u):
    return np.where(u >= rate, x, 0.0)


def _dropout_by_rate(x, rate, u):
    return np.where(u >= rate, x / rate, 0.0)


def _dropout_test_time_scale(x, rate, u):
    return np.where(u >= rate, x * (1 - rate), 0.0)


def _dropout_keeps_the_rate(x, rate, u):
    return np.where(u < rate, x / (1 - rate), 0.0)


DROPOUT = Exercise(
    "3.5", "inverted_dropout", inverted_dropout, _dropout_cases,
    hint=N_("An entry survives where u >= rate (a fraction 1 - rate of them); the survivors are "
            "divided by 1 - rate so that the average output equals x, and nothing needs scaling "
            "at inference."),
    mistakes=[
        Mistake(N_("the survivors not scaled"),
                N_("inverted dropout divides the surviving entries by 1 - rate during "
                   "training, so that the expected output is x."), _dropout_unscaled),
        Mistake(N_("divided by the rate"),
                N_("the survivors are a fraction 1 - rate of the entries: divide by 1 - rate."),
                _dropout_by_rate),
        Mistake(N_("multiplied by 1 - rate"),
                N_("multiplying by 1 - rate is the original dropout's scaling at inference; "
                   "inverted dropout divides by it during training instead."),
                _dropout_test_time_scale),
        Mistake(N_("the wrong entries dropped"),
                N_("rate is the probability of dropping an entry: drop where u < rate, keep "
                   "where u >= rate."), _dropout_keeps_the_rate),
    ],
)

EXERCISES = [GRADIENT_DESCENT, INIT_SCALE, CLIPPING, EARLY_STOPPING, DROPOUT]
