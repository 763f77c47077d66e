"""The trained CNN of chapter 5, for the pages that start from one (chapter 8: pruning and
quantization).

`trained_cnn` loads the model that ``chapters/ch05_practice/cnn.py`` saved for the dataset
(``outputs/ch05_practice/cnn/cnn-<dataset>.keras``, ``cnn-quick/`` under ``--quick``), or one a
previous run of the page trained, or else trains one with that page's recipe (`build_cnn` with
dropout 0.5, Adam from 2e-3 down to 0 along a cosine, 10 epochs) and saves it for the next run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.config import output_root
from dlbook.data import ImageData
from dlbook.errors import DlbookError
from dlbook.models.cnn import build_cnn
from dlbook.models.saving import save_model
from dlbook.training.optimizers import adam_cosine
from dlbook.training.progress import keras_verbose

import keras

CHAPTER5_EPOCHS = 10
"""The epochs of ``cnn.py``'s full run."""


class UnusableModelError(DlbookError):
    """The model file does not fit the data (another input shape or number of classes)."""


def cnn_flag() -> argparse.ArgumentParser:
    """The ``--cnn PATH`` flag of a page that starts from the trained CNN (for ``own_flags``)."""
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument("--cnn", type=Path, metavar="PATH",
                       help="the trained CNN to start from (a .keras file); default: chapter 5's "
                            "outputs/ch05_practice/cnn/cnn-<dataset>.keras if it is there, else "
                            "one trained here with chapter 5's recipe")
    return flags


def chapter5_model_path(dataset: str, quick: bool) -> Path:
    """Where ``cnn.py`` saves its model for ``dataset`` (its ``--quick`` run apart)."""
    folder = "cnn-quick" if quick else "cnn"
    return output_root() / "ch05_practice" / folder / f"cnn-{dataset}.keras"


def load_cnn(path: Path, data: ImageData) -> keras.Model:
    """The model saved at ``path``, checked against ``data``'s images and classes."""
    if not path.is_file():
        raise UnusableModelError(f"--cnn {path}: no such file; name a .keras model, or leave "
                                 "the flag out to use chapter 5's")
    model = keras.saving.load_model(path, safe_mode=True)
    expected = ((None, *data.image_shape), (None, len(data.class_names)))
    if (tuple(model.input_shape), tuple(model.output_shape)) != expected:
        raise UnusableModelError(
            f"{path} maps {model.input_shape} to {model.output_shape}, but {data.name} needs "
            f"{expected[0]} to {expected[1]}; pass the model of this dataset with --cnn"
        )
    return model


def trained_cnn(data: ImageData, save_to: Path, path: Path | None = None, quick: bool = False,
                epochs: int | None = None) -> tuple[keras.Model, str]:
    """Chapter 5's CNN trained on ``data``, and where it came from.

    ``path`` (the ``--cnn`` flag) names the model; without it, chapter 5's model of this dataset
    is used if it exists, else ``save_to`` from an earlier run, else a model is trained here
    (``epochs``, default chapter 5's 10, 1 under ``quick``) and saved to ``save_to``.
    """
    if path is not None:
        return load_cnn(path, data), f"loaded from {path}"
    for candidate in (chapter5_model_path(data.name, quick), save_to):
        if candidate.is_file():
            return load_cnn(candidate, data), f"loaded from {candidate}"
    epochs = epochs or (1 if quick else CHAPTER5_EPOCHS)
    model = build_cnn(len(data.class_names), data.image_shape, dropout=0.5)
    model.compile(optimizer=adam_cosine(2e-3, epochs, int(data.train.cardinality())),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(data.train, epochs=epochs, validation_data=data.validation, shuffle=False,
              verbose=keras_verbose())
    save_model(model, save_to)
    return model, (f"trained here with chapter 5's recipe ({epochs} epochs), saved to "
                   f"{save_to}")
