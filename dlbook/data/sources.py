"""Where MNIST and Fashion-MNIST come from: a local folder, Debian's package, or the download.

Each dataset is four IDX files (gzipped or not). A folder the user names, with ``data_dir=``
or else ``$DLBOOK_MNIST_DIR`` / ``$DLBOOK_FASHION_MNIST_DIR``, is the only place
looked at (it or its ``<name>/`` folder): files missing there are an error, never a reason to take
other files. Otherwise the files are looked for in

1. the cache, ``<name>/`` under `dlbook.config.data_dir`;
2. Debian's ``/usr/share/datasets/fashion-mnist/`` (package ``dataset-fashion-mnist``);

and if neither has them, downloaded into the cache with their SHA-256 checked, once. Files that
hold the other dataset than the one asked for (told by their first labels) are refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dlbook import config
from dlbook.data.download import download, is_reachable
from dlbook.data.errors import DatasetNotFoundError, InvalidDataError, UnknownDatasetError
from dlbook.data.idx import read_idx
from dlbook.data.image_files import holds_image_folders

FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
"""The four IDX files of a dataset, without the ``.gz`` they usually carry."""


@dataclass(frozen=True)
class ImageDataset:
    """What dlbook knows about one dataset: its classes, folders, URL and checksums."""

    name: str
    class_names: tuple[str, ...]
    url: str
    sha256: dict[str, str]
    env_var: str
    system_dir: Path | None = None


DATASETS = {
    "mnist": ImageDataset(
        name="mnist",
        class_names=tuple("0123456789"),
        url="https://storage.googleapis.com/cvdf-datasets/mnist/",
        sha256={
            "train-images-idx3-ubyte.gz":
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz":
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz":
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz":
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        env_var="DLBOOK_MNIST_DIR",
    ),
    "fashion_mnist": ImageDataset(
        name="fashion_mnist",
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        url="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        sha256={
            "train-images-idx3-ubyte.gz":
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz":
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz":
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz":
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        env_var="DLBOOK_FASHION_MNIST_DIR",
        system_dir=Path("/usr/share/datasets/fashion-mnist"),
    ),
}
"""The image datasets by name. Checksums (of the downloads) are tensorflow_datasets' url_checksums.

Debian's Fashion-MNIST files hash differently only because packaging rewrote their gzip headers
(file name dropped, time stamp reset): with the header restored they match these checksums, so
files on disk are checked by the IDX reader's structure tests rather than by checksum.
"""


LABELS_BEGIN = {
    "mnist": ((5, 0, 4, 1, 9, 2, 1, 3, 1, 4), (7, 2, 1, 0, 4, 1, 4, 9, 5, 9)),
    "fashion_mnist": ((9, 0, 0, 3, 0, 2, 7, 2, 5, 5), (9, 2, 1, 1, 6, 1, 4, 6, 5, 7)),
}
"""The first ten training and test labels of each dataset: enough to tell their files apart."""


def dataset(name: str) -> ImageDataset:
    """The dataset called ``name`` (``fashion-mnist`` works too); a path that is not a folder
    raises `DatasetNotFoundError`, another unknown name `UnknownDatasetError` (a ValueError)."""
    key = name.lower().replace("-", "_")
    if key in DATASETS:
        return DATASETS[key]
    if "/" in name or name.startswith(("~", ".")):
        raise DatasetNotFoundError(f"dataset={name}: no such folder (a folder of images, one "
                                   "folder per class)")
    raise UnknownDatasetError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)} "
                              "(or 'auto', or a folder of image files)")


def cache_dir(spec: ImageDataset) -> Path:
    """The folder a download goes to: ``<name>/`` under the cache (`dlbook.config.data_dir`)."""
    return config.data_dir() / spec.name


def named_folder(spec: ImageDataset, data_dir: str | Path | None = None) -> tuple[Path, str] | None:
    """The folder the user named for this dataset, and how: ``data_dir`` first, else the
    dataset's environment variable; None when neither is set."""
    if data_dir:
        return Path(data_dir).expanduser(), "data_dir"
    if env := os.environ.get(spec.env_var):
        return Path(env).expanduser(), spec.env_var
    return None


def candidate_dirs(spec: ImageDataset, data_dir: str | Path | None = None) -> list[Path]:
    """The folders searched for the files, in order: a named folder (and its ``<name>/``) and
    nothing else; else the cache and Debian's folder."""
    if named := named_folder(spec, data_dir):
        return [named[0], named[0] / spec.name]
    return [cache_dir(spec), *([spec.system_dir] if spec.system_dir else [])]


def files_in(folder: Path) -> dict[str, Path] | None:
    """The four files in ``folder`` (each ``.gz`` or raw), or None unless all four are there."""
    found = {stem: file_in(folder, stem) for stem in FILES}
    return found if all(found.values()) else None


def file_in(folder: Path, stem: str) -> Path | None:
    """``folder/<stem>.gz`` or ``folder/<stem>``, whichever exists."""
    return next((path for path in (folder / f"{stem}.gz", folder / stem) if path.is_file()), None)


