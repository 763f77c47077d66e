"""The trained CNN of chapter 5, for the pages that start from one (chapter 8: pruning and
quantization).

`trained_cnn` loads the model that ``chapters/ch05_practice/cnn.py`` saved for the dataset
(``outputs/ch05_practice/cnn/cnn-<dataset>.keras``, ``cnn-quick/`` under ``--quick``), or one a
previous run of the page trained, or else trains one with that page's recipe (`build_cnn` with
dropout 0.5, compiled by `compile_cnn`, 10 epochs) and saves it for the next run.
A saved model is used only if the record beside it says it was trained on the same data (the
dataset's name and fingerprint, `dlbook.models.loading.check_trained_on`).
"""

from __future__ import annotations

from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.config import output_root
from dlbook.data import ImageData
from dlbook.locks import check_writable
from dlbook.models.cnn import build_cnn
from dlbook.models.loading import SavedModelError, load_classifier
from dlbook.models.saving import save_model
from dlbook.training.cnn_recipe import compile_cnn
from dlbook.training.progress import keras_verbose

import keras

CHAPTER5_EPOCHS = 10
"""The epochs of ``cnn.py``'s full run."""

CNN_HELP = ("the trained CNN to start from (a .keras file); default: chapter 5's "
            "outputs/ch05_practice/cnn/cnn-<dataset>.keras if it was trained on the same data, "
            "else one trained here with chapter 5's recipe")
"""What a page that starts from the trained CNN says of its ``--cnn`` flag (`trained_cnn`'s
``cnn``)."""


class UnusableModelError(SavedModelError):
    """The model file does not fit the data (another input shape, number of classes or data)."""


def chapter5_model_path(dataset: str, quick: bool) -> Path:
    """Where ``cnn.py`` saves its model for ``dataset`` (its ``--quick`` run apart)."""
    folder = "cnn-quick" if quick else "cnn"
    return output_root() / "ch05_practice" / folder / f"cnn-{dataset}.keras"


def how_to_train(data: ImageData, quick: bool) -> str:
    """The command that trains chapter 5's CNN on ``data``."""
    return (f"train the right one with `python chapters/ch05_practice/cnn.py --dataset "
            f"{data.name}{' --quick' if quick else ''}` on the same data")


def load_cnn(cnn: Path, data: ImageData, quick: bool = False) -> keras.Model:
    """The model saved at ``cnn``, checked against ``data``: its images, its classes and the
    data that trained it. Every problem is a one-line `UnusableModelError`."""
    if not Path(cnn).is_file():
        raise UnusableModelError(f"cnn={cnn}: no such file; name a .keras model, or pass "
                                 "cnn=None to use chapter 5's")
    try:
        return load_classifier(cnn, how_to_train(data, quick), data.image_shape,
                               len(data.class_names), trained_on=data.identity)
    except UnusableModelError:
        raise
    except SavedModelError as error:
        raise UnusableModelError(str(error)) from error


def trained_cnn(data: ImageData, save_to: Path, cnn: Path | None = None, quick: bool = False,
                epochs: int | None = None) -> tuple[keras.Model, str]:
    """Chapter 5's CNN trained on ``data``, and where it came from.

    ``cnn`` names the model to use; without it, chapter 5's model of this dataset is used if it
    exists and was trained on this data, else ``save_to`` from an earlier run (the same check),
    else a model is trained here (``epochs``, default chapter 5's 10, 1 under ``quick``) and
    saved to ``save_to``, whose folder is checked first: a run that cannot save stops before it
    trains.
    """
    if cnn is not None:
        return load_cnn(cnn, data, quick), f"loaded from {cnn}"
    for candidate in (chapter5_model_path(data.name, quick), save_to):
        if candidate.is_file():
            try:
                return load_cnn(candidate, data, quick), f"loaded from {candidate}"
            except UnusableModelError as error:
                print(f"not used: {error}")
    check_writable(save_to.parent, "save_to", save_to)
    epochs = epochs or (1 if quick else CHAPTER5_EPOCHS)
    model = build_cnn(len(data.class_names), data.image_shape, dropout=0.5)
    compile_cnn(model, epochs, int(data.train.cardinality()))
    model.fit(data.train, epochs=epochs, validation_data=data.validation, shuffle=False,
              verbose=keras_verbose())
    save_model(model, save_to, trained_on=data.identity)
    return model, (f"trained here with chapter 5's recipe ({epochs} epochs), saved to "
                   f"{save_to}")
