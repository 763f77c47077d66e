"""Measuring a generator (section 2's GAN) instead of eyeballing its samples.

Both scores look at images through a trained classifier:

* classifier score (the Inception score of Salimans et al., 2016, with our own classifier):
  ``exp(E_x KL(p(y|x) || p(y)))``. High when each image is confidently one class (sharp
  ``p(y|x)``) and the classes are balanced (flat ``p(y)``); from 1 to the number of classes.
* Frechet distance (FID, Heusel et al., 2017, with our classifier's features): fit a Gaussian
  ``N(mu, S)`` to the features of each image set, then
  ``|mu1 - mu2|^2 + trace(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)``. 0 for identical sets.

Neither number means much alone: compare it with real-vs-real (two halves of the test set, the best
a generator can hope for) and noise-vs-real (the worst).

The classifier (the "judge") must fit the images: `load_judge` checks it before a GAN trains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.models.loading import SavedModelError, ends_in_softmax, load_classifier

import keras
import numpy as np

FEATURES_LAYER = "features"
"""The judge's layer whose output the Frechet distance compares (build_cnn's dense 64)."""

JUDGE_FIX = ("the judge of generated images must be a classifier of the same dataset, such as the "
             "cnn-<dataset>.keras that chapters/ch05_practice/cnn.py writes")


class JudgeError(SavedModelError):
    """The classifier given to measure a generator's images cannot measure them."""


def load_judge(path: str | Path, image_shape: Sequence[int], num_classes: int,
               trained_on: Mapping[str, object] | None = None) -> keras.Model:
    """Load the classifier that measures a generator's images, and check that it can.

    It must be a ``.keras`` file that loads in safe mode (no code run from the file), a
    Sequential or functional model taking images of ``image_shape`` and returning logits for
    ``num_classes`` classes, with a layer named ``"features"``, and trained on ``trained_on``
    (the data's identity) where its record says. Anything else raises a `SavedModelError`
    (`JudgeError` for the softmax and the layer) whose one-line message names the problem: a
    judge of other images fails only after the GAN has trained, and one of other classes or
    other data gives figures that look right and mean nothing.
    """
    model = load_classifier(path, JUDGE_FIX, image_shape, num_classes, trained_on, logits=False)
    if ends_in_softmax(model):
        raise JudgeError(f"{path} ends in a softmax; the scores apply the softmax themselves and "
                         f"need the logits (a last layer without activation); {JUDGE_FIX}")
    names = [layer.name for layer in model.layers]
    if FEATURES_LAYER not in names:
        raise JudgeError(f"{path} has no layer named {FEATURES_LAYER!r} (its layers: "
                         f"{', '.join(names)}); the Frechet distance compares that layer's "
                         f"outputs; {JUDGE_FIX}")
    return model


def classifier_score(probabilities: np.ndarray) -> float:
    """``exp(mean over images of KL(p(y|x) || p(y)))`` for class probabilities ``[N, classes]``."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            f"expected class probabilities of shape (N, classes) with rows summing to 1, got shape "
            f"{p.shape}; apply a softmax to logits first"
        )
    marginal = p.mean(axis=0)
    # Terms with p(y|x) = 0 contribute 0; the clip only keeps log() away from 0.
    log_ratio = np.log(np.clip(p, 1e-12, None)) - np.log(np.clip(marginal, 1e-12, None))
    kl = np.sum(p * log_ratio, axis=1)
    return float(np.exp(kl.mean()))


def sqrtm_psd(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix, via ``eigh``.

    ``S = V diag(w) V^T`` gives ``S^1/2 = V diag(sqrt(w)) V^T``; eigenvalues a rounding error below
    0 are set to 0.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance between Gaussian fits of two feature sets ``[N, d]`` and ``[M, d]``."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            f"expected two feature sets (N, d) and (M, d) with N, M >= 2, got {a.shape} and "
            f"{b.shape}"
        )
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root_a = sqrtm_psd(cov_a)
    cross = sqrtm_psd(root_a @ cov_b @ root_a)
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * cross)
    return float(max(distance, 0.0))


def features_and_probabilities(
    classifier: keras.Model, images: np.ndarray, layer: str = FEATURES_LAYER, batch_size: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's ``layer`` output and its class probabilities (softmax of its logits)."""
    try:
        features = classifier.get_layer(layer).output
    except ValueError as error:
        names = [each.name for each in classifier.layers]
        raise ValueError(f"the classifier has no layer {layer!r}; its layers: {names}") from error
    extractor = keras.Model(classifier.inputs, [features, classifier.outputs[0]])
    features, logits = extractor.predict(images, batch_size=batch_size, verbose=0)
    return features, keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))


def shuffled_pixels(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each image with its pixels in random order: real brightness, no structure (noise)."""
    rng = np.random.default_rng(seed)
    flat = np.asarray(images).reshape(len(images), -1)
    return rng.permuted(flat, axis=1).reshape(np.shape(images))
