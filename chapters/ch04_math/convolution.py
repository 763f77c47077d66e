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
# on a real image and shows that they differ exactly by flipping the kernel; then it writes the
# layer that section 5's NumPy Conv2D listing builds, with channels, stride and padding, as
# loops and then for every window at once, and its backward pass.
#
# The layer's functions are in cells marked `#@save dlbook/scratch/conv.py`: that module of the
# package runs them, so they are written once, here, and imported from it
# (`from dlbook.scratch import conv2d`).

# %%
from dlbook.cli import start_page
from dlbook.data import load_arrays, resolve_dataset
from dlbook.plots import plot_image_grid
from dlbook.scratch import Comparisons, relative_error

import keras
import numpy as np
import tensorflow as tf
from numpy.lib.stride_tricks import sliding_window_view

# %%
DATASET = "auto"  # where the test image comes from: mnist, fashion_mnist or auto

page = start_page("ch04_math/convolution", globals())
rng = np.random.default_rng(page.seed)
check = Comparisons(page.record)  # prints each comparison and records it in results.json

dataset = resolve_dataset(DATASET, page.data_dir)
_, (test_images, _) = load_arrays(dataset, data_dir=page.data_dir)
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

difference = relative_error(convolution, cross_correlation)
print(f"convolution vs cross-correlation: relative error {difference:.2f}, two different images")
page.record(convolution_vs_cross_correlation=difference)
flipped = kernel[::-1, ::-1]  # upside down and back to front
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
    page.output_dir / "cross_correlation.png", ncols=4, panel_inches=2.5,
    titles=["input", "cross-correlation\n(Conv2D)", "convolution\n(kernel flipped)",
            "|difference|"])
print(f"On a {dataset} test image: {path}")

# %% [markdown]
# ## The Conv2D layer of the NumPy listing (section 5)
#
# The listing's class holds `(out, in, k, k)` weights drawn with `randn` and one bias per output
# channel, takes a batch **channels-first**, `(batch, channels, height, width)`, pads it,
# and loops over output rows, columns and channels; each output is the cross-correlation of a
# window with one filter, summed over the input channels, plus the bias:
#
# $$y[n, f, i, j] = b_f + \sum_{c, p, q} x_{\text{padded}}[n, c, i s + p, j s + q]\,
# W[f, c, p, q]$$
#
# Keras is **channels-last**, and so is every image of `dlbook.data`: `x` is `(batch, height,
# width, channels)` and the kernel `(k, k, in, out)`. The layer below is written that way, so
# that Keras's weights serve as they are; it is the same sum with its axes in Keras's order,
#
# $$y[n, i, j, f] = b_f + \sum_{p, q, c} x_{\text{padded}}[n, i s + p, j s + q, c]\,
# K[p, q, c, f].$$
#
# Padding comes first. `"valid"` adds no zeros: along an axis of `size` entries the output then
# has $\lfloor (\text{size} - k) / s \rfloor + 1$. `"same"` adds the zeros that give it
# $\lceil \text{size} / s \rceil$, one more after than before when their number is odd, as
# TensorFlow does. Then `conv2d_loop` computes the sum one output value at a time, as the
# listing does: slow, and plainly the formula.

# %%
#@save dlbook/scratch/conv.py
def check_conv_inputs(x: np.ndarray, kernel: np.ndarray) -> None:
    """Raise unless ``x`` is ``(N, H, W, C)`` and ``kernel`` is ``(kh, kw, C, F)``."""
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError(
            f"x has shape {x.shape} and the kernel {kernel.shape}; expected x (N, H, W, C) and "
            "a kernel (kh, kw, C, F) with the same number of channels C"
        )


