"""Chapter 6, your own photos: MobileNetV2 with a new classifier, built offline (random weights,
the same head): its shapes, which layers train before and after fine-tuning, the scaling of the
pixels; its ImageNet weights from Keras's cache, else downloaded, else one line and a CNN from
scratch, never a hang or a crash; the default folders of photos; the page's route on each."""

import http.client
import json
import runpy
import sys
from pathlib import Path

from dlbook.data import load_images, photo_sets
from dlbook.models import pretrained
from dlbook.models.photos import mobilenet_classifier, small_cnn, unfreeze_top
from dlbook.models.pretrained import mobilenet_v2_file, mobilenet_v2_weights

import h5py
import keras
import numpy as np
import pytest
from PIL import Image
from test_ch06_classify_images_files import colour_folder

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "chapters" / "ch06_applications" / "own_photos.py"
OFFLINE_LINE = ("MobileNetV2's ImageNet weights: DLBOOK_OFFLINE=1 forbids their download; a small "
                "CNN trained from scratch instead")


@pytest.fixture(scope="module")
def transfer_model():
    keras.utils.set_random_seed(0)
    return mobilenet_classifier(3, (96, 96, 3), weights=None)


def test_the_new_classifier_alone_trains_on_a_frozen_mobilenet_v2(transfer_model):
    base = transfer_model.get_layer("mobilenet_v2")
    assert [type(layer).__name__ for layer in transfer_model.layers] == [
        "InputLayer", "Sequential", "Rescaling", "Functional", "GlobalAveragePooling2D",
        "Dropout", "Dense"]
    assert base.output.shape[1:] == (3, 3, 1280)  # 96 / 32 = 3 positions a side
    assert not base.trainable and base.count_params() == 2_257_984
    assert [weight.shape for weight in transfer_model.trainable_weights] == [(1280, 3), (3,)]
    assert transfer_model(np.zeros((2, 96, 96, 3), np.float32)).shape == (2, 3)


def test_pixels_in_0_1_reach_mobilenet_v2_as_preprocess_input_makes_them(transfer_model):
    """MobileNetV2 was trained on pixels in [-1, 1]: the model's output is its classifier on
    the base's features of ``preprocess_input(255 x)``, and the augmentation is off."""
    images = np.random.default_rng(0).uniform(0, 1, (2, 96, 96, 3)).astype(np.float32)
    scaled = keras.applications.mobilenet_v2.preprocess_input(images * 255.0)
    np.testing.assert_allclose(transfer_model.get_layer("rescaling")(images), scaled, atol=1e-6)
    features = transfer_model.get_layer("mobilenet_v2")(scaled, training=False)
    head = transfer_model.layers[-1](keras.ops.mean(features, axis=(1, 2)))
    np.testing.assert_allclose(transfer_model(images, training=False), head, atol=1e-4)


def test_fine_tuning_unfreezes_the_top_of_the_base_but_not_its_batch_norm():
    keras.utils.set_random_seed(0)
    model = mobilenet_classifier(3, (96, 96, 3), weights=None)
    trained = unfreeze_top(model, 100)
    base = model.get_layer("mobilenet_v2")
    for index, layer in enumerate(base.layers):
        is_norm = isinstance(layer, keras.layers.BatchNormalization)
        assert layer.trainable == (index >= 100 and not is_norm), layer.name
    assert trained == sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
    assert 1280 * 3 < trained < base.count_params()
    assert len(base.layers) == 154


def test_the_cnn_from_scratch_trains_every_weight():
    keras.utils.set_random_seed(0)
    model = small_cnn(4, (64, 64, 3))
    assert model(np.zeros((1, 64, 64, 3), np.float32)).shape == (1, 4)
    frozen = sum(int(np.prod(weight.shape)) for weight in model.non_trainable_weights)
    assert frozen == 2 * (16 + 32 + 64 + 128)  # batch normalization's moving means, variances


