"""A run's folder knows what it holds: the run's identity, a lock, no half-written leftovers.

A checkpoint folder is only worth resuming if it holds the same run. `RunFolder` records the
run's identity in ``run.json`` (the model's class, weight shapes and layer settings, the optimizer
and its schedule, the epochs asked, the dataset's name and fingerprint, the batch size, the seed)
and, when the folder already holds checkpoints, compares it with the new run's before any training:
the same run resumes, another one stops with a message naming what differs. A lock
(`dlbook.locks.FolderLock` on ``run.lock``) keeps a second process out while a run is going; the
lock of a run that was killed is free. A folder that cannot be written, or a damaged ``run.json``,
stops the run at once in one line. Files of an interrupted checkpoint write (``*_temp``,
``*.tmp``) are deleted on the next start.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.errors import DlbookError
from dlbook.locks import FolderInUseError, FolderLock, check_writable

import keras

IDENTITY_FILE = "run.json"
LOCK_FILE = "run.lock"

__all__ = ["FolderInUseError", "RunFolder", "RunMismatchError", "DamagedRunError",
           "run_identity"]


class RunMismatchError(DlbookError):
    """The folder holds checkpoints of another run; the message says what differs."""


class DamagedRunError(DlbookError):
    """The folder's ``run.json`` cannot be read, so what its checkpoints are is unknown."""


def normalized(identity: Mapping[str, object]) -> dict:
    """The identity as plain JSON values (tuples as lists, anything else as its string)."""
    return json.loads(json.dumps(identity, sort_keys=True, default=str))


def differences(recorded: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """``"key: old -> new"`` for each top-level key whose value changed (long values shortened)."""
    changed = [key for key in sorted(set(recorded) | set(new)) if recorded.get(key) != new.get(key)]
    texts = {key: (json.dumps(recorded.get(key)), json.dumps(new.get(key))) for key in changed}
    return [f"{key} {old} -> {now}" if len(old) + len(now) <= 60 else f"{key} changed"
            for key, (old, now) in texts.items()]


def remove_leftovers(folder: Path) -> None:
    """Delete what an interrupted write left: checkpoint ``*_temp`` folders and ``*.tmp`` files."""
    for path in folder.iterdir():
        if "_temp" in path.name or path.name.endswith(".tmp"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def holds_checkpoints(folder: Path) -> bool:
    """Whether anything but the identity and the lock is in the folder."""
    return any(path.name not in (IDENTITY_FILE, LOCK_FILE) for path in folder.iterdir())


def clear(folder: Path) -> None:
    """Delete everything in the folder but the lock."""
    for path in folder.iterdir():
        if path.name == LOCK_FILE:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def without_layer_names(config: object) -> object:
    """A layer's configuration without names, its own and those of the layers it holds (Keras
    numbers them in the order a process makes them); a dtype policy's name is kept."""
    if isinstance(config, dict):
        if str(config.get("class_name", "")).endswith("DTypePolicy"):
            return config
        return {key: without_layer_names(value) for key, value in config.items()
                if key != "name"}
    if isinstance(config, list | tuple):
        return [without_layer_names(value) for value in config]
    return config


def layer_settings(layer: keras.layers.Layer) -> object:
    """The layer's class and configuration (activation, rates, sizes...) without names; the class
    alone for a layer that has no configuration."""
    try:
        config = layer.get_config()
    except (NotImplementedError, TypeError):
        config = None
    return [type(layer).__name__, without_layer_names(config)]


def optimizer_settings(optimizer: keras.optimizers.Optimizer) -> dict:
    """The optimizer's class and settings (its schedule included), without its name."""
    config = keras.optimizers.serialize(optimizer)
    config["config"].pop("name", None)  # Keras numbers the names of a process's second one
    return config


def run_identity(model: keras.Model,
                 optimizer: keras.optimizers.Optimizer | Mapping[str, keras.optimizers.Optimizer],
                 epochs: int, data_identity: Mapping[str, object] | None = None
                 ) -> dict[str, object]:
    """A run's identity: what the training decides (the model's class, weight shapes and layers'
    settings, the optimizer with its settings and schedule, or several by name, the epochs asked)
    and what the data says of itself (``data_identity``: the dataset with a fingerprint of its
    files, the batch size, the seed)."""
    # Shapes and settings, not names: Keras numbers the names of a process's second model.
    return {
        "model": [type(model).__name__, *(list(weight.shape) for weight in model.weights),
                  *(layer_settings(layer) for layer in model.layers)],
        "optimizer": (optimizer_settings(optimizer)
                      if isinstance(optimizer, keras.optimizers.Optimizer)
                      else {name: optimizer_settings(each) for name, each in optimizer.items()}),
        "epochs": epochs,
        **(data_identity or {}),
    }


class RunFolder:
    """Hold ``folder`` for one run with this ``identity`` (see the module docstring).

    ``open()`` (or ``with RunFolder(...)``) checks that the folder can be written, takes the
    lock, removes leftovers, deletes earlier checkpoints if ``restart``, and records the
    identity, raising `RunMismatchError` when the folder holds checkpoints of another run,
    `DamagedRunError` when its ``run.json`` cannot be read, `dlbook.locks.FolderInUseError` when
    another process is using it and `dlbook.locks.FolderNotWritableError` when it cannot be
    written; ``close()`` releases the lock. ``setting`` is the name of the parameter that gave
    the folder, for the messages.
    """

    def __init__(self, folder: str | Path, identity: Mapping[str, object],
                 restart: bool = False, setting: str = "checkpoint_dir") -> None:
        self.folder = Path(folder)
        self.identity = normalized(identity)
        self.restart = restart
        self.setting = setting
        self._lock = FolderLock(self.folder / LOCK_FILE)

    def open(self) -> RunFolder:
        check_writable(self.folder, self.setting)
        self._lock.acquire()
        try:
            self._check_and_record()
        except BaseException:
            self.close()
            raise
        return self

    def _check_and_record(self) -> None:
        remove_leftovers(self.folder)
        if self.restart:
            clear(self.folder)
        recorded = self.recorded_identity()
        if recorded is not None and recorded != self.identity:
            raise RunMismatchError(
                f"{self.folder} holds checkpoints of another run "
                f"({'; '.join(differences(recorded, self.identity))}); pass restart=True to "
                "delete them and start afresh, or another checkpoint folder to keep them"
            )
        identity_path = self.folder / IDENTITY_FILE
        temporary = identity_path.with_name(f"{IDENTITY_FILE}.tmp")
        temporary.write_text(json.dumps(self.identity, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, identity_path)

    def recorded_identity(self) -> dict | None:
        """The identity of the checkpoints the folder holds; None when it holds none."""
        identity_path = self.folder / IDENTITY_FILE
        if not identity_path.is_file() or not holds_checkpoints(self.folder):
            return None
        try:
            recorded = json.loads(identity_path.read_text())
        except (OSError, ValueError) as error:
            raise DamagedRunError(
                f"{identity_path} is damaged ({type(error).__name__}: {error}), so what its "
                "checkpoints hold is unknown; pass restart=True to delete them and start afresh"
            ) from error
        if not isinstance(recorded, dict):
            raise DamagedRunError(f"{identity_path} holds no run identity; pass restart=True to "
                                  "delete the folder's checkpoints and start afresh")
        return recorded

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> RunFolder:
        return self.open()

    def __exit__(self, *exc_info) -> None:
        self.close()
