# %% [markdown]
# # Section 4 · Convolution, cross-correlation and the Conv2D layer
#
# Tutorial: section 4 · 卷积操作的数学表示 (seed 004 §4.2.1); section 5 · 卷积神经网络的代码实现
# (seed 004 §5.2)
#
# Seed 004 (§4.2.1) writes the convolution of an input with a kernel as a sum in which the kernel
# is **flipped**. Convolutional layers, Keras's `Conv2D` and seed 004's own NumPy Conv2D listing
# (§5.2) compute a different sum, the **cross-correlation**, in which the kernel is not flipped:
# seed 004's formula is not what its own listing computes.
# For a layer that learns its kernel the difference is harmless (it simply learns the flipped
# kernel), but applied to a given kernel the two give different images. This page computes both
# on a real image and shows that they differ exactly by flipping the kernel; then it writes a
# layer the way section 5's NumPy Conv2D listing lays it out (channels first, loops), with
# channels, stride and padding.

# %%
from dlbook.cli import chapter_args
from dlbook.data import load_arrays, resolve_dataset
from dlbook.plots import plot_image_grid
from dlbook.results import save_results
from dlbook.scratch import Comparisons, conv2d, conv2d_backward, conv2d_loop, relative_error

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/convolution", "Convolution and cross-correlation on a real image, "
                    "and the Conv2D layer, in NumPy against dlbook.scratch and Keras (section 4)",
                    epochs=1)
rng = np.random.default_rng(args.seed)
check = Comparisons()

dataset = resolve_dataset(args.dataset, args.data_dir)
_, (test_images, _) = load_arrays(dataset, data_dir=args.data_dir)
image = test_images[0] / 255.0  # 28 x 28, values in [0, 1]
kernel = np.array([[-2.0, -1.0, 0.0],
                   [-1.0, 1.0, 1.0],
                   [0.0, 1.0, 2.0]])  # "emboss": lower right minus upper left
k = len(kernel)
size = len(image) - k + 1  # 26: the positions where the whole kernel fits ("valid")

# %% [markdown]
# ## Cross-correlation: what a CNN layer computes
#
# $$S(i, j) = \sum_m \sum_n I(i + m, j + n)\, K(m, n)$$
#
# Lay the kernel on the image with its corner at $(i, j)$, multiply the overlapping values,
# add them up. The `emboss` kernel weighs the lower-right neighbours positively and the
# upper-left ones negatively: edges light up as if lit from one corner.

# %%
cross_correlation = np.zeros((size, size))
for i in range(size):
    for j in range(size):
        cross_correlation[i, j] = np.sum(image[i : i + k, j : j + k] * kernel)

batch = image[np.newaxis, :, :, np.newaxis]  # (1, 28, 28, 1): Keras's layout
no_bias = np.zeros(1)
check("cross-correlation vs dlbook.scratch.conv2d_loop", cross_correlation,
      conv2d_loop(batch, kernel[:, :, np.newaxis, np.newaxis], no_bias)[0, :, :, 0])
keras_conv = keras.layers.Conv2D(1, k, use_bias=False, dtype="float64")
keras_conv.build(batch.shape)
keras_conv.set_weights([kernel[:, :, np.newaxis, np.newaxis]])
check("cross-correlation vs keras.layers.Conv2D", cross_correlation, keras_conv(batch)[0, :, :, 0])

# %% [markdown]
# ## Convolution: the formula of section 4
#
# $$(f * g)(i, j) = \sum_m \sum_n f(m, n)\, g(i - m, j - n)$$
#
# Seed 004 names $f$ the input and $g$ the kernel. Convolution commutes ($f * g = g * f$, by
# the change of variables $m \to i - m$, $n \to j - n$), so the loops below may take the sum
# over the kernel's $k \times k$ positions instead, $f$ the kernel and $g$ the image, and get
# the same image. As $m$ and $n$ run forward the image index runs backward: the kernel is read
# upside down and back to front. Below, output $(i, j)$ is the formula at $(i + 2, j + 2)$, so
# that every image index stays inside the image.

# %%
convolution = np.zeros((size, size))
for i in range(size):
    for j in range(size):
        convolution[i, j] = sum(kernel[m, n] * image[i + k - 1 - m, j + k - 1 - n]
                                for m in range(k) for n in range(k))

print(f"convolution vs cross-correlation: relative error "
      f"{relative_error(convolution, cross_correlation):.2f}, two different images")
flipped = kernel[::-1, ::-1]  # upside down and back to front
check("convolution vs dlbook.scratch.conv2d, kernel flipped", convolution,
      conv2d(batch, flipped[:, :, np.newaxis, np.newaxis], no_bias)[0, :, :, 0])
keras_conv.set_weights([flipped[:, :, np.newaxis, np.newaxis]])
check("convolution vs keras.layers.Conv2D, kernel flipped", convolution,
      keras_conv(batch)[0, :, :, 0])

# %% [markdown]
# `cross_correlation.png` draws them side by side (the input cropped to the same 26x26
# positions):