def padding_sizes(size: int, window: int, stride: int, padding: str) -> tuple[int, int]:
    """The zeros added ``(before, after)`` along one axis: none for ``"valid"``; for
    ``"same"``, those that leave ``ceil(size / stride)`` outputs, the odd one after."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((-(-size // stride) - 1) * stride + window - size, 0)
        return total // 2, total - total // 2
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def pad(x: np.ndarray, window: tuple[int, int], stride: int, padding: str) -> np.ndarray:
    """``x`` (N, H, W, C) with the zeros `padding_sizes` asks for around H and W."""
    rows = padding_sizes(x.shape[1], window[0], stride, padding)
    cols = padding_sizes(x.shape[2], window[1], stride, padding)
    return np.pad(x, ((0, 0), rows, cols, (0, 0)))


def conv2d_loop(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int = 1, padding: str = "valid"
) -> np.ndarray:
    """Section 4's layer ``y[n, i, j, f] = b[f] + sum_{p, q, c} x[n, i s + p, j s + q, c]
    K[p, q, c, f]`` (a cross-correlation), one output value at a time; channels-last."""
    check_conv_inputs(x, kernel)
    kh, kw, _, filters = kernel.shape
    x = pad(x, (kh, kw), stride, padding)
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters), dtype=x.dtype)
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                patch = x[n, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
                for f in range(filters):
                    y[n, i, j, f] = np.sum(patch * kernel[:, :, :, f]) + bias[f]
    return y


# %% [markdown]
# The listing's case: 3 input channels (as in a colour image), 4 filters of 3x3, stride
# $s = 2$, one zero of padding on each side, which is what `"same"` adds to an input of 9
# (it keeps $\lceil 9 / 2 \rceil = 5$ outputs). The arrays are drawn in the listing's layout and
# transposed into Keras's.

# %%
x = rng.normal(size=(2, 3, 9, 9))  # the listing's layout: (batch, channels, height, width)
weights = rng.normal(size=(4, 3, 3, 3))  # (out, in, k, k)
bias = rng.normal(size=4)

x_last = x.transpose(0, 2, 3, 1)  # (batch, height, width, channels)
kernel_last = weights.transpose(2, 3, 1, 0)  # (k, k, in, out)
y = conv2d_loop(x_last, kernel_last, bias, stride=2, padding="same")
print(f"x {x_last.shape} -> y {y.shape}")

keras_layer = keras.layers.Conv2D(4, 3, strides=2, padding="same", dtype="float64")
keras_layer.build(x_last.shape)
keras_layer.set_weights([kernel_last, bias])
check("conv2d_loop vs keras.layers.Conv2D", y, keras_layer(x_last))

# %% [markdown]
# ## Every window at once
#
# The loops visit the windows one by one. NumPy can instead view all of them at once:
# `sliding_window_view` gives an array of shape `(batch, out_h, out_w, channels, k, k)` whose
# entry `[n, i, j]` is the window of output $(i, j)$, without copying the input. The formula's
# sum over $p, q, c$ for every $n, i, j, f$ is then one `einsum`, which runs as a single matrix
# product of the flattened windows and the flattened kernel (the trick is called im2col). On the
# benchmark's batch it is thousands of times faster than the loops
# (`benchmarks/results/conv2d.md`).

# %%
#@save dlbook/scratch/conv.py
def sliding_windows(x: np.ndarray, window: tuple[int, int], stride: int) -> np.ndarray:
    """Every ``window`` of ``x`` (N, H, W, C) a ``stride`` apart: a view (no copy) of shape
    ``(N, out_h, out_w, C, kh, kw)``."""
    if x.shape[1] < window[0] or x.shape[2] < window[1]:
        raise ValueError(f"a {window} window does not fit in an input of shape {x.shape}")
    return sliding_window_view(x, window, axis=(1, 2))[:, ::stride, ::stride]


def conv2d(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int = 1, padding: str = "valid"
) -> np.ndarray:
    """The same as `conv2d_loop`, vectorized: every window times the kernel in one product
    (im2col), ``einsum("nijcpq,pqcf->nijf")``."""
    check_conv_inputs(x, kernel)
    windows = sliding_windows(pad(x, kernel.shape[:2], stride, padding), kernel.shape[:2], stride)
    y = np.einsum("nijcpq,pqcf->nijf", windows, kernel, optimize=True)
    y += bias  # in place: a second output-sized array would cost as much as the product
    return y


# %%
check("conv2d (every window at once) vs keras.layers.Conv2D",
      conv2d(x_last, kernel_last, bias, stride=2, padding="same"), keras_layer(x_last))

# %% [markdown]
# ## The backward pass (dlbook adds it; the listing has none)
#
# Differentiating the sum: the kernel's gradient adds every window times its output's gradient,
#
# $$\frac{\partial L}{\partial K[p, q, c, f]} = \sum_{n, i, j}
# \frac{\partial L}{\partial y[n, i, j, f]} \, x[n, i s + p, j s + q, c];$$
#
# the bias's adds the output gradients of its filter; and each window sends back its output's
# gradient times the kernel, $\frac{\partial L}{\partial y[n, i, j, :]} K[p, q, c, :]^\top$,
# added onto the input entries it was cut from, where windows overlap as well. Cutting off the
# padding leaves the gradient at the input. GradientTape agrees:

# %%
#@save dlbook/scratch/conv.py
def add_windows(d_windows: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """The inverse of `sliding_windows` for gradients: each window's gradient
    ``(N, out_h, out_w, C, kh, kw)`` added back where the window came from, in an array of
    ``shape``. Overlapping windows add up, since their input entries are shared."""
    _, out_h, out_w, _, kh, kw = d_windows.shape
    dx = np.zeros(shape, dtype=d_windows.dtype)
    for p in range(kh):
        for q in range(kw):
            dx[:, p : p + stride * out_h : stride, q : q + stride * out_w : stride] += (
                d_windows[..., p, q]
            )
    return dx


def conv2d_backward(
    dy: np.ndarray, x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: str = "valid"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dK, dL/db)`` from ``dy = dL/dy``: ``dL/dK[p, q, c, f] = sum_{n, i, j}
    dy[n, i, j, f] x[n, i s + p, j s + q, c]``, ``dL/db[f] = sum dy[..., f]``, and each window
    receives ``dy[n, i, j, :] K^T``, added back onto the input it was cut from."""
    check_conv_inputs(x, kernel)
    kh, kw = kernel.shape[:2]
    padded = pad(x, (kh, kw), stride, padding)
    windows = sliding_windows(padded, (kh, kw), stride)
    dkernel = np.einsum("nijcpq,nijf->pqcf", windows, dy, optimize=True)
    d_windows = np.einsum("nijf,pqcf->nijcpq", dy, kernel, optimize=True)
    dpadded = add_windows(d_windows, padded.shape, stride)
    top = padding_sizes(x.shape[1], kh, stride, padding)[0]
    left = padding_sizes(x.shape[2], kw, stride, padding)[0]
    dx = dpadded[:, top : top + x.shape[1], left : left + x.shape[2]]
    return dx, dkernel, dy.sum(axis=(0, 1, 2))


