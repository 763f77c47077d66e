"""`dlbook.training.trained_cnn`: chapter 8's pages start from chapter 5's CNN, or train one with
its recipe and keep it, and refuse a model that does not fit the data: other classes, other
data (its record), a folder it cannot be saved in (before training)."""

from dlbook.data import load_images
from dlbook.locks import FolderNotWritableError
from dlbook.models import build_cnn
from dlbook.models.saving import save_model
from dlbook.training.trained_cnn import (
    UnusableModelError,
    chapter5_model_path,
    load_cnn,
    trained_cnn,
)

import keras
import numpy as np
import pytest


@pytest.fixture
def few_images(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path / "outputs"))  # no chapter 5 model
    return load_images("fashion_mnist", batch_size=64, limit=256)


@pytest.mark.integration
def test_without_a_saved_model_one_is_trained_with_chapter_5s_recipe_and_kept(few_images,
                                                                              tmp_path):
    model, origin = trained_cnn(few_images, tmp_path / "cnn.keras", quick=True)
    assert origin == ("trained here with chapter 5's recipe (1 epochs), saved to "
                      f"{tmp_path / 'cnn.keras'}")
    assert model.output_shape == (None, 10)
    schedule = model.optimizer.get_config()["learning_rate"]  # cnn.py's compile_cnn
    assert schedule["class_name"] == "CosineDecay"
    assert schedule["config"]["initial_learning_rate"] == pytest.approx(2e-3)
    again, origin = trained_cnn(few_images, tmp_path / "cnn.keras", quick=True)
    assert origin == f"loaded from {tmp_path / 'cnn.keras'}"  # the next run trains nothing
    for kept, loaded in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, loaded)


def test_a_model_of_other_classes_is_refused_in_one_line(few_images, tmp_path):
    path = tmp_path / "five_classes.keras"
    build_cnn(5).save(path)
    with pytest.raises(UnusableModelError, match=r"predicts 5 classes, not 10; train the right "
                                                 r"one with `python chapters/ch05_practice/cnn.py"
                       ) as e:
        load_cnn(path, few_images)
    assert "\n" not in str(e.value) and "--cnn" not in str(e.value)


def test_chapter_5s_model_of_other_data_is_not_used(few_images, tmp_path, monkeypatch, capsys):
    """Red team N055: your own IDX files named fashion_mnist were pruned with the CNN trained on
    the real Fashion-MNIST, because the file name matched (dense test accuracy 0.20)."""
    other_data = few_images.identity | {"fingerprint": "0123456789abcdef"}
    save_model(build_cnn(), chapter5_model_path("fashion_mnist", quick=True), trained_on=other_data)
    monkeypatch.setattr(keras.Model, "fit", lambda *args, **kwargs: None)  # no training here
    model, origin = trained_cnn(few_images, tmp_path / "cnn.keras", quick=True)
    assert origin.startswith("trained here") and "not used: " in capsys.readouterr().out
    with pytest.raises(UnusableModelError, match="was trained on other data .fingerprint"):
        trained_cnn(few_images, tmp_path / "x.keras", quick=True,
                    cnn=chapter5_model_path("fashion_mnist", quick=True))


def test_a_folder_the_model_cannot_be_saved_in_is_refused_before_training(few_images, tmp_path,
                                                                         monkeypatch):
    """Red team N071: pruning trained its CNN, then failed to save it."""
    def no_training(*args, **kwargs):
        raise AssertionError("trained before finding that the model cannot be saved")

    monkeypatch.setattr(keras.Model, "fit", no_training)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(FolderNotWritableError, match="save_to=.*cannot be written"):
        trained_cnn(few_images, tmp_path / "a-file" / "cnn.keras", quick=True)
