"""Section 4's math from scratch in NumPy: every formula runnable, every gradient by hand.

- ``activations``: sigmoid, tanh, ReLU, leaky ReLU, softmax, their derivatives (4.1)
- ``losses``: MSE, binary and categorical cross-entropy, KL divergence, their gradients (4.1)
- ``dense``: a layer ``y = f(Wx + b)``, the delta rule, ``w <- w - eta dL/dw`` (4.1)
- ``mlp``: the listing's two-layer MLP, trained by back-propagation (4.1, 5.1)
- ``conv``: Conv2D as loops and vectorized (im2col), stride, padding, backward (4.2.1)
- ``pooling``: max and average pooling, forward and backward (4.2.2)
- ``rnn``: ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` and back-propagation through time (4.3.1)
- ``lstm``, ``gru``: the gated cells, forward and backward through time (4.3.2)
- ``gradcheck``: numerical gradients by central differences, the relative error
- ``reference``: the same computations in TensorFlow, for comparison (imports TF)

The tests prove each function equal to its Keras counterpart; ``make ch04`` shows it.
"""

from dlbook.scratch.activations import (
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    softmax_backward,
    tanh,
)
from dlbook.scratch.conv import conv2d, conv2d_backward, conv2d_loop
from dlbook.scratch.dense import dense_backward, dense_forward, gradient_descent_step
from dlbook.scratch.gradcheck import numerical_gradient, relative_error
from dlbook.scratch.gru import gru_backward, gru_forward, gru_params_from_keras
from dlbook.scratch.losses import (
    binary_cross_entropy,
    cross_entropy,
    kl_divergence,
    mse,
    softmax_cross_entropy,
)
from dlbook.scratch.lstm import lstm_backward, lstm_forward, lstm_params_from_keras
from dlbook.scratch.mlp import MLP
from dlbook.scratch.pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from dlbook.scratch.rnn import rnn_backward, rnn_forward, rnn_params_from_keras

__all__ = [
    "MLP",
    "avg_pool2d",
    "avg_pool2d_backward",
    "binary_cross_entropy",
    "conv2d",
    "conv2d_backward",
    "conv2d_loop",
    "cross_entropy",
    "dense_backward",
    "dense_forward",
    "gradient_descent_step",
    "gru_backward",
    "gru_forward",
    "gru_params_from_keras",
    "kl_divergence",
    "leaky_relu",
    "lstm_backward",
    "lstm_forward",
    "lstm_params_from_keras",
    "max_pool2d",
    "max_pool2d_backward",
    "mse",
    "numerical_gradient",
    "relative_error",
    "relu",
    "rnn_backward",
    "rnn_forward",
    "rnn_params_from_keras",
    "sigmoid",
    "softmax",
    "softmax_backward",
    "softmax_cross_entropy",
    "tanh",
]
