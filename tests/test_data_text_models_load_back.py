"""Every text model a page saves loads back, whatever the layout of its data (issue 21 item 9):
a CSV, a TSV, a plain folder of class folders and a folder in the aclImdb layout, each trained
on for a step, saved as `text_classifier.py` saves it, loaded in safe mode and compared."""

import csv

from dlbook.data import load_text
from dlbook.models import TextClassifier
from dlbook.models.saving import save_model

import keras
import numpy as np
import pytest
import tensorflow as tf

REVIEWS = [("pos", "a superb film\u2028I loved every minute"),
           ("neg", "dull\x85 and far too long"),
           ("pos", "the cast is charming, the story moving"),
           ("neg", "a weak script; I nearly left"),
           ("pos", "funny, clever and warm"),
           ("neg", "boring from the first scene")]
"""Short reviews whose words hold U+2028 and U+0085, as reviews read from the web do: Keras's
vocabulary.txt, one word per line, split them, and the model did not load back."""


def write_layout(root, layout):
    """The reviews in one of the layouts `load_text` reads; the path to pass it."""
    rows = [(label, f"{text} ({n})") for n in range(5) for label, text in REVIEWS]
    if layout in ("csv", "tsv"):
        path = root / f"reviews.{layout}"
        with path.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file, delimiter="," if layout == "csv" else "\t").writerows(
                [("label", "text"), *rows])
        return path
    for n, (label, text) in enumerate(rows):
        split = "" if layout == "folder" else "test" if n % 5 == 0 else "train"
        folder = root / "reviews" / split / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n}_7.txt").write_text(text, encoding="utf-8")
    (root / "reviews" / "README.txt").write_text("where these reviews come from")
    return root / "reviews"


@pytest.mark.parametrize("layout", ["csv", "tsv", "folder", "aclImdb"])
def test_a_text_model_trained_on_each_layout_loads_back(tmp_path, layout):
    data = load_text(str(write_layout(tmp_path, layout)), batch_size=8, validation_fraction=0)
    assert data.class_names == ["neg", "pos"] and data.num_train + data.num_test == 30
    keras.utils.set_random_seed(0)
    model = TextClassifier(num_classes=2, vocab_size=100, sequence_length=12, units=8)
    model.adapt(data.train)
    assert any("\u2028" in word or "\x85" in word for word in model.vectorizer.get_vocabulary())
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data.train, epochs=1, verbose=0, shuffle=False)
    path = save_model(model, tmp_path / "model.keras")
    loaded = keras.saving.load_model(path, safe_mode=True)
    sentences = tf.constant([text for text, _ in REVIEWS[:3]] + ["words it never saw"])
    np.testing.assert_array_equal(loaded(sentences), model(sentences))
    assert loaded.vectorizer.get_vocabulary() == model.vectorizer.get_vocabulary()
