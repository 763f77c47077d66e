"""Saving a trained model so that a reader of the file never finds half of it."""

from __future__ import annotations

import os
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

import keras


def save_model(model: keras.Model, path: str | Path) -> Path:
    """``model.save(path)`` (a ``.keras`` file), written beside ``path`` and then renamed onto it
    in one step: a run killed while saving leaves the previous file, never a truncated one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
