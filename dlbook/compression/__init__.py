"""Smaller, cheaper models (section 8: efficiency by pruning and quantization): magnitude pruning
during training, for Keras 3, written on chapter 8's pruning page
(``chapters/ch08_trends/pruning.py``). Quantization is TensorFlow Lite's converter, used on its
page."""

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.compression.pruning import (
    MaskFunction,
    PolynomialSparsity,
    Pruning,
    UnprunableModelError,
    magnitude_masks,
    masks_keeping_the_ends,
    prunable_kernels,
    sparsity,
)

__all__ = ["MaskFunction", "Pruning", "PolynomialSparsity", "UnprunableModelError",
           "magnitude_masks", "masks_keeping_the_ends", "prunable_kernels", "sparsity"]
