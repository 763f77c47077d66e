"""`dlbook.training.trained_cnn`: chapter 8's pages start from chapter 5's CNN, or train one with
its recipe and keep it, and refuse a model that does not fit the data."""

from dlbook.data import load_images
from dlbook.models import build_cnn
from dlbook.training.trained_cnn import UnusableModelError, load_cnn, trained_cnn

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
    again, origin = trained_cnn(few_images, tmp_path / "cnn.keras", quick=True)
    assert origin == f"loaded from {tmp_path / 'cnn.keras'}"  # the next run trains nothing
    for kept, loaded in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, loaded)


def test_a_model_of_other_classes_is_refused_in_one_line(few_images, tmp_path):
    path = tmp_path / "five_classes.keras"
    build_cnn(5).save(path)
    with pytest.raises(UnusableModelError, match=r"maps \(None, 28, 28, 1\) to \(None, 5\)") as e:
        load_cnn(path, few_images)
    assert "\n" not in str(e.value) and "--cnn" in str(e.value)
