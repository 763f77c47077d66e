"""Plots a learner looks at after training: curves, image grids, a confusion matrix, a GAN's
samples and their progress as an animated GIF.

Everything draws on a bare `matplotlib.figure.Figure` (no pyplot, no GUI backend), so it works on a
headless machine, and writes a PNG whose path it returns. Run in a notebook, each plot is also
shown below the cell that made it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from dlbook.notebook import in_notebook

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    if in_notebook():  # in a notebook: show it under the cell
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
        ax.xaxis.get_major_locator().set_params(integer=True, min_n_ticks=1)  # no epoch 2.5
        ax.legend()
        ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_runs(histories: Mapping[str, object], path: str | Path,
              metrics: Sequence[str] = ("loss", "val_accuracy")) -> Path:
    """Runs that differ in one thing compared: one panel per metric (``loss``,
    ``val_accuracy``...), one line per run, labelled with its name in ``histories`` (whose values
    are what ``fit`` returns, or their ``.history`` dicts)."""
    fig = Figure(figsize=(4.5 * len(metrics), 3.5))
    for ax, metric in zip(fig.subplots(1, len(metrics), squeeze=False)[0], metrics, strict=True):
        for name, history in histories.items():
            values = getattr(history, "history", history)[metric]
            ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=name)
        title = (metric.replace("val_", "validation ") if metric.startswith("val_")
                 else f"training {metric}")
        ax.set(title=title, xlabel="epoch")
        ax.legend()
        ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_against(x: Sequence[float], lines: Mapping[str, Sequence[float]], path: str | Path, *,
                 xlabel: str, ylabel: str, title: str = "", log_x: bool = False) -> Path:
    """Measurements against one variable, such as test accuracy against the training-set size:
    one marked line per entry of ``lines``, each point labelled with its value (the first line's
    above its points, the others' below)."""
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    for index, (name, values) in enumerate(lines.items()):
        ax.plot(x, values, marker="o", label=name)
        for x_value, value in zip(x, values, strict=True):
            ax.annotate(f"{value:.3g}", (x_value, value), textcoords="offset points",
                        xytext=(0, 6 if index == 0 else -12), ha="center", fontsize=7)
    ax.margins(y=0.15)  # room for the labels above the highest point and below the lowest
    if log_x:
        ax.set_xscale("log")
        ax.set_xticks(list(x), [f"{value:,}" for value in x])
        ax.minorticks_off()
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
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
    panel_inches: float = 1.3,
) -> Path:
    """A grid of images, (N, H, W) or (N, H, W, 1|3), each with an optional title, each
    ``panel_inches`` wide."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (N, H, W) or (N, H, W, C), got {images.shape}")
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig = Figure(figsize=(panel_inches * ncols,
                          panel_inches * nrows + (0.3 * nrows if titles else 0)))
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


def plot_decision_boundaries(
    panels: Sequence[tuple[str, Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray]],
    path: str | Path,
    resolution: int = 200,
) -> Path:
    """Two-feature classifiers side by side: each panel ``(title, predict, x, y)`` shades the
    plane by ``predict`` (points ``(M, 2)`` -> class 0/1 or a probability of class 1) and draws
    the examples ``x`` ``(N, 2)``, coloured by their labels ``y``."""
    fig = Figure(figsize=(3.2 * len(panels), 3.8), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, predict, x, y) in zip(axes, panels, strict=True):
        x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
        low, high = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
        grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], resolution),
                                     np.linspace(low[1], high[1], resolution))
        plane = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
        scores = np.asarray(predict(plane), dtype=np.float32).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, scores, levels=np.linspace(0, 1, 11), cmap="coolwarm",
                    alpha=0.35)
        ax.contour(grid_x, grid_y, scores, levels=[0.5], colors="black", linewidths=1)
        for label, color in ((0, "tab:blue"), (1, "tab:red")):
            ax.scatter(*x[y == label].T, s=120, color=color, edgecolors="black",
                       label=f"class {label}", zorder=3)
        ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return _save(fig, path)


def plot_heatmap(
    matrix: np.ndarray,
    path: str | Path,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    x_ticks: Sequence[str] | None = None,
    y_ticks: Sequence[str] | None = None,
    marked: Sequence[tuple[int, int]] = (),
    colorbar_label: str = "",
) -> Path:
    """A matrix as a heat map (rows down, columns across) with its colour scale; the cells
    ``marked`` ``(row, column)`` get a black frame."""
    from matplotlib.patches import Rectangle

    matrix = np.asarray(matrix)
    if matrix.ndim != 2:
        raise ValueError(f"expected a matrix (2 axes), got shape {matrix.shape}")
    rows, columns = matrix.shape
    fig = Figure(figsize=(1.5 + 0.45 * columns, 1.0 + 0.32 * rows))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="viridis", aspect="auto")
    fig.colorbar(image, ax=ax, label=colorbar_label)
    if x_ticks is not None:
        ax.set_xticks(range(columns), x_ticks, fontsize=7)
    if y_ticks is not None:
        ax.set_yticks(range(rows), y_ticks, fontsize=7)
    for row, column in marked:
        ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="white",
                               linewidth=2))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return _save(fig, path)


def plot_curves(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    path: str | Path,
    *,
    xlabel: str,
    ylabel: str,
    x: Sequence[float] | None = None,
    log_y: bool | Collection[str] = False,
    references: Mapping[str, tuple[float, str]] | None = None,
    ncols: int = 3,
) -> Path:
    """Curves compared: one panel per entry of ``panels`` (its title), one line per entry of
    each panel. The curves are drawn against ``x`` when given, else against 1, 2, ...; a value
    that is not finite (a diverged run) is left out; ``log_y`` puts every panel (True) or the
    panels it names on a log scale; ``references`` maps a panel's title to a
    ``(value, label)`` drawn there as a dashed horizontal line. Panels fill rows of ``ncols``."""
    ncols = min(ncols, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.6 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.axis("off")
    for ax, (title, curves) in zip(axes, panels.items(), strict=False):
        if x is None:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for label, values in curves.items():
            values = np.asarray(values, dtype=np.float64)
            positions = np.arange(1, len(values) + 1) if x is None else np.asarray(x)
            ax.plot(positions, np.where(np.isfinite(values), values, np.nan), label=label)
        if references and title in references:
            value, label = references[title]
            ax.axhline(value, color="gray", linestyle="--", linewidth=1, label=label)
        if log_y is True or (log_y and title in log_y):
            ax.set_yscale("log")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_stacked_bars(table: Mapping[str, Mapping[str, float]], path: str | Path, *,
                      title: str, xlabel: str) -> Path:
    """One horizontal bar per row of ``table``, split into its parts (e.g. a model's parameters
    by kind of layer), the total written at the end of the bar."""
    parts = list(dict.fromkeys(part for row in table.values() for part in row))
    fig = Figure(figsize=(9, 0.9 + 0.45 * len(table)), layout="constrained")
    ax = fig.subplots()
    names = list(table)
    left = np.zeros(len(names))
    for part in parts:
        widths = np.array([table[name].get(part, 0) for name in names], dtype=np.float64)
        ax.barh(names, widths, left=left, label=part)
        left += widths
    for row, total in enumerate(left):
        ax.text(total, row, f" {total:,.0f}", va="center", fontsize=8)
    ax.set_xlim(0, left.max() * 1.25)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    ax.set(title=title, xlabel=xlabel)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper", fontsize=8)
    return _save(fig, path)


def plot_graph_panels(
    panels: Mapping[str, np.ndarray],
    edges: Sequence[tuple[int, int]],
    labels: Sequence[int],
    class_names: Sequence[str],
    path: str | Path,
    *,
    labelled: Sequence[int] = (),
    wrong: Sequence[int] = (),
) -> Path:
    """A graph drawn at several sets of node positions, one panel each (``panels``: title ->
    ``(N, 2)`` positions, e.g. a layout and an embedding): edges in gray, nodes coloured by
    their labels, the ``labelled`` nodes (those a model was trained on) as stars and the
    ``wrong`` ones (misclassified) circled in black."""
    labels = np.asarray(labels)
    fig = Figure(figsize=(4.6 * len(panels), 4.8), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    for ax, (title, positions) in zip(axes, panels.items(), strict=True):
        positions = np.asarray(positions)
        for i, j in edges:
            ax.plot(*positions[[i, j]].T, color="gray", alpha=0.3, linewidth=0.8, zorder=1)
        for label, name in enumerate(class_names):
            members = np.flatnonzero(labels == label)
            ax.scatter(*positions[members].T, s=60, color=colors[label % len(colors)],
                       label=name, zorder=2)
        if len(labelled):
            ax.scatter(*positions[list(labelled)].T, s=260, marker="*", color="gold",
                       edgecolors="black", label="labelled for training", zorder=3)
        if len(wrong):
            ax.scatter(*positions[list(wrong)].T, s=160, facecolors="none", edgecolors="black",
                       linewidths=1.5, label="misclassified", zorder=4)
        ax.set(title=title, xticks=[], yticks=[])
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4)
    return _save(fig, path)


def plot_bars(values: Mapping[str, float], path: str | Path, *, title: str, xlabel: str,
              notes: Mapping[str, str] | None = None) -> Path:
    """One horizontal bar per entry of ``values`` (e.g. a model file's size by format), top to
    bottom, each with its value and its entry of ``notes`` (e.g. the accuracy) written after it."""
    names = list(values)
    widths = np.array([values[name] for name in names], dtype=np.float64)
    fig = Figure(figsize=(8, 0.9 + 0.5 * len(names)), layout="constrained")
    ax = fig.subplots()
    ax.barh(names, widths, color="tab:blue")
    for row, (name, width) in enumerate(zip(names, widths, strict=True)):
        note = f", {notes[name]}" if notes and name in notes else ""
        ax.text(width, row, f" {width:,.4g}{note}", va="center", fontsize=8)
    ax.set_xlim(0, widths.max() * 1.45)
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel)
    return _save(fig, path)
