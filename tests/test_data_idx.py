"""The IDX reader on files written by the test's own writer: round trips and damaged files."""

import gzip

from dlbook.data import CorruptFileError, read_idx

import numpy as np
import pytest
from idx_fixtures import idx_bytes, write_idx


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        np.array([[-5, 70000], [3, -1]], dtype=np.int32),
        np.linspace(-1, 1, 7, dtype=np.float32),
    ],
)
def test_round_trip(tmp_path, array, compress):
    path = write_idx(tmp_path / "data.idx", array, gzip=compress)
    assert path.read_bytes().startswith(b"\x1f\x8b") == compress
    values = read_idx(path)
    assert values.dtype == array.dtype and values.shape == array.shape
    np.testing.assert_array_equal(values, array)


def test_bad_magic_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x08\x03\x00\x00" + bytes(16))
    with pytest.raises(CorruptFileError, match="train-images-idx3-ubyte: not an IDX file"):
        read_idx(path)


def test_truncated_file(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.arange(100, dtype=np.uint8))[:-10])
    with pytest.raises(CorruptFileError, match=r"labels-idx1-ubyte: 90 bytes .* expected 100"):
        read_idx(path)


def test_header_dims_disagree_with_length(tmp_path):
    data = bytearray(idx_bytes(np.zeros((2, 28, 28), np.uint8)))
    data[4:8] = (3).to_bytes(4, "big")
    path = tmp_path / "images.idx"
    path.write_bytes(bytes(data))
    expected = r"images.idx: 1568 bytes .* 2352 for shape \(3, 28, 28\)"
    with pytest.raises(CorruptFileError, match=expected):
        read_idx(path)


def test_header_cut_short(tmp_path):
    path = tmp_path / "short.idx"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(CorruptFileError, match="short.idx: header cut short"):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8)))[:-12])
    with pytest.raises(CorruptFileError, match="cut.gz: damaged gzip data"):
        read_idx(path)


def test_gzip_with_bad_checksum(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8))))
    data[-8] ^= 0xFF  # the CRC-32 of the uncompressed data
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="crc.gz: damaged gzip data"):
        read_idx(path)
