"""Shared checks of the `dlbook.scratch` tests: tolerances against TensorFlow and the numerical
gradient."""

from collections.abc import Callable

from dlbook.scratch import numerical_gradient, relative_error

import numpy as np

TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
"""Largest relative error between NumPy and TensorFlow, by the dtype TensorFlow runs in."""

NUMERICAL_TOLERANCE = 1e-6
"""Central differences with h = 1e-6 in float64 are good to about 1e-8 relative."""


def assert_close(numpy_value, tf_value, dtype: str) -> None:
    error = relative_error(numpy_value, tf_value)
    assert error < TOLERANCE[dtype], f"relative error {error:.2e} >= {TOLERANCE[dtype]:.0e}"


def assert_matches_numerical(loss: Callable[[], float], param: np.ndarray,
                             analytic: np.ndarray) -> None:
    """``analytic`` is ``dL/dparam`` as central differences of ``loss`` measure it."""
    error = relative_error(analytic, numerical_gradient(loss, param))
    assert error < NUMERICAL_TOLERANCE, f"relative error {error:.2e} vs the numerical gradient"
