"""Every dataset of the course: MNIST and Fashion-MNIST images (section 5.2), your own image
folders (and one decoder for any image file, `decode_image`), texts (IMDB, your own folders of
text files and CSV/TSV tables, a generated sentiment task).

``python -m dlbook.data locate fashion_mnist`` says where the files are;
``python -m dlbook.data download mnist`` fetches them into the cache.
"""

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.data.errors import (
    CorruptFileError,
    DatasetNotFoundError,
    InvalidDataError,
    UnknownDatasetError,
)
from dlbook.data.idx import read_idx
from dlbook.data.image_files import ImageFileError, decode_image
from dlbook.data.images import ImageData, load_arrays, load_images, to_tanh_range
from dlbook.data.sources import resolve_dataset
from dlbook.data.text import TextData, load_text

__all__ = [
    "CorruptFileError",
    "DatasetNotFoundError",
    "decode_image",
    "ImageData",
    "ImageFileError",
    "InvalidDataError",
    "UnknownDatasetError",
    "load_arrays",
    "load_images",
    "read_idx",
    "load_text",
    "resolve_dataset",
    "TextData",
    "to_tanh_range",
]
