"""Chapter 9's exercises: the gradients of cross-entropy and MSE at a logit, the vanishing-gradient
product, the KL divergence, and shifting an image for data augmentation. NumPy only."""

from __future__ import annotations

from functools import partial

from dlbook.exercises.core import Case, Exercise, Mistake, case
from dlbook.exercises.i18n import N_

import numpy as np

# ------------------------------------------------------------------------------------------------
# 9.1 What reaches the logit: cross-entropy against squared error


def logit_gradients(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``p = sigmoid(z)``, per example: ``dCE/dz = p - y`` and ``dMSE/dz = 2 (p - y) p
    (1 - p)``, MSE being ``(p - y)^2``."""
    p = 1 / (1 + np.exp(-z))
    return p - y, 2 * (p - y) * p * (1 - p)


def _logit_cases() -> list[Case]:
    return [
        case(N_("logits from -3 to 3, label 1"), np.linspace(-3.0, 3.0, 7), np.ones(7)),
        case(N_("label 0"), np.array([-2.0, 0.5, 4.0]), np.zeros(3)),
        case(N_("confidently wrong: z = -6 for label 1"), np.array([-6.0]), np.array([1.0])),
        case(N_("z = 0: p = 1/2"), np.array([0.0, 0.0]), np.array([0.0, 1.0])),
        case(N_("large logits"), np.array([-40.0, 40.0]), np.array([1.0, 0.0])),
    ]


def _logits_mse_without_sigmoid(z, y):
    p = 1 / (1 + np.exp(-z))
    return p - y, 2 * (p - y)


def _logits_dce_dp(z, y):
    p = 1 / (1 + np.exp(-z))
    return (p - y) / (p * (1 - p)), 2 * (p - y) * p * (1 - p)


def _logits_sign(z, y):
    ce, mse = logit_gradients(z, y)
    return -ce, -mse


def _logits_mse_halved(z, y):
    ce, mse = logit_gradients(z, y)
    return ce, mse / 2


def _logits_sigmoid_of_z(z, y):
    p = 1 / (1 + np.exp(-z))
    return p - y, 2 * (p - y) * z * (1 - z)


LOGIT_GRADIENTS = Exercise(
    "9.1", "logit_gradients", logit_gradients, _logit_cases,
    hint=N_("p = sigmoid(z). Through the sigmoid, dp/dz = p (1 - p). Cross-entropy: dCE/dp = "
            "(p - y) / (p (1 - p)), so dCE/dz = p - y. MSE = (p - y)^2: dMSE/dp = 2 (p - y), so "
            "dMSE/dz = 2 (p - y) p (1 - p)."),
    outputs=("dCE/dz", "dMSE/dz"),
    mistakes=[
        Mistake(N_("the MSE's gradient at p, not at z"),
                N_("2 (p - y) is dMSE/dp; the chain rule through the sigmoid multiplies it by "
                   "dp/dz = p (1 - p), which is what makes MSE's gradient vanish."),
                _logits_mse_without_sigmoid),
        Mistake(N_("the cross-entropy's gradient at p"),
                N_("(p - y) / (p (1 - p)) is dCE/dp; times dp/dz = p (1 - p) it becomes p - y "
                   "at the logit."), _logits_dce_dp),
        Mistake(N_("the sign"),
                N_("the gradient of a loss points uphill: p - y is positive when p is above the "
                   "target."), _logits_sign),
        Mistake(N_("the 2 of the square"),
                N_("the derivative of (p - y)^2 is 2 (p - y)."), _logits_mse_halved),
        Mistake(N_("sigma'(z) as z (1 - z)"),
                N_("p (1 - p) holds for p = sigmoid(z), not for z itself."),
                _logits_sigmoid_of_z),
    ],
)

# ------------------------------------------------------------------------------------------------
# 9.2 The gradient through a chain of layers


def chain_gradient(x: float, weights: list[float], activation: str) -> tuple[float, float]:
    """A chain of one-unit layers ``h_l = f(w_l h_{l-1})``, ``h_0 = x``: the output ``h_L`` and
    its derivative ``dh_L/dx``, the product of ``w_l f'(w_l h_{l-1})`` over the layers."""
    h, gradient = x, 1.0
    for w in weights:
        z = w * h
        if activation == "sigmoid":
            h = 1 / (1 + np.exp(-z))
            slope = h * (1 - h)
        elif activation == "tanh":
            h = np.tanh(z)
            slope = 1 - h**2
        else:
            h = max(z, 0.0)
            slope = 1.0 if z > 0 else 0.0
        gradient *= w * slope
    return float(h), float(gradient)


def _chain_cases() -> list[Case]:
    return [
        case(N_("10 sigmoid layers of weight 1"), 0.5, [1.0] * 10, "sigmoid"),
        case(N_("one tanh layer"), 0.3, [2.0], "tanh"),
        case(N_("5 tanh layers of weight 2: saturated"), 1.0, [2.0] * 5, "tanh"),
        case(N_("ReLU layers, all active"), 0.5, [1.5, 2.0, 0.8], "relu"),
        case(N_("a ReLU layer that is off: no gradient"), 1.0, [2.0, -1.0, 3.0], "relu"),
        case(N_("ReLU at exactly 0 (TensorFlow takes ReLU'(0) = 0)"), 0.0, [1.0, 2.0], "relu"),
        case(N_("sigmoid layers of mixed weights"), -1.0, [3.0, -2.0, 0.5, 4.0], "sigmoid"),
    ]


def _chain_with(x, weights, activation, *, slope_at_output=False, with_weights=True,
                total="product", relu_at_zero=0.0):
    derivative = {
        "sigmoid": lambda z: (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z))),
        "tanh": lambda z: 1 - np.tanh(z) ** 2,
        "relu": lambda z: 1.0 if z > 0 else (relu_at_zero if z == 0 else 0.0),
    }[activation]
    function = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
                "relu": lambda z: max(z, 0.0)}[activation]
    h, factors = x, []
    for w in weights:
        z = w * h
        h = function(z)
        factors.append((w if with_weights else 1.0) * derivative(h if slope_at_output else z))
    gradient = np.prod(factors) if total == "product" else np.sum(factors)
    return float(h), float(gradient)


