"""Training loops: the GradientTape `Trainer`, its GAN variant, and a tape step inside ``fit``."""

from dlbook.training.callbacks import EpochTimer, resumable_run
from dlbook.training.engine import Trainer
from dlbook.training.gan import GANTrainer
from dlbook.training.keras_step import TapeStepModel
from dlbook.training.optimizers import adam_cosine
from dlbook.training.progress import keras_verbose
from dlbook.training.run_folder import run_identity

__all__ = [
    "adam_cosine",
    "EpochTimer",
    "GANTrainer",
    "keras_verbose",
    "TapeStepModel",
    "Trainer",
    "resumable_run",
    "run_identity",
]
