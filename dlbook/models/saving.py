"""Saving a trained model so that a reader of the file never finds half of it, together with a
record of the data that trained it (for `dlbook.models.loading` to check when it is reused)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.locks import check_writable

import keras


def record_path(model_path: str | Path) -> Path:
    """Where the record of what trained the model at ``model_path`` is kept:
    ``cnn-mnist.keras`` -> ``cnn-mnist.keras.json``."""
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.name}.json")


def save_model(model: keras.Model, path: str | Path,
               trained_on: Mapping[str, object] | None = None) -> Path:
    """``model.save(path)`` (a ``.keras`` file), written beside ``path`` and then renamed onto it
    in one step: a run killed while saving leaves the previous file, never a truncated one.

    ``trained_on`` (the data's identity: dataset, fingerprint...; the class names) is written
    to `record_path` the same way, so that a page reusing the model can check it was trained
    on its data. A folder that cannot be written is a one-line error
    (`dlbook.locks.FolderNotWritableError`); call `dlbook.locks.check_writable` on it before
    training to find that out first.
    """
    path = Path(path)
    check_writable(path.parent, "path", path)
    saved = [(path, path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras"))]
    if trained_on is not None:
        record = record_path(path)
        saved.append((record, record.with_name(f".{record.name}.{os.getpid()}.tmp")))
    try:
        model.save(saved[0][1])
        if trained_on is not None:
            saved[1][1].write_text(json.dumps(trained_on, indent=2, sort_keys=True, default=str))
        for final, temporary in saved:
            os.replace(temporary, final)
    finally:
        for _, temporary in saved:
            with contextlib.suppress(OSError):  # never hide the error that stopped the save
                temporary.unlink(missing_ok=True)
    return path