CHAIN = Exercise(
    "9.2", "chain_gradient", chain_gradient, _chain_cases,
    hint=N_("Walk forward through the layers: z = w h, h = f(z), and multiply a running product "
            "by w * f'(z) at each layer (the chain rule). f'(z) is s (1 - s) for the sigmoid "
            "(s = f(z)), 1 - tanh(z)^2 for tanh, and 1 if z > 0 else 0 for ReLU."),
    outputs=(N_("output"), N_("gradient")),
    mistakes=[
        Mistake(N_("f' taken at the layer's output"),
                N_("each factor is f'(z) at the layer's input z = w h_{l-1}; f'(h_l), at its "
                   "output, is another number (sigma'(sigma(z)) is not sigma'(z))."),
                partial(_chain_with, slope_at_output=True)),
        Mistake(N_("the weights left out of the product"),
                N_("d(w h)/dh = w: each layer multiplies the gradient by its weight as well as "
                   "by f'(z)."), partial(_chain_with, with_weights=False)),
        Mistake(N_("a sum of the factors"),
                N_("the chain rule multiplies the layers' factors: that product is why a deep "
                   "sigmoid chain's gradient vanishes (each sigma' is at most 1/4)."),
                partial(_chain_with, total="sum")),
        Mistake(N_("ReLU'(0) = 1"),
                N_("at z = 0 TensorFlow takes ReLU'(0) = 0: use z > 0."),
                partial(_chain_with, relu_at_zero=1.0)),
    ],
)

# ------------------------------------------------------------------------------------------------
# 9.3 The KL divergence


def kl_divergence(q: np.ndarray, p: np.ndarray) -> float:
    """``KL(q || p) = sum_k q_k log(q_k / p_k)`` for each row (``0 log 0 = 0``), averaged over the
    rows."""
    ratio = np.divide(q, p, out=np.ones_like(p), where=q > 0)
    return float(np.sum(q * np.log(ratio), axis=-1).mean())