# %%
dL_dy = rng.normal(size=y.shape)
x_tensor = tf.constant(x_last)
with tf.GradientTape() as tape:  # L = sum(y * dL/dy): its gradient at y is dL/dy
    tape.watch(x_tensor)
    weighted_sum = tf.reduce_sum(keras_layer(x_tensor) * dL_dy)
keras_dx, keras_dkernel, keras_dbias = tape.gradient(
    weighted_sum, [x_tensor, *keras_layer.trainable_weights])
dx, dkernel, dbias = conv2d_backward(dL_dy, x_last, kernel_last, stride=2, padding="same")
check("dL/dx vs GradientTape", dx, keras_dx)
check("dL/dW vs GradientTape", dkernel, keras_dkernel)
check("dL/db vs GradientTape", dbias, keras_dbias)

# %% [markdown]
# ## What to notice
#
# - `cross_correlation.png`: the same kernel lights opposite edges of the image as a
#   cross-correlation (what `Conv2D` computes) and as a convolution (the formula of section 4);
#   flipping the kernel turns one into the other, to float64 rounding.
# - The loops, the vectorized `conv2d` and Keras give the same layer output; the listing's
#   channels-first layout differs from Keras's only in the order of the axes.
# - A trained CNN does not care which of the two it computes: it would learn the flipped kernel.
