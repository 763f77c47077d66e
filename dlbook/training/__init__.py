"""Training loops: the GradientTape `Trainer`, a GAN trained by ``fit``, a tape step inside
``fit``, and the exact resume all of them share (`ResumableRun`).

`GAN`, `TapeStepModel` and chapter 5's CNN recipe (`cnn_recipe`) are written on chapter 5's
pages (``dcgan.py``, ``lenet_fit.py``, ``cnn.py``); their modules run those cells
(`dlbook.pages`).
"""

from dlbook.training.callbacks import EpochTimer, resumable_run
from dlbook.training.engine import Trainer
from dlbook.training.gan import GAN
from dlbook.training.keras_step import TapeStepModel
from dlbook.training.optimizers import adam_cosine
from dlbook.training.progress import keras_verbose
from dlbook.training.resume import ResumableRun
from dlbook.training.run_folder import run_identity

__all__ = [
    "adam_cosine",
    "EpochTimer",
    "GAN",
    "keras_verbose",
    "ResumableRun",
    "TapeStepModel",
    "Trainer",
    "resumable_run",
    "run_identity",
]
