"""Image files as they come, read one way everywhere (section 6: recognising your own images).

`decode_image` reads whatever Pillow reads, decided by the file's content and not by its name:
PNG of 8 or 16 bits, with a palette or transparency; JPEG, progressive or CMYK; GIF (its first
frame); WebP, BMP, TIFF. It returns 8-bit pixels ``uint8 (H, W, C)`` in the colour mode asked:

* turned upright by the EXIF orientation a camera writes (a portrait photo is stored sideways);
* 16-bit values scaled by their own range, ``v / 65535``, not by 255;
* transparency composited onto white, as a viewer shows it, so that a dark drawing on a
  transparent background does not turn into black on black;
* converted to one gray channel (Pillow's ``L = 0.299 R + 0.587 G + 0.114 B``) or to RGB;
* resized, when a size is given, with Pillow's antialiased bicubic filter.

A file that cannot be decoded raises `ImageFileError` naming the reason: not an image, damaged or
cut short, over Pillow's decompression-bomb limit, a link that leads nowhere, a folder.
`decode_files` decodes many, sets the failures aside and counts what it did to the others;
`check_failures` refuses a set of files of which more than `MAX_FAILED_SHARE` failed.
"""

from __future__ import annotations

import errno
import struct
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dlbook.data.errors import InvalidDataError

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

COLOR_MODES = {"grayscale": "L", "rgb": "RGB"}
"""The colour modes a caller asks for, and Pillow's name for each."""

GRAYSCALE_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")
WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")
"""Pillow modes of one channel wider than 8 bits (16-bit PNG and TIFF, 32-bit TIFF)."""

ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
UPRIGHT = 1
SIDEWAYS = (5, 6, 7, 8)
"""EXIF orientations: 1 is stored upright; 5 to 8 are turned by 90 degrees (width and height
swap)."""

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".bmp", ".dib", ".tif",
                  ".tiff", ".webp", ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".ico")
"""Names that promise an image: such a file that cannot be decoded is a damaged image, any other
file that cannot be decoded is simply not an image (a README, a spreadsheet)."""

CLUTTER = ("__macosx", "thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r", "$recycle.bin")
"""What operating systems and archivers leave in folders (besides hidden ``.`` files)."""

MAX_FAILED_SHARE = 0.1
"""More than this share of a set of image files undecodable, and the set is refused."""

NOTES = {
    "resized": "{n} resized",
    "converted_grayscale": "{n} converted to grayscale",
    "converted_rgb": "{n} converted to rgb",
    "transparent": "{n} with transparency put on white",
    "rotated": "{n} turned upright (EXIF)",
    "animated": "{n} animated (first frame taken)",
    "wide": "{n} of 16 bits or more scaled to 8",
}
"""How each thing done to an image is counted in the one line a reader prints."""


class ImageFileError(InvalidDataError):
    """One file that cannot be decoded as an image; the message is ``<path>: <reason>``."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


@dataclass(frozen=True)
class ImageInfo:
    """What a file's header says: its size once upright, and whether it has one channel."""

    size: tuple[int, int]
    """``(height, width)`` after the EXIF orientation."""
    grayscale: bool


@dataclass(frozen=True)
class DecodedImage:
    """8-bit pixels ``(H, W, C)`` and what was done to get them (keys of `NOTES`)."""

    pixels: np.ndarray
    notes: frozenset[str]


def is_clutter(path: Path) -> bool:
    """A hidden file or folder, or what an operating system or archiver leaves behind."""
    return path.name.startswith(".") or path.name.lower() in CLUTTER


