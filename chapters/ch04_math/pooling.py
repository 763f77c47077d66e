# %% [markdown]
# # Section 4 · Max pooling and average pooling
#
# Tutorial: section 4 · 池化操作的数学表示 (seed 004 §4.2.2)
#
# A pooling layer shrinks a feature map: it cuts it into windows $R_{ij}$ and keeps one number
# per window, the largest (max pooling) or the mean (average pooling). It has no weights. After a
# convolution it keeps whether a feature was found in a region while forgetting exactly where,
# and it divides the work of the next layer by four (2x2 windows).
#
# Each formula is written in NumPy below, on a real image, then checked with one line against
# `dlbook.scratch.pooling` and one line against Keras's `MaxPooling2D` and `AveragePooling2D`.

# %%
from dlbook.cli import chapter_args
from dlbook.data import load_arrays, resolve_dataset
from dlbook.plots import plot_image_grid
from dlbook.results import save_results
from dlbook.scratch import (
    Comparisons,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)

import keras
import numpy as np
import tensorflow as tf

args = chapter_args("ch04_math/pooling", "Max and average pooling on a real image, in NumPy "
                    "against dlbook.scratch and Keras (section 4)", epochs=1)
rng = np.random.default_rng(args.seed)
check = Comparisons()

dataset = resolve_dataset(args.dataset, args.data_dir)
_, (test_images, _) = load_arrays(dataset, data_dir=args.data_dir)
image = test_images[0] / 255.0  # 28 x 28, values in [0, 1]
batch = image[np.newaxis, :, :, np.newaxis]  # (1, 28, 28, 1): Keras's layout

# %% [markdown]
# ## Forward
#
# $$y_{ij} = \max_{(p, q) \in R_{ij}} x_{pq} \qquad\qquad
# y_{ij} = \frac{1}{|R_{ij}|} \sum_{(p, q) \in R_{ij}} x_{pq}$$
#
# with $R_{ij}$ the $2 \times 2$ window whose corner is at $(2i, 2j)$: windows side by side,
# which halve the height and the width.

# %%
size, stride = 2, 2
out = (len(image) - size) // stride + 1  # 14
max_pooled = np.zeros((out, out))
average_pooled = np.zeros((out, out))
for i in range(out):
    for j in range(out):
        window = image[i * stride : i * stride + size, j * stride : j * stride + size]  # R_ij
        max_pooled[i, j] = window.max()
        average_pooled[i, j] = window.mean()
print(f"{image.shape} -> {max_pooled.shape}")

check("max pooling vs dlbook.scratch.max_pool2d", max_pooled, max_pool2d(batch, 2)[0, :, :, 0])
check("max pooling vs keras.layers.MaxPooling2D", max_pooled,
      keras.layers.MaxPooling2D(2, dtype="float64")(batch)[0, :, :, 0])
check("average pooling vs dlbook.scratch.avg_pool2d", average_pooled,
      avg_pool2d(batch, 2)[0, :, :, 0])
check("average pooling vs keras.layers.AveragePooling2D", average_pooled,
      keras.layers.AveragePooling2D(2, dtype="float64")(batch)[0, :, :, 0])

# %% [markdown]
# `pooling.png` draws each pooled value as a 2x2 block, so that the three images have the same
# size:

# %%
def blocks(pooled):
    """Each value repeated over the 2x2 block it summarizes."""
    return np.repeat(np.repeat(pooled, 2, axis=0), 2, axis=1)


path = plot_image_grid(np.stack([image, blocks(max_pooled), blocks(average_pooled)]),
                       args.output_dir / "pooling.png", panel_inches=2.5,
                       titles=["input 28x28", "max pooling 14x14", "average pooling 14x14"])
print(f"A {dataset} test image pooled: {path}")

# %% [markdown]
# ## Backward: where the gradient goes
#
# Pooling has no weights, but a gradient $\partial L / \partial y_{ij}$ arriving at its output
# must be passed to its input. The derivative of a maximum is 1 for the input that was largest
# and 0 for the others, so max pooling sends each output's whole gradient to its window's
# maximum. The derivative of a mean is $1 / |R_{ij}|$ for every input, so average pooling spreads
# it evenly, a quarter to each. On a 4x4 input:

# %%
x = rng.permutation(16).reshape(4, 4).astype(float)  # distinct values: one maximum per window
dL_dy = np.array([[1.0, 2.0], [3.0, 4.0]])  # the gradient at the 2x2 output
dL_dx_max = np.zeros_like(x)
dL_dx_average = np.zeros_like(x)
for i in range(2):
    for j in range(2):
        window = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        p, q = np.unravel_index(window.argmax(), window.shape)
        dL_dx_max[2 * i + p, 2 * j + q] = dL_dy[i, j]
        dL_dx_average[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] = dL_dy[i, j] / 4
print("x =\n", x, "\ndL/dx through the max =\n", dL_dx_max,
      "\ndL/dx through the average =\n", dL_dx_average)

x4, dy4 = x[np.newaxis, :, :, np.newaxis], dL_dy[np.newaxis, :, :, np.newaxis]
check("dL/dx, max vs dlbook.scratch", dL_dx_max, max_pool2d_backward(dy4, x4, 2)[0, :, :, 0])
x_tensor = tf.constant(x4)
with tf.GradientTape(persistent=True) as tape:  # L = sum(y * dL/dy): its gradient at y is dL/dy
    tape.watch(x_tensor)
    through_max = tf.reduce_sum(keras.layers.MaxPooling2D(2, dtype="float64")(x_tensor) * dy4)
    through_average = tf.reduce_sum(
        keras.layers.AveragePooling2D(2, dtype="float64")(x_tensor) * dy4)
check("dL/dx, max vs GradientTape", dL_dx_max,
      tape.gradient(through_max, x_tensor).numpy()[0, :, :, 0])
check("dL/dx, average vs dlbook.scratch", dL_dx_average,
      avg_pool2d_backward(dy4, x4, 2)[0, :, :, 0])
check("dL/dx, average vs GradientTape", dL_dx_average,
      tape.gradient(through_average, x_tensor).numpy()[0, :, :, 0])

results_file = save_results(args, dataset=dataset, max_relative_error=check.largest,
                            relative_errors=check.errors)
print(f"Results in {results_file}")

# %% [markdown]
# ## What to notice
#
# - `pooling.png`: at half the resolution the object is still plain to see. Max pooling keeps
#   the bright strokes (thin lines survive, a little thicker); average pooling blurs them.
# - Backward, max pooling gives the whole gradient to one input per window and 0 to the three
#   others: only the maximum moved the output. Average pooling gives each input a quarter.
# - `dlbook.scratch` and Keras agree with the loops exactly, forward and backward.
