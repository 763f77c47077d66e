# %% [markdown]
# # Section 4 · A neuron, a layer of neurons and the activation functions
#
# Tutorial: section 4 · 数学模型构建 (seeds 000 §4.1, 003 §4.1) · 公式推导过程 (seed 003 §4.2) ·
# 单个神经元的数学表示 (seed 004 §4.1.1) · 多层感知机的数学表示 (seed 004 §4.1.2)
#
# Section 4 starts from one artificial neuron: it weighs its inputs, adds a bias and passes the
# sum through an activation function $f$. A layer is several neurons reading the same inputs,
# and a network is layers stacked so that each reads the previous one's outputs.
#
# Each cell below writes one formula in NumPy, then checks it with one line against
# `dlbook.scratch` (the tested NumPy implementation the other pages reuse) and one line against
# Keras given the same weights. Everything runs in float64, so the two agree to rounding
# ($\approx 10^{-16}$).

# %%
from dlbook.cli import chapter_args
from dlbook.plots import plot_functions
from dlbook.results import save_results
from dlbook.scratch import Comparisons, activations, dense_forward

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/neuron", "A neuron, a layer and the activation functions, in "
                    "NumPy against dlbook.scratch and Keras (section 4)", epochs=1, dataset=None)
rng = np.random.default_rng(args.seed)
check = Comparisons()

# %% [markdown]
# ## One neuron
#
# $$y = f\Big(\sum_i w_i x_i + b\Big)$$
#
# Three inputs $x_i$, three weights $w_i$, a bias $b$, and for $f$ the sigmoid
# $\sigma(z) = 1 / (1 + e^{-z})$, which squashes any sum into $(0, 1)$.

# %%
x = rng.normal(size=3)
w, b = rng.normal(size=3), rng.normal()
z = np.sum(w * x) + b
y = 1 / (1 + np.exp(-z))
print(f"z = sum w_i x_i + b = {z:.4f},  y = sigmoid(z) = {y:.4f}")

scratch_y, _ = dense_forward(x[np.newaxis], w[np.newaxis], np.array([b]), "sigmoid")
check("one neuron vs dlbook.scratch.dense_forward", y, scratch_y[0, 0])
neuron = keras.layers.Dense(1, activation="sigmoid", dtype="float64")
neuron.build((None, 3))
neuron.set_weights([w[:, np.newaxis], np.array([b])])  # Keras's kernel is (inputs, outputs)
check("one neuron vs keras.layers.Dense(1, 'sigmoid')", y, neuron(x[np.newaxis])[0, 0])

# %% [markdown]
# ## A layer: the output is a vector
#
# Four neurons reading the same three inputs: row $i$ of the matrix $W$ holds neuron $i$'s
# weights, and
#
# $$y_i = \sigma\Big(\sum_j w_{ij} x_j + b_i\Big), \qquad \text{that is} \qquad
# y = \sigma(W x + b),$$
#
# one output per neuron. Seed 003 (§4.2) slips twice here. It gives $W$ $m$ rows and $n$ columns
# for an input $x$ of $n$ numbers and writes $y = \sigma(W^\top x + b)$: with that $W$,
# $W^\top x$ cannot even be formed ($n \times m$ times $n$), the product is $W x$, as above.
# ($W^\top x$ is right when $W$ is stored $n \times m$, one column per neuron, as seed 000's
# $h = \varphi(W^\top x + b)$ and Keras's `kernel` store it.) And its worked example adds up all
# the outputs and all the biases of the layer into a single number,
# $\sigma(\sum_i \sum_j w_{ij} x_j + \sum_i b_i)$. A layer outputs the vector $y$, four numbers
# here, and the next layer's weights tell apart which neuron said what; a sum would throw that
# away.

# %%
W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
y = 1 / (1 + np.exp(-(W @ x + b)))
print(f"W {W.shape} @ x {x.shape} + b {b.shape} -> y {y.shape}: {y.round(4)}")
print(f"(their sum, {y.sum():.4f}, is not what the next layer reads)")

# %% [markdown]
# ## A batch of examples, one per row
#
# Keras and `dlbook.scratch` hold a batch as a matrix $X$ with one example per row. Computing
# $W x + b$ for every row at once is $X W^\top + b$; Keras stores $W^\top$ as its `kernel`.

# %%
X = rng.normal(size=(5, 3))
Y = 1 / (1 + np.exp(-(X @ W.T + b)))
print(f"X {X.shape} @ W.T {W.T.shape} + b -> Y {Y.shape}")

check("a layer, batch of 5 vs dlbook.scratch.dense_forward", Y, dense_forward(X, W, b)[0])
layer = keras.layers.Dense(4, activation="sigmoid", dtype="float64")
layer.build((None, 3))
layer.set_weights([W.T, b])
check("a layer, batch of 5 vs keras.layers.Dense(4, 'sigmoid')", Y, layer(X))

