"""A dlbook module that uses TensorFlow imports it without its C++ notices (`dlbook.tf_startup`,
which the page's first import reaches), ``DLBOOK_TF_NOTICES=1`` brings them back, and
``import dlbook`` or the NumPy-only ``dlbook.scratch`` import no TensorFlow at all."""

import logging
import os
import subprocess
import sys

import pytest

# With op determinism on, Keras's fit on NumPy arrays makes TensorFlow 2.21 log an "E0000 ...
# use_unbounded_threadpool" line although nothing is wrong.
FIT_ON_ARRAYS = """
import dlbook.tf_startup
from dlbook.config import set_seed
import keras
import numpy as np
set_seed(0)
x = np.random.rand(512, 4).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, (x[:, 0] > 0.5).astype("int32"), epochs=1, batch_size=64, validation_split=0.1,
          verbose=0)
print("trained")
"""


def run(notices: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("TF_CPP_MIN_LOG_LEVEL", "DLBOOK_TF_NOTICES")}
    if notices:
        env["DLBOOK_TF_NOTICES"] = "1"
    return subprocess.run([sys.executable, "-c", FIT_ON_ARRAYS], env=env, capture_output=True,
                          text=True, timeout=300, check=True)


@pytest.mark.parametrize("notices", [False, True], ids=["quiet", "DLBOOK_TF_NOTICES=1"])
def test_tensorflow_log_lines_are_shown_only_on_request(notices):
    done = run(notices)
    assert done.stdout.strip() == "trained"
    logged = [line for line in done.stderr.splitlines() if "use_unbounded_threadpool" in line]
    assert bool(logged) == notices, done.stderr[-2000:]


def test_an_interactive_session_logs_no_more_than_a_script():
    """TensorFlow sets its logger to INFO when the interpreter is interactive (a Jupyter kernel,
    ``python -i``); after importing dlbook it is at WARNING, as in a script."""
    probe = ("import logging, dlbook.tf_startup; "
             "print(logging.getLogger('tensorflow').getEffectiveLevel())")
    done = subprocess.run([sys.executable, "-i", "-c", probe], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split()[0] == str(logging.WARNING), done.stderr[-2000:]


def test_importing_dlbook_or_its_numpy_code_imports_no_tensorflow():
    probe = ("import sys, dlbook, dlbook.scratch; "
             "print(sorted(name for name in ('tensorflow', 'keras') if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300, check=True)
    assert done.stdout.strip() == "[]" and done.stderr == ""
