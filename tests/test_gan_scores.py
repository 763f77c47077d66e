"""Generator metrics: classifier score, matrix square root, Frechet distance, their ordering;
the judge that measures them, checked before a GAN trains."""

import zipfile

from dlbook.gan_scores import (
    JudgeError,
    classifier_score,
    features_and_probabilities,
    frechet_distance,
    load_judge,
    shuffled_pixels,
    sqrtm_psd,
)
from dlbook.models import LeNet
from dlbook.models.cnn import build_cnn
from dlbook.models.loading import SavedModelError

import keras
import numpy as np
import pytest


def test_classifier_score_of_a_uniform_classifier_is_one():
    assert classifier_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)


def test_classifier_score_of_a_confident_balanced_classifier_is_the_number_of_classes():
    assert classifier_score(np.eye(10)[np.arange(100) % 10]) == pytest.approx(10.0)


def test_classifier_score_of_a_confident_single_class_classifier_is_one():
    assert classifier_score(np.eye(10)[np.zeros(30, int)]) == pytest.approx(1.0)


def test_classifier_score_matches_the_formula_on_a_small_case():
    p = np.array([[0.9, 0.1], [0.2, 0.8]])
    marginal = p.mean(axis=0)
    kl = [sum(pi * np.log(pi / mi) for pi, mi in zip(row, marginal, strict=True)) for row in p]
    assert classifier_score(p) == pytest.approx(np.exp(np.mean(kl)))


def test_classifier_score_rejects_logits():
    with pytest.raises(ValueError, match="apply a softmax"):
        classifier_score(np.array([[2.0, -1.0], [0.5, 3.0]]))


def test_sqrtm_psd_matches_the_2x2_closed_form():
    """For a 2x2 PSD matrix M: sqrt(M) = (M + sqrt(det M) I) / sqrt(trace M + 2 sqrt(det M))."""
    m = np.array([[4.0, 1.0], [1.0, 3.0]])
    s = np.sqrt(np.linalg.det(m))
    expected = (m + s * np.eye(2)) / np.sqrt(np.trace(m) + 2 * s)
    np.testing.assert_allclose(sqrtm_psd(m), expected, rtol=1e-12)
    np.testing.assert_allclose(sqrtm_psd(m) @ sqrtm_psd(m), m, rtol=1e-12)


def test_frechet_distance_of_identical_sets_is_zero():
    features = np.random.default_rng(0).normal(size=(200, 8))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def exact_sample(mean, variances, n=300, seed=0):
    """``n`` points whose sample mean and covariance are exactly ``mean`` and diag(variances)."""
    x = np.random.default_rng(seed).normal(size=(n, len(variances)))
    q, _ = np.linalg.qr(x - x.mean(axis=0))  # orthonormal columns with zero mean
    return q * np.sqrt((n - 1) * np.asarray(variances)) + mean


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    """Diagonal covariances: |mu1 - mu2|^2 + sum_i (s1_i + s2_i - 2 sqrt(s1_i s2_i))."""
    var_a, var_b = np.array([1.0, 2.0, 0.5]), np.array([4.0, 2.0, 3.0])
    a = exact_sample(0.0, var_a, seed=0)
    b = exact_sample(1.0, var_b, seed=1)
    expected = 3 * 1.0**2 + np.sum(var_a + var_b - 2 * np.sqrt(var_a * var_b))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_rejects_mismatched_features():
    with pytest.raises(ValueError, match=r"\(10, 4\) and \(10, 5\)"):
        frechet_distance(np.zeros((10, 4)), np.zeros((10, 5)))


def stripe_images(n, seed):
    """Dark images with one bright horizontal bar: a family with structure, like real data."""
    rng = np.random.default_rng(seed)
    images = 0.1 * rng.random((n, 28, 28, 1), dtype=np.float32)
    for image, row in zip(images, rng.integers(2, 24, n), strict=True):
        image[row : row + 3, 4:24] = 1.0
    return images


def tiny_classifier():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(8, 5, strides=2, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu", name="features"),
        keras.layers.Dense(10),
    ])


def test_real_vs_real_is_closer_than_shuffled_noise_vs_real():
    classifier = tiny_classifier()
    real_a, _ = features_and_probabilities(classifier, stripe_images(400, seed=1))
    real_b, _ = features_and_probabilities(classifier, stripe_images(400, seed=2))
    noise, _ = features_and_probabilities(classifier, shuffled_pixels(stripe_images(400, seed=1)))
    assert frechet_distance(real_a, real_b) < 0.2 * frechet_distance(noise, real_b)


