"""Section 4: a layer of neurons, ``y = f(Wx + b)``, and its backward pass (the delta rule).

``W`` has shape ``(outputs, inputs)`` as in the formula, ``b`` shape ``(outputs,)``. A batch holds
one example per row, ``x`` of shape ``(N, inputs)``, so ``Wx + b`` is computed as ``x @ W.T + b``.
Keras's ``Dense`` stores the transpose: its ``kernel`` is ``W.T`` and its ``bias`` is ``b``.
"""

from __future__ import annotations

from dlbook.scratch.activations import get_activation

import numpy as np


def check_inputs(x: np.ndarray, W: np.ndarray) -> None:
    """Raise if the last axis of ``x`` is not the number of inputs ``W`` expects."""
    if W.ndim != 2 or x.shape[-1] != W.shape[1]:
        raise ValueError(
            f"x has shape {x.shape} but W has shape {W.shape}; "
            "W of shape (out, in) needs x of shape (N, in)"
        )


def dense_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "sigmoid"
) -> tuple[np.ndarray, np.ndarray]:
    """``z = Wx + b`` and ``y = f(z)`` for a batch ``x`` of shape ``(N, inputs)``.

    Returns ``(y, z)``: the backward pass needs ``z`` for ``f'(z)``.
    """
    check_inputs(x, W)
    f, _ = get_activation(activation)
    z = x @ W.T + b
    return f(z), z


def dense_backward(
    dL_dy: np.ndarray, x: np.ndarray, z: np.ndarray, W: np.ndarray, activation: str = "sigmoid"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The delta rule: ``delta = dL/dy * f'(z)``, ``dW = delta x^T``, ``db = delta``,
    and ``dL/dx = W^T delta`` for the layer below.

    With a batch, ``dW`` and ``db`` sum the examples' contributions. Returns ``(dx, dW, db)``.
    """
    _, f_derivative = get_activation(activation)
    delta = dL_dy * f_derivative(z)
    return delta @ W, delta.T @ x, delta.sum(axis=0)


def gradient_descent_step(
    params: list[np.ndarray], grads: list[np.ndarray], learning_rate: float
) -> None:
    """``w <- w - eta dL/dw`` for every parameter, in place."""
    for param, grad in zip(params, grads, strict=True):
        param -= learning_rate * grad
