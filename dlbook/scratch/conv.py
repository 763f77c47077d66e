"""Section 4: the 2-D convolution layer, ``S(i, j) = sum_m sum_n I(i + m, j + n) K(m, n)``, forward
and backward.

Like the deep-learning libraries (and section 5's NumPy Conv2D listing), this computes a
cross-correlation: the kernel is not flipped, as it is in section 4's formula of the convolution
(``chapters/ch04_math/convolution.py`` shows the difference). With a batch, channels, ``F``
filters, a bias and a stride ``s``::

    y[n, i, j, f] = b[f] + sum_{p, q, c} x[n, i*s + p, j*s + q, c] * K[p, q, c, f]

Layouts are Keras's, channels-last: ``x`` is ``(N, H, W, C)``, the kernel ``(kh, kw, C, F)``
(exactly ``Conv2D.kernel``), the bias ``(F,)``, so Keras weights are used as they are (the
listing is channels-first: ``(N, C, H, W)`` inputs, ``(F, C, kh, kw)`` weights).
`conv2d_loop` is the sum as loops, like the listing's, the readable reference; `conv2d` computes the
same sum for every window at once (im2col: a view of all windows, then one matrix product).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def check_conv_inputs(x: np.ndarray, kernel: np.ndarray) -> None:
    """Raise unless ``x`` is ``(N, H, W, C)`` and ``kernel`` is ``(kh, kw, C, F)``."""
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError(
            f"x has shape {x.shape} and the kernel {kernel.shape}; expected x (N, H, W, C) and "
            "a kernel (kh, kw, C, F) with the same number of channels C"
        )


def padding_sizes(size: int, window: int, stride: int, padding: str) -> tuple[int, int]:
    """Zeros added ``(before, after)`` along one axis.

    ``"valid"`` adds none: the output has ``floor((size - window) / stride) + 1`` entries.
    ``"same"`` pads so that it has ``ceil(size / stride)``, the extra zero (if the total is odd)
    after, as TensorFlow does.
    """
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


def sliding_windows(x: np.ndarray, window: tuple[int, int], stride: int) -> np.ndarray:
    """Every ``window`` of ``x`` (N, H, W, C) a ``stride`` apart: a view (no copy) of shape
    ``(N, out_h, out_w, C, kh, kw)``."""
    if x.shape[1] < window[0] or x.shape[2] < window[1]:
        raise ValueError(f"a {window} window does not fit in an input of shape {x.shape}")
    return sliding_window_view(x, window, axis=(1, 2))[:, ::stride, ::stride]


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


def conv2d_loop(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int = 1, padding: str = "valid"
) -> np.ndarray:
    """The formula as loops, one output value at a time: slow, obviously right."""
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


def conv2d(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int = 1, padding: str = "valid"
) -> np.ndarray:
    """The same as `conv2d_loop`, vectorized: every window times the kernel in one product.

    ``einsum`` spells the formula's sum over ``(p, q, c)`` for all ``(n, i, j, f)`` at once; it
    runs as one matrix product of the windows, flattened (im2col), and the flattened kernel.
    """
    check_conv_inputs(x, kernel)
    windows = sliding_windows(pad(x, kernel.shape[:2], stride, padding), kernel.shape[:2], stride)
    y = np.einsum("nijcpq,pqcf->nijf", windows, kernel, optimize=True)
    y += bias  # in place: a second output-sized array would cost as much as the product
    return y


def conv2d_backward(
    dy: np.ndarray, x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: str = "valid"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dK, dL/db)`` from ``dL/dy``.

    Differentiating the sum: ``dL/dK[p, q, c, f] = sum_{n, i, j} dy[n, i, j, f] x[n, i*s + p,
    j*s + q, c]`` (each window times its output's gradient), ``dL/db[f] = sum dy[..., f]``, and
    each window receives ``dy[n, i, j, :] K^T``, added back onto the input it was cut from.
    """
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
