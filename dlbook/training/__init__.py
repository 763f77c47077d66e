"""Training loops: the GradientTape `Trainer`, and the same step inside ``keras.Model.fit``."""

from dlbook.training.engine import History, Trainer
from dlbook.training.keras_step import TapeStepModel
from dlbook.training.optimizers import sgd_cosine

__all__ = ["History", "TapeStepModel", "Trainer", "sgd_cosine"]
