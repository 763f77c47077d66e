"""Where MNIST and Fashion-MNIST come from: a local folder, Debian's package, or the download.

Each dataset is four IDX files (gzipped or not). They are looked for, in this order, in

1. the folder given as ``data_dir=`` (``--data-dir``);
2. the folder named by ``$DLBOOK_MNIST_DIR`` / ``$DLBOOK_FASHION_MNIST_DIR``;
3. the cache, ``<name>/`` under ``data_dir`` or else under `dlbook.config.data_dir`;
4. Debian's ``/usr/share/datasets/fashion-mnist/`` (package ``dataset-fashion-mnist``);

and if none has them, downloaded into the cache with their SHA-256 checked, once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dlbook import config
from dlbook.data.download import download, is_reachable
from dlbook.data.errors import DatasetNotFoundError

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


def dataset(name: str) -> ImageDataset:
    """The dataset called ``name`` (``fashion-mnist`` works too); unknown names raise ValueError."""
    key = name.lower().replace("-", "_")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)} (or 'auto')")
    return DATASETS[key]


def cache_dir(spec: ImageDataset, data_dir: str | Path | None = None) -> Path:
    """The folder a download goes to: ``<data_dir>/<name>/``, by default under the cache."""
    return Path(data_dir or config.data_dir()) / spec.name


def candidate_dirs(spec: ImageDataset, data_dir: str | Path | None = None) -> list[Path]:
    """The folders searched for the files, in order."""
    folders = [Path(data_dir)] if data_dir else []
    if env := os.environ.get(spec.env_var):
        folders.append(Path(env).expanduser())
    folders.append(cache_dir(spec, data_dir))
    if spec.system_dir:
        folders.append(spec.system_dir)
    return folders


def files_in(folder: Path) -> dict[str, Path] | None:
    """The four files in ``folder`` (each ``.gz`` or raw), or None unless all four are there."""
    found = {}
    for stem in FILES:
        candidates = [folder / f"{stem}.gz", folder / stem]
        found[stem] = next((path for path in candidates if path.is_file()), None)
    return found if all(found.values()) else None


def locate(name: str, data_dir: str | Path | None = None) -> dict[str, Path] | None:
    """The dataset's four files from the first folder holding all of them, or None."""
    spec = dataset(name)
    for folder in candidate_dirs(spec, data_dir):
        if files := files_in(folder):
            return files
    return None


def fetch(name: str, data_dir: str | Path | None = None) -> dict[str, Path]:
    """The dataset's four files: found on disk, else downloaded into the cache.

    Raises ``DatasetNotFoundError`` saying which files to put where when the download fails.
    """
    if files := locate(name, data_dir):
        return files
    spec = dataset(name)
    folder = cache_dir(spec, data_dir)
    try:
        return {stem: download(spec.url + f"{stem}.gz", folder / f"{stem}.gz",
                               spec.sha256[f"{stem}.gz"]) for stem in FILES}
    except OSError as error:
        raise DatasetNotFoundError(missing_message(spec, data_dir, error)) from error


def missing_message(spec: ImageDataset, data_dir: str | Path | None, error: object) -> str:
    """What to do when a dataset is neither on disk nor downloadable."""
    searched = ", ".join(str(folder) for folder in candidate_dirs(spec, data_dir))
    debian = " or `apt-get install dataset-fashion-mnist`," if spec.system_dir else ""
    return (
        f"{spec.name}: the files are not on disk and the download from {spec.url} failed "
        f"({error}). Put the four files {', '.join(f'{stem}.gz' for stem in FILES)} "
        f"(gzipped or not) in {cache_dir(spec, data_dir)}/,{debian} or set {spec.env_var} "
        f"(or --data-dir) to the folder holding them. Searched: {searched}."
    )


def resolve_dataset(name: str, data_dir: str | Path | None = None) -> str:
    """The dataset to use: ``auto`` picks MNIST when it is on disk or downloadable, else
    Fashion-MNIST when it is on disk, and prints one line saying which and why.

    Any other name is checked and returned as is: a named dataset is never swapped for another.
    """
    if name != "auto":
        return dataset(name).name
    mnist, fashion = DATASETS["mnist"], DATASETS["fashion_mnist"]
    if locate(mnist.name, data_dir):
        choice, reason = mnist.name, "MNIST is on disk"
    elif is_reachable(mnist.url + "train-labels-idx1-ubyte.gz"):
        choice, reason = mnist.name, f"MNIST can be downloaded from {mnist.url}"
    elif locate(fashion.name, data_dir):
        choice, reason = fashion.name, f"MNIST is not on disk and {mnist.url} cannot be reached"
    else:
        raise DatasetNotFoundError(
            f"--dataset auto: MNIST is not on disk and {mnist.url} cannot be reached, and "
            f"Fashion-MNIST is not on disk either. {missing_message(fashion, data_dir, 'offline')}"
        )
    print(f"dataset auto -> {choice} ({reason})")
    return choice
