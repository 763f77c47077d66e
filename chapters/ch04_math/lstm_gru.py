"""Section 4.3.2: the LSTM and GRU cells, gate by gate, forward and backward through time.

The LSTM (`dlbook.scratch.lstm`) is the section's six equations::

    f_t = sigmoid(W_f [h_t-1, x_t] + b_f)     i_t = sigmoid(W_i [h_t-1, x_t] + b_i)
    C~_t = tanh(W_c [h_t-1, x_t] + b_c)       C_t = f_t * C_t-1 + i_t * C~_t
    o_t = sigmoid(W_o [h_t-1, x_t] + b_o)     h_t = o_t * tanh(C_t)

and the GRU (`dlbook.scratch.gru`) is Keras's variant (``reset_after=True``)::

    z_t = sigmoid(W_z x_t + U_z h_t-1 + b_z)  r_t = sigmoid(W_r x_t + U_r h_t-1 + b_r)
    (each b = bx + bh, an input and a recurrent bias)
    h~_t = tanh(W_c x_t + r_t * (U_c h_t-1 + bh_c) + bx_c)
    h_t = z_t * h_t-1 + (1 - z_t) * h~_t

Both run on random sequences against Keras's ``LSTM`` and ``GRU`` with the same weights, in
float64 (Keras stacks the gates as i, f, c, o and z, r, h~; see the modules for the mapping).
Gradients are those of ``L = sum_t dy_t . h_t`` for random ``dy_t``, by GradientTape.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.scratch.gru import gru_backward, gru_forward, gru_params_from_keras
from dlbook.scratch.lstm import lstm_backward, lstm_forward, lstm_params_from_keras
from dlbook.scratch.reference import (
    COMPARISON_HEADER,
    compare,
    keras_recurrent,
    layer_output_and_gradients,
)

import keras
import numpy as np

CELLS = [
    ("LSTM", keras.layers.LSTM, lstm_params_from_keras, lstm_forward, lstm_backward),
    ("GRU", keras.layers.GRU, gru_params_from_keras, gru_forward, gru_backward),
]

args = chapter_args(__doc__, script=__file__, epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
xs = rng.normal(size=(4, 6, 3))  # 4 sequences of 6 steps of 3 features
errors = {}
for name, keras_layer, params_from_keras, forward, backward in CELLS:
    layer, params = keras_recurrent(keras_layer, params_from_keras, xs.shape, 5, rng)
    hs, caches = forward(xs, params)
    dhs = rng.normal(size=hs.shape)
    hs_tf, dxs_tf, weight_grads_tf = layer_output_and_gradients(layer, xs, dhs)
    dxs, grads = backward(dhs, caches, params)

    print(f"\n{name}\n{COMPARISON_HEADER}")
    errors[f"{name} h"] = compare(f"{name} h_t, t = 1..{xs.shape[1]}", hs, hs_tf)
    errors[f"{name} dx"] = compare("dL/dx_t (through every gate)", dxs, dxs_tf)
    for param, grad_tf in params_from_keras(*weight_grads_tf).items():
        errors[f"{name} d{param}"] = compare(f"dL/d{param}", grads[param], grad_tf)
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors)
