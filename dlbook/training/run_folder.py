"""A run's folder knows what it holds: the run's identity, a lock, no half-written leftovers.

A checkpoint folder is only worth resuming if it holds the same run. `run_folder` records the
run's identity in ``run.json`` (the model's class, weight shapes and layer settings, the optimizer
and its schedule, the epochs asked, the dataset's name and fingerprint, the batch size, the seed)
and, when the folder already holds checkpoints, compares it with the new run's before any training:
the same run resumes, another one stops with a message naming what differs. A lock file
(``run.lock``, holding the process id) keeps a second process out while a run is going; a lock
left by a process that has died is recognised and removed. Files of an interrupted checkpoint
write (``*_temp``, ``*.tmp``) are deleted on the next start.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Mapping
from pathlib import Path

from dlbook.errors import DlbookError

import keras

IDENTITY_FILE = "run.json"
LOCK_FILE = "run.lock"


class RunMismatchError(DlbookError):
    """The folder holds checkpoints of another run; the message says what differs."""


class FolderInUseError(DlbookError):
    """Another live process is training in this folder."""


def normalized(identity: Mapping[str, object]) -> dict:
    """The identity as plain JSON values (tuples as lists, anything else as its string)."""
    return json.loads(json.dumps(identity, sort_keys=True, default=str))


def differences(recorded: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """``"key: old -> new"`` for each top-level key whose value changed (long values shortened)."""
    changed = [key for key in sorted(set(recorded) | set(new)) if recorded.get(key) != new.get(key)]
    texts = {key: (json.dumps(recorded.get(key)), json.dumps(new.get(key))) for key in changed}
    return [f"{key} {old} -> {now}" if len(old) + len(now) <= 60 else f"{key} changed"
            for key, (old, now) in texts.items()]


def process_is_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_lock(folder: Path) -> Path:
    """Create ``folder/run.lock`` for this process, removing a dead process's lock first."""
    lock = folder / LOCK_FILE
    owner = {"pid": os.getpid(), "host": socket.gethostname()}
    for _ in range(2):
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                holder = json.loads(lock.read_text())
            except (OSError, ValueError):
                holder = {}
            if holder.get("host") == owner["host"] and not process_is_alive(holder.get("pid", 0)):
                lock.unlink(missing_ok=True)  # left by a run that was killed
                continue
            raise FolderInUseError(
                f"{folder} is in use by another run (process {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')}); wait for it to finish, or pass another "
                f"--output-dir. If no run is going, delete {lock}"
            ) from None
        with os.fdopen(descriptor, "w") as file:
            json.dump(owner, file)
        return lock
    raise FolderInUseError(f"could not take the lock {lock}; delete it if no run is going")


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


def run_identity(model: keras.Model, optimizer: keras.optimizers.Optimizer, epochs: int,
                 data_identity: Mapping[str, object] | None = None) -> dict[str, object]:
    """A run's identity: what the training decides (the model's class, weight shapes and layers'
    settings, the optimizer with its settings and schedule, the epochs asked) and what the data
    says of itself (``data_identity``: the dataset with a fingerprint of its files, the batch
    size, the seed)."""
    # Shapes and settings, not names: Keras numbers the names of a process's second model.
    optimizer_config = keras.optimizers.serialize(optimizer)
    optimizer_config["config"].pop("name", None)
    return {
        "model": [type(model).__name__, *(list(weight.shape) for weight in model.weights),
                  *(layer_settings(layer) for layer in model.layers)],
        "optimizer": optimizer_config,
        "epochs": epochs,
        **(data_identity or {}),
    }


class RunFolder:
    """Hold ``folder`` for one run with this ``identity`` (see the module docstring).

    ``open()`` (or ``with RunFolder(...)``) takes the lock, removes leftovers, deletes earlier
    checkpoints if ``restart``, and records the identity, raising `RunMismatchError` when the
    folder holds checkpoints of another run and `FolderInUseError` when another process is
    using it; ``close()`` releases the lock.
    """

    def __init__(self, folder: str | Path, identity: Mapping[str, object],
                 restart: bool = False) -> None:
        self.folder = Path(folder)
        self.identity = normalized(identity)
        self.restart = restart
        self._lock: Path | None = None

    def open(self) -> RunFolder:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = acquire_lock(self.folder)
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
        identity_path = self.folder / IDENTITY_FILE
        if identity_path.is_file() and holds_checkpoints(self.folder):
            recorded = json.loads(identity_path.read_text())
            if recorded != self.identity:
                raise RunMismatchError(
                    f"{self.folder} holds checkpoints of another run "
                    f"({'; '.join(differences(recorded, self.identity))}). To keep them, pass "
                    f"another --output-dir; to delete them and start afresh, add --restart"
                )
        temporary = identity_path.with_name(f"{IDENTITY_FILE}.tmp")
        temporary.write_text(json.dumps(self.identity, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, identity_path)

    def close(self) -> None:
        if self._lock is not None:
            self._lock.unlink(missing_ok=True)
            self._lock = None

    def __enter__(self) -> RunFolder:
        return self.open()

    def __exit__(self, *exc_info) -> None:
        self.close()
