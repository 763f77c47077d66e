"""MobileNetV2's ImageNet weights (section 6: a network trained on ImageNet, reused), found in
Keras's cache or downloaded, without a hang or a crash.

`keras.applications.MobileNetV2(weights="imagenet")` downloads its file with no time limit and
raises when it cannot. `mobilenet_v2_weights` looks in Keras's own cache first
(``~/.keras/models/``, or ``$KERAS_HOME/models/``), so weights fetched once by any Keras program
are used; else, unless ``DLBOOK_OFFLINE=1`` forbids it, it checks within seconds that the file can
be reached and fetches it into that cache with `dlbook.data.download.download` (a time limit,
written under a temporary name and renamed into place). Every way it can fail ends in ``None``
and a reason the page prints in its one line, and the page trains from scratch instead.
"""

from __future__ import annotations

import http.client
import os
from pathlib import Path

from dlbook.data.download import download, is_reachable, offline

import h5py

MOBILENET_V2_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
"""Where Keras publishes MobileNetV2's weights."""

MOBILENET_V2_SIZES = (96, 128, 160, 192, 224)
"""The square image sizes Keras publishes weights for; its convolutions take any size."""

MOBILENET_V2_SMALLEST = 32
"""The smallest height or width MobileNetV2 takes."""

DOWNLOAD_TIMEOUT = 30.0
"""Seconds a download may wait for the server at any one point before it gives up."""


def keras_models_dir() -> Path:
    """Keras's cache of model weights: ``$KERAS_HOME/models``, else ``~/.keras/models``."""
    return Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser() / "models"


def mobilenet_v2_file(image_size: tuple[int, int]) -> str:
    """The name of the weights file without the classifier (``include_top=False``, width 1.0)
    for ``(height, width)`` images: those trained at that size when Keras publishes it (square,
    one of `MOBILENET_V2_SIZES`), else those trained at 224, as Keras itself chooses."""
    height, width = image_size
    rows = height if height == width and height in MOBILENET_V2_SIZES else 224
    return f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{rows}_no_top.h5"


def mobilenet_v2_weights(image_size: tuple[int, int]) -> tuple[Path | None, str]:
    """MobileNetV2's ImageNet weights for ``image_size`` (`mobilenet_v2_file`): the file and
    where it came from, or None and why it cannot be had (images too small for it, offline,
    unreachable, the download failed, the cached file is damaged)."""
    if min(image_size) < MOBILENET_V2_SMALLEST:
        return None, (f"MobileNetV2 takes images of at least {MOBILENET_V2_SMALLEST}x"
                      f"{MOBILENET_V2_SMALLEST}, not {image_size[0]}x{image_size[1]}")
    name = mobilenet_v2_file(image_size)
    path = keras_models_dir() / name
    if path.is_file():
        return (path, f"cached in {path.parent}") if readable(path) else (
            None, f"{path} is damaged; delete it to download it again")
    if offline():
        return None, "DLBOOK_OFFLINE=1 forbids their download"
    url = MOBILENET_V2_URL + name
    if not is_reachable(url):
        return None, f"{MOBILENET_V2_URL} cannot be reached"
    try:
        download(url, path, sha256=None, timeout=DOWNLOAD_TIMEOUT)
    except (OSError, http.client.HTTPException) as error:  # refused, timed out, cut short
        return None, f"their download failed ({' '.join(str(error).split())[:120]})"
    if not readable(path):
        path.unlink(missing_ok=True)
        return None, f"{url} sent a file that is not HDF5 weights"
    return path, f"downloaded to {path}"


def readable(path: Path) -> bool:
    """Whether ``path`` opens as an HDF5 file of layer weights, as Keras saved them."""
    try:
        with h5py.File(path, "r") as weights:
            return "layer_names" in weights.attrs
    except OSError:
        return False