# %%
path = plot_image_grid(
    np.stack([image[1:-1, 1:-1], cross_correlation, convolution,
              np.abs(convolution - cross_correlation)]),
    args.output_dir / "cross_correlation.png", ncols=4, panel_inches=2.5,
    titles=["input", "cross-correlation\n(Conv2D)", "convolution\n(kernel flipped)",
            "|difference|"])
print(f"On a {dataset} test image: {path}")

# %% [markdown]
# ## A Conv2D layer in the layout of the NumPy listing (section 5)
#
# The listing's class holds `(out, in, k, k)` weights drawn with `randn` and one bias per output
# channel, takes a batch **channels-first**, `(batch, channels, height, width)`, pads it,
# and loops over output rows, columns and channels; each output is the cross-correlation of a
# window with one filter, summed over the input channels, plus the bias:
#
# $$y[n, f, i, j] = b_f + \sum_{c, p, q} x_{\text{padded}}[n, c, i s + p, j s + q]\,
# W[f, c, p, q]$$
#
# The loops below are ours, in that layout: 3 input channels (as in a colour image), 4 filters
# of 3x3, stride $s = 2$, padding 1.

# %%
x = rng.normal(size=(2, 3, 9, 9))  # (batch, channels, height, width)
weights = rng.normal(size=(4, 3, 3, 3))  # (out, in, k, k)
bias = rng.normal(size=4)
stride, padding = 2, 1

padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
out_size = (x.shape[2] + 2 * padding - 3) // stride + 1
y = np.zeros((2, 4, out_size, out_size))
for i in range(out_size):
    for j in range(out_size):
        window = padded[:, :, i * stride : i * stride + 3, j * stride : j * stride + 3]
        for f in range(4):
            y[:, f, i, j] = np.sum(window * weights[f], axis=(1, 2, 3)) + bias[f]
print(f"x {x.shape} -> y {y.shape}")

# %% [markdown]
# `dlbook.scratch.conv` and Keras are **channels-last**: `x` is `(batch, height, width,
# channels)` and the kernel `(k, k, in, out)`, Keras's default and the layout of every image in
# `dlbook.data`, so Keras's weights are used as they are. The check lines transpose. Keras's
# `padding="same"` keeps $\lceil 9 / 2 \rceil = 5$ outputs, here by one zero on each side, as
# above.

# %%
x_last = x.transpose(0, 2, 3, 1)  # (batch, height, width, channels)
kernel_last = weights.transpose(2, 3, 1, 0)  # (k, k, in, out)
check("channels-first loops vs dlbook.scratch.conv2d", y.transpose(0, 2, 3, 1),
      conv2d(x_last, kernel_last, bias, stride=2, padding="same"))
keras_layer = keras.layers.Conv2D(4, 3, strides=2, padding="same", dtype="float64")
keras_layer.build(x_last.shape)
keras_layer.set_weights([kernel_last, bias])
check("channels-first loops vs keras.layers.Conv2D", y.transpose(0, 2, 3, 1), keras_layer(x_last))

# %% [markdown]
# ## The backward pass (dlbook adds it; the listing has none)
#
# Differentiating the sum: the kernel's gradient adds every window times its output's gradient,
# $\partial L / \partial W[p, q, c, f] = \sum_{n, i, j} \frac{\partial L}{\partial y[n, i, j, f]}
# \, x[n, i s + p, j s + q, c]$; the bias's adds the output gradients of its filter; and each
# window sends back its output's gradient times the kernel, added up where windows overlap.
# `dlbook.scratch.conv2d_backward` computes the three; GradientTape agrees:

# %%
dL_dy = rng.normal(size=(2, out_size, out_size, 4))
x_tensor = tf.constant(x_last)
with tf.GradientTape() as tape:  # L = sum(y * dL/dy): its gradient at y is dL/dy
    tape.watch(x_tensor)
    weighted_sum = tf.reduce_sum(keras_layer(x_tensor) * dL_dy)
keras_dx, keras_dkernel, keras_dbias = (gradient.numpy() for gradient in tape.gradient(
    weighted_sum, [x_tensor, *keras_layer.trainable_weights]))
dx, dkernel, dbias = conv2d_backward(dL_dy, x_last, kernel_last, stride=2, padding="same")
check("dL/dx: dlbook.scratch vs GradientTape", dx, keras_dx)
check("dL/dW: dlbook.scratch vs GradientTape", dkernel, keras_dkernel)
check("dL/db: dlbook.scratch vs GradientTape", dbias, keras_dbias)

results_file = save_results(
    args, dataset=dataset, max_relative_error=check.largest, relative_errors=check.errors,
    convolution_vs_cross_correlation=relative_error(convolution, cross_correlation))
print(f"Results in {results_file}")

# %% [markdown]
# ## What to notice
#
# - `cross_correlation.png`: the same kernel lights opposite edges of the image as a
#   cross-correlation (what `Conv2D` computes) and as a convolution (the formula of section 4);
#   flipping the kernel turns one into the other, to float64 rounding.
# - Loops in the section 5 listing's layout, `dlbook.scratch` (channels-last, vectorized) and
#   Keras give the same layer output; only the order of the axes differs.
# - A trained CNN does not care which of the two it computes: it would learn the flipped kernel.
