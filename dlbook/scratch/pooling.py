"""Section 4: max and average pooling, forward and backward ("valid" windows, channels-last).

``y[n, i, j, c] = max`` (or mean) of ``x[n, i*s : i*s + k, j*s : j*s + k, c]``, a ``k x k``
window every ``s`` pixels (``s = k`` unless given, as in Keras's ``MaxPooling2D(k)``).
Backward, the mean spreads each output's gradient evenly over its window; the max sends all of it
to the input that was the maximum, the only one that moved the output.
"""

from __future__ import annotations

from dlbook.scratch.conv import add_windows, sliding_windows

import numpy as np


def _windows(x: np.ndarray, pool_size: int, stride: int | None) -> np.ndarray:
    if x.ndim != 4:
        raise ValueError(f"expected x of shape (N, H, W, C), got {x.shape}")
    return sliding_windows(x, (pool_size, pool_size), stride or pool_size)


def max_pool2d(x: np.ndarray, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """The largest value of each window: ``(N, H, W, C) -> (N, out_h, out_w, C)``."""
    return _windows(x, pool_size, stride).max(axis=(4, 5))


def max_pool2d_backward(
    dy: np.ndarray, x: np.ndarray, pool_size: int = 2, stride: int | None = None
) -> np.ndarray:
    """``dL/dx``: each output's gradient goes to its window's maximum (the first, on a tie)."""
    windows = _windows(x, pool_size, stride)
    flat = windows.reshape(*windows.shape[:4], -1)
    is_max = np.arange(flat.shape[-1]) == np.argmax(flat, axis=-1)[..., np.newaxis]
    d_windows = (is_max * dy[..., np.newaxis]).reshape(windows.shape)
    return add_windows(d_windows, x.shape, stride or pool_size)


def avg_pool2d(x: np.ndarray, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """The mean of each window: ``(N, H, W, C) -> (N, out_h, out_w, C)``."""
    return _windows(x, pool_size, stride).mean(axis=(4, 5))


def avg_pool2d_backward(
    dy: np.ndarray, x: np.ndarray, pool_size: int = 2, stride: int | None = None
) -> np.ndarray:
    """``dL/dx``: each output's gradient, divided by ``k^2``, to every entry of its window."""
    windows = _windows(x, pool_size, stride)
    share = dy[..., np.newaxis, np.newaxis] / pool_size**2
    return add_windows(np.broadcast_to(share, windows.shape), x.shape, stride or pool_size)
