"""Chapter 6, sentiment analysis: the saved text model classifies sentences from --text, from
standard input or the examples, with the class names of the record saved with it; a model that
cannot be used that way is refused in one line; `make ch06-sentiment TEXT=...` passes the
sentence intact."""

import io
import json
import runpy
import subprocess
import sys
from pathlib import Path

from dlbook.data.sentiment import read_sentiment
from dlbook.models import TextClassifier
from dlbook.models.loading import SavedModelError
from dlbook.models.saving import save_model

import keras
import numpy as np
import pytest
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "chapters" / "ch06_applications" / "sentiment.py"


@pytest.fixture(scope="module")
def text_model(tmp_path_factory):
    """A text model of the synthetic reviews saved as text_classifier.py saves it: the .keras
    file and, beside it, the record of its dataset and classes."""
    (texts, labels), _, class_names = read_sentiment(train_size=512, test_size=16)
    keras.utils.set_random_seed(0)
    model = TextClassifier(num_classes=2)
    model.adapt(tf.data.Dataset.from_tensor_slices(texts.astype(str)).batch(64))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(tf.constant(texts.astype(str)), labels, epochs=1, batch_size=64, verbose=0)
    folder = tmp_path_factory.mktemp("text_classifier")
    return save_model(model, folder / "synthetic-lstm.keras",
                      trained_on={"dataset": "synthetic", "class_names": class_names})


def run_page(monkeypatch, output_dir, *flags):
    monkeypatch.setattr(sys, "argv", [str(PAGE), "--quick", "--output-dir", str(output_dir),
                                      *flags])
    runpy.run_path(str(PAGE), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_sentences_from_the_command_line_get_the_models_probabilities(text_model, tmp_path,
                                                                      monkeypatch, capsys):
    sentences = ["the plot was not dull and the music was superb", "a wonderful film"]
    results = run_page(monkeypatch, tmp_path, "--model", str(text_model),
                       "--text", "\n".join(sentences))
    model = keras.saving.load_model(text_model)
    expected = keras.ops.softmax(model(tf.constant(sentences))).numpy()
    assert results["classes"] == ["negative", "positive"]
    assert [answer["text"] for answer in results["sentences"]] == sentences
    for answer, p in zip(results["sentences"], expected, strict=True):
        got = [answer["probabilities"]["negative"], answer["probabilities"]["positive"]]
        np.testing.assert_allclose(got, p, rtol=1e-5)
        assert answer["class"] == ["negative", "positive"][p.argmax()]
    assert results["sentences"][0]["unknown_words"] == 0
    assert results["sentences"][1]["unknown_words"] == 3  # "a wonderful film"
    assert "p(negative)=" in capsys.readouterr().out


def test_sentences_from_standard_input_one_per_line(text_model, tmp_path, monkeypatch):
    """Also in a process that imported ipykernel without being a kernel (a notebook runner)."""
    import ipykernel.kernelapp  # noqa: F401

    monkeypatch.setattr(sys, "stdin", io.StringIO("the plot was good\n\n  the cast was dull \n"))
    results = run_page(monkeypatch, tmp_path, "--model", str(text_model))
    assert [answer["text"] for answer in results["sentences"]] == ["the plot was good",
                                                                  "the cast was dull"]


def test_a_model_whose_classes_are_unknown_is_refused(text_model, tmp_path, monkeypatch):
    alone = tmp_path / "alone" / "synthetic-lstm.keras"
    alone.parent.mkdir()
    alone.write_bytes(text_model.read_bytes())
    with pytest.raises(SavedModelError, match="no record of the classes it was trained on "
                                              "beside it.*make ch05-text-classifier"):
        run_page(monkeypatch, tmp_path, "--model", str(alone), "--text", "good")


def test_a_model_that_takes_no_text_is_refused_in_one_line(tmp_path, monkeypatch):
    """N051: a two-output Dense model beside a record of two classes ended in `AttributeError:
    'Sequential' object has no attribute 'vectorizer'`."""
    plain = keras.Sequential([keras.Input((100,)), keras.layers.Dense(2)])
    path = save_model(plain, tmp_path / "synthetic-plain.keras",
                      trained_on={"dataset": "synthetic", "class_names": ["negative", "positive"]})
    with pytest.raises(SavedModelError, match="takes no raw text: it has no TextVectorization "
                                              "layer"):
        run_page(monkeypatch, tmp_path / "out", "--model", str(path), "--text", "good")


def test_a_model_of_another_dataset_is_refused(text_model, tmp_path, monkeypatch):
    """The dataset named is the one the model's record names, or the page stops: a model of
    other classes never gets this dataset's names."""
    with pytest.raises(SavedModelError, match=r"trained on other data \(dataset 'synthetic', "
                                              r"not 'reviews'\)"):
        run_page(monkeypatch, tmp_path, "--model", str(text_model), "--dataset", "reviews.csv",
                 "--text", "good")


def test_make_passes_the_sentence_to_the_page_intact():
    """Quotes, a dollar sign and backquotes reach the page as typed (make used to expand $5)."""
    sentence = """it's not bad, "really", I paid $5 for `this` $$"""
    show_argv = "python3 -c 'import sys; print(repr(sys.argv[1:]))'"
    done = subprocess.run(["make", "-s", "ch06-sentiment", f"TEXT={sentence}", "STAMP=",
                           f"PY={show_argv}"], capture_output=True, text=True, cwd=REPO,
                          check=True)
    assert done.stdout.strip().endswith(f"'--text', {sentence!r}]")
    other = subprocess.run(["make", "-s", "ch06-classify-images", "TEXT=hello", "STAMP=",
                            f"PY={show_argv}"], capture_output=True, text=True, cwd=REPO,
                           check=True).stdout
    assert "--text" not in other