def imagenet_like_file(path: Path, image_size=(96, 96)) -> keras.Model:
    """A weights file of MobileNetV2 without its top in the layout Keras publishes (legacy
    HDF5), holding random weights; the base whose weights it holds."""
    from keras.src.legacy.saving import legacy_h5_format

    keras.utils.set_random_seed(1)
    base = keras.applications.MobileNetV2(input_shape=(*image_size, 3), include_top=False,
                                          weights=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, base)
    return base


def test_weights_in_keras_cache_are_used_and_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    cached = tmp_path / "keras" / "models" / mobilenet_v2_file((96, 96))
    saved = imagenet_like_file(cached)
    path, whence = mobilenet_v2_weights((96, 96))
    assert (path, whence) == (cached, f"cached in {cached.parent}")
    model = mobilenet_classifier(3, (96, 96, 3), weights=str(path))
    for got, expected in zip(model.get_layer("mobilenet_v2").weights, saved.weights, strict=True):
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_sizes_without_weights_of_their_own_take_those_of_224():
    assert mobilenet_v2_file((160, 160)).endswith("_1.0_160_no_top.h5")
    assert mobilenet_v2_file((100, 100)).endswith("_1.0_224_no_top.h5")
    assert mobilenet_v2_file((128, 160)).endswith("_1.0_224_no_top.h5")


def test_every_way_to_lack_the_weights_is_one_reason_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    assert mobilenet_v2_weights((160, 160)) == (None, "DLBOOK_OFFLINE=1 forbids their download")
    assert mobilenet_v2_weights((28, 28)) == (None, "MobileNetV2 takes images of at least 32x32, "
                                                    "not 28x28")
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(pretrained, "is_reachable", lambda url: False)
    assert mobilenet_v2_weights((160, 160)) == (
        None, f"{pretrained.MOBILENET_V2_URL} cannot be reached")

    def fails(url, path, sha256, timeout):
        raise OSError("timed out")

    def is_cut_short(url, path, sha256, timeout):
        raise http.client.IncompleteRead(b"\x89HDF", 9_406_460)

    monkeypatch.setattr(pretrained, "is_reachable", lambda url: True)
    monkeypatch.setattr(pretrained, "download", fails)
    assert mobilenet_v2_weights((160, 160)) == (None, "their download failed (timed out)")
    monkeypatch.setattr(pretrained, "download", is_cut_short)
    assert mobilenet_v2_weights((160, 160)) == (
        None, "their download failed (IncompleteRead(4 bytes read, 9406460 more expected))")

    def sends_a_page(url, path, sha256, timeout):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html>a captive portal</html>")

    monkeypatch.setattr(pretrained, "download", sends_a_page)
    path, why = mobilenet_v2_weights((160, 160))
    assert path is None and why.endswith("sent a file that is not HDF5 weights")
    assert not list((tmp_path / "keras" / "models").iterdir())
    damaged = tmp_path / "keras" / "models" / mobilenet_v2_file((160, 160))
    damaged.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 10)
    assert mobilenet_v2_weights((160, 160)) == (None, f"{damaged} is damaged; delete it to "
                                                      "download it again")


def test_a_download_goes_into_kerass_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("DLBOOK_OFFLINE", raising=False)
    fetched = []

    def serves(url, path, sha256, timeout):
        fetched.append((url, timeout))
        imagenet_like_file(path)

    monkeypatch.setattr(pretrained, "is_reachable", lambda url: True)
    monkeypatch.setattr(pretrained, "download", serves)
    path, whence = mobilenet_v2_weights((96, 96))
    assert path == tmp_path / "keras" / "models" / mobilenet_v2_file((96, 96))
    assert whence == f"downloaded to {path}"
    assert fetched == [(pretrained.MOBILENET_V2_URL + path.name, pretrained.DOWNLOAD_TIMEOUT)]


