"""Chapter 6, image classification on your own files: PNG and JPEG files written from real test
images, of other sizes, in colour and inverted, are classified as the arrays they came from."""

import json
import runpy
import sys
from pathlib import Path

from dlbook.data import InvalidDataError, load_arrays
from dlbook.data.sources import DATASETS
from dlbook.models.loading import SavedModelError

import keras
import numpy as np
import pytest
from PIL import Image

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "ch06_applications" / "classify_images.py"


def run_page(monkeypatch, output_dir, *flags):
    dataset = () if "--dataset" in flags else ("--dataset", "fashion_mnist")
    monkeypatch.setattr(sys, "argv", [str(PAGE), "--quick", *dataset,
                                      "--output-dir", str(output_dir), *flags])
    runpy.run_path(str(PAGE), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_files_of_any_size_and_colour_are_classified_as_their_images(quick_cnn, tmp_path,
                                                                     monkeypatch):
    _, (test_images, _) = load_arrays("fashion_mnist", limit=6)
    folder = tmp_path / "mine"
    folder.mkdir()
    for i, image in enumerate(test_images):
        Image.fromarray(image).save(folder / f"{i}-plain.png")  # 28x28 grayscale, as trained
        Image.fromarray(np.stack([image] * 3, -1)).resize((70, 70)).save(folder / f"{i}-rgb.png")
        Image.fromarray(255 - image).resize((56, 56)).save(folder / f"{i}-dark.jpg", quality=95)
    (folder / "notes.txt").write_text("not an image: ignored")

    results = run_page(monkeypatch, tmp_path / "out", "--images", str(folder),
                       "--model", str(quick_cnn))

    model = keras.saving.load_model(quick_cnn)
    expected = np.argmax(model.predict(test_images[..., None] / 255.0, verbose=0), axis=1)
    predictions = results["predictions"]
    assert len(predictions) == 18
    names = DATASETS["fashion_mnist"].class_names
    for i, label in enumerate(expected):
        assert predictions[f"{i}-plain.png"]["class"] == names[label]  # the same input exactly
        assert not predictions[f"{i}-plain.png"]["inverted"]
        assert predictions[f"{i}-dark.jpg"]["inverted"]
    agree = sum(predictions[f"{i}-{kind}"]["class"] == names[label]
                for i, label in enumerate(expected) for kind in ("rgb.png", "dark.jpg"))
    assert agree >= 10  # resized and recompressed, nearly always the same class
    for plot in ("your_images.png", "predictions.png", "confident_mistakes.png"):
        assert (tmp_path / "out" / plot).stat().st_size > 5000, plot
    mistakes = results["confident_mistakes"]
    assert all(m["predicted"] != m["true"] for m in mistakes)
    assert [m["probability"] for m in mistakes] == sorted(
        (m["probability"] for m in mistakes), reverse=True)


def test_without_a_folder_the_page_classifies_its_demo_files_with_chapter_5s_cnn(quick_chapters):
    run = quick_chapters["ch06_applications/classify_images"]  # after ch05_practice/cnn
    results = run.results()
    assert "ch05_practice/cnn-quick/cnn-fashion_mnist.keras" in run.stdout
    assert len(results["predictions"]) == 15  # ten colour PNGs, five dark JPEGs
    assert sum(p["inverted"] for p in results["predictions"].values()) == 5
    assert 0.1 < results["test_accuracy"] <= 1


def test_a_missing_model_says_how_to_train_it(tmp_path, monkeypatch):
    with pytest.raises(SavedModelError, match="make ch05-cnn DATASET=fashion_mnist QUICK=1"):
        run_page(monkeypatch, tmp_path, "--model", str(tmp_path / "none.keras"))


def test_an_unreadable_file_is_named(quick_cnn, tmp_path, monkeypatch):
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(InvalidDataError, match="broken.png: not an image file"):
        run_page(monkeypatch, tmp_path / "out", "--images", str(tmp_path),
                 "--model", str(quick_cnn))
