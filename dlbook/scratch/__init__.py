"""Section 4's formulas from scratch in NumPy (and nothing else), forward and backward.

Each module is written on the chapter 4 page that teaches its formulas, in cells marked
``#@save``, which the module runs (`dlbook.pages`); the page checks every function against Keras
or ``tf.GradientTape``, and the tests check them again (batches first, as in Keras):

- ``activations`` (``neuron.py``): sigmoid, tanh, ReLU, leaky ReLU, their derivatives, softmax
- ``losses`` (``losses.py``): MSE, binary and categorical cross-entropy, KL divergence, gradients
- ``dense`` (``backprop.py``): a layer ``y = f(Wx + b)``, the delta rule, ``w <- w - eta dL/dw``
- ``gradcheck`` (``backprop.py``): gradients by central differences
- ``mlp`` (``mlp_from_scratch.py``): a two-layer sigmoid MLP and its training loop
- ``conv`` (``convolution.py``): Conv2D (a cross-correlation) as loops and vectorized, backward
- ``pooling`` (``pooling.py``): max and average pooling, forward and backward
- ``rnn`` (``rnn.py``): ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` and back-propagation
  through time
- ``lstm``, ``gru`` (``lstm_gru.py``): the gated cells, forward and backward through time

``comparisons``, the pages' checking tool (`relative_error`, `Comparisons`), is written here by
hand.
"""

from dlbook.scratch.activations import (
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    softmax_backward,
    tanh,
)
from dlbook.scratch.comparisons import Comparisons, relative_error
from dlbook.scratch.conv import conv2d, conv2d_backward, conv2d_loop
from dlbook.scratch.dense import dense_backward, dense_forward, gradient_descent_step
from dlbook.scratch.gradcheck import numerical_gradient
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
    "Comparisons",
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
