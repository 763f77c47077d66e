"""Import TensorFlow without the start-up notices it prints on every run: importing this module
does it, so every dlbook module that uses TensorFlow or Keras imports it first
(``import dlbook.tf_startup`` before ``import keras``), and ``import dlbook`` alone imports
neither.

Importing TensorFlow 2.21 on a machine without a GPU writes about ten lines to standard error
before a script prints anything: absl's "log messages before absl::InitializeLog()" warning, the
oneDNN notice, "Could not find cuda drivers", and, at the first operation, an ``E0000 ... failed
call to cuInit`` error that is no error at all on such a machine. ``TF_CPP_MIN_LOG_LEVEL=2``
silences what TensorFlow's C++ log filters (its info and warning lines); the rest is printed before
that filter exists. So the import, and the device probe that triggers the CUDA message, run with
standard error captured, and every captured line that is not one of these notices is written back.
oneDNN stays on: the notice goes, the optimizations stay.

Later, TensorFlow's C++ side logs lines marked ``E0000`` that are no errors either: with op
determinism on (`dlbook.config.set_seed`) every ``fit`` on NumPy arrays logs "NodeDef mentions
attribute use_unbounded_threadpool", and a boolean op on a CPU without AVX-512 "oneDNN supports
DT_BOOL only on platforms with AVX-512". ``TF_CPP_MIN_LOG_LEVEL=3`` drops C++ log lines of every
level; a real failure still raises a Python exception with its message.

In an interactive interpreter, a Jupyter kernel included, TensorFlow sets its Python logger to INFO
and writes it to standard output, so a notebook would show lines a script never prints ("Assets
written to ..." from every SavedModel export). The level is put back to WARNING, a script's, so a
page prints the same as a notebook and as a script. ``DLBOOK_TF_NOTICES=1`` shows everything.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile

STARTUP_NOTICES = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Could not find cuda drivers|failed call to cuInit|cpu_feature_guard"
    r"|To enable the following instructions"
)
"""The lines dropped: notices about the build and the (absent) GPU, not about the user's run."""


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and probe its devices with the start-up notices filtered out.

    Does nothing when TensorFlow is already imported (its notices are printed by then) or when
    ``DLBOOK_TF_NOTICES=1`` asks to see them.
    """
    if "tensorflow" in sys.modules or os.environ.get("DLBOOK_TF_NOTICES") == "1":
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not STARTUP_NOTICES.search(line))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
    tf.get_logger().setLevel(logging.WARNING)


import_tensorflow_quietly()
