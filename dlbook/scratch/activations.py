"""Section 4: activation functions ``f`` and their derivatives ``f'``, element-wise on ``z``.

Back-propagation needs ``f'(z)`` at the pre-activation ``z = Wx + b`` (the delta rule,
`dlbook.scratch.dense`), so every derivative here takes ``z``, not ``f(z)``. Softmax is not
element-wise: its backward pass is a Jacobian-vector product, `softmax_backward`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``sigma(z) = 1 / (1 + e^-z)``, written so that no ``exp`` overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """``sigma'(z) = sigma(z) (1 - sigma(z))``."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """``tanh(z) = (e^z - e^-z) / (e^z + e^-z)``."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """``tanh'(z) = 1 - tanh(z)^2``."""
    return 1 - np.tanh(z) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    """``ReLU(z) = max(0, z)``."""
    return np.maximum(z, 0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """``ReLU'(z) = 1 if z > 0 else 0`` (0 at ``z = 0``, as TensorFlow takes it)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z: np.ndarray, alpha: float = 0.2) -> np.ndarray:
    """``LeakyReLU(z) = z if z > 0 else alpha z``; 0.2 is ``keras.activations.leaky_relu``'s
    default slope (the ``LeakyReLU`` layer's is 0.3)."""
    return np.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z: np.ndarray, alpha: float = 0.2) -> np.ndarray:
    """``LeakyReLU'(z) = 1 if z > 0 else alpha``."""
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def linear(z: np.ndarray) -> np.ndarray:
    """``f(z) = z``: no activation, as for the logits of an output layer."""
    return z


def linear_derivative(z: np.ndarray) -> np.ndarray:
    """``f'(z) = 1``."""
    return np.ones_like(z)


def softmax(z: np.ndarray) -> np.ndarray:
    """``softmax(z)_i = e^{z_i} / sum_j e^{z_j}`` over the last axis.

    Subtracting ``max(z)`` first changes nothing mathematically (it cancels in the ratio) and
    keeps every ``exp`` at most 1, so large logits do not overflow.
    """
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dL_ds: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``dL/dz`` from ``dL/ds`` at ``s = softmax(z)``: ``ds_i/dz_j = s_i (delta_ij - s_j)``, so
    ``dL/dz_j = s_j (dL/ds_j - sum_i dL/ds_i s_i)``."""
    return s * (dL_ds - np.sum(dL_ds * s, axis=-1, keepdims=True))


Activation = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]

ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "linear": (linear, linear_derivative),
}
"""Each element-wise activation by name, as ``(f, f')``."""


def get_activation(name: str) -> Activation:
    """``(f, f')`` for ``name``; a clear error for an unknown name."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]