def test_features_and_probabilities_shapes_and_missing_layer():
    classifier = tiny_classifier()
    features, probabilities = features_and_probabilities(classifier, stripe_images(5, seed=0))
    assert features.shape == (5, 16)
    assert probabilities.shape == (5, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="no layer 'penultimate'"):
        features_and_probabilities(classifier, stripe_images(5, seed=0), layer="penultimate")


def test_shuffled_pixels_keeps_each_images_pixel_values():
    images = stripe_images(3, seed=0)
    shuffled = shuffled_pixels(images)
    assert shuffled.shape == images.shape
    assert not np.array_equal(shuffled, images)
    for a, b in zip(images, shuffled, strict=True):
        np.testing.assert_array_equal(np.sort(a.ravel()), np.sort(b.ravel()))


# -- the judge ------------------------------------------------------------------------------------


def saved(model, path):
    model.save(path)
    return path


def test_a_good_judge_loads_and_measures(tmp_path):
    path = saved(build_cnn(), tmp_path / "cnn.keras")
    judge = load_judge(path, (28, 28, 1), 10)
    features, probabilities = features_and_probabilities(judge, stripe_images(4, seed=0))
    assert features.shape == (4, 64) and probabilities.shape == (4, 10)


def test_a_missing_judge_is_named(tmp_path):
    with pytest.raises(SavedModelError, match=r"no trained model at .*no\.keras; the judge of "
                                              r"generated images must be a classifier"):
        load_judge(tmp_path / "no.keras", (28, 28, 1), 10)


def test_a_file_that_is_not_a_keras_model_is_refused(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("not a model")
    with pytest.raises(SavedModelError, match=r"notes\.keras does not load as a Keras model in "
                                              r"safe mode \(ValueError: .*\); the judge"):
        load_judge(path, (28, 28, 1), 10)


def test_a_malformed_keras_file_is_refused(tmp_path):
    path = tmp_path / "broken.keras"
    with zipfile.ZipFile(path, "w") as archive:  # a zip, but its configuration is cut short
        archive.writestr("config.json", '{"class_name": "Sequential", "config": {"lay')
    with pytest.raises(SavedModelError, match=r"broken\.keras does not load as a Keras model"):
        load_judge(path, (28, 28, 1), 10)


def test_a_judge_of_other_images_is_refused(tmp_path):
    path = saved(build_cnn(input_shape=(32, 32, 3)), tmp_path / "cifar.keras")
    with pytest.raises(SavedModelError, match=r"takes inputs of shape \(32, 32, 3\), not "
                                              r"\(28, 28, 1\)"):
        load_judge(path, (28, 28, 1), 10)


def test_a_judge_of_other_classes_is_refused(tmp_path):
    """Before, a 5-class judge gave a classifier score of at most 5 and Frechet distances in its
    own feature space, printed as if they measured the 10 classes of the data."""
    path = saved(build_cnn(num_classes=5), tmp_path / "five.keras")
    with pytest.raises(SavedModelError, match="predicts 5 classes, not 10"):
        load_judge(path, (28, 28, 1), 10)


def test_a_judge_without_a_features_layer_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(10, name="logits")])
    path = saved(model, tmp_path / "flat.keras")
    with pytest.raises(JudgeError, match=r"no layer named 'features' \(its layers: flat, "
                                         r"logits\)"):
        load_judge(path, (28, 28, 1), 10)


def test_a_judge_ending_in_a_softmax_is_refused(tmp_path):
    """Its probabilities would go through a second softmax: flattened, a wrong classifier score."""
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(64, name="features"),
                              keras.layers.Dense(10, activation="softmax")])
    path = saved(model, tmp_path / "softmax.keras")
    with pytest.raises(JudgeError, match="ends in a softmax"):
        load_judge(path, (28, 28, 1), 10)


def test_a_subclassed_judge_is_refused(tmp_path):
    model = LeNet()
    model(np.zeros((1, 28, 28, 1), np.float32))
    path = saved(model, tmp_path / "lenet.keras")
    with pytest.raises(SavedModelError, match=r"takes inputs of shape None, not \(28, 28, 1\)"):
        load_judge(path, (28, 28, 1), 10)
