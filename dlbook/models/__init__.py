"""Reusable Keras 3 models of the tutorial; each returns logits."""

from dlbook.models.lenet import LeNet

__all__ = ["LeNet"]