# %% [markdown]
# A network stacks such layers, $h_1 = \varphi(W_0 x + b_0)$ up to $y = f(W_L h_L + b_L)$:
# `backprop.py` computes a stack of two and its gradients, `mlp_from_scratch.py` trains one.
#
# ## The activation functions and their derivatives
#
# The four of the tutorial's FAQ (section 9), and the derivatives $f'(z)$ that back-propagation
# multiplies by (the delta rule, `backprop.py`):
#
# | $f$ | $f(z)$ | $f'(z)$ |
# | --- | --- | --- |
# | sigmoid | $1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z))$ |
# | tanh | $(e^z - e^{-z}) / (e^z + e^{-z})$ | $1 - \tanh^2 z$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
# | leaky ReLU | $z$ if $z > 0$, else $\alpha z$ | $1$ if $z > 0$, else $\alpha$ |
#
# with $\alpha = 0.2$, the default of `keras.activations.leaky_relu`.

# %%
z = np.linspace(-4, 4, 161)
sigmoid = 1 / (1 + np.exp(-z))
tanh = np.tanh(z)
relu = np.maximum(0, z)
leaky_relu = np.where(z > 0, z, 0.2 * z)

check("sigmoid vs dlbook.scratch", sigmoid, activations.sigmoid(z))
check("sigmoid vs keras.activations.sigmoid", sigmoid, keras.activations.sigmoid(z))
check("tanh vs dlbook.scratch", tanh, activations.tanh(z))
check("tanh vs keras.activations.tanh", tanh, keras.activations.tanh(z))
check("ReLU vs dlbook.scratch", relu, activations.relu(z))
check("ReLU vs keras.activations.relu", relu, keras.activations.relu(z))
check("leaky ReLU vs dlbook.scratch", leaky_relu, activations.leaky_relu(z))
check("leaky ReLU vs keras.activations.leaky_relu", leaky_relu, keras.activations.leaky_relu(z))

# %% [markdown]
# The derivatives, checked against `dlbook.scratch` and against TensorFlow's own, which
# `tf.GradientTape` takes through the Keras function (of an element-wise $f$, the gradient of
# $\sum f(z)$ is $f'(z)$).

# %%
sigmoid_derivative = sigmoid * (1 - sigmoid)
tanh_derivative = 1 - tanh**2
relu_derivative = np.where(z > 0, 1.0, 0.0)
leaky_relu_derivative = np.where(z > 0, 1.0, 0.2)

z_tensor = tf.constant(z)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(z_tensor)
    outputs = {name: keras.activations.get(name)(z_tensor)
               for name in ("sigmoid", "tanh", "relu", "leaky_relu")}
tape_derivative = {name: tape.gradient(output, z_tensor).numpy()
                   for name, output in outputs.items()}

check("sigmoid' vs dlbook.scratch", sigmoid_derivative, activations.sigmoid_derivative(z))
check("sigmoid' vs GradientTape", sigmoid_derivative, tape_derivative["sigmoid"])
check("tanh' vs dlbook.scratch", tanh_derivative, activations.tanh_derivative(z))
check("tanh' vs GradientTape", tanh_derivative, tape_derivative["tanh"])
check("ReLU' vs dlbook.scratch", relu_derivative, activations.relu_derivative(z))
check("ReLU' vs GradientTape", relu_derivative, tape_derivative["relu"])
check("leaky ReLU' vs dlbook.scratch", leaky_relu_derivative,
      activations.leaky_relu_derivative(z))
check("leaky ReLU' vs GradientTape", leaky_relu_derivative, tape_derivative["leaky_relu"])

# %%
path = plot_functions(z, {
    "f(z)": {"sigmoid": sigmoid, "tanh": tanh, "ReLU": relu, "leaky ReLU": leaky_relu},
    "f'(z)": {"sigmoid": sigmoid_derivative, "tanh": tanh_derivative, "ReLU": relu_derivative,
              "leaky ReLU": leaky_relu_derivative},
}, args.output_dir / "activations.png")
print(f"The activations and their derivatives: {path}")
results_file = save_results(args, max_relative_error=check.largest,
                            relative_errors=check.errors)
print(f"Results in {results_file}")

# %% [markdown]
# ## What to notice
#
# - Every line agrees to float64 rounding ($10^{-16}$), except leaky ReLU against Keras and
#   TensorFlow, a few $10^{-9}$: TensorFlow keeps the slope 0.2 as a float32 (0.200000003) even
#   in a float64 computation.
# - A layer turns a vector into a vector, one value per neuron, never into one number.
# - `activations.png`: the sigmoid's derivative is at most 0.25 and below 0.02 beyond
#   $|z| > 4$; tanh's is at most 1 and below 0.002 there. A gradient multiplied by such factors
#   layer after layer shrinks (the vanishing gradient that seed 000 counts among deep learning's
#   weaknesses in section 3); ReLU's derivative is 1 wherever the unit is active.
