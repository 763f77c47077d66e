"""Checking NumPy code against a reference: central differences, the relative error, and the
record of a page's comparisons.

A derivative is a limit, ``dL/dw = lim (L(w + h) - L(w - h)) / 2h``; with a small ``h`` the
central difference is accurate to ``O(h^2)``, enough to catch any mistake in an analytic
gradient (run it in float64: in float32 the rounding of ``L`` swamps the difference).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(
    loss: Callable[[], float], param: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """``dL/dparam`` by central differences, nudging each entry of ``param`` in place.

    ``loss`` takes no argument: it recomputes the loss from the current arrays, ``param`` among
    them, so the same function checks a weight, a bias or an input.
    """
    grad = np.zeros_like(param, dtype=np.float64)
    for index in np.ndindex(param.shape):
        original = param[index]
        param[index] = original + h
        loss_plus = loss()
        param[index] = original - h
        loss_minus = loss()
        param[index] = original
        grad[index] = (loss_plus - loss_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(|a|, |b|)``: the largest difference, relative to the arrays' scale.

    Measuring against the largest entry (not entry by entry) keeps entries that are nearly 0 in
    both arrays from turning rounding noise into a large ratio.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    return float(np.max(np.abs(a - b), initial=0.0) / scale) if scale > 0 else 0.0


class Comparisons:
    """The comparisons a chapter 4 page makes, each printed on one line as it is made and all kept
    for ``results.json``.

    ``check = Comparisons()``, then ``check("h_t vs Keras SimpleRNN", h, keras_h)`` prints the
    `relative_error` of the two arrays under that label; ``check.errors`` holds them all. (A call
    returns nothing, so that a notebook cell ending in one shows only the printed line.)
    """

    def __init__(self) -> None:
        self.errors: dict[str, float] = {}

    def __call__(self, label: str, ours: np.ndarray, reference: np.ndarray) -> None:
        if label in self.errors:
            raise ValueError(f"{label!r} is already compared; give each comparison its own label")
        self.errors[label] = relative_error(ours, reference)
        print(f"{label:<58} relative error {self.errors[label]:.0e}")

    @property
    def largest(self) -> float:
        """The largest relative error so far (0 before any comparison)."""
        return max(self.errors.values(), default=0.0)
