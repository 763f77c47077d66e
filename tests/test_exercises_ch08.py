"""Chapter 8's exercises: the reference solutions against their definitions, tf.nn's average
loss and dlbook.compression's schedule, and wrong answers written as a learner would write them,
each failing with the hint of its mistake."""

from dlbook.compression import PolynomialSparsity
from dlbook.exercises import ch08

import numpy as np
import pytest
import tensorflow as tf
from exercise_checks import wrong_answer_tests

RNG = np.random.default_rng(8)


@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.8, 0.9])
def test_the_mask_keeps_the_largest_magnitudes(sparsity):
    weights = RNG.normal(size=(20, 10))
    mask = ch08.magnitude_mask(weights, sparsity)
    assert mask.shape == weights.shape and mask.dtype == bool
    assert 1 - mask.mean() == pytest.approx(sparsity, abs=0.01)
    assert np.abs(weights[mask]).min() >= np.abs(weights[~mask]).max(initial=0.0)


def test_quantization_round_trips_within_half_a_step():
    for x in (RNG.normal(size=50), RNG.uniform(1, 2, 20), -RNG.uniform(0, 3, 20), np.zeros(3)):
        q, scale, zero_point = ch08.quantize_int8(x)
        assert q.dtype == np.int8
        assert np.abs(ch08.dequantize(q, scale, zero_point) - x).max() <= scale / 2 + 1e-12
        assert ch08.dequantize(np.array([zero_point], np.int8), scale, zero_point)[0] == 0
    q, _, _ = ch08.quantize_int8(RNG.normal(size=50))
    assert (q.min(), q.max()) == (-128, 127)  # the whole range of int8 is used


def test_the_replicas_losses_add_up_to_the_global_mean():
    per_replica = [RNG.random(3), RNG.random(2), np.zeros(0)]
    losses = ch08.replica_losses(per_replica, 5)
    assert sum(losses) == pytest.approx(np.concatenate(per_replica).mean(), rel=1e-12)
    for ours, replica in zip(losses, per_replica, strict=True):
        assert ours == pytest.approx(float(tf.nn.compute_average_loss(
            tf.constant(replica), global_batch_size=5)), rel=1e-6)


def test_the_schedule_is_dlbook_compressions():
    schedule = PolynomialSparsity(final=0.8, begin_step=100, end_step=600)
    for step in [0, 100, 150, 350, 599, 600, 900]:
        assert ch08.sparsity_at(step, 0.8, 100, 600) == pytest.approx(schedule(step), abs=1e-12)


# Wrong answers, as a learner would write them -------------------------------------------------


def mask_by_value(weights, sparsity):
    threshold = np.quantile(weights.flatten(), sparsity)
    return weights >= threshold


def mask_keeps_small(weights, sparsity):
    threshold = np.quantile(np.abs(weights), 1 - sparsity)
    return np.abs(weights) <= threshold


def mask_inverted_fraction(weights, sparsity):
    keep = 1 - sparsity
    return np.abs(weights) >= np.quantile(np.abs(weights), keep)


def mask_strictly_above(weights, sparsity):
    magnitude = np.abs(weights)
    return magnitude > np.quantile(magnitude, sparsity)


def quantize_min_max(x):
    scale = (x.max() - x.min()) / 255 or 1.0
    zero_point = int(round(-128 - x.min() / scale))
    q = np.clip(np.round(x / scale) + zero_point, -128, 127)
    return q.astype(np.int8), scale, zero_point


def quantize_symmetric(x):
    scale = np.max(np.abs(x)) / 127
    if scale == 0:
        scale = 1.0
    return np.round(x / scale).astype(np.int8), scale, 0


def quantize_float_q(x):
    low, high = min(x.min(), 0), max(x.max(), 0)
    scale = (high - low) / 255 if high != low else 1.0
    zero_point = round(-128 - low / scale)
    return np.clip(np.round(x / scale) + zero_point, -128, 127), scale, zero_point


def quantize_256(x):
    low, high = min(x.min(), 0), max(x.max(), 0)
    scale = (high - low) / 256 if high != low else 1.0
    zero_point = round(-128 - low / scale)
    return np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8), scale, zero_point


def dequantize_int8(q, scale, zero_point):
    return scale * (q - zero_point)


def dequantize_no_zero(q, scale, zero_point):
    return q * scale


def dequantize_divide(q, scale, zero_point):
    return (q.astype(float) - zero_point) / scale


def replicas_own_mean(per_replica, global_batch_size):
    return [losses.mean() for losses in per_replica]


def replicas_mean_shared(per_replica, global_batch_size):
    count = len(per_replica)
    return [float(np.mean(losses)) / count for losses in per_replica]


def replicas_sum(per_replica, global_batch_size):
    return [losses.sum() for losses in per_replica]


def schedule_linear(step, final, begin, end):
    fraction = np.clip((step - begin) / (end - begin), 0, 1)
    return final * fraction


def schedule_unclipped(step, final, begin, end):
    fraction = (step - begin) / (end - begin)
    return final * (1 - (1 - fraction) ** 3)


def schedule_from_step_zero(step, final, begin, end):
    fraction = min(step / end, 1.0)
    return final * (1 - (1 - fraction) ** 3)


def schedule_cubed_progress(step, final, begin, end):
    fraction = np.clip((step - begin) / (end - begin), 0, 1)
    return final * fraction**3


WRONG = {
    "8.1": [(mask_by_value, "the sign counted"),
            (mask_keeps_small, "the smallest weights kept"),
            (mask_inverted_fraction, "the sparsity kept instead of removed"),
            (mask_strictly_above, "a strict threshold")],
    "8.2": [(quantize_min_max, "a range that does not reach 0"),
            (quantize_symmetric, "symmetric quantization"),
            (quantize_float_q, "q left as floats"),
            (quantize_256, "256 steps")],
    "8.3": [(dequantize_int8, "q - zero_point computed in int8"),
            (dequantize_no_zero, "the zero point forgotten"),
            (dequantize_divide, "divided by the scale")],
    "8.4": [(replicas_own_mean, "each replica's own mean"),
            (replicas_mean_shared, "the local mean divided by the number of replicas"),
            (replicas_sum, "the sums, not divided")],
    "8.5": [(schedule_linear, "a linear schedule"),
            (schedule_unclipped, "progress not clipped"),
            (schedule_from_step_zero, "begin ignored"),
            (schedule_cubed_progress, "progress cubed")],
}


(test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
 test_every_exercise_has_three_wrong_answers_with_their_own_hints) = wrong_answer_tests(WRONG, "8")
