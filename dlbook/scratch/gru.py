"""The GRU cell, as Keras's ``GRU`` computes it (``reset_after=True``); section 2 names it beside
the LSTM, section 4 does not write it out.

    z_t = sigmoid(W_z x_t + bx_z + U_z h_{t-1} + bh_z)       update gate
    r_t = sigmoid(W_r x_t + bx_r + U_r h_{t-1} + bh_r)       reset gate
    h~_t = tanh(W_c x_t + bx_c + r_t * (U_c h_{t-1} + bh_c)) candidate state
    h_t = z_t * h_{t-1} + (1 - z_t) * h~_t                   hidden state

One detail differs from the GRU of Cho et al. (2014), whose candidate is
``h~_t = tanh(W_c x_t + U_c (r_t * h_{t-1}))``: Keras applies the reset gate *after* the
recurrent product (which lets cuDNN compute all products at once, and needs a second bias
``bh``). The update is Cho et al.'s equation 7, ``z_t`` the share of the *old* state kept; Chung
et al. (2014) write it with the gate the other way round, ``h_t = (1 - z_t) h_{t-1} + z_t h~_t``.
All are GRUs, with the same expressive power.

``W_g`` has shape ``(H, D)``, ``U_g`` ``(H, H)``, ``bx_g`` and ``bh_g`` ``(H,)``. Keras keeps the
gates side by side in the order z, r, h~: ``kernel (D, 3H)``, ``recurrent_kernel (H, 3H)`` and
``bias (2, 3H)`` (row 0 the input biases ``bx``, row 1 the recurrent biases ``bh``), so at block
``k``: ``W_g = kernel[:, k*H:(k+1)*H].T``, ``U_g = recurrent_kernel[:, k*H:(k+1)*H].T``
(`gru_params_from_keras`).
"""

from __future__ import annotations

from dlbook.scratch.activations import sigmoid
from dlbook.scratch.rnn import Params, check_sequence

import numpy as np

KERAS_GATE_ORDER = "zrc"
"""Update, reset, candidate (``c`` for the candidate ``h~``, as in `dlbook.scratch.lstm`)."""


def gru_params_from_keras(kernel: np.ndarray, recurrent_kernel: np.ndarray,
                          bias: np.ndarray) -> Params:
    """``{"W_z", "U_z", "bx_z", "bh_z", ...}`` from the weights of a Keras ``GRU``."""
    hidden = recurrent_kernel.shape[0]
    params = {}
    for k, gate in enumerate(KERAS_GATE_ORDER):
        block = slice(k * hidden, (k + 1) * hidden)
        params[f"W_{gate}"] = kernel[:, block].T
        params[f"U_{gate}"] = recurrent_kernel[:, block].T
        params[f"bx_{gate}"] = bias[0, block]
        params[f"bh_{gate}"] = bias[1, block]
    return params


def gru_cell_forward(x: np.ndarray, h_prev: np.ndarray,
                     params: Params) -> tuple[np.ndarray, tuple]:
    """One step: ``(h_t, cache)`` from ``x_t`` (N, D) and ``h_{t-1}`` (N, H)."""
    def affine(gate: str) -> tuple[np.ndarray, np.ndarray]:
        return (x @ params[f"W_{gate}"].T + params[f"bx_{gate}"],
                h_prev @ params[f"U_{gate}"].T + params[f"bh_{gate}"])

    x_z, h_z = affine("z")
    x_r, h_r = affine("r")
    x_c, h_c = affine("c")
    z = sigmoid(x_z + h_z)
    r = sigmoid(x_r + h_r)
    candidate = np.tanh(x_c + r * h_c)
    h = z * h_prev + (1 - z) * candidate
    return h, (x, h_prev, z, r, h_c, candidate)


def gru_cell_backward(dh: np.ndarray, cache: tuple,
                      params: Params) -> tuple[np.ndarray, np.ndarray, Params]:
    """One step back: ``(dL/dx_t, dL/dh_{t-1}, gradients of params)`` from ``dL/dh_t``."""
    x, h_prev, z, r, h_c, candidate = cache
    d_candidate = dh * (1 - z) * (1 - candidate**2)
    d_z = dh * (h_prev - candidate) * z * (1 - z)
    d_r = d_candidate * h_c * r * (1 - r)
    # Gradients at each gate's input product (W x + bx) and at its recurrent product (U h + bh):
    # the same for z and r, scaled by the reset gate for the candidate.
    d_input = {"z": d_z, "r": d_r, "c": d_candidate}
    d_recurrent = {"z": d_z, "r": d_r, "c": d_candidate * r}
    dx = np.zeros_like(x)
    dh_prev = dh * z
    grads = {}
    for gate in KERAS_GATE_ORDER:
        grads[f"W_{gate}"] = d_input[gate].T @ x
        grads[f"bx_{gate}"] = d_input[gate].sum(axis=0)
        grads[f"U_{gate}"] = d_recurrent[gate].T @ h_prev
        grads[f"bh_{gate}"] = d_recurrent[gate].sum(axis=0)
        dx += d_input[gate] @ params[f"W_{gate}"]
        dh_prev += d_recurrent[gate] @ params[f"U_{gate}"]
    return dx, dh_prev, grads


def gru_forward(
    xs: np.ndarray, params: Params, h0: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple]]:
    """Every hidden state ``(N, T, H)`` of the sequence ``xs`` (N, T, D), and the caches that
    `gru_backward` needs. ``h_0`` is zeros by default."""
    check_sequence(xs, params["W_z"].shape[1], "W_z", params["W_z"].shape)
    h = np.zeros((xs.shape[0], params["U_z"].shape[0]), dtype=xs.dtype) if h0 is None else h0
    hs, caches = [], []
    for t in range(xs.shape[1]):
        h, cache = gru_cell_forward(xs[:, t], h, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def gru_backward(
    dhs: np.ndarray, caches: list[tuple], params: Params
) -> tuple[np.ndarray, Params]:
    """BPTT: ``(dL/dxs, gradients of params)`` from ``dhs = dL/dh_t`` (N, T, H)."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dxs = []
    dh_from_next = np.zeros_like(dhs[:, 0])
    for t in reversed(range(dhs.shape[1])):
        dx, dh_from_next, step = gru_cell_backward(dhs[:, t] + dh_from_next, caches[t], params)
        for name, grad in step.items():
            grads[name] += grad
        dxs.append(dx)
    return np.stack(dxs[::-1], axis=1), grads
