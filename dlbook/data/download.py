"""Checksummed downloads into the dataset cache.

A file is streamed into a temporary file in the destination folder while its SHA-256 is computed;
only when the checksum matches is it renamed into place with ``os.replace`` (atomic on one file
system). An interrupted or corrupt download therefore never leaves a file under the final name.
The temporary file is named for its process (``.<name>.<process id>.<host>.<random>``): one that
a killed process (``kill -9``) could not delete is deleted by the next download of the file.

``DLBOOK_OFFLINE=1`` keeps dlbook off the network: nothing is probed or fetched, and the loaders
use what is on disk (as the test suite does, so that it never downloads a dataset).
"""

from __future__ import annotations

import glob
import hashlib
import os
import socket
import tempfile
import urllib.request
from pathlib import Path

from dlbook.data.errors import CorruptFileError

CHUNK_SIZE = 1 << 20
PROBE_TIMEOUT = 3.0
"""Seconds a reachability probe waits before calling a server unreachable."""


def offline() -> bool:
    """Whether ``DLBOOK_OFFLINE=1`` forbids the network."""
    return os.environ.get("DLBOOK_OFFLINE") == "1"


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, destination: Path, sha256: str | None, timeout: float = 60.0) -> Path:
    """Fetch ``url`` to ``destination`` if it is not there yet, checking its SHA-256 (``None``
    for a file whose publisher gives none, such as Keras's ImageNet weights: its reader checks
    it).

    Raises ``CorruptFileError`` on a checksum mismatch and ``OSError`` (``URLError``) when the
    server cannot be reached; in both cases nothing is left in the destination folder.
    """
    remove_leftovers(destination)
    if destination.is_file():
        return destination
    if offline():
        raise OSError(f"{url} was not fetched: DLBOOK_OFFLINE=1 forbids the network")
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.{os.getpid()}.{socket.gethostname()}.")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as file, urllib.request.urlopen(url, timeout=timeout) as reply:
            while chunk := reply.read(CHUNK_SIZE):
                digest.update(chunk)
                file.write(chunk)
        if sha256 is not None and digest.hexdigest() != sha256:
            raise CorruptFileError(
                f"{url}: SHA-256 {digest.hexdigest()}, expected {sha256}; "
                f"the download was discarded, not saved as {destination}"
            )
        os.replace(temporary, destination)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return destination


def remove_leftovers(destination: Path) -> None:
    """Delete the temporary files of downloads of ``destination`` whose process has died on this
    machine; those of a download still going are kept."""
    from dlbook.locks import process_is_alive

    host = socket.gethostname()
    for path in destination.parent.glob(f".{glob.escape(destination.name)}.*"):
        pid, _, rest = path.name[len(destination.name) + 2:].partition(".")
        if pid.isdigit() and rest.rpartition(".")[0] == host and not process_is_alive(int(pid)):
            path.unlink(missing_ok=True)


def is_reachable(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a HEAD request for ``url`` succeeds within ``timeout`` seconds (never under
    ``DLBOOK_OFFLINE=1``, which sends none)."""
    if offline():
        return False
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False
