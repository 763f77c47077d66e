"""A saved model is reused only when it fits: the record of the data that trained it, saved
beside it, is checked; a model ending in a softmax gets no second softmax; a damaged or Lambda
file, or a folder that cannot be written, is one line (issue 21 items 6, 7, 8, 14)."""

import json

from dlbook.locks import FolderNotWritableError
from dlbook.models import build_cnn
from dlbook.models.loading import SavedModelError, load_classifier, training_record
from dlbook.models.saving import record_path, save_model

import keras
import numpy as np
import pytest

DATA = {"dataset": "fashion_mnist", "fingerprint": "abc", "num_train": 100, "seed": 0}
FIX = "train it with `make ch05-cnn`"


def test_a_model_saved_with_its_data_is_reused_only_for_that_data(tmp_path):
    path = save_model(build_cnn(), tmp_path / "cnn-fashion_mnist.keras", trained_on=DATA)
    assert training_record(path) == DATA and record_path(path).name.endswith(".keras.json")
    assert load_classifier(path, FIX, (28, 28, 1), 10, trained_on=DATA | {"seed": 1})
    with pytest.raises(SavedModelError, match=r"was trained on other data \(fingerprint 'abc', "
                                              r"not 'def'\); train it with") as error:
        load_classifier(path, FIX, (28, 28, 1), 10, trained_on=DATA | {"fingerprint": "def"})
    assert "\n" not in str(error.value)


def test_a_model_without_a_record_is_used_and_said_unchecked(tmp_path, capsys):
    path = tmp_path / "cnn.keras"
    build_cnn().save(path)
    load_classifier(path, FIX, (28, 28, 1), 10, trained_on=DATA)
    assert "no record of the data that trained it" in capsys.readouterr().out


def test_a_softmax_output_is_given_back_as_logits_of_the_same_probabilities(tmp_path, capsys):
    """Red team N029: chapter 6 applied its softmax to a model that ends in one (62.7% shown as
    16.6%)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.save(tmp_path / "softmax.keras")
    loaded = load_classifier(tmp_path / "softmax.keras", FIX, (28, 28, 1), 10)
    assert "ends in a softmax: its probabilities are used as they are" in capsys.readouterr().out
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    probabilities = model.predict(images, verbose=0)
    shown = keras.ops.convert_to_numpy(keras.ops.softmax(loaded.predict(images, verbose=0)))
    np.testing.assert_allclose(shown, probabilities, rtol=1e-5, atol=1e-7)


def test_a_lambda_or_damaged_file_is_one_line(tmp_path):
    marker = str(tmp_path / "ran")

    def touches_a_file(x):
        open(marker, "w").close()  # noqa: SIM115  (code a file must not run when loaded)
        return x

    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(touches_a_file)]).save(
        tmp_path / "lambda.keras")
    (tmp_path / "ran").unlink()  # saving traced the function once
    (tmp_path / "damaged.keras").write_bytes(b"PK\x03\x04 not really a zip")
    for name in ("lambda.keras", "damaged.keras"):
        with pytest.raises(SavedModelError, match="does not load as a Keras model in safe mode"
                           ) as error:
            load_classifier(tmp_path / name, FIX)
        assert "\n" not in str(error.value)
    assert not (tmp_path / "ran").exists()  # safe mode ran no code from the file


def test_saving_into_a_folder_that_cannot_be_written_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(FolderNotWritableError, match=r"path=\S+a-file/cnn\.keras cannot be "
                                                     "written") as error:
        save_model(build_cnn(), tmp_path / "a-file" / "cnn.keras", trained_on=DATA)
    assert "\n" not in str(error.value)


def test_a_save_leaves_no_temporary_file(tmp_path):
    save_model(build_cnn(), tmp_path / "cnn.keras", trained_on=DATA)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.keras", "cnn.keras.json"]
    assert json.loads((tmp_path / "cnn.keras.json").read_text())["fingerprint"] == "abc"
