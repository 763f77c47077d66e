"""Folders of photos for chapter 6's photo page when the reader names none of their own.

`default_photos` picks, and says in one line which and why:

1. **Tux Paint's stamps**, when Debian's ``tuxpaint-stamps-default`` is installed (161 MB to
   download, over 200 MB on disk): photographs of real things cut out on transparent backgrounds,
   made for a children's drawing program, filed by subject. `tuxpaint_photos` links four
   subjects into class folders: birds, mammals, food and plants (the cartoon folders and the
   other subjects, letters and symbols among them, left out).
2. Else **a folder generated from Fashion-MNIST** (`generated_photos`), which every machine of
   the course has: a few classes drawn as colour pictures on coloured grounds, at mixed sizes and
   in mixed formats (PNG, JPEG, WebP, transparent and 16-bit PNG), one class in a sub-folder,
   beside the clutter real folders hold. It exercises everything the folder reader does; it is
   not a set of photos, and its name says so.

Each folder is written once, into a temporary folder renamed into place: an interrupted run
leaves nothing half-made under the final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dlbook.data.images import load_arrays
from dlbook.data.sources import DATASETS

import numpy as np
from PIL import Image

TUXPAINT_STAMPS = Path("/usr/share/tuxpaint/stamps")
"""Where Debian's ``tuxpaint-stamps-default`` puts its stamps."""

TUXPAINT_CLASSES = {"birds": ("animals/birds",), "mammals": ("animals/mammals",),
                    "food": ("food",), "plants": ("plants",)}
"""The classes taken from Tux Paint's stamps, and the folders of stamps each gathers."""

GENERATED_CLASSES = ("T-shirt/top", "Trouser", "Sandal", "Bag", "Ankle boot")
"""The Fashion-MNIST classes the generated folder draws."""

GENERATED_PER_CLASS = 60
"""Pictures per class in the generated folder."""


def tuxpaint_photos(into: Path, stamps: Path = TUXPAINT_STAMPS) -> Path:
    """``into/tuxpaint_photos/<class>/``: links to the photographs of ``stamps`` (cartoons left
    out) for each class of `TUXPAINT_CLASSES`; made once."""
    def fill(folder: Path) -> None:
        for name, sources in TUXPAINT_CLASSES.items():
            (folder / name).mkdir()
            for source in sources:
                for stamp in sorted((stamps / source).rglob("*.png")):
                    if "cartoon" not in stamp.relative_to(stamps).parts:
                        link = "_".join(stamp.relative_to(stamps / source).parts)
                        (folder / name / link).symlink_to(stamp)

    return made_once(into / "tuxpaint_photos", fill)


def generated_photos(into: Path, seed: int = 0) -> Path:
    """``into/generated_from_fashion_mnist/<class>/``: `GENERATED_PER_CLASS` test images of each
    class of `GENERATED_CLASSES`, each drawn in a colour on a ground of another colour, 40 to 140
    pixels wide, saved in a format that changes from picture to picture; made once."""
    def fill(folder: Path) -> None:
        _, (images, labels) = load_arrays("fashion_mnist")
        names = list(DATASETS["fashion_mnist"].class_names)
        rng = np.random.default_rng(seed)
        for name in GENERATED_CLASSES:
            label = names.index(name)
            chosen = rng.choice(np.flatnonzero(labels == label), GENERATED_PER_CLASS,
                                replace=False)
            where = folder / name.replace("/", "-").lower()
            for number, index in enumerate(chosen):
                save_picture(images[index], where, number, rng)
        (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
        (folder / "README.txt").write_text("Fashion-MNIST test images drawn as colour pictures "
                                           "by dlbook.data.photo_sets: not photos.\n")

    return made_once(into / "generated_from_fashion_mnist", fill)


def save_picture(image: np.ndarray, folder: Path, number: int, rng: np.random.Generator) -> None:
    """One 28x28 image as a colour picture in ``folder`` (every fifth in a sub-folder), in the
    format ``number`` picks."""
    size = int(rng.integers(40, 141))
    ground, ink = rng.integers(110, 256, 3), rng.integers(0, 110, 3)
    weight = (np.asarray(Image.fromarray(image).resize((size, size), Image.BICUBIC)) / 255.0)
    rgb = (ground * (1 - weight[..., None]) + ink * weight[..., None]).astype(np.uint8)
    if number % 5 == 4:
        folder = folder / "more"
    folder.mkdir(parents=True, exist_ok=True)
    kind = number % 5
    if kind == 0:
        Image.fromarray(rgb).save(folder / f"{number:03}.png")
    elif kind == 1:
        Image.fromarray(rgb).save(folder / f"{number:03}.jpg", quality=85)
    elif kind == 2:
        Image.fromarray(rgb).save(folder / f"{number:03}.webp", quality=85)
    elif kind == 3:  # the object alone, on a transparent ground
        alpha = (weight * 255).astype(np.uint8)
        Image.fromarray(np.dstack([np.broadcast_to(ink, rgb.shape).astype(np.uint8), alpha]),
                        "RGBA").save(folder / f"{number:03}.png")
    else:  # 16-bit grayscale
        gray = np.asarray(Image.fromarray(rgb).convert("L"), np.uint16) * 257
        Image.fromarray(gray).save(folder / f"{number:03}.png")


def made_once(folder: Path, fill) -> Path:
    """``folder``, filled by ``fill(temporary folder)`` and renamed into place, unless it is
    there already."""
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{os.getpid()}.", dir=folder.parent))
    try:
        fill(temporary)
        os.replace(temporary, folder)
    except OSError:
        if not folder.is_dir():  # another process may have made it meanwhile
            raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return folder


def default_photos(into: Path, seed: int = 0) -> Path:
    """A folder of photos for a page given none (see the module docstring), and one printed line
    that says which and why."""
    if TUXPAINT_STAMPS.is_dir():
        folder = tuxpaint_photos(into)
        print(f"dataset auto -> {folder.name} (Tux Paint's stamps are installed in "
              f"{TUXPAINT_STAMPS}: photographs cut out on transparent grounds, classes "
              f"{', '.join(TUXPAINT_CLASSES)}; links in {folder})")
        return folder
    folder = generated_photos(into, seed)
    print(f"dataset auto -> {folder.name} (no folder named and Tux Paint's stamps are not "
          f"installed: {len(GENERATED_CLASSES)} Fashion-MNIST classes drawn as colour pictures at "
          "mixed sizes and formats, to exercise the pipeline: not photos; name a folder of your "
          "own with dataset=FOLDER)")
    return folder
