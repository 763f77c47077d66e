"""The comparison plots of chapters 2 and 3 write PNG files and reject input they cannot draw."""

from dlbook import plots

import numpy as np
import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 2000


def test_decision_boundaries(tmp_path):
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 1])
    assert_png(plots.plot_decision_boundaries(
        [("OR", lambda p: (p.sum(axis=1) > 0.5).astype(int), x, y),
         ("soft", lambda p: 1 / (1 + np.exp(-p.sum(axis=1))), x, y)], tmp_path / "b.png"))


def test_heatmap_and_its_errors(tmp_path):
    assert_png(plots.plot_heatmap(np.eye(3), tmp_path / "h.png", title="t", xlabel="x",
                                  ylabel="y", x_ticks=list("abc"), marked=[(0, 0)]))
    with pytest.raises(ValueError, match="2 axes"):
        plots.plot_heatmap(np.zeros(3), tmp_path / "bad.png", title="t", xlabel="x", ylabel="y")


def test_curves_leave_out_diverged_values(tmp_path):
    panels = {"a": {"ok": [1.0, 0.5, 0.25], "diverged": [1.0, 1e6, float("inf")]},
              "b": {"ok": [3.0, 2.0]}, "c": {"x": [1.0]}, "d": {"y": [2.0]}}
    assert_png(plots.plot_curves(panels, tmp_path / "c.png", xlabel="step", ylabel="loss",
                                 log_y=True, references={"a": (0.3, "target")}))


def test_stacked_bars_and_graph_panels(tmp_path):
    assert_png(plots.plot_stacked_bars({"m1": {"dense": 10, "conv": 5}, "m2": {"dense": 3}},
                                       tmp_path / "s.png", title="t", xlabel="parameters"))
    positions = np.random.default_rng(0).normal(size=(4, 2))
    assert_png(plots.plot_graph_panels({"layout": positions, "again": positions},
                                       [(0, 1), (1, 2), (2, 3)], [0, 0, 1, 1], ["a", "b"],
                                       tmp_path / "g.png", labelled=[0, 3], wrong=[1]))
