"""A folder of the user's own image files (PNG, JPEG...), one sub-folder per class.

Two layouts, as ``keras.utils.image_dataset_from_directory`` reads them:

* ``<root>/train/<class>/*.png`` and ``<root>/test/<class>/*.png``: the split is the user's;
* ``<root>/<class>/*.png``: a seeded 20% of each class becomes the test set.

Images are not resized: every file must have the size and the colour mode (grayscale or colour)
of the first, or the file that differs is named in the error.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from dlbook.data.errors import DatasetNotFoundError, InvalidDataError
from dlbook.data.pipeline import Split, stratified_split

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
GRAYSCALE_MODES = ("1", "L", "LA", "I", "I;16", "F")
TEST_FRACTION = 0.2


def image_files(folder: Path) -> list[Path]:
    """The image files directly in ``folder``, sorted."""
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES)


def class_folders(root: Path) -> list[str]:
    """The sorted names of ``root``'s sub-folders that hold image files."""
    return sorted(folder.name for folder in root.iterdir()
                  if folder.is_dir() and image_files(folder))


def image_format(folders: list[Path]) -> tuple[tuple[int, int], str]:
    """``((height, width), "grayscale" | "rgb")`` shared by every image in ``folders``."""
    from PIL import Image

    expected, first = None, None
    for folder in folders:
        for path in image_files(folder):
            with Image.open(path) as image:
                found = ((image.height, image.width),
                         "grayscale" if image.mode in GRAYSCALE_MODES else "rgb")
            if expected is None:
                expected, first = found, path
            elif found != expected:
                raise InvalidDataError(
                    f"{path}: a {found[1]} image of {found[0][0]}x{found[0][1]} pixels, but "
                    f"{first} is a {expected[1]} image of {expected[0][0]}x{expected[0][1]}; "
                    f"give every image one size and colour mode"
                )
    if expected is None:
        raise DatasetNotFoundError(f"{folders[0].parent}: no image files ({', '.join(IMAGE_SUFFIXES)})")
    return expected


def read_classes(root: Path, class_names: list[str], size: tuple[int, int], mode: str) -> Split:
    """Every image under ``root/<class>/``, as ``uint8 (N, H, W, C)``, with its class number."""
    files = keras.utils.image_dataset_from_directory(
        root, class_names=class_names, color_mode=mode, image_size=size, batch_size=256,
        shuffle=False, interpolation="nearest", verbose=False)
    images, labels = zip(*files.as_numpy_iterator(), strict=True)
    return np.concatenate(images).round().astype(np.uint8), np.concatenate(labels).astype(np.int32)


def read_image_folder(root: str | Path, seed: int = 0) -> tuple[Split, Split, list[str]]:
    """``(train, test, class_names)`` of a folder in either layout (see the module docstring)."""
    root = Path(root)
    if (root / "train").is_dir() and (root / "test").is_dir():
        class_names = class_folders(root / "train")
        if not class_names or class_folders(root / "test") != class_names:
            raise DatasetNotFoundError(
                f"{root}: train/ and test/ must hold the same class folders of images; found "
                f"{class_names} and {class_folders(root / 'test')}"
            )
        size, mode = image_format([root / split / name for split in ("train", "test")
                                   for name in class_names])
        return (read_classes(root / "train", class_names, size, mode),
                read_classes(root / "test", class_names, size, mode), class_names)
    class_names = class_folders(root)
    if len(class_names) < 2:
        raise DatasetNotFoundError(
            f"{root}: expected one folder of images per class (at least two), as "
            f"<root>/<class>/*.png or <root>/train/<class>/ and <root>/test/<class>/; found "
            f"{class_names or 'none'}"
        )
    size, mode = image_format([root / name for name in class_names])
    images, labels = read_classes(root, class_names, size, mode)
    is_test = stratified_split(labels, TEST_FRACTION, seed)
    return (images[~is_test], labels[~is_test]), (images[is_test], labels[is_test]), class_names
