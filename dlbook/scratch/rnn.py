"""Section 4: the recurrent network ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` (seed 004
§4.3.1) and back-propagation through time (BPTT), which seed 004's NumPy RNN listing (§5.3) does
not have: the listing stores every input and hidden state without using them, and BPTT needs
exactly those.

A batch of sequences is ``xs`` of shape ``(N, T, D)`` (batch, time, features), as in Keras; the
weights keep the formula's ``(out, in)`` shapes: ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``.
Keras's ``SimpleRNN`` stores ``kernel = W_xh.T``, ``recurrent_kernel = W_hh.T``, ``bias = b_h``.
The output ``y_t = W_hy h_t + b_y`` is a dense layer on top (`dlbook.scratch.dense`).
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


def rnn_params_from_keras(kernel: np.ndarray, recurrent_kernel: np.ndarray,
                          bias: np.ndarray) -> Params:
    """``{"W_xh", "W_hh", "b_h"}`` from the weights of a Keras ``SimpleRNN``."""
    return {"W_xh": kernel.T, "W_hh": recurrent_kernel.T, "b_h": bias}


def check_sequence(xs: np.ndarray, features: int, weights: str, shape: tuple[int, ...]) -> None:
    """Raise unless ``xs`` is ``(N, T, features)``, naming the weights that expect ``features``."""
    if xs.ndim != 3 or xs.shape[2] != features:
        raise ValueError(
            f"the sequence has shape {xs.shape} but {weights} has shape {shape}; "
            f"expected a sequence of shape (N, T, {features})"
        )


def rnn_forward(xs: np.ndarray, params: Params, h0: np.ndarray | None = None) -> np.ndarray:
    """Every hidden state ``h_1 ... h_T``, shape ``(N, T, H)``; ``h_0`` is zeros by default."""
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    check_sequence(xs, W_xh.shape[1], "W_xh", W_xh.shape)
    h = np.zeros((xs.shape[0], W_hh.shape[0]), dtype=xs.dtype) if h0 is None else h0
    hs = []
    for t in range(xs.shape[1]):
        h = np.tanh(xs[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        hs.append(h)
    return np.stack(hs, axis=1)


def rnn_backward(
    dhs: np.ndarray, xs: np.ndarray, hs: np.ndarray, params: Params,
    h0: np.ndarray | None = None,
) -> tuple[np.ndarray, Params]:
    """BPTT: ``(dL/dxs, gradients of params)`` from ``dhs = dL/dh_t`` of shape (N, T, H).

    Walking back in time, the gradient reaching ``h_t`` is its own ``dL/dh_t`` plus what
    ``h_{t+1}`` sends back through ``W_hh``; the delta rule then applies at every step, with
    ``tanh'(z_t) = 1 - h_t^2``, and the weights, shared by all steps, sum the steps' gradients.
    """
    W_xh, W_hh = params["W_xh"], params["W_hh"]
    h0 = np.zeros_like(hs[:, 0]) if h0 is None else h0
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dxs = np.zeros_like(xs)
    dh_from_next = np.zeros_like(h0)
    for t in reversed(range(xs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        delta = (dhs[:, t] + dh_from_next) * (1 - hs[:, t] ** 2)
        grads["W_xh"] += delta.T @ xs[:, t]
        grads["W_hh"] += delta.T @ h_prev
        grads["b_h"] += delta.sum(axis=0)
        dxs[:, t] = delta @ W_xh
        dh_from_next = delta @ W_hh
    return dxs, grads
