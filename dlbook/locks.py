"""The folders a run writes into: one process at a time (a lock file held with ``fcntl.flock``),
process checks, and a check that a folder can be written before anything trains.

A run's folder (`dlbook.training.run_folder`) and a dataset download (`dlbook.data.download`)
both need to know whether another process is at work. `FolderLock` holds ``<folder>/run.lock``
with an exclusive ``flock``: the system releases it when its process ends, however it ends, so a
lock left by a killed run is free, and taking it is one atomic step that exactly one of several
processes wins. The file names its holder (process id and host) for the message that refuses a
second process.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import tempfile
from pathlib import Path

from dlbook.errors import DlbookError


class FolderInUseError(DlbookError):
    """Another live process holds the folder's lock."""


def process_is_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def this_process() -> dict[str, object]:
    """What a lock file says of its holder: this process's id and this machine's name."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


class FolderLock:
    """An exclusive lock on the file ``path`` for this process (``acquire``/``release``, or
    ``with``).

    ``acquire`` raises `FolderInUseError` when a live process holds the lock. A file naming a
    live process of this machine, or a process of another machine, but held by no ``flock`` (a
    lock written by something else than `FolderLock`) is refused too: the message says to
    delete it if no run is going.
    """

    ATTEMPTS = 5
    """Tries when the file is replaced between opening and locking it (a holder releasing it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._descriptor: int | None = None

    def acquire(self) -> FolderLock:
        for _ in range(self.ATTEMPTS):
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if self._lock(descriptor):
                    self._descriptor, descriptor = descriptor, None
                    return self
            finally:
                if descriptor is not None:
                    os.close(descriptor)
        raise FolderInUseError(f"could not take the lock {self.path}: other processes keep "
                               "replacing it; delete it if no run is going")

    def _lock(self, descriptor: int) -> bool:
        """Lock the open file and write this process into it; False if the file was removed
        (its holder released it) between opening and locking."""
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise self._in_use(read_holder(descriptor)) from None
        if not same_file(descriptor, self.path):
            return False
        holder, owner = read_holder(descriptor), this_process()
        if holder and holder != owner and holder_may_be_alive(holder):
            raise self._in_use(holder)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(owner).encode(), 0)
        return True

    def _in_use(self, holder: dict) -> FolderInUseError:
        return FolderInUseError(
            f"{self.path.parent} is in use by another run (process {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')}); wait for it to finish, or use another folder. If no run "
            f"is going, delete {self.path}")

    def release(self) -> None:
        """Remove the lock file and let go of the lock (removed first, so that a process that
        opened it meanwhile sees it gone and opens the new one)."""
        if self._descriptor is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._descriptor)
        self._descriptor = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


def read_holder(descriptor: int) -> dict:
    """The holder a lock file names, ``{}`` if it is empty or unreadable."""
    try:
        holder = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def holder_may_be_alive(holder: dict) -> bool:
    """Whether the process a lock file names may still run: a live process of this machine, or
    any process of another machine (which cannot be checked from here)."""
    if holder.get("host") != socket.gethostname():
        return True
    pid = holder.get("pid")
    return isinstance(pid, int) and pid > 0 and process_is_alive(pid)


def same_file(descriptor: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``descriptor``."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


class FolderNotWritableError(DlbookError):
    """A folder a run must write into cannot be created or written."""


def check_writable(folder: str | Path, setting: str, given: str | Path | None = None) -> Path:
    """Create ``folder`` if missing and check that a file can be written in it, so that a run
    that cannot save stops before it trains, not after. ``setting`` and ``given`` name the
    parameter and the value the folder came from (``given`` defaults to the folder) for the
    one-line error."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise FolderNotWritableError(
            f"{setting}={given if given is not None else folder} cannot be written "
            f"({type(error).__name__}: {error}); choose a folder this user can write to"
        ) from error
    return folder
