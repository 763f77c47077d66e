"""Section 4: loss functions ``L(y, p)`` and their gradients ``dL/dp``.

``y`` (the target) and ``p`` (the prediction) have shape ``(N, K)``: ``N`` examples of ``K``
values (classes, outputs). Each loss is the mean over the ``N`` examples, as Keras's default
reduction computes it, so the gradients carry a ``1/N``.

Keras clips probabilities into ``[1e-7, 1 - 1e-7]`` before taking logarithms; the formulas here
do not, so keep ``p`` away from exactly 0 and 1 (or use `softmax_cross_entropy` on logits).
"""

from __future__ import annotations

from dlbook.scratch.activations import softmax

import numpy as np


def _check_same_shape(y: np.ndarray, p: np.ndarray) -> int:
    """The number of examples ``N``, after checking that ``y`` and ``p`` match."""
    if y.shape != p.shape:
        raise ValueError(f"target and prediction shapes differ: y {y.shape} vs p {p.shape}")
    return int(np.prod(p.shape[:-1]))


def mse(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared error ``L = 1/(N K) sum (p - y)^2``."""
    _check_same_shape(y, p)
    return float(np.mean((p - y) ** 2))


def mse_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dL/dp = 2 (p - y) / (N K)``."""
    _check_same_shape(y, p)
    return 2 * (p - y) / p.size


def binary_cross_entropy(y: np.ndarray, p: np.ndarray) -> float:
    """``L = -1/(N K) sum [y log p + (1 - y) log(1 - p)]``, ``K`` independent yes/no outputs."""
    _check_same_shape(y, p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dL/dp = (p - y) / (p (1 - p)) / (N K)``."""
    _check_same_shape(y, p)
    return (p - y) / (p * (1 - p)) / p.size


def cross_entropy(y: np.ndarray, p: np.ndarray) -> float:
    """Categorical cross-entropy ``L = -1/N sum_n sum_k y_nk log p_nk``, ``p`` a distribution."""
    n = _check_same_shape(y, p)
    return float(-np.sum(y * np.log(p)) / n)


def cross_entropy_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dL/dp = -y / p / N``."""
    n = _check_same_shape(y, p)
    return -y / p / n


def softmax_cross_entropy(y: np.ndarray, z: np.ndarray) -> float:
    """Cross-entropy of ``p = softmax(z)``, from the logits ``z``.

    ``log softmax(z) = z - max(z) - log sum e^{z - max(z)}`` never takes the log of 0.
    """
    n = _check_same_shape(y, z)
    shifted = z - z.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return float(-np.sum(y * log_p) / n)


def softmax_cross_entropy_gradient(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``dL/dz = (softmax(z) - y) / N`` for targets ``y`` that sum to 1: the softmax Jacobian
    and ``-y/p`` cancel to this simple form, the output-layer delta of a classifier."""
    n = _check_same_shape(y, z)
    return (softmax(z) - y) / n


def kl_divergence(y: np.ndarray, p: np.ndarray) -> float:
    """Kullback-Leibler divergence ``KL(y || p) = 1/N sum_n sum_k y_nk log(y_nk / p_nk)``,
    with ``0 log 0 = 0``."""
    n = _check_same_shape(y, p)
    ratio = np.divide(y, p, out=np.ones_like(p), where=y > 0)
    return float(np.sum(y * np.log(ratio)) / n)


def kl_divergence_gradient(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``dL/dp = -y / p / N`` (the same as cross-entropy's: they differ by ``y``'s entropy)."""
    n = _check_same_shape(y, p)
    return -y / p / n


def one_hot(labels: np.ndarray, num_classes: int, dtype: type = np.float64) -> np.ndarray:
    """Integer labels ``(N,)`` to one-hot rows ``(N, num_classes)``."""
    return np.eye(num_classes, dtype=dtype)[labels]