def test_tux_paints_photographs_become_class_folders_without_the_cartoons(tmp_path):
    stamps = tmp_path / "stamps"
    for name in ("animals/birds/blackbird.png", "animals/birds/cartoon/tux.png",
                 "animals/mammals/apes/gorilla.png", "food/fruit/apple.png",
                 "plants/flowers/poppy.png", "symbols/alphabets/a.png"):
        (stamps / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGBA", (8, 8)).save(stamps / name)
    (stamps / "food/fruit/apple.txt").write_text("Apple")  # what Tux Paint says of a stamp
    folder = photo_sets.tuxpaint_photos(tmp_path / "cache", stamps)
    found = sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))
    assert found == ["birds", "birds/blackbird.png", "food", "food/fruit_apple.png", "mammals",
                     "mammals/apes_gorilla.png", "plants", "plants/flowers_poppy.png"]
    assert (folder / "birds" / "blackbird.png").resolve() == stamps / "animals/birds/blackbird.png"
    assert photo_sets.tuxpaint_photos(tmp_path / "cache", tmp_path / "none") == folder  # kept


def test_without_tux_paint_the_default_is_labelled_as_generated(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(photo_sets, "TUXPAINT_STAMPS", tmp_path / "not-installed")
    folder = photo_sets.default_photos(tmp_path)
    out = capsys.readouterr().out
    assert out.startswith("dataset auto -> generated_from_fashion_mnist (no folder named and "
                          "Tux Paint's stamps are not installed") and "not photos" in out
    suffixes = {path.suffix for path in folder.rglob("*") if path.is_file()}
    assert suffixes == {".png", ".jpg", ".webp", ".txt", ""}  # "": .DS_Store
    data = load_images(str(folder), image_size=(48, 48), color_mode="rgb")
    described = capsys.readouterr().out
    assert (data.num_train + data.num_validation, data.num_test) == (240, 60)
    for note in ("60 in sub-folders", "60 with transparency put on white",
                 "60 of 16 bits or more scaled to 8", "skipped 1 file that is not an image"):
        assert note in described, note
    assert data.class_names == ["ankle boot", "bag", "sandal", "t-shirt-top", "trouser"]


def run_page(monkeypatch, output_dir, *flags):
    monkeypatch.setattr(sys, "argv", [str(PAGE), "--output-dir", str(output_dir), *flags])
    runpy.run_path(str(PAGE), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_with_cached_weights_the_page_fine_tunes_mobilenet_v2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    imagenet_like_file(tmp_path / "keras" / "models" / mobilenet_v2_file((32, 32)), (32, 32))
    folder = colour_folder(tmp_path / "shapes")
    results = run_page(monkeypatch, tmp_path / "out", "--dataset", str(folder), "--epochs", "1",
                       "--fine-tune-epochs", "1", "--image-size", "32x32", "--batch-size", "8")
    out = capsys.readouterr().out
    assert f"MobileNetV2's ImageNet weights: cached in {tmp_path / 'keras' / 'models'}; " \
           "fine-tuning it" in out
    assert "mobilenet_v2_transfer: 2,261,827 weights, 3,843 of them trained" in out
    assert "fine-tuning: " in out
    assert results["route"] == "mobilenet_v2" and 0 <= results["test_accuracy"] <= 1
    saved = keras.saving.load_model(tmp_path / "out" / "photos-shapes.keras", safe_mode=True)
    assert saved.output.shape[1:] == (3,)
    assert (tmp_path / "out" / "photos-shapes.keras.json").is_file()


def test_offline_the_page_says_so_and_trains_a_cnn_from_scratch(quick_chapters):
    run = quick_chapters["ch06_applications/own_photos"]
    results = run.results("curves.png", "predictions.png", "confusion_matrix.png")
    assert OFFLINE_LINE in run.stdout
    assert "dataset auto -> generated_from_fashion_mnist (" in run.stdout
    assert results["route"] == "from_scratch" and results["images"] == 300
    assert results["settings"]["IMAGE_SIZE"] == [96, 96]
