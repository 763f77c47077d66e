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
# Each formula is written below as a NumPy function, run on a real image and checked with one
# line against Keras's `MaxPooling2D` and `AveragePooling2D`. The functions are in cells marked
# `#@save dlbook/scratch/pooling.py`: the module `dlbook.scratch.pooling` runs them, so the code is
# written once, here, and the tests check `dlbook.scratch.pooling` against Keras once more, in
# float32 and float64, forward and backward.

# %%
from dlbook.cli import start_page
from dlbook.data import load_arrays, resolve_dataset
from dlbook.plots import plot_image_grid
from dlbook.scratch import Comparisons
from dlbook.scratch.conv import add_windows, sliding_windows

import keras
import numpy as np
import tensorflow as tf

# %%
DATASET = "auto"  # where the test image comes from: mnist, fashion_mnist or auto

page = start_page("ch04_math/pooling", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

# %% [markdown]
# ## Forward
#
# $$y_{ij} = \max_{(p, q) \in R_{ij}} x_{pq} \qquad\qquad
# y_{ij} = \frac{1}{|R_{ij}|} \sum_{(p, q) \in R_{ij}} x_{pq}$$
#
# with $R_{ij}$ the $2 \times 2$ window whose corner is at $(2i, 2j)$: windows side by side,
# which halve the height and the width.
#
# `sliding_windows` (`convolution.py`) cuts out every window at once, an array whose entry
# `[n, i, j, c]` is the window $R_{ij}$ of channel $c$; the largest value or the mean over its two
# last axes is $y_{ij}$. The windows are as far apart as they are wide unless a stride says
# otherwise, as in Keras's `MaxPooling2D(2)`.

# %%
#@save dlbook/scratch/pooling.py
def pooling_windows(x: np.ndarray, pool_size: int, stride: int | None) -> np.ndarray:
    """The windows ``R_ij`` of ``x`` (N, H, W, C), ``pool_size`` wide and ``stride`` apart (by
    default ``pool_size``): an array ``(N, out_h, out_w, C, pool_size, pool_size)``."""
    if x.ndim != 4:
        raise ValueError(f"expected x of shape (N, H, W, C), got {x.shape}")
    return sliding_windows(x, (pool_size, pool_size), stride or pool_size)


def max_pool2d(x: np.ndarray, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling ``y_ij = max over R_ij of x``: ``(N, H, W, C) -> (N, out_h, out_w, C)``."""
    return pooling_windows(x, pool_size, stride).max(axis=(4, 5))


def avg_pool2d(x: np.ndarray, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """Average pooling ``y_ij = mean over R_ij of x``: ``(N, H, W, C) -> (N, out_h, out_w,
    C)``."""
    return pooling_windows(x, pool_size, stride).mean(axis=(4, 5))


# %%
dataset = resolve_dataset(DATASET, page.data_dir)
_, (test_images, _) = load_arrays(dataset, data_dir=page.data_dir)
image = test_images[0] / 255.0  # the first test image, 28 x 28, values in [0, 1]
batch = image[np.newaxis, :, :, np.newaxis]  # (1, 28, 28, 1): Keras's layout
max_pooled = max_pool2d(batch, 2)[0, :, :, 0]
average_pooled = avg_pool2d(batch, 2)[0, :, :, 0]
print(f"{image.shape} -> {max_pooled.shape}")

check("max pooling vs keras.layers.MaxPooling2D", max_pooled,
      keras.layers.MaxPooling2D(2, dtype="float64")(batch)[0, :, :, 0])
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
                       page.output_dir / "pooling.png", panel_inches=2.5,
                       titles=["input 28x28", "max pooling 14x14", "average pooling 14x14"])
print(f"A {dataset} test image pooled: {path}")

# %% [markdown]
# ## Backward: where the gradient goes
#
# Pooling has no weights, but a gradient $\partial L / \partial y_{ij}$ arriving at its output
# must be passed to its input. The derivative of a maximum is 1 for the input that was largest
# and 0 for the others, so max pooling sends each output's whole gradient to its window's
# maximum. The derivative of a mean is $1 / |R_{ij}|$ for every input, so average pooling spreads
# it evenly, a quarter to each.
#
# The functions below give every window its share of the gradient, an array of the windows'
# shape (the output's gradient at the maximum and 0 elsewhere, or the gradient times
# $1 / |R_{ij}|$ everywhere), and `add_windows` (`convolution.py`) adds each window back where
# it was cut from. On a 4x4 input:

# %%
#@save dlbook/scratch/pooling.py
def max_pool2d_backward(
    dy: np.ndarray, x: np.ndarray, pool_size: int = 2, stride: int | None = None
) -> np.ndarray:
    """``dL/dx``: each output's gradient goes to its window's maximum (the first, on a tie)."""
    windows = pooling_windows(x, pool_size, stride)
    flat = windows.reshape(*windows.shape[:4], -1)
    is_max = np.arange(flat.shape[-1]) == np.argmax(flat, axis=-1)[..., np.newaxis]
    d_windows = (is_max * dy[..., np.newaxis]).reshape(windows.shape)
    return add_windows(d_windows, x.shape, stride or pool_size)


def avg_pool2d_backward(
    dy: np.ndarray, x: np.ndarray, pool_size: int = 2, stride: int | None = None
) -> np.ndarray:
    """``dL/dx``: each output's gradient, divided by ``|R_ij|``, to every entry of its window."""
    windows = pooling_windows(x, pool_size, stride)
    share = dy[..., np.newaxis, np.newaxis] / pool_size**2
    return add_windows(np.broadcast_to(share, windows.shape), x.shape, stride or pool_size)


# %%
x = rng.permutation(16).reshape(1, 4, 4, 1).astype(float)  # distinct: one maximum per window
dL_dy = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)  # the gradient at the output
dL_dx_max = max_pool2d_backward(dL_dy, x, 2)
dL_dx_average = avg_pool2d_backward(dL_dy, x, 2)
print("x =\n", x[0, :, :, 0], "\ndL/dx through the max =\n", dL_dx_max[0, :, :, 0],
      "\ndL/dx through the average =\n", dL_dx_average[0, :, :, 0])

x_tensor = tf.constant(x)
with tf.GradientTape(persistent=True) as tape:  # L = sum(y * dL/dy): its gradient at y is dL/dy
    tape.watch(x_tensor)
    through_max = tf.reduce_sum(keras.layers.MaxPooling2D(2, dtype="float64")(x_tensor) * dL_dy)
    through_average = tf.reduce_sum(
        keras.layers.AveragePooling2D(2, dtype="float64")(x_tensor) * dL_dy)
check("dL/dx, max vs GradientTape", dL_dx_max, tape.gradient(through_max, x_tensor))
check("dL/dx, average vs GradientTape", dL_dx_average, tape.gradient(through_average, x_tensor))

# %% [markdown]
# ## What to notice
#
# - `pooling.png`: at half the resolution the object is still plain to see. Max pooling keeps
#   the bright strokes (thin lines survive, a little thicker); average pooling blurs them.
# - Backward, max pooling gives the whole gradient to one input per window and 0 to the three
#   others: only the maximum moved the output. Average pooling gives each input a quarter.
# - The functions written here agree with Keras exactly, forward and backward.
