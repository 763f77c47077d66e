"""Section 4: the LSTM cell, gate by gate, forward and backward through time.

With ``[h_{t-1}, x_t]`` the previous hidden state and the input stacked into one vector::

    f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)      forget gate
    i_t = sigmoid(W_i [h_{t-1}, x_t] + b_i)      input gate
    C~_t = tanh(W_c [h_{t-1}, x_t] + b_c)        candidate cell state
    C_t = f_t * C_{t-1} + i_t * C~_t             cell state update
    o_t = sigmoid(W_o [h_{t-1}, x_t] + b_o)      output gate
    h_t = o_t * tanh(C_t)                        hidden state

Each gate is a dense layer on ``[h_{t-1}, x_t]``, so its backward pass is the delta rule
(`dlbook.scratch.dense`). ``W_g`` has shape ``(H, H + D)``, ``b_g`` ``(H,)``.

Keras's ``LSTM`` keeps the four gates side by side, in the order i, f, c, o, and splits the input
and recurrent halves: ``kernel (D, 4H)``, ``recurrent_kernel (H, 4H)``, ``bias (4H,)``. Gate ``g``
at block ``k`` is ``W_g = [recurrent_kernel[:, k*H:(k+1)*H].T, kernel[:, k*H:(k+1)*H].T]``
(side by side) and ``b_g = bias[k*H:(k+1)*H]``: `lstm_params_from_keras`.
"""

from __future__ import annotations

from dlbook.scratch.dense import dense_backward, dense_forward
from dlbook.scratch.rnn import Params, check_sequence

import numpy as np

GATES = {"f": "sigmoid", "i": "sigmoid", "c": "tanh", "o": "sigmoid"}
"""Each gate's activation."""

KERAS_GATE_ORDER = "ifco"


def lstm_params_from_keras(kernel: np.ndarray, recurrent_kernel: np.ndarray,
                           bias: np.ndarray) -> Params:
    """``{"W_f", "b_f", ..., "W_o", "b_o"}`` from the weights of a Keras ``LSTM``."""
    hidden = recurrent_kernel.shape[0]
    params = {}
    for k, gate in enumerate(KERAS_GATE_ORDER):
        block = slice(k * hidden, (k + 1) * hidden)
        params[f"W_{gate}"] = np.concatenate([recurrent_kernel[:, block], kernel[:, block]]).T
        params[f"b_{gate}"] = bias[block]
    return params


def lstm_cell_forward(
    x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, tuple]:
    """One step: ``(h_t, C_t, cache)`` from ``x_t`` (N, D), ``h_{t-1}`` and ``C_{t-1}`` (N, H)."""
    hx = np.concatenate([h_prev, x], axis=1)
    gates, pre_activations = {}, {}
    for gate, activation in GATES.items():
        gates[gate], pre_activations[gate] = dense_forward(
            hx, params[f"W_{gate}"], params[f"b_{gate}"], activation)
    c = gates["f"] * c_prev + gates["i"] * gates["c"]
    h = gates["o"] * np.tanh(c)
    return h, c, (hx, c_prev, c, gates, pre_activations)


def lstm_cell_backward(
    dh: np.ndarray, dc: np.ndarray, cache: tuple, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """One step back: ``(dL/dx_t, dL/dh_{t-1}, dL/dC_{t-1}, gradients of params)`` from
    ``dL/dh_t`` and ``dL/dC_t`` (the part of it that comes from step ``t + 1``)."""
    hx, c_prev, c, gates, pre_activations = cache
    tanh_c = np.tanh(c)
    dc = dc + dh * gates["o"] * (1 - tanh_c**2)
    d_gates = {"f": dc * c_prev, "i": dc * gates["c"], "c": dc * gates["i"], "o": dh * tanh_c}
    dhx = np.zeros_like(hx)
    grads = {}
    for gate, activation in GATES.items():
        d_input, grads[f"W_{gate}"], grads[f"b_{gate}"] = dense_backward(
            d_gates[gate], hx, pre_activations[gate], params[f"W_{gate}"], activation)
        dhx += d_input
    hidden = c.shape[1]
    return dhx[:, hidden:], dhx[:, :hidden], dc * gates["f"], grads


def lstm_forward(
    xs: np.ndarray, params: Params, h0: np.ndarray | None = None, c0: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple]]:
    """Every hidden state ``(N, T, H)`` of the sequence ``xs`` (N, T, D), and the caches that
    `lstm_backward` needs. ``h_0`` and ``C_0`` are zeros by default."""
    hidden, stacked = params["W_f"].shape
    check_sequence(xs, stacked - hidden, "W_f (H, H + D)", params["W_f"].shape)
    h = np.zeros((xs.shape[0], hidden), dtype=xs.dtype) if h0 is None else h0
    c = np.zeros_like(h) if c0 is None else c0
    hs, caches = [], []
    for t in range(xs.shape[1]):
        h, c, cache = lstm_cell_forward(xs[:, t], h, c, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def lstm_backward(
    dhs: np.ndarray, caches: list[tuple], params: Params
) -> tuple[np.ndarray, Params]:
    """BPTT: ``(dL/dxs, gradients of params)`` from ``dhs = dL/dh_t`` (N, T, H).

    Both ``h`` and ``C`` carry gradient from step ``t + 1`` back to step ``t``; the weights, shared
    by every step, sum the steps' gradients.
    """
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dxs = []
    dh_from_next = np.zeros_like(dhs[:, 0])
    dc_from_next = np.zeros_like(dh_from_next)
    for t in reversed(range(dhs.shape[1])):
        dx, dh_from_next, dc_from_next, step = lstm_cell_backward(
            dhs[:, t] + dh_from_next, dc_from_next, caches[t], params)
        for name, grad in step.items():
            grads[name] += grad
        dxs.append(dx)
    return np.stack(dxs[::-1], axis=1), grads
