"""Chapter 6's image page reads files as the folder reader does (`dlbook.data.image_files`):
the same drawing as an 8-bit PNG, a 16-bit PNG and on a transparent background is classified
alike, and damaged files end in one line (red team N013, N015, N017, N019, N021)."""

import os

from dlbook.data import InvalidDataError

import numpy as np
import pytest
from PIL import Image
from test_ch06_classify_images import run_page

TROUSERS = np.full((28, 28), 255, np.uint8)
TROUSERS[3:26, 8:12] = TROUSERS[3:26, 16:20] = TROUSERS[3:8, 8:20] = 0
"""The red team's drawing: black trousers on white."""


def test_a_16_bit_and_a_transparent_drawing_are_classified_as_the_8_bit_one(quick_cnn, tmp_path,
                                                                             monkeypatch):
    """N019: the 16-bit copy was divided by 255 ('Sandal 100%' for 'Trouser 85%'); N017: the
    transparent one lost its alpha and became all black (the blank image's answer)."""
    folder = tmp_path / "drawings"
    folder.mkdir()
    Image.fromarray(TROUSERS).save(folder / "a-8bit.png")
    Image.fromarray(TROUSERS.astype(np.uint16) * 257).save(folder / "b-16bit.png")
    strokes = np.zeros((28, 28, 4), np.uint8)
    strokes[..., 3] = (TROUSERS == 0) * 255  # black strokes, the rest see-through
    Image.fromarray(strokes, "RGBA").save(folder / "c-transparent.png")
    results = run_page(monkeypatch, tmp_path / "out", "--images", str(folder),
                       "--model", str(quick_cnn))
    found = results["predictions"]
    assert found["a-8bit.png"]["inverted"]
    for name in ("b-16bit.png", "c-transparent.png"):
        assert found[name]["class"] == found["a-8bit.png"]["class"], name
        assert found[name]["probability"] == pytest.approx(found["a-8bit.png"]["probability"],
                                                           abs=1e-6)


def test_damaged_files_are_set_aside_in_the_line_printed(quick_cnn, tmp_path, monkeypatch,
                                                         capsys):
    """N013, N021: a truncated PNG and a symlink loop ended in tracebacks; N015: so did a PNG over
    Pillow's decompression-bomb limit."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for i in range(20):
        Image.fromarray(np.roll(TROUSERS, i - 10, axis=1)).save(folder / f"{i:02}.png")
    data = (folder / "00.png").read_bytes()
    (folder / "00.png").write_bytes(data[: len(data) // 2])
    os.symlink("loop.png", folder / "loop.png")
    results = run_page(monkeypatch, tmp_path / "out", "--images", str(folder),
                       "--model", str(quick_cnn))
    out = capsys.readouterr().out
    assert len(results["predictions"]) == 19 and "19 files from " in out
    assert ("skipped 2 that cannot be decoded (00.png: damaged or cut short (image file is "
            "truncated); loop.png: a link that leads nowhere") in out
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 28x28 is over twice the limit
    with pytest.raises(InvalidDataError, match=r"21 of 21 image files cannot be decoded, more "
                                               r"than 10% \(00.png: more than 200 pixels"):
        run_page(monkeypatch, tmp_path / "out", "--images", str(folder),
                 "--model", str(quick_cnn))


def colour_folder(root, shapes=("square", "bar", "dot"), per_class=12):
    """Coloured shapes on white, one class folder per shape, in sizes that differ."""
    rng = np.random.default_rng(0)
    for shape in shapes:
        (root / shape).mkdir(parents=True)
        for i in range(per_class):
            size = int(rng.integers(30, 50))
            image = np.full((size, size, 3), 255, np.uint8)
            low, high = size // 4, 3 * size // 4
            area = {"square": np.s_[low:high, low:high], "bar": np.s_[2:-2, low:low + 4],
                    "dot": np.s_[low:low + 6, low:low + 6]}[shape]
            image[area] = rng.integers(0, 200, 3)
            Image.fromarray(image).save(root / shape / f"{i}.png")
    return root


def test_colour_photos_are_resized_as_the_folder_was_and_never_inverted(tmp_path, monkeypatch,
                                                                       capsys):
    """The inversion rule is for light drawings on black (MNIST-like data): files on a white
    ground given to a colour model trained on a white ground are not turned into negatives, and
    each reaches the model as the folder reader made the training images."""
    from dlbook.data import decode_image, load_images
    from dlbook.models.saving import save_model

    import keras

    folder = colour_folder(tmp_path / "shapes")
    data = load_images(str(folder), image_size=(32, 32), limit=2048, seed=0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(4, 3),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
    path = save_model(model, tmp_path / "shapes.keras", trained_on=data.identity)
    files = tmp_path / "files"
    files.mkdir()
    Image.open(folder / "bar" / "0.png").resize((90, 70)).save(files / "bar.png")
    Image.open(folder / "dot" / "1.png").convert("RGB").save(files / "dot.jpg", quality=95)

    results = run_page(monkeypatch, tmp_path / "out", "--dataset", str(folder), "--image-size",
                       "32x32", "--model", str(path), "--images", str(files))
    out = capsys.readouterr().out
    assert "shapes's images are not light drawings on a dark ground (colour average 1." in out
    assert "no file is inverted" in out and "2 files from " in out
    for name in ("bar.png", "dot.jpg"):
        pixels = decode_image(files / name, "rgb", (32, 32)).pixels[np.newaxis] / 255.0
        expected = keras.ops.softmax(model.predict(pixels, verbose=0)).numpy()[0]
        assert not results["predictions"][name]["inverted"]
        assert results["predictions"][name]["probability"] == pytest.approx(expected.max(),
                                                                            abs=1e-5)


def test_a_model_trained_on_other_data_is_refused_before_any_file_is_read(tmp_path, monkeypatch):
    """Red team item 6: a saved model is used for the data that trained it, whatever its file's
    name; one trained on another folder of the same classes and size is refused in one line."""
    from dlbook.data import load_images
    from dlbook.models.loading import SavedModelError
    from dlbook.models.saving import save_model

    import keras

    trained_on = load_images(str(colour_folder(tmp_path / "shapes")), image_size=(32, 32),
                             limit=2048, seed=0)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(4, 3),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
    path = save_model(model, tmp_path / "shapes.keras", trained_on=trained_on.identity)
    other = colour_folder(tmp_path / "other" / "shapes", per_class=10)  # same classes, other files
    with pytest.raises(SavedModelError, match=r"shapes.keras was trained on other data \("):
        run_page(monkeypatch, tmp_path / "out", "--dataset", str(other), "--image-size", "32x32",
                 "--model", str(path), "--images", str(other / "dot"))
    assert not (tmp_path / "out" / "results.json").exists()
