"""A folder of the user's own images, one folder per class, as people have them (section 6).

Layouts, as ``keras.utils.image_dataset_from_directory`` reads them:

* ``<root>/<class>/``: a seeded, stratified `TEST_FRACTION` of each class becomes the test set;
* ``<root>/train/<class>/`` and ``<root>/test/<class>/``: the user's split. Without ``test/``,
  the test set is held out of ``train/`` as above, and the line printed says so.

Images in sub-folders of a class folder belong to that class. Hidden files and what operating
systems leave behind (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``, ``__MACOSX/``) are ignored;
other files are decoded by their content, whatever their name (`dlbook.data.image_files`): those
that are not images (a README, notes) and those that cannot be decoded are skipped and named, and
more than `dlbook.data.image_files.MAX_FAILED_SHARE` of undecodable image files is refused.

Every image gets the size ``image_size = (height, width)`` when it is given; otherwise the images
must share one size, or the error lists the sizes found and asks for ``image_size``. The colour
mode is ``color_mode`` when given, else grayscale if every image is, else RGB. Each file is
decoded once (with Pillow), into ``uint8`` arrays; one line says what was read and done.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dlbook.data.errors import DatasetNotFoundError, InvalidDataError
from dlbook.data.image_files import (
    DecodedFiles,
    ImageFileError,
    ImageInfo,
    check_color_mode,
    check_failures,
    decode_files,
    is_clutter,
    probe_image,
    summary,
)
from dlbook.data.pipeline import Split, stratified_split, stratified_subset

import numpy as np

TEST_FRACTION = 0.2
LAYOUTS = "<root>/<class>/ or <root>/train/<class>/ (and <root>/test/<class>/)"


@dataclass(frozen=True)
class FolderImages:
    """A folder read: ``uint8 (N, H, W, C)`` images with their class numbers, and one line that
    says what was read and done."""

    train: Split
    test: Split
    class_names: list[str]
    description: str


@dataclass
class ClassFiles:
    """The files of each class of one split, and what the walk noticed."""

    files: dict[str, list[Path]] = field(default_factory=dict)
    nested: int = 0
    """Files in sub-folders of their class folder."""
    loose: list[Path] = field(default_factory=list)
    """Files beside the class folders, in none of them."""


def visible(folder: Path) -> list[Path]:
    """The entries of ``folder`` without clutter, sorted."""
    return sorted(entry for entry in folder.iterdir() if not is_clutter(entry))


def walk(folder: Path) -> list[Path]:
    """Every file under ``folder`` (sub-folders too, without following links to folders), without
    clutter, sorted."""
    found = []
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not is_clutter(Path(name)))
        found += [Path(current, name) for name in sorted(files) if not is_clutter(Path(name))]
    return found


def class_files(split: Path) -> ClassFiles:
    """The files of each sub-folder of ``split`` (a class) that holds any."""
    found = ClassFiles()
    for entry in visible(split):
        if not entry.is_dir():
            found.loose.append(entry)
        elif files := walk(entry):
            found.files[entry.name] = files
            found.nested += sum(path.parent != entry for path in files)
    return found


def no_classes(root: Path, found: ClassFiles) -> DatasetNotFoundError:
    """The error for a folder of fewer than two class folders, with what it holds instead."""
    names = list(found.files)
    message = (f"{root}: expected one folder of images per class, at least two, as {LAYOUTS}; "
               f"found {len(names)} ({', '.join(names) or 'none'})")
    if found.loose:
        message += f" and {len(found.loose)} files in no class folder"
    if len(names) == 1:
        inner = [entry for entry in visible(root / names[0]) if entry.is_dir()]
        if len(inner) >= 2:
            message += f"; {names[0]}/ holds folders itself: pass dataset={root / names[0]}"
    return DatasetNotFoundError(message)


@dataclass
class Layout:
    """The class files of the training and test folders (``test`` None: held out of ``train``),
    and notes on what the layout left aside."""

    train: ClassFiles
    test: ClassFiles | None
    split_folders: bool
    """Whether the folder has ``train/`` (and maybe ``test/``), not class folders at its top."""
    notes: list[str] = field(default_factory=list)

    @property
    def loose(self) -> list[Path]:
        return [*self.train.loose, *(self.test.loose if self.test else [])]

    @property
    def nested(self) -> int:
        return self.train.nested + (self.test.nested if self.test else 0)


def find_layout(root: Path) -> Layout:
    """``train/`` and ``test/`` when ``root`` has a ``train/`` folder, else ``root``'s class
    folders; `DatasetNotFoundError` when there are not two classes, or ``test/`` holds other
    classes than ``train/``."""
    folders = {entry.name.lower(): entry for entry in visible(root) if entry.is_dir()}
    if "train" not in folders:
        found = Layout(class_files(root), None, split_folders=False)
    else:
        found = Layout(class_files(folders["train"]),
                       class_files(folders["test"]) if "test" in folders else None,
                       split_folders=True)
        if others := sorted(name for name in folders if name not in ("train", "test")):
            found.notes.append(f"{', '.join(f'{name}/' for name in others)} not read (only "
                               "train/ and test/ are)")
    if len(found.train.files) < 2:
        raise no_classes(folders["train"] if found.split_folders else root, found.train)
    test, train = set(found.test.files if found.test else found.train.files), set(
        found.train.files)
    if test != train:
        raise DatasetNotFoundError(
            f"{root}: train/ and test/ must hold the same class folders; test/ lacks "
            f"{sorted(train - test)} and train/ lacks {sorted(test - train)}")
    return found


def probe(files: dict[str, list[Path]], decoded: DecodedFiles) -> dict[Path, ImageInfo]:
    """The header of every file; those that cannot be read are set aside in ``decoded``."""
    infos = {}
    for path in (path for paths in files.values() for path in paths):
        try:
            infos[path] = probe_image(path)
        except ImageFileError as error:
            decoded.set_aside(error)
    return infos


def image_classes(found: Layout, infos: dict[Path, ImageInfo], root: Path) -> list[str]:
    """The sorted class folders of ``train`` that hold at least one image; folders without any
    are noted, and fewer than two classes refused."""
    names = sorted(name for name, paths in found.train.files.items()
                   if any(path in infos for path in paths))
    if empty := sorted(set(found.train.files) - set(names)):
        found.notes.append(f"no images in {', '.join(f'{name}/' for name in empty)}: not a "
                           "class")
    if len(names) < 2:
        raise InvalidDataError(f"{root}: {len(names)} class folder(s) with images "
                               f"({', '.join(names) or 'none'}); a classifier needs at least two")
    return names


def common_size(infos: dict[Path, ImageInfo], root: Path) -> tuple[int, int]:
    """The one size every image has, or `InvalidDataError` listing the sizes and the fix."""
    sizes = Counter(info.size for info in infos.values())
    if len(sizes) > 1:
        listed = ", ".join(f"{h}x{w} ({count})" for (h, w), count in sizes.most_common(3))
        (height, width), _ = sizes.most_common(1)[0]
        raise InvalidDataError(
            f"{root}: images of {len(sizes)} sizes, height x width: {listed}"
            f"{', ...' if len(sizes) > 3 else ''}; pass image_size=(height, width) to resize "
            f"them all, e.g. image_size=({height}, {width})")
    return next(iter(sizes))


def labelled(files: dict[str, list[Path]], class_names: list[str],
             infos: dict[Path, ImageInfo]) -> tuple[list[Path], np.ndarray]:
    """The files whose header was read, class after class, and their class numbers."""
    pairs = [(path, number) for number, name in enumerate(class_names)
             for path in files.get(name, []) if path in infos]
    return [path for path, _ in pairs], np.asarray([number for _, number in pairs], np.int32)


def held_out(paths: list[Path], labels: np.ndarray, fraction: float, seed: int
             ) -> tuple[tuple[list[Path], np.ndarray], tuple[list[Path], np.ndarray]]:
    """``(train, test)``: a seeded ``fraction`` of each class held out for the test."""
    is_test = stratified_split(labels, fraction, seed)
    return (([path for path, test in zip(paths, is_test, strict=True) if not test],
             labels[~is_test]),
            ([path for path, test in zip(paths, is_test, strict=True) if test], labels[is_test]))


def read_split(paths: list[Path], labels: np.ndarray, color_mode: str, size: tuple[int, int],
               decoded: DecodedFiles) -> Split:
    """The images of ``paths`` as ``uint8 (N, H, W, C)`` with their labels; what was done and
    set aside is added to ``decoded``."""
    done = decode_files(paths, color_mode, size)
    decoded.merge(done)
    label_of = dict(zip(paths, labels, strict=True))
    channels = 1 if color_mode == "grayscale" else 3
    images = np.stack(done.images) if done.images else np.zeros((0, *size, channels), np.uint8)
    return images, np.asarray([label_of[path] for path in done.paths], np.int32)


def read_image_folder(root: str | Path, image_size: tuple[int, int] | None = None,
                      color_mode: str | None = None, seed: int = 0, limit: int | None = None,
                      test_fraction: float = TEST_FRACTION) -> FolderImages:
    """The training and test images of a folder in one of the layouts of the module docstring,
    at most ``limit`` of each split (`dlbook.data.pipeline.stratified_subset`)."""
    root = Path(root).expanduser()
    found = find_layout(root)
    decoded = DecodedFiles(not_images=found.loose)
    infos = probe(found.train.files, decoded)
    test_infos = probe(found.test.files, decoded) if found.test else {}
    class_names = image_classes(found, infos, root)
    size = tuple(image_size) if image_size else common_size({**infos, **test_infos}, root)
    if color_mode is None:
        color_mode = ("grayscale" if all(info.grayscale for info in [*infos.values(),
                                                                      *test_infos.values()])
                      else "rgb")
    check_color_mode(color_mode)
    train = labelled(found.train.files, class_names, infos)
    if found.test:
        test = labelled(found.test.files, class_names, test_infos)
    else:
        train, test = held_out(*train, test_fraction, seed)
        found.notes.insert(0, f"test: a stratified {test_fraction:.0%} of each class"
                              + (" (no test/ folder)" if found.split_folders else ""))
    splits = []
    for paths, labels in (train, test):
        keep = stratified_subset(labels, limit, seed)
        splits.append(read_split([paths[i] for i in keep], labels[keep], color_mode, size,
                                 decoded))
    check_failures(decoded, root)
    if found.nested:
        found.notes.append(f"{found.nested} in sub-folders of their class folder, counted in "
                           "that class")
    description = (f"{root.name}: {len(splits[0][0])} training and {len(splits[1][0])} test "
                   f"images of {len(class_names)} classes ({', '.join(class_names)}), "
                   f"{size[0]}x{size[1]} {color_mode}; "
                   + "; ".join([*found.notes, *summary(decoded, root)]))
    return FolderImages(splits[0], splits[1], class_names, description)
