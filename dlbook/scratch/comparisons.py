"""How the chapter 4 pages compare their NumPy code with a reference: the relative error, and the
record of a page's comparisons.

This is the checking tool of the pages, not a formula of the tutorial, so it is written here by
hand; the formulas are written on the pages, whose saved cells the other modules of
`dlbook.scratch` run (`dlbook.pages`). Central differences, the reference that knows nothing of the
chain rule, are taught on ``chapters/ch04_math/backprop.py`` (`dlbook.scratch.gradcheck`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


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
    """The comparisons a chapter 4 page makes, each printed on one line as it is made.

    ``check = Comparisons(page.record)``, then ``check("h_t vs Keras SimpleRNN", h, keras_h)``
    prints the `relative_error` of the two arrays under that label, keeps it in ``check.errors``
    and, given ``record`` (`dlbook.cli.Page.record`), records them all in the page's
    ``results.json``, as ``relative_errors`` and their largest, ``max_relative_error``. (A call
    returns nothing, so that a notebook cell ending in one shows only the printed line.)
    """

    def __init__(self, record: Callable[..., object] | None = None) -> None:
        self.errors: dict[str, float] = {}
        self.record = record

    def __call__(self, label: str, ours: np.ndarray, reference: np.ndarray) -> None:
        if label in self.errors:
            raise ValueError(f"{label!r} is already compared; give each comparison its own label")
        self.errors[label] = relative_error(ours, reference)
        print(f"{label:<58} relative error {self.errors[label]:.0e}")
        if self.record is not None:
            self.record(relative_errors=self.errors, max_relative_error=self.largest)

    @property
    def largest(self) -> float:
        """The largest relative error so far (0 before any comparison)."""
        return max(self.errors.values(), default=0.0)
