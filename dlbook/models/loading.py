"""Loading a saved classifier for reuse (section 6): checked before it is given any data.

A model file that is missing, damaged, made for other inputs or trained on other data fails
inside Keras with a message about its layers, or not at all; `load_classifier` turns each of
these into a one-line `SavedModelError` that names the file, the problem and how to make the
right model. A model that ends in a softmax gives probabilities: `load_classifier` returns it
with their logarithm as its output (a softmax of which gives the same probabilities back), so
the pages' own softmax is not applied twice. `load_text_classifier` does the same for a text
model and also gives its class names, from the record saved with it, and the layer that turns its
text into tokens. (Importing it imports `dlbook.models`, which registers dlbook's layers, so that
its models load in safe mode.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.errors import DlbookError
from dlbook.models.saving import record_path

import keras

CHECKED_KEYS = ("dataset", "fingerprint", "class_names")
"""What a reused model's record must share with the data it is given (where both say it)."""


class SavedModelError(DlbookError):
    """A saved model that is missing, does not load, or does not fit the data it is given."""


def training_record(path: str | Path) -> dict | None:
    """What trained the model saved at ``path`` (`dlbook.models.saving.save_model`'s
    ``trained_on``), None when nothing was recorded."""
    record = record_path(path)
    if not record.is_file():
        return None
    try:
        recorded = json.loads(record.read_text())
    except (OSError, ValueError) as error:
        raise SavedModelError(f"{record} is damaged ({type(error).__name__}: {error}); delete "
                              "it and the model beside it, and train the model again") from error
    return recorded if isinstance(recorded, dict) else None


def check_trained_on(path: str | Path, data: Mapping[str, object], how_to_make: str) -> None:
    """Refuse the model at ``path`` when its record names other data than ``data`` (a dataset's
    identity: name and fingerprint; class names), in one line ending in ``how_to_make``; a
    model without a record is used, and one line says it could not be checked."""
    record = training_record(path)
    if record is None:
        print(f"{path}: no record of the data that trained it ({record_path(path).name}); "
              "used unchecked")
        return
    changed = [f"{key} {record[key]!r}, not {data[key]!r}" for key in CHECKED_KEYS
               if key in record and key in data and _plain(record[key]) != _plain(data[key])]
    if changed:
        raise SavedModelError(f"{path} was trained on other data ({'; '.join(changed)}); "
                              f"{how_to_make}")


def _plain(value: object) -> object:
    """A value as JSON gives it back (tuples as lists), for comparing with a record."""
    return json.loads(json.dumps(value, default=str))


def ends_in_softmax(model: keras.Model) -> bool:
    """Whether the model's last layer is a softmax (its outputs are probabilities)."""
    last = model.layers[-1] if model.layers else None
    return isinstance(last, keras.layers.Softmax) or getattr(
        last, "activation", None) is keras.activations.softmax


def load_classifier(path: str | Path, how_to_make: str, input_shape: Sequence[int] | None = None,
                    num_classes: int | None = None,
                    trained_on: Mapping[str, object] | None = None,
                    logits: bool = True) -> keras.Model:
    """The classifier saved at ``path`` (a ``.keras`` file), loaded in safe mode (no code from the
    file runs) and checked: it takes inputs of ``input_shape``, has ``num_classes`` outputs and
    was trained on ``trained_on`` (a dataset's identity, `check_trained_on`), where those are
    given. Anything else raises `SavedModelError` ending in ``how_to_make``, such as
    ``"train it with `make ch05-cnn`"``. With ``logits``, a model ending in a softmax comes
    back with log-probabilities as its output, and one line says so.
    """
    model = _load(Path(path), how_to_make)
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
    if trained_on is not None:
        check_trained_on(path, trained_on, how_to_make)
    return _with_logits(model, path, how_to_make) if logits and ends_in_softmax(model) else model


def load_text_classifier(path: str | Path, how_to_make: str, dataset: str | None = None
                         ) -> tuple[keras.Model, keras.layers.TextVectorization, list[str]]:
    """The text classifier saved at ``path`` by `dlbook.models.saving.save_model` (as
    ``text_classifier.py`` saves it, section 5), the ``TextVectorization`` layer that turns its raw
    text into tokens, and its class names in the order of its outputs, read from the record saved
    with it. `load_classifier` checks the file, its number of outputs and, when ``dataset`` is
    given, that it was trained on that dataset; a model without a record of its classes, or one
    that takes no raw text, is refused too, in one line ending in ``how_to_make``.
    """
    class_names = (training_record(path) or {}).get("class_names") or []
    model = load_classifier(path, how_to_make, num_classes=len(class_names) or None,
                            trained_on={"dataset": dataset} if dataset and class_names else None)
    if not class_names:
        raise SavedModelError(f"{path}: no record of the classes it was trained on beside it "
                              f"({record_path(path).name}), so its outputs cannot be named; "
                              f"{how_to_make}")
    vectorizer = next((layer for layer in model.layers
                       if isinstance(layer, keras.layers.TextVectorization)), None)
    if vectorizer is None:
        raise SavedModelError(f"{path} takes no raw text: it has no TextVectorization layer, the "
                              f"vocabulary that turns words into tokens; {how_to_make}")
    return model, vectorizer, list(class_names)


def _load(path: Path, how_to_make: str) -> keras.Model:
    if not path.is_file():
        raise SavedModelError(f"no trained model at {path}; {how_to_make}")
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # a damaged or foreign file fails in many ways inside Keras
        reason = " ".join(str(error).split()).split(". ")[0][:120]
        raise SavedModelError(f"{path} does not load as a Keras model in safe mode "
                              f"({type(error).__name__}: {reason}); {how_to_make}") from error


def _with_logits(model: keras.Model, path: str | Path, how_to_make: str) -> keras.Model:
    """The model with ``log(probabilities)`` as its output: logits whose softmax gives its own
    probabilities back."""
    if not getattr(model, "outputs", None):
        raise SavedModelError(f"{path} ends in a softmax and is not a Sequential or functional "
                              f"model, so its logits cannot be had; {how_to_make}")
    print(f"{path} ends in a softmax: its probabilities are used as they are")
    log_probabilities = keras.ops.log(keras.ops.maximum(model.outputs[0], 1e-30))
    return keras.Model(model.inputs, log_probabilities, name=model.name)
