# %% [markdown]
# # Section 2 · Activation functions and their derivatives
#
# Tutorial: section 2 · 激活函数 (seed 004 §2.2.3) · 核心概念与联系 (seed 002 §2)
#
# After its weighted sum $z = w \cdot x + b$, a neuron applies an activation function $f$. Without
# one, a stack of layers is still a single linear map ($W_2 (W_1 x) = (W_2 W_1) x$) and could
# never draw the bent boundary that solves XOR on the perceptron page. Section 2 counts
# activation functions among its core concepts, the FAQ (section 9) names the usual ones, and
# section 3 puts a softmax at the output of a classifier. Training needs each one's derivative
# $f'(z)$, because backpropagation multiplies the gradient by $f'(z)$ at every layer it passes
# through (section 3).
#
# | activation | $f(z)$ | $f'(z)$ |
# | --- | --- | --- |
# | sigmoid | $\sigma(z) = 1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z))$ |
# | tanh | $\tanh z$ | $1 - \tanh^2 z$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
# | leaky ReLU | $z$ if $z > 0$, else $\alpha z$ | $1$ if $z > 0$, else $\alpha$ |
# | softmax | $s_i = e^{z_i} / \sum_j e^{z_j}$ | $\partial s_i / \partial z_j =$
# $s_i (\delta_{ij} - s_j)$ |
#
# The formulas are written in NumPy in `dlbook.scratch.activations` (section 4 builds networks
# from them). This page draws them, and checks every derivative against the one
# `tf.GradientTape` finds by differentiating TensorFlow's own activation.

# %%
from dlbook.cli import start_page
from dlbook.plots import plot_functions
from dlbook.scratch.activations import ACTIVATIONS, softmax

import keras
import numpy as np
import tensorflow as tf

page = start_page("ch02_concepts/activations", globals())

# %% [markdown]
# ## The element-wise activations against the tape
#
# On 801 points from $-8$ to $8$, in float64: the derivative by formula beside the one the tape
# takes through `keras.activations`. Both leaky ReLUs use $\alpha = 0.2$, Keras's default for the
# function (the `LeakyReLU` layer's is 0.3). At $z = 0$, where ReLU has no derivative, TensorFlow
# takes 0, and so does the formula.

# %%
z = np.linspace(-8, 8, 801)
names = ["sigmoid", "tanh", "relu", "leaky_relu"]
values, derivatives, errors = {}, {}, {}
for name in names:
    f, f_prime = ACTIVATIONS[name]
    z_tensor = tf.constant(z)
    with tf.GradientTape() as tape:  # element-wise f: the gradient of sum f(z) is f'(z)
        tape.watch(z_tensor)
        tf_output = keras.activations.get(name)(z_tensor)
    tf_values, tape_derivative = tf_output.numpy(), tape.gradient(tf_output, z_tensor).numpy()
    values[name], derivatives[name] = f(z), f_prime(z)
    errors[name] = float(max(np.abs(values[name] - tf_values).max(),
                             np.abs(derivatives[name] - tape_derivative).max()))
    print(f"{name:<11} largest f'(z) {derivatives[name].max():.3f}; at z = -5 f' = "
          f"{f_prime(np.array([-5.0]))[0]:.4f}; largest difference from TensorFlow "
          f"{errors[name]:.1e}")
page.record(largest_derivative={name: float(d.max()) for name, d in derivatives.items()})

# %% [markdown]
# What the numbers say about training:
#
# - the sigmoid's derivative is at most $1/4$, and almost 0 once $|z|$ is large (the function
#   *saturates*): on its way back through ten sigmoid layers a gradient is multiplied by ten such
#   derivatives, which alone shrink it at least $4^{10} \approx 10^6$-fold. The weights multiply
#   it too, and large ones can make up part of that (chapter 3's gradients page measures the
#   two together). Section 3's vanishing gradients start here;
# - tanh is the sigmoid rescaled to $(-1, 1)$, $\tanh z = 2\sigma(2z) - 1$, centred on 0 with a
#   slope of 1 there, but saturates too;
# - ReLU passes the gradient unchanged wherever the unit is active and blocks it where it is not;
#   a unit that is inactive for every input gets no gradient and stays "dead";
# - leaky ReLU keeps a small slope $\alpha$ below zero, so such a unit can come back.

# %% [markdown]
# ## Softmax: scores into probabilities
#
# Softmax is not element-wise: each output depends on every score, so its derivative is a
# matrix, the Jacobian $J_{ij} = \partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)$, that is
# $J = \operatorname{diag}(s) - s s^\top$. Its rows sum to 0, because the probabilities always
# sum to 1. `tape.jacobian` computes it from TensorFlow's softmax.

# %%
scores = tf.constant(np.random.default_rng(page.seed).normal(size=5))
with tf.GradientTape() as tape:
    tape.watch(scores)
    probabilities = tf.nn.softmax(scores)
tape_jacobian = tape.jacobian(probabilities, scores).numpy()
s = softmax(scores.numpy())
jacobian = np.diag(s) - np.outer(s, s)
errors["softmax"] = float(max(np.abs(s - probabilities.numpy()).max(),
                              np.abs(jacobian - tape_jacobian).max()))
print("scores       ", np.round(scores.numpy(), 3))
print("softmax      ", np.round(s, 3), f"sum {s.sum():.6f}")
print("Jacobian row sums", np.round(jacobian.sum(axis=1), 12))
print(f"largest difference from tape.jacobian: {errors['softmax']:.1e}")
page.record(largest_difference_from_tensorflow=errors)

# %% [markdown]
# With two classes, softmax is the sigmoid: $s_1 = e^{z} / (e^{z} + e^{0}) = \sigma(z)$ for the
# scores $(z, 0)$. That is why a binary classifier needs one output and a sigmoid, and a
# classifier of $K$ classes $K$ outputs and a softmax.

# %%
two_class = softmax(np.stack([z, np.zeros_like(z)], axis=1))[:, 0]
print(f"softmax((z, 0))_1 vs sigmoid(z): largest difference "
      f"{np.abs(two_class - values['sigmoid']).max():.1e}")

# %% [markdown]
# ## What to look at
#
# `activations.png`, over $-5 \le z \le 5$: on the left the functions, on the right their
# derivatives. The sigmoid's derivative is a low bump (the two-class softmax lies exactly on it);
# tanh's is four times taller and half as wide, since $\tanh z = 2\sigma(2z) - 1$ gives
# $\tanh'(z) = 4\sigma'(2z)$; ReLU's is a step from 0 to 1, leaky ReLU's from $\alpha$ to 1.

# %%
shown = np.abs(z) <= 5
labels = {"sigmoid": "sigmoid = softmax((z, 0))[0]", "tanh": "tanh", "relu": "ReLU",
          "leaky_relu": "leaky ReLU (alpha = 0.2)"}
plot_functions(z[shown], {
    "activation f(z)": {labels[name]: values[name][shown] for name in names},
    "derivative f'(z)": {labels[name]: derivatives[name][shown] for name in names},
}, page.output_dir / "activations.png")
print(f"Plot in {page.output_dir}/activations.png")
