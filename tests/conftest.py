"""Test-session set-up: quiet TensorFlow, and two logical CPU devices for the strategy tests.

The CPU must be split before TensorFlow initialises its devices, so it happens here, at import.
"""

import os

# NumPy's multi-threaded BLAS stalls when the cores are shared (the from-scratch tests use it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import dlbook  # noqa: E402, F401  (imports TensorFlow without its start-up notices)

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)


@pytest.fixture
def two_cpu_strategy() -> tf.distribute.MirroredStrategy:
    """A MirroredStrategy over the two logical CPUs.

    Reduction through one device, not collective ops: each new MirroredStrategy numbers its
    collective ops from the same keys, so a second one in the same process would be mistaken for
    the first by TensorFlow's collective executor ("Shape mismatch in the collective instance").
    """
    return tf.distribute.MirroredStrategy(
        ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice()
    )