def promises_image(path: Path) -> bool:
    """Whether the name ends like an image file's."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def holds_image_folders(folder: Path) -> bool:
    """Whether ``folder`` (or its ``train/``) has sub-folders of files named like images: a
    folder of one's own images, not MNIST's four files."""
    for split in (folder, folder / "train"):
        if split.is_dir() and any(
                entry.is_dir() and any(promises_image(path) for path in entry.iterdir())
                for entry in split.iterdir() if not is_clutter(entry)):
            return True
    return False


def check_color_mode(color_mode: str) -> str:
    """``color_mode`` if it is one of `COLOR_MODES`, else `InvalidDataError` listing them."""
    if color_mode not in COLOR_MODES:
        raise InvalidDataError(f"color_mode={color_mode}: expected one of "
                               f"{', '.join(COLOR_MODES)}")
    return color_mode


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Pillow's failures on ``path`` as `ImageFileError` with a reason a person can act on; its
    warning about large images (under the limit, they decode) silenced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    except Image.DecompressionBombError as error:
        raise ImageFileError(path, f"more than {2 * Image.MAX_IMAGE_PIXELS:,} pixels, Pillow's "
                                   "limit against decompression bombs") from error
    except UnidentifiedImageError as error:
        raise ImageFileError(path, "not an image file Pillow can read") from error
    except IsADirectoryError as error:
        raise ImageFileError(path, "a folder, not an image file") from error
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOENT):
            raise ImageFileError(path, "a link that leads nowhere (a loop, or its target is "
                                       "gone)") from error
        raise ImageFileError(path, f"damaged or cut short ({error})") from error
    except (ValueError, SyntaxError, EOFError, IndexError, struct.error, zlib.error) as error:
        raise ImageFileError(path, f"damaged ({type(error).__name__}: {error})") from error


def orientation(image: Image.Image) -> int:
    """The EXIF orientation of ``image`` (1, upright, when it has none)."""
    return image.getexif().get(ExifTags.Base.Orientation, UPRIGHT)


def probe_image(path: str | Path) -> ImageInfo:
    """The size (upright) and the kind of ``path`` from its header, without decoding it."""
    path = Path(path)
    with reading(path), Image.open(path) as image:
        width, height = image.size
        if orientation(image) in SIDEWAYS:
            width, height = height, width
        return ImageInfo((height, width), image.mode in GRAYSCALE_MODES)


def to_8_bits(image: Image.Image) -> Image.Image:
    """A one-channel image wider than 8 bits as an ``L`` image, scaled by its range: 65,535 for
    16-bit integers (and 32-bit ones that fit), 1 or 255 for floats that fit those."""
    values = np.asarray(image, np.float64)
    high = float(values.max(initial=0))
    if image.mode == "F":
        top = 1.0 if high <= 1 else 255.0 if high <= 255 else 65535.0
    else:
        top = 65535.0 if high <= 65535 else 2.0**32 - 1
    return Image.fromarray(np.clip(np.rint(values * (255 / top)), 0, 255).astype(np.uint8))


def on_white(image: Image.Image) -> tuple[Image.Image, bool]:
    """``image`` without its alpha: composited onto white if any pixel is see-through; and
    whether one was."""
    if image.mode not in ALPHA_MODES and "transparency" not in image.info:
        return image, False
    rgba = image.convert("RGBA")
    if rgba.getextrema()[3][0] == 255:
        return rgba.convert("RGB"), False
    white = Image.new("RGBA", rgba.size, "white")
    return Image.alpha_composite(white, rgba).convert("RGB"), True


def decode_image(path: str | Path, color_mode: str = "rgb",
                 size: tuple[int, int] | None = None) -> DecodedImage:
    """The pixels of one image file, upright, 8-bit, in ``color_mode`` (``"grayscale"``: one
    channel, ``"rgb"``: three), resized to ``size = (height, width)`` if given (see the module
    docstring); `ImageFileError` if it cannot be decoded."""
    path, mode = Path(path), COLOR_MODES[check_color_mode(color_mode)]
    notes = set()
    with reading(path), Image.open(path) as image:
        grayscale = image.mode in GRAYSCALE_MODES
        if getattr(image, "n_frames", 1) > 1:
            notes.add("animated")
        if size:
            image.draft(mode, (max(size), max(size)))  # JPEG: decode at a smaller scale, faster
        image.load()
        if orientation(image) != UPRIGHT:
            notes.add("rotated")
        upright = ImageOps.exif_transpose(image)
    if upright.mode in WIDE_MODES:
        upright = to_8_bits(upright)
        notes.add("wide")
    flat, transparent = on_white(upright)
    if transparent:
        notes.add("transparent")
    if grayscale != (color_mode == "grayscale"):
        notes.add(f"converted_{color_mode}")
    converted = flat.convert(mode)
    if size and converted.size != (size[1], size[0]):
        converted = converted.resize((size[1], size[0]), Image.Resampling.BICUBIC)
        notes.add("resized")
    pixels = np.asarray(converted, np.uint8)
    return DecodedImage(pixels[..., np.newaxis] if pixels.ndim == 2 else pixels,
                        frozenset(notes))


@dataclass
class DecodedFiles:
    """What `decode_files` made of a list of files."""

    images: list[np.ndarray] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    """The files decoded, in the order of ``images``."""
    notes: Counter = field(default_factory=Counter)
    failed: list[ImageFileError] = field(default_factory=list)
    """Files named like images (or folders so named) that cannot be decoded."""
    not_images: list[Path] = field(default_factory=list)
    """Other files that cannot be decoded: a README, a spreadsheet, notes."""

    def add(self, path: Path, decoded: DecodedImage) -> None:
        self.images.append(decoded.pixels)
        self.paths.append(path)
        self.notes.update(decoded.notes)

    def merge(self, other: DecodedFiles) -> None:
        """Add what ``other`` decoded, did and set aside."""
        self.images += other.images
        self.paths += other.paths
        self.notes.update(other.notes)
        self.failed += other.failed
        self.not_images += other.not_images

    def set_aside(self, error: ImageFileError) -> None:
        if promises_image(error.path):
            self.failed.append(error)
        else:
            self.not_images.append(error.path)


def decode_files(paths: Sequence[Path], color_mode: str,
                 size: tuple[int, int] | None = None) -> DecodedFiles:
    """Every file of ``paths`` decoded by `decode_image`; those that cannot be are set aside."""
    decoded = DecodedFiles()
    for path in paths:
        try:
            decoded.add(path, decode_image(path, color_mode, size))
        except ImageFileError as error:
            decoded.set_aside(error)
    return decoded


def relative(path: Path, root: Path | None) -> str:
    """``path`` as a name under ``root`` (for messages), or as it is."""
    return str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)


def failures(errors: Sequence[ImageFileError], root: Path | None = None, first: int = 3) -> str:
    """``a/1.png: damaged ...; b/x.png: not an image file ...`` for the first few, and how many
    more."""
    shown = "; ".join(f"{relative(error.path, root)}: {error.reason}" for error in errors[:first])
    return shown + (f"; and {len(errors) - first} more" if len(errors) > first else "")


def check_failures(decoded: DecodedFiles, where: Path) -> None:
    """Raise `InvalidDataError` when no file of ``where`` was decoded, or more than
    `MAX_FAILED_SHARE` of its image files could not be; the message lists the first few."""
    total = len(decoded.images) + len(decoded.failed)
    if decoded.failed and len(decoded.failed) > MAX_FAILED_SHARE * total:
        raise InvalidDataError(
            f"{where}: {len(decoded.failed)} of {total} image files cannot be decoded, more than "
            f"{MAX_FAILED_SHARE:.0%} ({failures(decoded.failed, where)}); repair or remove them")
    if not decoded.images:
        others = f" ({len(decoded.not_images)} files that are not images)" if total else ""
        raise InvalidDataError(f"{where}: no image files{others}; expected PNG, JPEG, GIF, "
                               "WebP, BMP or TIFF files")


def summary(decoded: DecodedFiles, root: Path | None = None) -> list[str]:
    """What was done, counted (``"12 resized"``...), and what was skipped and why."""
    parts = [text.format(n=decoded.notes[key]) for key, text in NOTES.items()
             if decoded.notes[key]]
    if decoded.failed:
        parts.append(f"skipped {len(decoded.failed)} that cannot be decoded "
                     f"({failures(decoded.failed, root)})")
    if decoded.not_images:
        names = ", ".join(relative(path, root) for path in decoded.not_images[:3])
        more = ", ..." if len(decoded.not_images) > 3 else ""
        files = ("1 file that is not an image" if len(decoded.not_images) == 1 else
                 f"{len(decoded.not_images)} files that are not images")
        parts.append(f"skipped {files} ({names}{more})")
    return parts
