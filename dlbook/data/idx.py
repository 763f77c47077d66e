"""The IDX format of MNIST and Fashion-MNIST, read with NumPy.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim`` big-endian
uint32 dimensions, then the values, row-major and big-endian. The files are usually gzipped.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from dlbook.data.errors import CorruptFileError

import numpy as np

IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
"""IDX type code -> NumPy dtype of the values."""

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: Path) -> bytes:
    """The file's content, decompressed when it starts with the gzip magic number."""
    raw = path.read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise CorruptFileError(f"{path}: damaged gzip data ({error})") from error


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (gzipped or raw) into an array of the shape its header gives.

    Raises ``CorruptFileError`` naming the file when the magic number is wrong or the number of
    values does not match the header's dimensions (a truncated download, say).
    """
    path = Path(path)
    data = read_bytes(path)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES:
        raise CorruptFileError(
            f"{path}: not an IDX file (magic number {data[:4].hex() or 'missing'}, "
            f"expected 0000<type><ndim> with type one of {sorted(IDX_TYPES)})"
        )
    dtype, ndim = IDX_TYPES[data[2]], data[3]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise CorruptFileError(f"{path}: header cut short ({len(data)} bytes, {ndim} dimensions)")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    got = len(data) - header_size
    if got != expected:
        raise CorruptFileError(
            f"{path}: {got} bytes of values, expected {expected} for shape {shape} "
            "(truncated or damaged file)"
        )
    values = np.frombuffer(data, dtype, offset=header_size).reshape(shape)
    return values.astype(dtype.newbyteorder("="))
