"""Plots are written as non-empty PNG files and reject wrong input; a GAN's samples and GIF."""

from pathlib import Path

from dlbook import plots
from dlbook.models.dcgan import NOISE_DIM, make_generator

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 2000


def test_history_plot(tmp_path):
    history = {"loss": [1.0, 0.5], "accuracy": [0.6, 0.8], "val_loss": [1.1, 0.7],
               "val_accuracy": [0.5, 0.7]}
    assert_png(plots.plot_history(history, tmp_path / "curves.png"))


def test_history_without_training_metrics_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="no training metrics"):
        plots.plot_history({"val_loss": [1.0]}, tmp_path / "x.png")


def test_prediction_grid_and_image_grid(tmp_path):
    images = np.random.default_rng(0).random((10, 28, 28, 1))
    assert_png(plots.plot_predictions(images, [0, 1] * 5, [0, 0] * 5, ["a", "b"],
                                      tmp_path / "preds.png"))
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        plots.plot_image_grid(np.zeros((28, 28)), tmp_path / "bad.png")


def test_confusion_matrix_counts_and_plot(tmp_path):
    counts = plots.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert_png(plots.plot_confusion_matrix([0, 1, 2], [0, 2, 2], ["x", "y", "z"],
                                           tmp_path / "cm.png"))


def test_test_results_predicts_and_writes_both_plots(tmp_path):
    import keras
    import tensorflow as tf

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    images = np.random.default_rng(0).random((10, 28, 28, 1)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((images, np.arange(10) % 3)).batch(4)
    predicted = plots.plot_test_results(model, data, ["a", "b", "c"], tmp_path, num_images=6)
    np.testing.assert_array_equal(predicted, np.argmax(model.predict(images, verbose=0), axis=1))
    assert_png(tmp_path / "predictions.png")
    assert_png(tmp_path / "confusion_matrix.png")


def test_samples_grid_and_progress_gif(tmp_path):
    generator = make_generator()
    noise = np.random.default_rng(0).normal(size=(4, NOISE_DIM)).astype(np.float32)
    frames = [plots.plot_samples(generator, noise * scale, tmp_path / f"epoch_{scale}.png")
              for scale in (1, 3, 9)]  # different frames: Pillow merges identical ones
    for frame in frames:
        assert_png(frame)
    gif = plots.save_gif(frames, tmp_path / "progress.gif")
    with Image.open(gif) as image:
        assert image.format == "GIF"
        assert image.n_frames == 3
    with pytest.raises(ValueError, match="no frames"):
        plots.save_gif([], tmp_path / "empty.gif")


def test_plot_against_keeps_every_value_label_inside_the_axes(tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or Path(path))
    # pruning.py's figures: the top point's label goes above it, the bottom point's below it
    plots.plot_against([0, 50, 80, 90], {"while training": [0.915, 0.919, 0.913, 0.907],
                                         "at once": [0.915, 0.916, 0.881, 0.798]},
                       tmp_path / "pruning.png", xlabel="weights pruned (%)",
                       ylabel="test accuracy")
    (figure,) = figures
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    (axes,) = figure.axes
    inside = axes.get_window_extent(renderer)
    labels = [text.get_window_extent(renderer) for text in axes.texts]
    assert len(labels) == 8
    assert all(inside.y0 <= label.y0 and label.y1 <= inside.y1 for label in labels)