def identify(files: dict[str, Path]) -> str | None:
    """Which known dataset the files hold, told by the first labels of each split; None for
    other data (a user's own IDX files)."""
    train, test = (read_idx(files[stem])[:len(LABELS_BEGIN["mnist"][0])]
                   for stem in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"))
    for name, (train_start, test_start) in LABELS_BEGIN.items():
        if train.tolist() == list(train_start) and test.tolist() == list(test_start):
            return name
    return None


def check_content(spec: ImageDataset, files: dict[str, Path]) -> dict[str, Path]:
    """The files, unless they hold the other known dataset than the one asked for."""
    found = identify(files)
    if found is not None and found != spec.name:
        folder = files[FILES[0]].parent
        raise InvalidDataError(
            f"{folder} holds {found} (its labels begin as {found}'s do), not {spec.name}: pass "
            f"dataset={found}, or name the folder of {spec.name}'s files with data_dir= or "
            f"{spec.env_var}"
        )
    return files


def locate(name: str, data_dir: str | Path | None = None) -> dict[str, Path] | None:
    """The dataset's four files from the first folder holding all of them, or None."""
    spec = dataset(name)
    for folder in candidate_dirs(spec, data_dir):
        if files := files_in(folder):
            return check_content(spec, files)
    return None


def fetch(name: str, data_dir: str | Path | None = None) -> dict[str, Path]:
    """The dataset's four files: from the folder the user named, else found on disk or
    downloaded into the cache.

    A named folder (``data_dir``, or the dataset's environment variable) is the only place
    looked at: if files are missing there, `DatasetNotFoundError` lists them. Otherwise it is
    raised, saying which files to put where, when the download fails.
    """
    spec = dataset(name)
    if files := locate(name, data_dir):
        return files
    if named := named_folder(spec, data_dir):
        raise DatasetNotFoundError(f"{spec.name}: {lacking(*named)}")
    try:
        return download_files(spec, cache_dir(spec))
    except OSError as error:
        raise DatasetNotFoundError(missing_message(spec, error)) from error


def download_files(spec: ImageDataset, folder: Path) -> dict[str, Path]:
    """Download the four files into ``folder`` (checked by SHA-256, atomic, skipped when there)."""
    return {stem: download(spec.url + f"{stem}.gz", folder / f"{stem}.gz",
                           spec.sha256[f"{stem}.gz"]) for stem in FILES}


def missing_message(spec: ImageDataset, error: object) -> str:
    """What to do when a dataset is neither on disk nor downloadable."""
    searched = ", ".join(str(folder) for folder in candidate_dirs(spec))
    debian = " or `apt-get install dataset-fashion-mnist`," if spec.system_dir else ""
    return (
        f"{spec.name}: the files are not on disk and the download from {spec.url} failed "
        f"({error}). Put the four files {', '.join(f'{stem}.gz' for stem in FILES)} "
        f"(gzipped or not) in {cache_dir(spec)}/,{debian} or name the folder holding them "
        f"with {spec.env_var} or data_dir=. Searched: {searched}."
    )


def resolve_dataset(name: str, data_dir: str | Path | None = None) -> str:
    """The dataset to use: ``auto`` picks MNIST when it is on disk or downloadable, else
    Fashion-MNIST when it is on disk, and prints one line saying which and why. With
    ``data_dir``, ``auto`` is whichever of the two that folder holds; with a
    folder named by ``$DLBOOK_MNIST_DIR`` (else ``$DLBOOK_FASHION_MNIST_DIR``), it is that
    variable's dataset, from that folder or an error listing what the folder lacks.

    Any other name is checked and returned as is: a named dataset is never swapped for another.
    """
    if name != "auto":
        return dataset(name).name
    mnist, fashion = DATASETS["mnist"], DATASETS["fashion_mnist"]
    if data_dir is not None:
        choice = identify(fetch_from_named_folder(data_dir))
        if choice is None:
            raise UnknownDatasetError(
                f"dataset=auto: data_dir={data_dir} holds IDX files that are neither MNIST nor "
                f"Fashion-MNIST; name the dataset they stand for with dataset="
                f"{' or dataset='.join(DATASETS)}"
            )
        reason = f"the files in {data_dir} are {choice}'s"
    elif named := next((spec for spec in (mnist, fashion) if named_folder(spec)), None):
        fetch(named.name)  # the named folder, never another: what it lacks is an error
        choice, reason = named.name, f"{named.env_var} names {named_folder(named)[0]}"
    elif locate(mnist.name):
        choice, reason = mnist.name, "MNIST is on disk"
    elif is_reachable(mnist.url + "train-labels-idx1-ubyte.gz"):
        choice, reason = mnist.name, f"MNIST can be downloaded from {mnist.url}"
    elif locate(fashion.name):
        choice, reason = fashion.name, f"MNIST is not on disk and {mnist.url} cannot be reached"
    else:
        raise DatasetNotFoundError(
            f"dataset=auto: MNIST is not on disk and {mnist.url} cannot be reached, and "
            f"Fashion-MNIST is not on disk either. {missing_message(fashion, 'offline')}"
        )
    print(f"dataset auto -> {choice} ({reason})")
    return choice


def fetch_from_named_folder(data_dir: str | Path) -> dict[str, Path]:
    """The four files in ``data_dir`` (or its ``<name>/`` folder), whichever dataset they are."""
    folder = Path(data_dir).expanduser()
    for candidate in (folder, *(folder / name for name in DATASETS)):
        if files := files_in(candidate):
            return files
    raise DatasetNotFoundError(lacking(folder, "data_dir"))


def lacking(folder: Path, how: str) -> str:
    """What ``folder``, named by ``how`` (``data_dir`` or an environment variable), lacks of
    the four files, and what to do; a folder of images is sent to ``dataset=``."""
    missing = [f"{stem}.gz" for stem in FILES if not file_in(folder, stem)]
    fix = (f"it holds folders of images: pass dataset={folder} in its place"
           if holds_image_folders(folder) else
           "put the files there or name the folder that holds all four")
    return f"{how}={folder} lacks {', '.join(missing)} (gzipped or not); {fix}"
