"""Loading a saved classifier for reuse (section 6): checked before it is given any data.

A model file that is missing, damaged, or made for other inputs fails inside Keras with a message
about its layers; `load_classifier` turns each of these into a one-line `SavedModelError` that
names the file, the problem and how to make the right model. (Importing it imports
`dlbook.models`, which registers dlbook's layers, so that its models load in safe mode.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.errors import DlbookError

import keras


class SavedModelError(DlbookError):
    """A saved model that is missing, does not load, or does not fit the data it is given."""


def load_classifier(path: str | Path, how_to_make: str, input_shape: Sequence[int] | None = None,
                    num_classes: int | None = None) -> keras.Model:
    """The classifier saved at ``path`` (a ``.keras`` file), loaded in safe mode (no code from the
    file runs) and checked: it takes inputs of ``input_shape`` and has ``num_classes`` outputs,
    where those are given. Anything else raises `SavedModelError` ending in ``how_to_make``,
    such as ``"train it with `make ch05-cnn`"``.
    """
    path = Path(path)
    if not path.is_file():
        raise SavedModelError(f"no trained model at {path}; {how_to_make}")
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # a damaged or foreign file fails in many ways inside Keras
        reason = " ".join(str(error).split()).split(". ")[0][:120]
        raise SavedModelError(f"{path} does not load as a Keras model in safe mode "
                              f"({type(error).__name__}: {reason}); {how_to_make}") from error
    if input_shape is not None:
        found = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
        if found != tuple(input_shape):
            raise SavedModelError(f"{path} takes inputs of shape {found}, not "
                                  f"{tuple(input_shape)}; {how_to_make}")
    if num_classes is not None:
        outputs = (model.outputs[0].shape[-1] if getattr(model, "outputs", None)
                   else getattr(model, "num_classes", None))
        if outputs != num_classes:
            raise SavedModelError(f"{path} predicts {outputs} classes, not {num_classes}; "
                                  f"{how_to_make}")
    return model
