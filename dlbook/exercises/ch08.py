"""Chapter 8's exercises: magnitude pruning and its schedule, int8 quantization and back, and the
loss of one replica in data-parallel training. NumPy only."""

from __future__ import annotations

from functools import partial

from dlbook.exercises.core import Case, Exercise, Mistake, case
from dlbook.exercises.i18n import N_

import numpy as np

# ------------------------------------------------------------------------------------------------
# 8.1 The magnitude mask


def magnitude_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """True for the weights kept: ``|w|`` at or above the ``sparsity``-quantile of all ``|w|``."""
    magnitudes = np.abs(weights)
    return magnitudes >= np.quantile(magnitudes, sparsity)


def _mask_cases() -> list[Case]:
    rng = np.random.default_rng(81)
    ties = np.array([[0.0, 0.0, 0.5, -0.5], [0.0, 0.0, 0.25, 1.0]])
    return [
        case(N_("a 4x4 matrix, half of it pruned"), rng.normal(size=(4, 4)), 0.5),
        case(N_("sparsity 0: every weight kept"), rng.normal(size=(3, 3)), 0.0),
        case(N_("a 10x10 matrix pruned to 90%"), rng.normal(size=(10, 10)), 0.9),
        case(N_("odd sizes, 3x5, sparsity 0.3"), rng.normal(size=(3, 5)), 0.3),
        case(N_("large negative weights are large too"), np.array([[-3.0, 0.1, -0.2, 2.0]]), 0.5),
        case(N_("ties at the threshold are kept"), ties, 0.25),
    ]


def _mask_signed(weights, sparsity):
    return weights >= np.quantile(weights, sparsity)


def _mask_smallest_kept(weights, sparsity):
    magnitudes = np.abs(weights)
    return magnitudes < np.quantile(magnitudes, 1 - sparsity)


def _mask_keeps_the_sparsity(weights, sparsity):
    magnitudes = np.abs(weights)
    return magnitudes >= np.quantile(magnitudes, 1 - sparsity)


def _mask_strict(weights, sparsity):
    magnitudes = np.abs(weights)
    return magnitudes > np.quantile(magnitudes, sparsity)


def _mask_per_row(weights, sparsity):
    magnitudes = np.abs(weights)
    return magnitudes >= np.quantile(magnitudes, sparsity, axis=-1, keepdims=True)


MAGNITUDE_MASK = Exercise(
    "8.1", "magnitude_mask", magnitude_mask, _mask_cases,
    hint=N_("Magnitudes first, |w|; the threshold is their sparsity-quantile over the whole "
            "matrix, np.quantile(np.abs(weights), sparsity); keep the weights at or above it: a "
            "boolean array of the weights' shape."),
    mistakes=[
        Mistake(N_("the sign counted"),
                N_("a weight of -3 matters as much as one of 3: rank the weights by their "
                   "magnitude |w|, not by their value."), _mask_signed),
        Mistake(N_("the smallest weights kept"),
                N_("magnitude pruning removes the weights closest to 0 and keeps the large "
                   "ones: True where |w| >= the threshold."), _mask_smallest_kept),
        Mistake(N_("the sparsity kept instead of removed"),
                N_("the sparsity is the fraction set to zero: the threshold is the "
                   "sparsity-quantile (0.9 prunes 90%), not the (1 - sparsity)-quantile."),
                _mask_keeps_the_sparsity),
        Mistake(N_("a strict threshold"),
                N_("keep |w| at or above the threshold (>=): at sparsity 0 the threshold is the "
                   "smallest magnitude, and nothing is pruned."), _mask_strict),
        Mistake(N_("a threshold per row"),
                N_("one threshold for the whole matrix (one quantile of all its weights), as "
                   "pruning.py takes one over all the layers; per row prunes every row "
                   "equally."), _mask_per_row),
    ],
    rtol=0.0, atol=0.0,
)

# ------------------------------------------------------------------------------------------------
# 8.2 int8 quantization with a scale and a zero point


