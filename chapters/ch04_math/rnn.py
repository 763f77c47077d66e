"""Section 4.3.1: the recurrent network ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)``,
``y = W_hy h_T + b_y``, and back-propagation through time.

The tutorial's listing, run on a batch of random sequences (`dlbook.scratch.rnn`), against
Keras's ``SimpleRNN`` and ``Dense`` with the same weights, in float64. BPTT's gradients are
compared with GradientTape for ``L = sum_t dy_t . h_t`` with random ``dy_t``: every step's state
feeds the loss, as in a sequence-to-sequence model.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.scratch.dense import dense_forward
from dlbook.scratch.reference import (
    COMPARISON_HEADER,
    compare,
    keras_recurrent,
    layer_output_and_gradients,
    randomize_weights,
)
from dlbook.scratch.rnn import rnn_backward, rnn_forward, rnn_params_from_keras

import keras
import numpy as np

args = chapter_args(__doc__, script=__file__, epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
batch, steps, features, hidden, outputs = 4, 6, 3, 5, 2
xs = rng.normal(size=(batch, steps, features))

# The recurrence, every hidden state h_1 ... h_T.
layer, params = keras_recurrent(keras.layers.SimpleRNN, rnn_params_from_keras, xs.shape,
                                hidden, rng)
hs = rnn_forward(xs, params)
dhs = rng.normal(size=hs.shape)
hs_tf, dxs_tf, weight_grads_tf = layer_output_and_gradients(layer, xs, dhs)
print(COMPARISON_HEADER)
errors = {"h_t": compare("h_t = tanh(W_xh x_t + W_hh h_t-1 + b_h)", hs, hs_tf)}

# The listing's output layer on the last state.
output_layer = keras.layers.Dense(outputs, dtype="float64")
output_layer.build((None, hidden))
kernel, bias = randomize_weights(output_layer, rng)
errors["y"] = compare("y = W_hy h_T + b_y", dense_forward(hs[:, -1], kernel.T, bias, "linear")[0],
                      output_layer(hs_tf[:, -1]).numpy())

# Back-propagation through time.
dxs, grads = rnn_backward(dhs, xs, hs, params)
errors["dx"] = compare("dL/dx_t = W_xh^T delta_t", dxs, dxs_tf)
formulas = {"W_xh": "dL/dW_xh = sum_t delta_t x_t^T", "W_hh": "dL/dW_hh = sum_t delta_t h_t-1^T",
            "b_h": "dL/db_h = sum_t delta_t"}
for name, grad_tf in rnn_params_from_keras(*weight_grads_tf).items():
    errors[f"d{name}"] = compare(formulas[name], grads[name], grad_tf)
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors)
