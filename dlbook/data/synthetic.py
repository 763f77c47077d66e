"""A two-class problem whose best possible accuracy is known: the ``x_train`` of a section 5
listing (seed 001 §4.1).

That listing trains an MLP on ``x_train`` of 10 features and never says where it comes from. Here
each class is a Gaussian with its own mean and a shared covariance, equal priors:

    y ~ Bernoulli(1/2),    x | y ~ N(mean_y, S).

For this model the optimal (Bayes) classifier is linear. With ``w = S^-1 (mean_1 - mean_0)`` it
predicts class 1 when ``w . x > w . (mean_0 + mean_1) / 2``, and its accuracy is

    Phi(Delta / 2),    Delta^2 = (mean_1 - mean_0)^T S^-1 (mean_1 - mean_0),

with ``Phi`` the standard normal CDF and ``Delta`` the Mahalanobis distance between the means.
No classifier can beat it, so a model's test accuracy can be read against the ceiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def normal_cdf(z: float) -> float:
    """``Phi(z)``, the probability that a standard normal variable is below ``z``."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@dataclass(frozen=True)
class TwoGaussians:
    """Two equally likely classes, ``x | y ~ N(mean_y, covariance)``."""

    mean_0: np.ndarray
    mean_1: np.ndarray
    covariance: np.ndarray

    @classmethod
    def random(cls, num_features: int = 10, distance: float = 2.5, seed: int = 0) -> TwoGaussians:
        """Random correlated features, means placed ``distance`` apart (Mahalanobis).

        ``distance`` sets the difficulty: the Bayes accuracy is ``Phi(distance / 2)``, 0.894 for
        the default 2.5.
        """
        if num_features < 1 or distance <= 0:
            raise ValueError(f"expected num_features >= 1 and distance > 0, got {num_features} "
                             f"and {distance}")
        rng = np.random.default_rng(seed)
        mixing = rng.normal(size=(num_features, num_features))
        covariance = mixing @ mixing.T / num_features + 0.5 * np.eye(num_features)
        direction = rng.normal(size=num_features)
        direction *= distance / math.sqrt(direction @ np.linalg.solve(covariance, direction))
        center = rng.normal(size=num_features)
        return cls(center - direction / 2, center + direction / 2, covariance)

    @property
    def num_features(self) -> int:
        return len(self.mean_0)

    @property
    def mahalanobis_distance(self) -> float:
        """``Delta = sqrt((mean_1 - mean_0)^T S^-1 (mean_1 - mean_0))``."""
        difference = self.mean_1 - self.mean_0
        return math.sqrt(difference @ np.linalg.solve(self.covariance, difference))

    @property
    def bayes_accuracy(self) -> float:
        """``Phi(Delta / 2)``: the accuracy of the optimal classifier, the ceiling for any model."""
        return normal_cdf(self.mahalanobis_distance / 2)

    def bayes_predict(self, x: np.ndarray) -> np.ndarray:
        """The optimal rule: class 1 where ``w . x > w . (mean_0 + mean_1) / 2``."""
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"expected x of shape (N, {self.num_features}), got {x.shape}")
        w = np.linalg.solve(self.covariance, self.mean_1 - self.mean_0)
        return (x @ w > w @ (self.mean_0 + self.mean_1) / 2).astype(np.int32)

    def sample(self, num_examples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """``num_examples`` draws: features ``float32 (N, num_features)``, labels ``int32 (N,)``."""
        if num_examples < 1:
            raise ValueError(f"expected num_examples >= 1, got {num_examples}")
        rng = np.random.default_rng(seed)
        labels = rng.integers(0, 2, size=num_examples).astype(np.int32)
        noise = rng.normal(size=(num_examples, self.num_features))
        means = np.where(labels[:, None] == 1, self.mean_1, self.mean_0)
        x = means + noise @ np.linalg.cholesky(self.covariance).T
        return x.astype(np.float32), labels