def quantize_int8(x: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Affine int8 quantization over ``[min(x, 0), max(x, 0)]``: ``(q, scale, zero_point)`` with
    ``x ~ scale (q - zero_point)``."""
    low, high = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    zero_point = int(np.round(-128 - low / scale))
    q = np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8)
    return q, scale, zero_point


def _quantize_cases() -> list[Case]:
    rng = np.random.default_rng(82)
    return [
        case(N_("values of both signs"), rng.normal(size=8)),
        case(N_("positive values only: the range still reaches 0"), rng.uniform(0.5, 3.0, 6)),
        case(N_("negative values only"), -rng.uniform(0.1, 2.0, 5)),
        case(N_("all zeros"), np.zeros(4)),
        case(N_("a 2-D array with a wide range"), rng.normal(scale=50, size=(3, 4))),
    ]


def _quantize_with(x, *, include_zero=True, zero_sign=-1.0, levels=255, cast=True):
    low, high = float(x.min()), float(x.max())
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / levels if high > low else 1.0
    zero_point = int(np.round(-128 + zero_sign * low / scale))
    q = np.clip(np.round(x / scale) + zero_point, -128, 127)
    return (q.astype(np.int8) if cast else q), scale, zero_point


def _quantize_symmetric(x):
    scale = float(np.abs(x).max()) / 127 or 1.0
    return np.clip(np.round(x / scale), -128, 127).astype(np.int8), scale, 0


QUANTIZE = Exercise(
    "8.2", "quantize_int8", quantize_int8, _quantize_cases,
    hint=N_("The range [low, high] = [min(x.min(), 0), max(x.max(), 0)] is cut into 255 steps: "
            "scale = (high - low) / 255 (1 if the range is empty). The zero point is the integer "
            "that stands for 0: round(-128 - low / scale). Then q = clip(round(x / scale) + "
            "zero_point, -128, 127) as np.int8."),
    outputs=("q", "scale", N_("zero point")),
    mistakes=[
        Mistake(N_("a range that does not reach 0"),
                N_("the range must include 0, so that 0 (padding, ReLU outputs) is exactly "
                   "representable: low = min(x.min(), 0), high = max(x.max(), 0)."),
                partial(_quantize_with, include_zero=False)),
        Mistake(N_("the zero point's sign"),
                N_("the zero point is where low lands on -128: zero_point = round(-128 - low / "
                   "scale), then x = low gives q = -128."), partial(_quantize_with, zero_sign=1.0)),
        Mistake(N_("256 steps"),
                N_("int8 has 256 values, -128 to 127, hence 255 steps between them: scale = "
                   "(high - low) / 255."), partial(_quantize_with, levels=256)),
        Mistake(N_("symmetric quantization"),
                N_("scale = max|x| / 127 with zero point 0 is the symmetric scheme the page "
                   "uses for the weights; this exercise asks for the affine one, with a zero "
                   "point that uses the whole range."), _quantize_symmetric),
        Mistake(N_("q left as floats"),
                N_("the point is to store one byte per value: return q.astype(np.int8)."),
                partial(_quantize_with, cast=False)),
    ],
    rtol=1e-9, atol=1e-12, exact_dtypes=True,
)

# ------------------------------------------------------------------------------------------------
# 8.3 Back from int8


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """``scale (q - zero_point)``, computed in floats (in int8, ``q - zero_point`` wraps
    around)."""
    return scale * (q.astype(np.float32) - zero_point)


def _dequantize_cases() -> list[Case]:
    return [
        case(N_("zero point 0"), np.array([-128, -5, 0, 7, 127], np.int8), 0.02, 0),
        case(N_("zero point -128, values up to 127: q - z reaches 255"),
             np.array([-128, 0, 100, 127], np.int8), 0.01, -128),
        case(N_("zero point 127, negative values"), np.array([-128, -1, 127], np.int8), 0.5, 127),
        case(N_("a 2-D array"), np.array([[3, -4], [50, -60]], np.int8), 0.1, 10),
    ]


def _dequantize_in_int8(q, scale, zero_point):
    return scale * (q - np.int8(zero_point)).astype(np.float32)


def _dequantize_without_zero_point(q, scale, zero_point):
    return scale * q.astype(np.float32)


def _dequantize_plus_zero_point(q, scale, zero_point):
    return scale * (q.astype(np.float32) + zero_point)


def _dequantize_divided(q, scale, zero_point):
    return (q.astype(np.float32) - zero_point) / scale


DEQUANTIZE = Exercise(
    "8.3", "dequantize", dequantize, _dequantize_cases,
    hint=N_("x ~ scale * (q - zero_point): convert q to floats first (q.astype(np.float32)), "
            "then subtract the zero point and multiply by the scale."),
    mistakes=[
        Mistake(N_("q - zero_point computed in int8"),
                N_("q is int8: q - zero_point in int8 wraps around past 127 (127 - (-128) = "
                   "255 becomes -1). Convert q to floats before subtracting."),
                _dequantize_in_int8),
        Mistake(N_("the zero point forgotten"),
                N_("q = zero_point stands for 0: subtract it before scaling."),
                _dequantize_without_zero_point),
        Mistake(N_("the zero point added"),
                N_("quantizing added the zero point; going back subtracts it."),
                _dequantize_plus_zero_point),
        Mistake(N_("divided by the scale"),
                N_("quantizing divided by the scale; going back multiplies by it."),
                _dequantize_divided),
    ],
    rtol=1e-6, atol=1e-7,
)

# ------------------------------------------------------------------------------------------------
# 8.4 One replica's loss in data-parallel training


def replica_losses(per_replica: list[np.ndarray], global_batch_size: int) -> list[float]:
    """Each replica's loss: the sum of its per-example losses divided by the global batch size,
    so that the replicas' losses (and gradients) add up to the global batch mean."""
    return [float(np.sum(losses) / global_batch_size) for losses in per_replica]


def _replica_cases() -> list[Case]:
    rng = np.random.default_rng(84)
    return [
        case(N_("two replicas, 4 examples each"), [rng.random(4), rng.random(4)], 8),
        case(N_("one replica: the batch mean"), [rng.random(5)], 5),
        case(N_("a last batch of 5 split 3 + 2"), [rng.random(3), rng.random(2)], 5),
        case(N_("4 replicas, one of them without an example"),
             [rng.random(2), rng.random(2), rng.random(1), np.zeros(0)], 5),
    ]


def _replica_local_means(per_replica, global_batch_size):
    return [float(np.mean(losses)) for losses in per_replica]


def _replica_means_over_replicas(per_replica, global_batch_size):
    return [float(np.mean(losses) / len(per_replica)) for losses in per_replica]


def _replica_sums(per_replica, global_batch_size):
    return [float(np.sum(losses)) for losses in per_replica]


REPLICAS = Exercise(
    "8.4", "replica_losses", replica_losses, _replica_cases,
    hint=N_("The gradient of the global mean splits into one sum per replica: each replica "
            "divides the sum of its own per-example losses by the global batch size (what "
            "tf.nn.compute_average_loss does), never by its own count."),
    mistakes=[
        Mistake(N_("each replica's own mean"),
                N_("the all-reduce adds the replicas' gradients: with each replica's own mean "
                   "the sum is the number of replicas times too large. Divide by the global "
                   "batch size."), _replica_local_means),
        Mistake(N_("the local mean divided by the number of replicas"),
                N_("that is right only when every replica has as many examples; the last batch "
                   "of an epoch is split unevenly. Divide each replica's sum by the global "
                   "batch size."), _replica_means_over_replicas),
        Mistake(N_("the sums, not divided"),
                N_("the loss is a mean over the global batch: divide each replica's sum by the "
                   "global batch size."), _replica_sums),
    ],
)

# ------------------------------------------------------------------------------------------------
# 8.5 The gradual pruning schedule


def sparsity_at(step: int, final: float, begin: int, end: int) -> float:
    """Zhu and Gupta's schedule: 0 until ``begin``, ``final`` from ``end`` on, and between them
    ``final (1 - (1 - progress)^3)``, progress going from 0 to 1."""
    progress = min(max((step - begin) / (end - begin), 0.0), 1.0)
    return final + (0.0 - final) * (1 - progress) ** 3


def _schedule_cases() -> list[Case]:
    return [
        case(N_("a third of the way"), 100, 0.9, 0, 300),
        case(N_("at the start"), 0, 0.8, 0, 1000),
        case(N_("before the schedule begins"), 50, 0.9, 100, 400),
        case(N_("half way, starting at step 100"), 250, 0.5, 100, 400),
        case(N_("at the end"), 400, 0.9, 100, 400),
        case(N_("after the end"), 1000, 0.9, 100, 400),
    ]


def _schedule_linear(step, final, begin, end):
    progress = min(max((step - begin) / (end - begin), 0.0), 1.0)
    return final * progress


def _schedule_unclipped(step, final, begin, end):
    return final - final * (1 - (step - begin) / (end - begin)) ** 3


def _schedule_slow_start(step, final, begin, end):
    progress = min(max((step - begin) / (end - begin), 0.0), 1.0)
    return final * progress**3


def _schedule_from_zero(step, final, begin, end):
    progress = min(max(step / end, 0.0), 1.0)
    return final - final * (1 - progress) ** 3


SCHEDULE = Exercise(
    "8.5", "sparsity_at", sparsity_at, _schedule_cases,
    hint=N_("progress = (step - begin) / (end - begin), clipped into [0, 1]; then s = final + "
            "(0 - final) (1 - progress)^3, which rises fast at first and levels off at final."),
    mistakes=[
        Mistake(N_("a linear schedule"),
                N_("the schedule is cubic, s = final (1 - (1 - progress)^3): fast while many "
                   "weights are near 0, slow at the end."), _schedule_linear),
        Mistake(N_("progress not clipped"),
                N_("clip the progress into [0, 1]: before begin the sparsity is 0, after end "
                   "it stays at final."), _schedule_unclipped),
        Mistake(N_("progress cubed"),
                N_("cube (1 - progress), not progress: the schedule prunes most at the "
                   "start."), _schedule_slow_start),
        Mistake(N_("begin ignored"),
                N_("the progress counts from begin: (step - begin) / (end - begin)."),
                _schedule_from_zero),
    ],
)

EXERCISES = [MAGNITUDE_MASK, QUANTIZE, DEQUANTIZE, REPLICAS, SCHEDULE]
