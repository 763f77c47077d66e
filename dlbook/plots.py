"""Plots a learner looks at after training: curves, image grids, a confusion matrix, a GAN's
samples and their progress as an animated GIF.

Everything draws on a bare `matplotlib.figure.Figure` (no pyplot, no GUI backend), so it works on a
headless machine, and writes a PNG whose path it returns. Run in a notebook, each plot is also
shown below the cell that made it.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    if "ipykernel" in sys.modules:  # in a notebook: show it under the cell
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    return path


def plot_history(history, path: str | Path) -> Path:
    """Training curves: one panel per metric, the training value beside its ``val_`` twin.

    ``history`` is what ``model.fit`` and `dlbook.training.Trainer.fit` return (a
    ``keras.callbacks.History``), or its ``.history`` dict.
    """
    history: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    names = [key for key in history if not key.startswith("val_")]
    if not names:
        raise ValueError(f"history has no training metrics, only {sorted(history)}")
    fig = Figure(figsize=(4.5 * len(names), 3.5))
    for ax, name in zip(fig.subplots(1, len(names), squeeze=False)[0], names, strict=True):
        epochs = range(1, len(history[name]) + 1)
        ax.plot(epochs, history[name], marker="o", label="train")
        if f"val_{name}" in history:
            ax.plot(epochs, history[f"val_{name}"], marker="o", label="validation")
        ax.set(title=name, xlabel="epoch")
        ax.legend()
        ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_image_grid(
    images: np.ndarray,
    path: str | Path,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    title_colors: Sequence[str] | None = None,
) -> Path:
    """A grid of images, (N, H, W) or (N, H, W, 1|3), each with an optional title."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (N, H, W) or (N, H, W, C), got {images.shape}")
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig = Figure(figsize=(1.3 * ncols, 1.3 * nrows + (0.3 * nrows if titles else 0)))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap=cmap)
        if titles is not None:
            color = title_colors[i] if title_colors is not None else "black"
            ax.set_title(titles[i], fontsize=8, color=color)
    return _save(fig, path)


def plot_functions(x: np.ndarray, panels: Mapping[str, Mapping[str, np.ndarray]],
                   path: str | Path, xlabel: str = "z") -> Path:
    """Curves over ``x``: one panel per entry of ``panels`` (its title), one line per curve in it
    (its label), such as the activation functions of section 4 beside their derivatives."""
    fig = Figure(figsize=(4.5 * len(panels), 3.5))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, curves) in zip(axes, panels.items(), strict=True):
        for (label, values), style in zip(curves.items(), itertools.cycle(["-", "--", "-.", ":"])):
            ax.plot(x, values, style, label=label)  # a line style each: overlaps stay visible
        ax.axhline(0, color="gray", linewidth=0.5)
        ax.axvline(0, color="gray", linewidth=0.5)
        ax.set(title=title, xlabel=xlabel)
        ax.legend()
        ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_predictions(
    images: np.ndarray,
    y_true: Sequence[int],
    y_pred: Sequence[int],
    class_names: Sequence[str],
    path: str | Path,
    ncols: int = 8,
) -> Path:
    """Test images titled "predicted (true)", wrong predictions in red."""
    titles = [
        f"{class_names[p]}" + ("" if p == t else f"\n({class_names[t]})")
        for t, p in zip(y_true, y_pred, strict=True)
    ]
    colors = ["black" if p == t else "red" for t, p in zip(y_true, y_pred, strict=True)]
    return plot_image_grid(images, path, titles=titles, ncols=ncols, title_colors=colors)


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class ``i`` predicted as class ``j``."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def plot_confusion_matrix(
    y_true: Sequence[int], y_pred: Sequence[int], class_names: Sequence[str], path: str | Path
) -> Path:
    """The confusion matrix as a heat map with the counts written in each cell."""
    counts = confusion_matrix(y_true, y_pred, len(class_names))
    size = 1.0 + 0.6 * len(class_names)
    fig = Figure(figsize=(size + 1.5, size))
    ax = fig.subplots()
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set(xlabel="predicted", ylabel="true", title="confusion matrix")
    threshold = counts.max() / 2
    for (i, j), count in np.ndenumerate(counts):
        ax.text(j, i, count, ha="center", va="center", fontsize=7,
                color="white" if count > threshold else "black")
    return _save(fig, path)


def plot_test_results(model, test_data, class_names: Sequence[str], output_dir: str | Path,
                      num_images: int = 32) -> np.ndarray:
    """Predict ``test_data`` (``(images, labels)`` batches) and write ``predictions.png`` (the
    first ``num_images``) and ``confusion_matrix.png`` to ``output_dir``; returns the predictions.
    """
    output_dir = Path(output_dir)
    predicted = np.argmax(model.predict(test_data, verbose=0), axis=1)
    images, labels = map(np.concatenate, zip(*test_data.as_numpy_iterator(), strict=True))
    plot_predictions(images[:num_images], labels[:num_images], predicted[:num_images],
                     class_names, output_dir / "predictions.png")
    plot_confusion_matrix(labels, predicted, class_names, output_dir / "confusion_matrix.png")
    return predicted


def plot_samples(generator, noise: np.ndarray, path: str | Path) -> Path:
    """The images a GAN's ``generator`` makes from ``noise`` (inference mode, outputs in [-1, 1]),
    as a PNG grid."""
    images = np.asarray(generator(noise, training=False))
    return plot_image_grid((images + 1.0) / 2.0, path)


def save_gif(
    frames: Sequence[str | Path], path: str | Path, seconds_per_frame: float = 0.5
) -> Path:
    """An animated GIF of the image files ``frames`` (e.g. one sample grid per epoch), looping."""
    from PIL import Image

    if not frames:
        raise ValueError(f"no frames to write to {path}")
    images = [Image.open(frame).convert("RGB") for frame in frames]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:],
                   duration=int(seconds_per_frame * 1000), loop=0)
    return path
