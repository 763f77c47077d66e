"""Smaller, cheaper models (section 8: efficiency by pruning and quantization): magnitude pruning
during training, for Keras 3. Quantization is TensorFlow Lite's converter, used on its page."""

from dlbook.compression.pruning import (
    PolynomialSparsity,
    Pruning,
    UnprunableModelError,
    prunable_kernels,
    sparsity,
)

__all__ = ["Pruning", "PolynomialSparsity", "UnprunableModelError", "prunable_kernels",
           "sparsity"]
