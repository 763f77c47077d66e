"""A tiny IDX writer, so tests can make MNIST-format files of any size (see `dlbook.data.idx`)."""

from __future__ import annotations

import gzip as gzip_module
from pathlib import Path

from dlbook.data.idx import IDX_TYPES
from dlbook.data.sources import FILES, LABELS_BEGIN

import numpy as np

TYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of ``array``: magic number, big-endian dimensions, big-endian values."""
    code = TYPE_CODES[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.astype(IDX_TYPES[code]).tobytes()


def write_idx(path: str | Path, array: np.ndarray, gzip: bool = True) -> Path:
    """Write ``array`` as an IDX file at ``path`` (gzipped unless ``gzip=False``).

    The gzip header's time is 0, so the same array always gives the same bytes and checksum.
    """
    path = Path(path)
    data = idx_bytes(array)
    path.write_bytes(gzip_module.compress(data, mtime=0) if gzip else data)
    return path


def write_dataset(folder: str | Path, num_train: int = 64, num_test: int = 32, seed: int = 0,
                  gzip: bool = True, like: str | None = None) -> dict[str, np.ndarray]:
    """Write the four files of a small random MNIST-like dataset; returns the arrays by file.

    ``like="mnist"`` or ``"fashion_mnist"`` starts the labels as that dataset's do, the sign by
    which dlbook tells the two apart (`dlbook.data.sources.identify`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {}
    for stem, count in zip(FILES, (num_train, num_train, num_test, num_test), strict=True):
        shape = (count, 28, 28) if "images" in stem else (count,)
        arrays[stem] = rng.integers(0, 256 if "images" in stem else 10, shape, dtype=np.uint8)
        if like and "labels" in stem:
            begin = LABELS_BEGIN[like][0 if stem.startswith("train") else 1]
            arrays[stem][:len(begin)] = begin
        write_idx(folder / (stem + ".gz" if gzip else stem), arrays[stem], gzip=gzip)
    return arrays