def _kl_cases() -> list[Case]:
    p = np.array([[0.7, 0.2, 0.1]])
    return [
        case(N_("one soft target against the FAQ page's p"), np.array([[0.6, 0.3, 0.1]]), p),
        case(N_("a one-hot target: 0 log 0 = 0"), np.array([[1.0, 0.0, 0.0]]), p),
        case(N_("the same distribution: 0"), p.copy(), p),
        case(N_("a batch of 3 rows"), np.array([[0.2, 0.5, 0.3], [0.0, 0.5, 0.5],
                                                  [0.9, 0.05, 0.05]]),
             np.array([[0.3, 0.3, 0.4], [0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])),
    ]


def _kl_swapped(q, p):
    return kl_divergence(p, q)


def _kl_zero_terms(q, p):
    return float(np.sum(q * np.log(q / p), axis=-1).mean())


def _kl_summed(q, p):
    return kl_divergence(q, p) * len(q)


def _kl_unweighted(q, p):
    ratio = np.divide(q, p, out=np.ones_like(p), where=q > 0)
    return float(np.sum(np.log(ratio), axis=-1).mean())


def _kl_cross_entropy(q, p):
    return float(-np.sum(q * np.log(p), axis=-1).mean())


KL = Exercise(
    "9.3", "kl_divergence", kl_divergence, _kl_cases,
    hint=N_("Per row, sum q_k log(q_k / p_k) over the classes where q_k > 0 (a term with q_k = "
            "0 is 0, np.where or np.divide(..., where=q > 0) avoids log 0); then average the "
            "rows."),
    mistakes=[
        Mistake(N_("q and p swapped"),
                N_("KL is not symmetric: the target q weighs the log-ratio, KL(q || p) = sum q "
                   "log(q / p)."), _kl_swapped),
        Mistake(N_("0 log 0 as nan"),
                N_("a class with q_k = 0 contributes 0 (the limit of q log q), but 0 * log 0 "
                   "is nan in NumPy: leave those terms out."), _kl_zero_terms),
        Mistake(N_("a sum over the rows"),
                N_("the loss is the mean over the examples (rows), like Keras's KLDivergence."),
                _kl_summed),
        Mistake(N_("the log-ratio not weighted by q"),
                N_("each term is q_k log(q_k / p_k): the target's probability weighs it."),
                _kl_unweighted),
        Mistake(N_("the cross-entropy"),
                N_("-sum q log p is the cross-entropy; KL subtracts the target's entropy: sum q "
                   "log(q / p)."), _kl_cross_entropy),
    ],
)

# ------------------------------------------------------------------------------------------------
# 9.4 Shifting an image, for data augmentation


def translate(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """The image moved ``down`` rows and ``right`` columns (negative: up, left), the uncovered
    pixels 0: ``out[i, j] = image[i - down, j - right]`` where that is inside."""
    height, width = image.shape
    out = np.zeros_like(image)
    for i in range(height):
        for j in range(width):
            if 0 <= i - down < height and 0 <= j - right < width:
                out[i, j] = image[i - down, j - right]
    return out


def _translate_cases() -> list[Case]:
    image = np.arange(1.0, 13.0).reshape(3, 4)
    return [
        case(N_("one row down"), image, 1, 0),
        case(N_("two columns left"), image, 0, -2),
        case(N_("up and right"), image, -1, 1),
        case(N_("no move"), image, 0, 0),
        case(N_("moved out of the image: all zeros"), image, 3, 0),
        case(N_("a square image, down and right"), np.arange(1.0, 17.0).reshape(4, 4), 2, 1),
    ]


def _translate_rolled(image, down, right):
    return np.roll(image, (down, right), axis=(0, 1))


def _translate_axes_swapped(image, down, right):
    height, width = image.shape
    out = np.zeros_like(image)
    for i in range(height):
        for j in range(width):
            if 0 <= i - right < height and 0 <= j - down < width:
                out[i, j] = image[i - right, j - down]
    return out


def _translate_reversed(image, down, right):
    return translate(image, -down, -right)


TRANSLATE = Exercise(
    "9.4", "translate", translate, _translate_cases,
    hint=N_("Start from zeros of the image's shape and copy the part that stays inside: "
            "out[i, j] = image[i - down, j - right] wherever both are in the image (slices do it "
            "in one line; np.roll would wrap the pixels around instead)."),
    mistakes=[
        Mistake(N_("pixels wrapped around"),
                N_("np.roll brings the pixels that leave one side back on the other; a shifted "
                   "image is filled with 0 where nothing comes in."), _translate_rolled),
        Mistake(N_("rows and columns swapped"),
                N_("down moves along the first axis (rows), right along the second "
                   "(columns)."), _translate_axes_swapped),
        Mistake(N_("the wrong direction"),
                N_("out[i, j] = image[i - down, j - right]: the pixel at row 0 ends up at row "
                   "down."), _translate_reversed),
    ],
    rtol=0.0, atol=0.0,
)

EXERCISES = [LOGIT_GRADIENTS, CHAIN, KL, TRANSLATE]
